// Python's shlex: POSIX shell words split and quoted as Python does it (INI inventory lines,
// the `quote` filter, commands the controller builds).
public enum Shlex {
    /// shlex's ValueError.
    public struct Error: Swift.Error, CustomStringConvertible { public var description: String }

    /// POSIX shell quoting, as Python's shlex.quote (the `quote` filter, raw's become wrapper).
    public static func quote(_ s: String) -> String {
        // shlex's safe characters are ASCII only (`[\\w@%+=:,./-]` with re.ASCII).
        if !s.isEmpty, s.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "@%+=:,./-_".unicodeScalars.contains($0)) }) { return s }
        return "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\"'\"'") + "'"
    }

    public static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }

    /// POSIX shell word splitting as Python's shlex.split(comments=True) does it.
    public static func split(_ line: String) throws -> [String] {
        var out: [String] = []
        var cur = ""
        var inWord = false
        var it = Array(line.unicodeScalars)[...]
        while let c = it.first {
            it = it.dropFirst()
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { out.append(cur); cur = ""; inWord = false }
            case "#" where !inWord:
                return out
            case "'":
                inWord = true
                guard let end = it.firstIndex(of: "'") else { throw Error(description: "No closing quotation") }
                cur.unicodeScalars.append(contentsOf: it[..<end])
                it = it[(end + 1)...]
            case "\"":
                inWord = true
                var closed = false
                while let d = it.first {
                    it = it.dropFirst()
                    if d == "\"" { closed = true; break }
                    if d == "\\", let e = it.first, e == "\"" || e == "\\" || e == "$" || e == "`" {
                        cur.unicodeScalars.append(e)
                        it = it.dropFirst()
                    } else { cur.unicodeScalars.append(d) }
                }
                guard closed else { throw Error(description: "No closing quotation") }
            case "\\":
                inWord = true
                if let e = it.first { cur.unicodeScalars.append(e); it = it.dropFirst() }
            default:
                inWord = true
                cur.unicodeScalars.append(c)
            }
        }
        if inWord { out.append(cur) }
        return out
    }
}
