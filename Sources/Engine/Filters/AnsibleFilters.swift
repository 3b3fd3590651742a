// The ansible.builtin filters and tests that playbooks lean on most; the templating issue
// completes the set. Each is registered under its short and its FQCN name.
import Jinja
import Values

enum AnsibleFilters {
    static func register(_ env: inout Environment) {
        Protomatter.register(&env)
        let all = [filters, PathFilters.filters, SetFilters.filters, RegexFilters.filters, HashFilters.filters,
                   MathFilters.filters, DataFilters.filters, MiscFilters.filters]
        for family in all {
            for (name, f) in family {
                env.filters[name] = f
                env.filters["ansible.builtin." + name] = f
            }
        }
        for (name, t) in AnsibleTests.tests {
            env.tests[name] = t
            env.tests["ansible.builtin." + name] = t
        }
        for (name, f) in filters {
            env.filters[name] = f
            env.filters["ansible.builtin." + name] = f
        }
    }

    /// module_utils' boolean(value, strict=False), how Ansible reads its own flags and keywords.
    static func boolean(_ v: Value) -> Value {
        switch v {
        case .bool: return v
        case .int(let i): return .bool(i == 1)
        case .float(let f): return .bool(f == 1)
        case .string(let s), .unsafe(let s): return .bool(["yes", "on", "1", "true", "y", "t"].contains(s.lowercased()))
        default: return .bool(false)
        }
    }

    /// The `bool` filter, 2.19's to_bool: the well-known words (an int or bool as its text); anything else is
    /// `value == 1` with a deprecation warning.
    static func toBool(_ v: Value) -> Value {
        let word: String?
        switch v {
        case .bool(let b): return .bool(b)
        case .string(let s), .unsafe(let s): word = s.lowercased()
        case .int(let i): word = String(i)
        default: word = nil
        }
        if let word, ["yes", "on", "true", "1"].contains(word) { return true }
        if let word, ["no", "off", "false", "0"].contains(word) { return false }
        let result: Bool
        switch v {
        case .float(let f): result = f == 1
        default: result = false   // a string is never 1; a list or dict is unhashable
        }
        Output.deprecation("The `bool` filter coerced invalid value \(v.pythonRepr) (\(v.typeName)) to \(result ? "True" : "False").",
                           version: "2.23", origin: nil)
        return .bool(result)
    }

    /// Omit, timedelta and bytes have no JSON form (2.19's encoder refuses them, inside containers
    /// too; bytes as YAML's `!!binary` made them, tagged with their origin).
    static func refuseUnserializable(_ v: Value) throws {
        switch v {
        case .omit, .timedelta: throw TemplateError("Object of type '\(v.typeName)' is not JSON serializable by the 'tagless' profile.")
        case .bytes: throw TemplateError("Object of type '_AnsibleTaggedBytes' is not JSON serializable by the 'tagless' profile.")
        case .list(let l), .tuple(let l, _): for x in l { try refuseUnserializable(x) }
        case .dict(let d): for (k, x) in d { try refuseUnserializable(k); try refuseUnserializable(x) }
        default: break
        }
    }

