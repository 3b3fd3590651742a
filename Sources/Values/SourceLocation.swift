// Where a node came from, printed as Ansible prints origins: file:line:column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// What stands for the source where there is no file: 2.19 shows the data itself, shortened.
    public var snippet: String?

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static let unknown = SourceLocation(file: "<unknown>", line: 0, column: 0)

    /// Data with no file behind it: `<unknown>`, and its text as textwrap.shorten(width=120) gives it.
    public static func unknown(showing text: String) -> SourceLocation {
        var l = unknown
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        let collapsed = words.joined(separator: " ")
        if collapsed.count <= 120 {
            l.snippet = collapsed
        } else {
            var kept = ""
            for w in words {
                let next = kept.isEmpty ? String(w) : kept + " " + w
                if next.count + " [...]".count > 120 { break }
                kept = next
            }
            l.snippet = kept + " [...]"
        }
        return l
    }

    /// `file:line:column`, or just the file when no line is known.
    public var description: String {
        if line == 0 { return file }
        return column == 0 ? "\(file):\(line)" : "\(file):\(line):\(column)"
    }
}
