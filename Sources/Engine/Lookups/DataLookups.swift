// Lookups over data: items, list, indexed_items, dict, together, nested, subelements, sequence,
// random_choice, vars, varnames, env, password. (config reads ansible-core's own configuration
// definitions: the helper agent runs ansible-core's plugin.)
import Jinja
import Playbook
import Values
#if canImport(Glibc)
import Glibc
#endif

enum DataLookups {
    /// ansible-core's sequence lookup: `[start-]end[/stride][:format]` or `start= end= count=
    /// stride= format=` words, keyword options under both; the numbers checked as its config
    /// options are (an `integer`), and its arithmetic kept (count with a stride of its own).
    static func sequence(_ term: String, _ o: [String: Value]) throws -> [Value] {
        var fields: [String: Value] = ["start": .int(1), "stride": .int(1), "format": "%d"]
        for (k, v) in o { fields[k] = v }
        let shortcut = try Regex("^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(/(0?x?[0-9a-f]+))?(:(.+))?$").ignoresCase()
        if let m = try shortcut.wholeMatch(in: term) {
            for (name, group) in [("start", 2), ("end", 3), ("stride", 5), ("format", 7)] {
                if let text = m.output[group].substring { fields[name] = .string(String(text)) }
            }
        } else {
            var words = try FreeForm.parse(term, action: "sequence")
            for name in ["start", "end", "stride", "count", "format"] {
                if let v = words.removeValue(forKey: .string(name)) { fields[name] = v }
            }
            if !words.isEmpty {
                throw AnsibleError("unrecognized arguments to with_sequence: [\(words.keys.map(\.pythonRepr).joined(separator: ", "))]")
            }
        }
        func integer(_ name: String) throws -> Int? {
            guard let v = fields[name], !v.isNone else { return nil }
            switch v {
            case .int(let i): return i
            case .bool(let b): return b ? 1 : 0
            default:
                let text = v.pythonStr.trimmingCharacters(in: " \t\n")
                if let i = Int(text) { return i }
                if v.stringValue != nil || { if case .float = v { return true }; return false }(), !text.contains(where: { $0 == "x" || $0 == "X" }), let d = Double(text), d.isFinite, d == d.rounded(.towardZero), let i = Int(exactly: d) { return i }
                throw AnsibleError("Config '\(name)' for 'sequence' lookup plugin from 'Direct' has an invalid value: Invalid value provided for 'integer': \(v.pythonRepr)")
            }
        }
        let start = try integer("start") ?? 1, stride = try integer("stride") ?? 1, count = try integer("count")
        let tooMany = "with_sequence of more than 10000000 items: swansible builds the sequence as a list"
        var end = try integer("end")
        let format = fields["format"]?.pythonStr ?? "%d"
        if count == nil && end == nil { throw AnsibleError("must specify count or end in with_sequence") }
        if let count {
            guard end == nil else { throw AnsibleError("can't specify both count and end in with_sequence") }
            if count == 0 { return [] }
            let (span, o1) = count.multipliedReportingOverflow(by: stride)
            let (last, o2) = start.addingReportingOverflow(span)
            guard !o1, !o2, last > .min else { throw AnsibleError(tooMany) }
            end = last - 1
        }
        let e = end!
        if stride > 0 && e < start { throw AnsibleError("to count backwards make stride negative") }
        if stride < 0 && e > start { throw AnsibleError("to count forward don't make stride negative") }
        if stride == 0 { return [] }
        if format.filter({ $0 == "%" }).count != 1 { throw AnsibleError("bad formatting string: \(format)") }
        // Python's range(start, end ± 1, stride), which is lazy where this is a list.
        guard (Double(e) - Double(start)) / Double(stride) < 10_000_000 else { throw AnsibleError(tooMany) }
        return try Swift.stride(from: start, through: e, by: stride).map { i in
            do { return .string(try Ops_format(format, i)) } catch {
                throw AnsibleError("problem formatting \(i) with \(Value.string(format).pythonRepr)")
            }
        }
    }

    /// LookupBase._flatten: a list's lists are spliced in, one level deep.
    static func flatten(_ items: [Value]) -> [Value] {
        items.flatMap { $0.listValue ?? [$0] }
    }

