// Data-format filters: YAML in and out, comment, mandatory, and combine's list_merge.
import Jinja
import Values
import YAMLReader

enum DataFilters {
    static let filters: [String: Filter] = [
        "to_yaml": { v, a, _ in .string(YAMLDump(indent: a.keywords["indent"]?.intValue ?? 2, flowLeaves: true).dump(v)) },
        "to_nice_yaml": { v, a, _ in .string(YAMLDump(indent: a.get(0, "indent")?.intValue ?? 4, flowLeaves: false).dump(v)) },
        "from_yaml": { v, _, _ in
            guard let s = v.stringValue else { return v }
            do { return try YAMLReader.loadValue(s, file: "<from_yaml>") } catch { throw AnsibleError("from_yaml: \(error)") }
        },
        "from_yaml_all": { v, _, _ in
            guard let s = v.stringValue else { return v }
            do { return .list(try YAMLReader.loadAll(s, file: "<from_yaml_all>").map(\.value)) } catch { throw AnsibleError("from_yaml_all: \(error)") }
        },
        "comment": { v, a, _ in
            let styles: [String: (String, String, String)] = [
                "plain": ("", "# ", ""), "erlang": ("", "% ", ""), "c": ("", "// ", ""),
                "cblock": ("/*", " * ", " */"), "xml": ("<!--", " - ", "-->"),
            ]
            let styleName = a.get(0, "style")?.pythonStr ?? "plain"
            guard let style = styles[styleName] else { throw AnsibleError("comment: unknown style \(styleName)") }
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
}

extension String {
    var rstrip: String {
        var s = Substring(self)
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return String(s)
    }

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
