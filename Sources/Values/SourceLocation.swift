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
    /// The column of an origin that names a line only (Python's `col_num=None`): the line is underlined.
    public static let wholeLine = -1

    /// Data with no file behind it: `<unknown>`, and its text as textwrap.shorten(width=120) gives it.
    public static func unknown(showing text: String) -> SourceLocation {
        var l = unknown
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map(String.init)
        let collapsed = words.joined(separator: " ")
        if collapsed.count <= 120 {
            l.snippet = collapsed
            return l
        }
        // TextWrapper's chunks: the words and the spaces between them, a word also split after
        // a hyphen that joins letters (`pytest-of-root` gives `pytest-`, `of-`, `root`).
        var chunks: [String] = []
        for (i, w) in words.enumerated() {
            if i > 0 { chunks.append(" ") }
            chunks += hyphenChunks(w)
        }
        var line: [String] = [], length = 0
        for c in chunks {
            guard length + c.count <= 120 else { break }
            line.append(c)
            length += c.count
        }
        while let last = line.last, last == " " || length + " [...]".count > 120 {
            length -= last.count
            line.removeLast()
        }
        l.snippet = line.joined() + " [...]"
        return l
    }

    /// A word cut after each hyphen with two letters (or letter-hyphen-letter) before it and a
    /// letter, maybe a hyphen, and a letter after it, as textwrap's wordsep_re cuts.
    static func hyphenChunks(_ word: String) -> [String] {
        let c = Array(word)
        func letter(_ i: Int) -> Bool { i >= 0 && i < c.count && (c[i].isLetter || c[i] == "_") }   // [^\d\W]
        var out: [String] = [], start = 0
        for i in c.indices where c[i] == "-" {
            let before = (letter(i - 1) && letter(i - 2)) || (letter(i - 1) && i >= 2 && c[i - 2] == "-" && letter(i - 3))
            let after = letter(i + 1) && (letter(i + 2) || (i + 2 < c.count && c[i + 2] == "-" && letter(i + 3)))
            if before, after {
                out.append(String(c[start...i]))
                start = i + 1
            }
        }
        out.append(String(c[start...]))
        return out
    }

    /// `file:line:column`, or just the file when no line is known.
    public var description: String {
        if line == 0 { return file }
        return column <= 0 ? "\(file):\(line)" : "\(file):\(line):\(column)"
    }
}