    /// ansible-core's subelements lookup: (parent, subelement) pairs, the parent without the
    /// subelement's key; skipped registered results are left out.
    static func subelements(_ terms: [Value]) throws -> [Value] {
        let usage = "subelements lookup expects a list of two or three items, "
        guard (2...3).contains(terms.count) else { throw AnsibleError(usage) }
        let elements: [Value]
        switch (terms[0], terms[1]) {
        case (.dict(let d), .string), (.dict(let d), .unsafe):
            if let skipped = d["skipped"], skipped != .bool(false) { return [] }
            elements = Array(d.values)
        case (.list(let l), .string), (.list(let l), .unsafe): elements = l
        default: throw AnsibleError(usage + "first a dict or a list, second a string pointing to the subkey")
        }
        var flags = Dict()
        if terms.count == 3 {
            guard case .dict(let f) = terms[2], f.keys.allSatisfy({ $0.pythonStr == "skip_missing" }) else {
                throw AnsibleError(usage + "the optional third item must be a dict with flags ('skip_missing',)")
            }
            flags = f
        }
        let skipMissing = flags["skip_missing"].map { AnsibleFilters.boolean($0).truthy } ?? false
        let keys = terms[1].pythonStr.split(separator: ".", omittingEmptySubsequences: false).map { Value.string(String($0)) }
        var out: [Value] = []
        for item in elements {
            guard case .dict(var parent) = item else {
                throw AnsibleError("subelements lookup expects a dictionary, got '\(item.pythonStr)'")
            }
            if let skipped = parent["skipped"], skipped != .bool(false) { continue }
            // The path walks dicts down to the list, which is popped from the dict holding it
            // (inside the parent, as Python's shared dicts have it).
            var node = parent
            var sublist: [Value] = []
            for (i, key) in keys.enumerated() {
                guard let v = node[key] else {
                    if skipMissing { continue }
                    throw AnsibleError("could not find '\(key.pythonStr)' key in iterated item '\(Value.dict(node).pythonStr)'")
                }
                if i < keys.count - 1 {
                    guard case .dict(let d) = v else {
                        if skipMissing { continue }
                        throw AnsibleError("the key \(key.pythonStr) should point to a dictionary, got '\(v.pythonStr)'")
                    }
                    node = d
                } else {
                    guard case .list(let l) = v else {
                        throw AnsibleError("the key \(key.pythonStr) should point to a list, got '\(v.pythonStr)'")
                    }
                    sublist = l
                    parent = removing(Array(keys), from: parent)
                }
            }
            for sub in sublist { out.append(.tuple([.dict(parent), sub])) }
        }
        return out
    }

    static func removing(_ path: [Value], from d: Dict) -> Dict {
        var d = d
        guard let key = path.first else { return d }
        if path.count == 1 {
            d.removeValue(forKey: key)
        } else if case .dict(let inner)? = d[key] {
            d[key] = .dict(removing(Array(path.dropFirst()), from: inner))
        }
        return d
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
            guard !terms.isEmpty else { throw AnsibleError("with_together requires at least one element in each list") }
            let lists = terms.map { $0.listValue ?? [$0] }
            let n = lists.map(\.count).max() ?? 0
            return (0..<n).map { i in .list(flatten(lists.map { i < $0.count ? $0[i] : .none })) }
        },
        "nested": { terms, _, _ in
            guard let first = terms.first else { throw AnsibleError("with_nested requires at least one element in the nested list") }
            var result = first.listValue ?? [first]
            for pool in terms.dropFirst().map({ $0.listValue ?? [$0] }) {
                result = result.flatMap { x in pool.map { y in .list(flatten([x, y])) } }
            }
            return result.map { .list(flatten($0.listValue ?? [$0])) }
        },
        "subelements": { terms, _, _ in try subelements(terms) },
        "sequence": { terms, o, _ in try (terms.isEmpty && !o.isEmpty ? [Value.string("")] : terms).flatMap { try sequence($0.pythonStr, o) } },
        // One of the terms as given: query('random_choice', ['a', 'b']) picks the list itself.
        "random_choice": { terms, _, _ in
            terms.isEmpty ? [] : [terms.randomElement()!]
        },
        "vars": { terms, o, c in
            try Lookups.flatTerms(terms).map { t in
                guard let name = t.stringValue else { throw AnsibleError("Variable name must be 'str' not '\(t.typeName)'.") }
                if let v = try c.scope.lookup(name) { return v }
                if let d = o["default"], !d.isNone { return d }
                throw UndefinedError("No variable named '\(name)' was found.")
            }
        },
        "varnames": { terms, _, c in
            var out: [Value] = []
            for t in Lookups.flatTerms(terms) {
                guard let pattern = t.stringValue else {
                    throw AnsibleError("Invalid setting identifier, \"\(t.pythonStr)\" is not a string, it is a <class '\(t.typeName)'>")
                }
                let re: Regex<AnyRegexOutput>
                do { re = try Regex(pattern) } catch {
                    throw AnsibleError("Unable to use \"\(pattern)\" as a search parameter: \(RegexFilters.pythonWording(pattern, error))")
                }
                for name in c.scope.raw.keys.sorted() where (try? re.firstMatch(in: name)) != nil {
                    if !out.contains(.string(name)) { out.append(.string(name)) }
                }
            }
            return out
        },
        "env": { terms, o, _ in
            Lookups.flatTerms(terms).map { t in
                let name = String(t.pythonStr.split(separator: " ").first ?? "")
                if let value = Files.environment(name) { return .string(value) }
                // undef() as the default: the variable's absence is what is undefined.
                if case .undefined(UndefinedError.mandatory)? = o["default"] { return .undefined("The environment variable \(Value.string(name).pythonRepr) is not set.") }
                return o["default"] ?? .string("")
            }
        },
        "password": PasswordLookup.run,
    ]
}
