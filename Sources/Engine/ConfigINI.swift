// ansible.cfg read as Python's configparser reads it for Ansible (ConfigParser with `;` as an
// inline comment prefix, strict): option names lowercased, indented lines continuing a value,
// `[DEFAULT]` giving values to every section, and configparser's own errors for a duplicate
// section or option, a file without a section header, or a line that is neither.
import Values

struct ConfigINIError: Error, CustomStringConvertible {
    let description: String
}

enum ConfigINI {
    static func parse(_ text: String) throws -> [String: [String: String]] {
        var sections: [String: [String: [String]]] = [:]
        var defaults: [String: [String]] = [:]
        var seen = Set<String>()
        var section: String?          // nil before the first header; "DEFAULT" for defaults
        var option: String?
        var indentLevel = 0
        var bad: [String] = []
        let repr = { (s: String) in Value.string(s).pythonRepr }
        func append(_ v: String) {
            guard let section, let option else { return }
            if section == "DEFAULT" { defaults[option]?.append(v) } else { sections[section]?[option]?.append(v) }
        }
        // Lines end at "\n" only, as io.StringIO gives them ("\r\n" is one Character in Swift).
        var lines: [String] = [], current = ""
        for u in text.unicodeScalars {
            current.unicodeScalars.append(u)
            if u == "\n" { lines.append(current); current = "" }
        }
        if !current.isEmpty { lines.append(current) }
        for (index, line) in lines.enumerated() {
            let lineno = index + 1, chars = Array(line)
            // A `;` starts a comment at the line's start or after whitespace; `#` or `;` first on the line.
            var commentStart = chars.indices.first { chars[$0] == ";" && ($0 == 0 || chars[$0 - 1].isWhitespace) }
            let stripped = line.strip()
            if stripped.hasPrefix("#") || stripped.hasPrefix(";") { commentStart = 0 }
            let value = String(chars[..<(commentStart ?? chars.count)]).strip()
            if value.isEmpty {
                if commentStart == nil { append("") }
                continue
            }
            let indent = chars.firstIndex { !$0.isWhitespace } ?? 0
            if section != nil, option != nil, indent > indentLevel {
                append(value)
                continue
            }
            indentLevel = indent
            if value.hasPrefix("["), let close = value.lastIndex(of: "]"), value.index(after: value.startIndex) < close {
                let name = String(value[value.index(after: value.startIndex)..<close])
                if seen.contains(name) {
                    throw ConfigINIError(description: "While reading from '<string>' [line \(pad(lineno))]: section \(repr(name)) already exists")
                }
                if name != "DEFAULT" {
                    seen.insert(name)
                    sections[name] = [:]
                }
                section = name
                option = nil
            } else if section == nil {
                throw ConfigINIError(description: "File contains no section headers.\nfile: '<string>', line: \(lineno)\n\(repr(line))")
            } else if let delim = value.firstIndex(where: { $0 == "=" || $0 == ":" }) {
                let name = value[..<delim].strip().lowercased()
                if name.isEmpty { bad.append("\n\t[line \(pad(lineno))]: \(repr(line))") }
                let key = section! + "\u{0}" + name
                if seen.contains(key) {
                    throw ConfigINIError(description: "While reading from '<string>' [line \(pad(lineno))]: option \(repr(name)) in section \(repr(section!)) already exists")
                }
                seen.insert(key)
                option = name
                let v = [value[value.index(after: delim)...].strip()]
                if section == "DEFAULT" { defaults[name] = v } else { sections[section!]?[name] = v }
            } else {
                bad.append("\n\t[line \(pad(lineno))]: \(repr(line))")
            }
        }
        if !bad.isEmpty { throw ConfigINIError(description: "Source contains parsing errors: '<string>'" + bad.joined()) }
        // Multi-line values are joined with newlines, trailing blank lines dropped; [DEFAULT]'s
        // options show in every section that does not set its own.
        let join = { (v: [String]) -> String in
            var s = v.joined(separator: "\n")[...]
            while let l = s.last, l.isWhitespace { s = s.dropLast() }
            return String(s)
        }
        var out: [String: [String: String]] = [:]
        for (name, options) in sections {
            var merged = defaults.mapValues(join)
            for (k, v) in options { merged[k] = join(v) }
            out[name] = merged
        }
        return out
    }

    /// `[line %2d]`.
    private static func pad(_ n: Int) -> String { n < 10 ? " \(n)" : "\(n)" }
}