    static let filters: [String: Filter] = [
        "bool": { v, _, _ in toBool(v) },
        "to_json": { v, a, _ in
            try refuseUnserializable(v)
            return .string(v.json(jsonOptions(Arguments([], a.keywords), indent: nil, sortKeys: false)))
        },
        "to_nice_json": { v, a, _ in
            try refuseUnserializable(v)
            var o = jsonOptions(a, indent: 4, sortKeys: true)
            o.separators = (",", ": ")
            return .string(v.json(o))
        },
        "from_json": { v, a, _ in
            // The legacy profiles read `{"__ansible_unsafe": …}` and `{"__ansible_vault": …}`.
            let profile = a.keywords["profile"].flatMap { $0.isNone ? nil : $0.pythonStr } ?? "tagless"
            guard ["tagless", "legacy", "inventory_legacy"].contains(profile) else { throw AnsibleError("Unknown profile name '\(profile)'.") }
            let value: Value
            do { value = try Value.parseJSON(v.pythonStr) } catch let e as JSONError { throw AnsibleError(e.pythonDescription) }
            if let refusal = StrictUTF8.refusal(in: value) { throw ChainedError(refusal, help: StrictUTF8.help) }
            return profile == "tagless" ? value : value.legacyTagged
        },
        "basename": { v, _, _ in .string(Files.basename(v.pythonStr)) },
        "dirname": { v, _, _ in
            let s = v.pythonStr
            guard let i = s.lastIndex(of: "/") else { return .string("") }
            return .string(i == s.startIndex ? "/" : String(s[..<i]))
        },
        // ternary and mandatory are given undefined arguments as markers: only the one chosen is used.
        "ternary": { v, a, env in
            try env.trip(v)
            if v.isNone, let n = a.get(2, "none_val"), !n.isNone { return n }
            return v.truthy ? (a.get(0, "true_val") ?? .none) : (a.get(1, "false_val") ?? .none)
        },
        "mandatory": { v, a, _ in
            guard case .undefined(let why) = v else { return v }
            if let msg = a.get(0, "msg"), !msg.isNone { throw AnsibleError(msg.pythonStr) }
            throw AnsibleError("Mandatory variable \(UndefinedError.name(why).map { "'\($0)' " } ?? "")not defined.")
        },
        // Given markers as they are: within an expression a `.vault` value is one that did not decrypt.
        "type_debug": { v, _, _ in
            switch v {
            case .undefined: return "UndefinedMarker"
            case .vault: return "VaultExceptionMarker"
            default: return .string(v.typeName)
            }
        },
        "quote": { v, _, _ in .string(Shlex.quote(v.isNone ? "" : v.pythonStr)) },
        "combine": { v, a, _ in
            guard Set(a.keywords.keys).isSubset(of: ["recursive", "list_merge"]) else {
                throw AnsibleError("'recursive' and 'list_merge' are the only valid keyword arguments")
            }
            let recursive = a.keywords["recursive"]?.truthy ?? false
            let listMerge = a.keywords["list_merge"]?.pythonStr ?? "replace"
            guard ["replace", "keep", "append", "prepend", "append_rp", "prepend_rp"].contains(listMerge) else {
                throw AnsibleError("merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'")
            }
            // `[d1, d2] | combine` too: the terms flattened one level, the last one winning.
            let terms = ([v] + a.positional).flatMap { x -> [Value] in x.isNone ? [] : x.listValue ?? [x] }
            guard var out = terms.last else { return .dict([:]) }
            for t in terms.dropLast().reversed() {
                guard case .dict(let low) = t, case .dict(let high) = out else {
                    throw AnsibleError("failed to combine variables, expected dicts but got a '\(t.typeName)' and a '\(out.typeName)'.")
                }
                out = .dict(merge(low, high, recursive: recursive, listMerge: listMerge))
            }
            return out
        },
        "dict2items": { v, a, _ in
            guard case .dict(let d) = v else { throw AnsibleError("dict2items requires a dictionary, got <class '\(v.typeName)'> instead.") }
            let k = a.get(0, "key_name")?.pythonStr ?? "key", val = a.get(1, "value_name")?.pythonStr ?? "value"
            return .list(d.map { .dict([.string(k): $0.key, .string(val): $0.value]) })
        },
        "items2dict": { v, a, _ in
            let k = a.get(0, "key_name")?.pythonStr ?? "key", val = a.get(1, "value_name")?.pythonStr ?? "value"
            guard let items = v.listValue else { throw AnsibleError("items2dict requires a list, got <class '\(v.typeName)'> instead.") }
            var out = Dict()
            for item in items {
                guard case .dict(let d) = item else { throw ChainedError("items2dict requires a list of dictionaries, got \(v.pythonRepr) instead.") }
                guard let key = d[.string(k)], let value = d[.string(val)] else {
                    throw ChainedError("items2dict requires each dictionary in the list to contain the keys '\(k)' and '\(val)', got \(v.pythonRepr) instead.")
                }
                out[key] = value
            }
            return .dict(out)
        },
        "flatten": { v, a, _ in
            let levels = a.get(0, "levels")?.intValue
            func flat(_ l: [Value], _ depth: Int) -> [Value] {
                l.flatMap { x -> [Value] in
                    if let inner = x.listValue, levels.map({ depth < $0 }) ?? true { return flat(inner, depth + 1) }
                    // Python's `element in (None, 'None', 'null')`: YAML's None is a string.
                    let null = x.isNone || x.stringValue == "None" || x.stringValue == "null"
                    return null && a.bool(1, "skip_nulls", default: true) ? [] : [x]
                }
            }
            return .list(flat(v.listValue ?? [], 0))
        },
        "b64encode": { v, a, _ in
            try pythonErrors {
                let text = Base64.encode(try v.bytesValue ?? TextCodec.encode(v.pythonStr, a.get(0, "encoding")?.pythonStr ?? "utf-8"))
                return .string(a.bool(1, "urlsafe", default: false) ? Base64.urlsafe(text) : text)
            }
        },
        "b64decode": { v, a, _ in
            try pythonErrors {
                let bytes = try Base64.pythonDecode(v.bytesValue ?? Surrogates.escapedBytes(v.pythonStr), urlsafe: a.bool(1, "urlsafe", default: false))
                return .string(try TextCodec.decode(bytes, a.get(0, "encoding")?.pythonStr ?? "utf-8"))
            }
        },
    ]

