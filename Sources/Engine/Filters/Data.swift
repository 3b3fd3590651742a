// Data-format filters: YAML in and out, comment, mandatory, and combine's list_merge.
import Jinja
import Values
import YAMLReader

enum DataFilters {
    /// 2.19's deprecation for a from_yaml of what is no text (given back as it is). Ansible names
    /// the value's origin, which swansible's values do not carry.
    static func ignoredInput(_ filter: String, _ v: Value) {
        Output.deprecation("The \(filter) filter ignored non-string input of type \(Value.string(v.typeName).pythonRepr).", version: "2.23", origin: nil)
    }

    static let filters: [String: Filter] = [
        "to_yaml": { v, a, _ in .string(try dumper(a, indent: nil, flowStyle: nil).dump(try encodable(v))) },
        "to_nice_yaml": { v, a, _ in .string(try dumper(a, indent: a.get(0, "indent") ?? .int(4), flowStyle: false).dump(try encodable(v))) },
        "from_yaml": { v, _, _ in
            guard let s = v.stringValue else {
                if !v.isNone { ignoredInput("from_yaml", v) }
                return v
            }
            do { return try YAMLReader.loadValue(s, file: "<from_yaml>") } catch { throw AnsibleError("from_yaml: \(error)") }
        },
        "from_yaml_all": { v, _, _ in
            guard let s = v.stringValue else {
                if v.isNone { return .list([]) }
                ignoredInput("from_yaml_all", v)
                return v
            }
            do { return .list(try YAMLReader.loadAll(s, file: "<from_yaml_all>").map(\.value)) } catch { throw AnsibleError("from_yaml_all: \(error)") }
        },
        "comment": { v, a, _ in
            let styles: [String: (String, String, String)] = [
                "plain": ("", "# ", ""), "erlang": ("", "% ", ""), "c": ("", "// ", ""),
                "cblock": ("/*", " * ", " */"), "xml": ("<!--", " - ", "-->"),
            ]
            let styleName = a.get(0, "style")?.pythonStr ?? "plain"
            guard let style = styles[styleName] else {
                throw AnsibleError("Invalid style \(Value.string(styleName).pythonRepr).")
            }
            func kw(_ k: String) -> String? { a.keywords[k]?.pythonStr }
            let decoration = kw("decoration") ?? style.1
            let prepost = (kw("decoration") ?? style.1).rstrip
            let prefix = kw("prefix") ?? prepost, postfix = kw("postfix") ?? prepost
            let prefixCount = a.keywords["prefix_count"]?.intValue ?? 1, postfixCount = a.keywords["postfix_count"]?.intValue ?? 1
            let beginning = kw("beginning") ?? style.0, end = kw("end") ?? style.2
            let nl = kw("newline") ?? "\n"
            var out = beginning.isEmpty ? "" : beginning + nl
            if !prefix.isEmpty { out += String(repeating: prefix == nl ? nl : prefix + nl, count: prefixCount) }
            let text = decoration + v.pythonStr.replacingAll(nl, with: nl + decoration)
            out += text.replacingAll(decoration + nl, with: decoration.rstrip + nl)
            out += ([""] + Array(repeating: postfix, count: postfixCount)).joined(separator: nl)
            if !end.isEmpty { out += nl + end }
            return .string(out)
        },
    ]

    /// yaml.dump's keyword arguments as to_yaml and to_nice_yaml pass them on (allow_unicode on).
    /// PyYAML's dump encodes each string as it writes it: one holding a lone surrogate fails.
    static func encodable(_ v: Value) throws -> Value {
        func check(_ v: Value) throws {
            switch v {
            case .string(let s), .unsafe(let s): if let e = Surrogates.encodeError(s) { throw AnsibleError(e) }
            case .list(let l), .tuple(let l, _): for x in l { try check(x) }
            case .dict(let d): for (k, x) in d { try check(k); try check(x) }
            default: break
            }
        }
        try check(v)
        return v
    }

    static func dumper(_ a: Arguments, indent: Value?, flowStyle: Bool?) throws -> YAMLDump {
        var d = YAMLDump(indent: 2, flowStyle: flowStyle)
        let known: Set<String> = ["indent", "width", "default_flow_style", "default_style", "canonical", "allow_unicode", "line_break",
                                  "encoding", "explicit_start", "explicit_end", "version", "tags", "sort_keys"]
        if let bad = a.keywords.keys.sorted().first(where: { !known.contains($0) }) {
            throw AnsibleError("dump_all() got an unexpected keyword argument '\(bad)'")
        }
        if a.keywords["allow_unicode"] != nil { throw AnsibleError("yaml.dump() got multiple values for keyword argument 'allow_unicode'") }
        // PyYAML hands libyaml only what is set; libyaml keeps its defaults for values out of range.
        if let i = (a.keywords["indent"] ?? indent)?.intValue, (2...9).contains(i) { d.options.indent = i }
        if let w = a.keywords["width"]?.intValue, w > d.options.indent * 2 { d.options.width = w }
        if let f = a.keywords["default_flow_style"] { d.flowStyle = f.isNone ? nil : f.truthy }
        if let style = a.keywords["default_style"]?.stringValue {
            d.defaultStyle = ["|": .literal, ">": .folded, "'": .singleQuoted, "\"": .doubleQuoted][style] ?? .plain
        }
        d.options.canonical = a.keywords["canonical"]?.truthy ?? false
        d.options.explicitStart = a.keywords["explicit_start"]?.truthy ?? false
        d.options.explicitEnd = a.keywords["explicit_end"]?.truthy ?? false
        if let b = a.keywords["line_break"]?.stringValue { d.options.lineBreak = b }
        if let v = a.keywords["version"]?.listValue?.compactMap(\.intValue), v.count == 2 { d.options.version = (v[0], v[1]) }
        d.sortKeys = a.keywords["sort_keys"]?.truthy ?? true
        return d
    }
}

extension String {
    /// Python's str.rstrip() (a CRLF is one Character, so Characters will not do).
    var rstrip: String { Strings.strip(self, nil, left: false, right: true) }

    func replacingAll(_ a: String, with b: String) -> String {
        guard !a.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound] + b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
