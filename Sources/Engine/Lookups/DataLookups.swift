// Lookups over data: items, list, indexed_items, dict, together, nested, subelements, sequence,
// random_choice, vars, varnames, env, password, config.
import Jinja
import Values
#if canImport(Glibc)
import Glibc
#endif

enum DataLookups {
    static func sequence(_ term: String, _ o: [String: Value]) throws -> [Value] {
        var start = 1, end: Int? = nil, count: Int? = nil, stride = 1, format = "%d"
        var spec = term.trimmingCharacters(in: " ")
        func num(_ s: Substring) throws -> Int {
            let t = s.lowercased()
            if t.hasPrefix("0x"), let v = Int(t.dropFirst(2), radix: 16) { return v }
            if t.hasPrefix("0o"), let v = Int(t.dropFirst(2), radix: 8) { return v }
            guard let v = Int(t) else { throw AnsibleError("can't parse \(s) as an integer") }
            return v
        }
        if spec.contains("=") {
            for kv in spec.split(separator: " ") {
                let parts = kv.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "start": start = try num(parts[1])
                case "end": end = try num(parts[1])
                case "count": count = try num(parts[1])
                case "stride": stride = try num(parts[1])
                case "format": format = String(parts[1])
                default: throw AnsibleError("unrecognized arguments to with_sequence: \(parts[0])")
                }
            }
        } else if !spec.isEmpty {
            // Shortcut form: [start-]end[/stride][:format]
            if let c = spec.firstIndex(of: ":") { format = String(spec[spec.index(after: c)...]); spec = String(spec[..<c]) }
            if let s = spec.firstIndex(of: "/") { stride = try num(spec[spec.index(after: s)...]); spec = String(spec[..<s]) }
            if let d = spec.dropFirst().firstIndex(of: "-") {
                start = try num(spec[..<d])
                end = try num(spec[spec.index(after: d)...])
            } else { end = try num(Substring(spec)) }
        }
        for (k, v) in o {
            switch k {
            case "start": start = v.intValue ?? start
            case "end": end = v.intValue
            case "count": count = v.intValue
            case "stride": stride = v.intValue ?? stride
            case "format": format = v.pythonStr
            default: break
            }
        }
        if let count {
            guard end == nil else { throw AnsibleError("can't specify both count and end in with_sequence") }
            if count == 0 { return [] }
            end = start + (count - 1) * stride
        }
        guard let e = end else { throw AnsibleError("must specify count or end in with_sequence") }
        guard stride != 0 else { return [] }
        if stride > 0 && e < start { throw AnsibleError("to count backwards make stride negative") }
        if stride < 0 && e > start { throw AnsibleError("to count forward don't make stride negative") }
        return try Swift.stride(from: start, through: e, by: stride).map { .string(try Ops_format(format, $0)) }
    }

    static func Ops_format(_ format: String, _ n: Int) throws -> String {
        let env = Environment()
        return try env.filter("format", .string(format), Arguments([.int(n)])).pythonStr
    }

    static let all: [String: LookupPlugin] = [
        "items": { terms, _, _ in terms.flatMap { $0.listValue ?? [$0] } },
        "list": { terms, _, _ in terms },
        "indexed_items": { terms, _, _ in
            Lookups.flatTerms(terms).enumerated().map { .list([.int($0.offset), $0.element]) }
        },
        "dict": { terms, _, _ in
            try terms.flatMap { t -> [Value] in
                guard case .dict(let d) = t else {
                    throw AnsibleError("the 'dict' lookup plugin expects a dictionary, got '\(t.pythonStr)' of type <class '\(t.typeName)'>)")
                }
                return d.map { .dict(["key": $0.key, "value": $0.value]) }
            }
        },
        "together": { terms, _, _ in
            let lists = terms.map { $0.listValue ?? [$0] }
            let n = lists.map(\.count).max() ?? 0
            return (0..<n).map { i in .list(lists.map { i < $0.count ? $0[i] : .none }) }
        },
        "nested": { terms, _, _ in
            var result: [[Value]] = [[]]
            for pool in terms.map({ $0.listValue ?? [$0] }) { result = result.flatMap { p in pool.map { p + [$0] } } }
            return terms.isEmpty ? [] : result.map(Value.list)
        },
        "subelements": { terms, o, _ in
            guard terms.count >= 2 else { throw AnsibleError("subelements lookup expects a list and a key") }
            var kw: [String: Value] = [:]
            if case .dict(let flags)? = terms.count > 2 ? terms[2] : nil { for (k, v) in flags { kw[k.pythonStr] = v } }
            for (k, v) in o { kw[k] = v }
            let items = terms[0].listValue ?? (terms[0].dictValue.map { Array($0.values) } ?? [])
            let out = try SetFilters.filters["subelements"]!(.list(items), Arguments([terms[1], kw["skip_missing"] ?? .bool(false)]), Environment())
            // Unlike the filter, the lookup hands out the parent without the subelement's key.
            let key = Value.string(String(terms[1].pythonStr.split(separator: ".").last ?? ""))
            return (out.listValue ?? []).map { pair in
                guard case .list(let p) = pair, p.count == 2, case .dict(var parent) = p[0] else { return pair }
                parent.removeValue(forKey: key)
                return .list([.dict(parent), p[1]])
            }
        },
        "sequence": { terms, o, _ in try (terms.isEmpty ? [Value.string("")] : terms).flatMap { try sequence($0.pythonStr, o) } },
        "random_choice": { terms, _, _ in
            let l = Lookups.flatTerms(terms)
            return l.isEmpty ? [] : [l.randomElement()!]
        },
        "vars": { terms, o, c in
            try Lookups.flatTerms(terms).map { t in
                if let v = try c.scope.lookup(t.pythonStr) { return v }
                if let d = o["default"] { return d }
                throw AnsibleError("No variable named '\(t.pythonStr)' was found")
            }
        },
        "varnames": { terms, _, c in
            var out: [Value] = []
            for t in Lookups.flatTerms(terms) {
                let re = try RegexFilters.compile(t.pythonStr, ignorecase: false, multiline: false)
                for name in c.scope.raw.keys.sorted() where (try? re.prefixMatch(in: name)) != nil {
                    if !out.contains(.string(name)) { out.append(.string(name)) }
                }
            }
            return out
        },
        "env": { terms, o, _ in
            Lookups.flatTerms(terms).map { t in Files.environment(t.pythonStr).map(Value.string) ?? o["default"] ?? .string("") }
        },
        "password": { terms, o, c in
            try Lookups.flatTerms(terms).map { t in
                let (relpath, opts) = Lookups.keyAndOptions(t, o)
                let length = opts["length"]?.intValue ?? Int(opts["length"]?.pythonStr ?? "") ?? 20
                var alphabet = ""
                for set in (opts["chars"]?.pythonStr ?? "ascii_letters,digits,.,:-_").split(separator: ",") {
                    switch set {
                    case "ascii_letters": alphabet += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    case "ascii_lowercase": alphabet += "abcdefghijklmnopqrstuvwxyz"
                    case "ascii_uppercase": alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    case "digits": alphabet += "0123456789"
                    case "hexdigits": alphabet += "0123456789abcdefABCDEF"
                    case "punctuation": alphabet += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
                    default: alphabet += set
                    }
                }
                let chars = Array(alphabet)
                if relpath == "/dev/null" { return .string(String((0..<length).map { _ in chars.randomElement()! })) }
                let path = relpath.hasPrefix("/") ? relpath : Files.join(c.playbookDir, relpath)
                if let existing = try? Files.read(path) {
                    let first = existing.pythonSplitLines.first ?? ""
                    return .string(String(first.split(separator: " ").first ?? ""))
                }
                let pw = String((0..<length).map { _ in chars.randomElement()! })
                let dir = Files.dirname(path)
                if !Files.isDirectory(dir) { mkdir(dir, 0o700) }
                try Files.write(path, Array((pw + "\n").utf8), mode: 0o600)
                return .string(pw)
            }
        },
        "config": { terms, o, _ in
            let settings = Settings.load()
            return try Lookups.flatTerms(terms).map { t in
                let name = t.pythonStr
                switch name {
                case "DEFAULT_ROLES_PATH": return .list(settings.rolesPath.map(Value.string))
                case "DEFAULT_FORKS": return .int(settings.forks)
                case "HOST_KEY_CHECKING": return .bool(settings.hostKeyChecking)
                case "DEFAULT_TIMEOUT": return .int(settings.timeout)
                case "DEFAULT_REMOTE_USER": return settings.remoteUser.map(Value.string) ?? .none
                case "DEFAULT_GATHERING": return .string(settings.gathering)
                case "ALLOW_BROKEN_CONDITIONALS": return .bool(settings.allowBrokenConditionals)
                case "DEPRECATION_WARNINGS": return .bool(settings.deprecationWarnings)
                case "DEFAULT_PRIVATE_ROLE_VARS": return .bool(settings.privateRoleVars)
                case "ALLOW_EMBEDDED_TEMPLATES", "DEFAULT_JINJA2_NATIVE": return true
                default:
                    if let d = o["default"] { return d }
                    throw AnsibleError("Unable to find setting \(name)")
                }
            }
        },
    ]
}