    /// A codec's or binascii's error as the filter's own (Python's words).
    static func pythonErrors(_ body: () throws -> Value) throws -> Value {
        do { return try body() } catch let e as TextCodec.Failure { throw AnsibleError(e.message) } catch let e as Base64.Failure {
            throw AnsibleError(e.message)
        }
    }

    /// json.dumps' options as to_json/to_nice_json take them (ensure_ascii on by default, as
    /// ansible-core's tagless encoder leaves it); to_nice_json's positional indent and sort_keys.
    static func jsonOptions(_ a: Arguments, indent: Int?, sortKeys: Bool) -> Value.JSONOptions {
        var o = Value.JSONOptions(indent: indent, sortKeys: a.bool(1, "sort_keys", default: sortKeys),
                                  ensureASCII: a.keywords["ensure_ascii"].map(\.truthy) ?? true)
        switch a.get(0, "indent") {
        case .int(let n)?: o.indent = n
        case .string(let s)?, .unsafe(let s)?: o.indentText = s
        case .none?: o.indent = nil
        default: break
        }
        if let seps = a.keywords["separators"]?.listValue, seps.count == 2 { o.separators = (seps[0].pythonStr, seps[1].pythonStr) }
        o.rawSurrogates = !o.ensureASCII   // json.dumps writes a lone surrogate as it is then
        return o
    }

    static func merge(_ a: Dict, _ b: Dict, recursive: Bool, listMerge: String = "replace") -> Dict {
        var out = a
        for (k, v) in b {
            if recursive, case .dict(let x)? = out[k], case .dict(let y) = v {
                out[k] = .dict(merge(x, y, recursive: true, listMerge: listMerge))
            } else if case .list(let x)? = out[k], case .list(let y) = v, listMerge != "replace" {
                switch listMerge {
                case "keep": break
                case "append": out[k] = .list(x + y)
                case "prepend": out[k] = .list(y + x)
                case "append_rp": out[k] = .list(x.filter { !y.contains($0) } + y)
                case "prepend_rp": out[k] = .list(y + x.filter { !y.contains($0) })
                default: out[k] = v
                }
            } else {
                out[k] = v
            }
        }
        return out
    }

}

