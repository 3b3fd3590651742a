// `web[01:20]`, `db-[a:f]`, `x[0:10:2]` and `host:port`, expanded as Ansible's
// expand_hostname_range does (leading zeros kept as a width).
public enum HostRange {
    static func expand(_ pattern: String) throws -> [String] {
        guard let open = pattern.firstIndex(of: "["), let close = pattern[open...].firstIndex(of: "]") else {
            return [pattern]
        }
        let head = String(pattern[..<open]), tail = String(pattern[pattern.index(after: close)...])
        let inner = pattern[pattern.index(after: open)..<close]
        let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw InventoryError("host range must be begin:end or begin:end:step")
        }
        var begin = parts[0], end = parts[1]
        let step = parts.count == 3 ? Int(parts[2]) ?? 1 : 1
        if begin.isEmpty { begin = "0" }
        guard !end.isEmpty else { throw InventoryError("host range must specify end value") }
        var items: [String] = []
        if let b = Int(begin), let e = Int(end) {
            guard b <= e else { throw InventoryError("host range must have begin <= end") }
            let width = begin.hasPrefix("0") && begin.count > 1 ? begin.count : 0
            for i in stride(from: b, through: e, by: max(1, step)) {
                let s = String(i)
                items.append(String(repeating: "0", count: max(0, width - s.count)) + s)
            }
        } else {
            guard begin.count == 1, end.count == 1, let b = begin.unicodeScalars.first?.value,
                let e = end.unicodeScalars.first?.value, b <= e
            else { throw InventoryError("host range must be of letters or numbers of the same length") }
            for v in stride(from: b, through: e, by: max(1, step)) { items.append(String(Character(Unicode.Scalar(v)!))) }
        }
        var out: [String] = []
        for item in items {
            for rest in try expand(tail) { out.append(head + item + rest) }
        }
        return out
    }

    /// Splits `host:port` (not IPv6 addresses, which have several colons).
    public static func splitPort(_ s: String) -> (String, Int?) {
        let colons = s.filter { $0 == ":" }.count
        guard colons == 1, let i = s.lastIndex(of: ":"), let port = Int(s[s.index(after: i)...]) else { return (s, nil) }
        return (String(s[..<i]), port)
    }
}

/// POSIX shell word splitting as Python's shlex.split(comments=True) does it.
public enum Shlex {
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
                guard let end = it.firstIndex(of: "'") else { throw InventoryError("No closing quotation") }
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
                guard closed else { throw InventoryError("No closing quotation") }
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
