import Values

// `web[01:20]`, `db-[a:f]`, `x[0:10:2]` and `host:port`, expanded as Ansible's
// expand_hostname_range does (leading zeros kept as a width).
public enum HostRange {
    /// What Python itself raises while expanding (not one of Ansible's own range errors): the
    /// advanced_host_list plugin then fails the whole source, where it keeps a host whose range
    /// Ansible refuses as it is written.
    public struct PythonError: Error, CustomStringConvertible { public var description: String }

    static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    public static func expand(_ pattern: String) throws -> [String] {
        guard pattern.contains("[") else { return [pattern] }   // detect_range
        // line.replace('[', '|', 1).replace(']', '|', 1).split('|') must give head, range, tail.
        var text = pattern
        text.replaceSubrange(text.firstIndex(of: "[")!...text.firstIndex(of: "[")!, with: "|")
        if let close = text.firstIndex(of: "]") { text.replaceSubrange(close...close, with: "|") }
        let pieces = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 3 else {
            throw PythonError(description: pieces.count < 3 ? "not enough values to unpack (expected 3, got \(pieces.count))"
                                                             : "too many values to unpack (expected 3)")
        }
        let (head, inner, tail) = (pieces[0], pieces[1], pieces[2])
        let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw InventoryError("host range must be begin:end or begin:end:step")
        }
        var begin = parts[0]
        let end = parts[1]
        if begin.isEmpty { begin = "0" }
        guard !end.isEmpty else { throw InventoryError("host range must specify end value") }
        func int(_ s: String) throws -> Int {
            guard let i = Int(String(s.trimmingSpaces)) else {
                throw PythonError(description: "invalid literal for int() with base 10: \(Value.string(s).pythonRepr)")
            }
            return i
        }
        let step = parts.count == 3 ? try int(parts[2]) : 1
        guard step != 0 else { throw PythonError(description: "range() arg 3 must not be zero") }
        var width = 0
        if begin.hasPrefix("0"), begin.count > 1 {
            guard begin.count == end.count else { throw InventoryError("host range must specify equal-length begin and end formats") }
            width = begin.count
        }
        var items: [String] = []
        if begin.count == 1, end.count == 1, let b = letters.firstIndex(of: begin.first!), let e = letters.firstIndex(of: end.first!) {
            guard b <= e else { throw InventoryError("host range must have begin <= end") }
            guard step > 0 else { throw PythonError(description: "slice step must be positive for a letter range") }
            items = stride(from: b, through: e, by: step).map { String(letters[$0]) }
        } else {
            let b = try int(begin), e = try int(end)
            // Python's range(b, e + 1, step), stepped without overflowing near Int's bounds.
            var i = b
            while step > 0 ? i <= e : i > e && i - 1 > e {
                let s = String(i)
                items.append(String(repeating: "0", count: max(0, width - s.count)) + s)
                let (next, overflow) = i.addingReportingOverflow(step)
                if overflow { break }
                i = next
            }
        }
        var out: [String] = []
        for item in items { out += try expand(head + item + tail) }
        return out
    }

    /// Splits `host:port` (not IPv6 addresses, which have several colons).
    public static func splitPort(_ s: String) -> (String, Int?) {
        let colons = s.filter { $0 == ":" }.count
        guard colons == 1, let i = s.lastIndex(of: ":"), let port = Int(s[s.index(after: i)...]) else { return (s, nil) }
        return (String(s[..<i]), port)
    }
}
