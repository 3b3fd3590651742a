// A YAML syntax error worded as ansible-core 2.19's AnsibleYAMLParserError words it: the
// libyaml context and problem as one sentence, or, when the failing line shows a common
// mistake (a tab, an unquoted template, an unquoted colon, unbalanced quotes), that mistake
// with the column moved to it and a help text.
import Values

enum ParseErrorHints {
    static func error(context: String?, problem: String?, at location: SourceLocation, line: String) -> YAMLError {
        var loc = location
        func at(_ offset: Int) { loc.column = offset + 1 }
        if let tab = line.firstIndex(of: "\t") {
            at(line.distance(from: line.startIndex, to: tab))
            return YAMLError(message: "Tabs are usually invalid in YAML.", location: loc)
        }
        if let m = line.firstMatch(of: /^\s*(?:-\s+)*(?:[\w\s]+:\s+)?(?<value>\{\{.*}})/) {
            at(line.distance(from: line.startIndex, to: m.output.value.startIndex))
            return YAMLError(message: "This may be an issue with missing quotes around a template block.", location: loc,
                             help: example("raw: {{ some_var }}", "raw: \"{{ some_var }}\""))
        }
        if !line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(":"),
           let v = line.firstMatch(of: /^\s*(?:-\s+)*(?:[\w\s\[\]{}]+:\s+)?(?<value>.*)$/) {
            let value = String(v.output.value)
            // A wholly quoted value has no colon to complain about.
            let fragment = value.wholeMatch(of: /\s*('[^']*'|"[^"]*")\s*/) != nil ? String(repeating: ".", count: value.count) : value
            if !fragment.isEmpty, let colon = fragment.firstMatch(of: /:($| )/) {
                at(line.distance(from: line.startIndex, to: v.output.value.startIndex) + fragment.distance(from: fragment.startIndex, to: colon.range.lowerBound))
                return YAMLError(message: "Colons in unquoted values must be followed by a non-space character.", location: loc,
                                 help: example("raw: echo 'name: ansible'", "raw: \"echo 'name: ansible'\""))
            }
        }
        if let q = line.firstMatch(of: /^\s*(?:-\s+)*(?:[\w\s]+:\s+)?(?<value>["'].*?\s*)$/) {
            let value = q.output.value
            let first = value.first!, last = value.last!
            let column = line.distance(from: line.startIndex, to: value.startIndex)
            if first != last {
                at(column)
                return YAMLError(message: "Values starting with a quote must end with the same quote.", location: loc,
                                 help: example("raw: \"foo\" in bar", "raw: '\"foo\" in bar'"))
            }
            if line.filter({ $0 == first }).count > 2 {
                at(column)
                return YAMLError(message: "Values starting with a quote must end with the same quote, and not contain that quote.", location: loc,
                                 help: example("raw: \"foo\" in \"bar\"", "raw: '\"foo\" in \"bar\"'"))
            }
        }
        var message = [context, problem].compactMap { $0 }.joined(separator: " ")
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
        if let f = message.first { message = f.uppercased() + message.dropFirst() }
        if !message.hasSuffix(".") { message += "." }
        return YAMLError(message: message, location: loc)
    }

    static func example(_ wrong: String, _ right: String) -> String {
        "\nFor example:\n\n    \(wrong)\n\nShould be:\n\n    \(right)"
    }
}
