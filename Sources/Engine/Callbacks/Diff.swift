// `--diff` output as the default callback prints it: each `diff` a module returns (before/after
// with their headers, or a `prepared` text) as a unified diff with 3 lines of context. The
// hunks are Python difflib's: its SequenceMatcher (longest matching block first, recursively;
// popular lines ignored as anchors from 200 lines on), so a diff reads exactly as Ansible's.
import Values

enum UnifiedDiff {
    /// difflib.SequenceMatcher's matching blocks (i, j, size), ending with (len(a), len(b), 0).
    static func matchingBlocks(_ a: [String], _ b: [String]) -> [(Int, Int, Int)] {
        var b2j: [String: [Int]] = [:]
        for (j, line) in b.enumerated() { b2j[line, default: []].append(j) }
        if b.count >= 200 {
            let limit = b.count / 100 + 1
            for (line, idxs) in b2j where idxs.count > limit { b2j[line] = nil }
        }
        func longest(_ alo: Int, _ ahi: Int, _ blo: Int, _ bhi: Int) -> (Int, Int, Int) {
            var (bi, bj, size) = (alo, blo, 0)
            var j2len: [Int: Int] = [:]
            for i in alo..<ahi {
                var next: [Int: Int] = [:]
                for j in b2j[a[i]] ?? [] {
                    if j < blo { continue }
                    if j >= bhi { break }
                    let k = (j2len[j - 1] ?? 0) + 1
                    next[j] = k
                    if k > size { (bi, bj, size) = (i - k + 1, j - k + 1, k) }
                }
                j2len = next
            }
            while bi > alo, bj > blo, a[bi - 1] == b[bj - 1] { (bi, bj, size) = (bi - 1, bj - 1, size + 1) }
            while bi + size < ahi, bj + size < bhi, a[bi + size] == b[bj + size] { size += 1 }
            return (bi, bj, size)
        }
        var queue = [(0, a.count, 0, b.count)]
        var blocks: [(Int, Int, Int)] = []
        while let (alo, ahi, blo, bhi) = queue.popLast() {
            let (i, j, k) = longest(alo, ahi, blo, bhi)
            guard k > 0 else { continue }
            blocks.append((i, j, k))
            if alo < i && blo < j { queue.append((alo, i, blo, j)) }
            if i + k < ahi && j + k < bhi { queue.append((i + k, ahi, j + k, bhi)) }
        }
        blocks.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2 }
        var out: [(Int, Int, Int)] = []
        var (i1, j1, k1) = (0, 0, 0)
        for (i2, j2, k2) in blocks {
            if i1 + k1 == i2 && j1 + k1 == j2 { k1 += k2 } else {
                if k1 > 0 { out.append((i1, j1, k1)) }
                (i1, j1, k1) = (i2, j2, k2)
            }
        }
        if k1 > 0 { out.append((i1, j1, k1)) }
        out.append((a.count, b.count, 0))
        return out
    }

    typealias Opcode = (tag: String, i1: Int, i2: Int, j1: Int, j2: Int)

    static func opcodes(_ a: [String], _ b: [String]) -> [Opcode] {
        var (i, j) = (0, 0)
        var out: [Opcode] = []
        for (ai, bj, size) in matchingBlocks(a, b) {
            let tag = i < ai && j < bj ? "replace" : i < ai ? "delete" : j < bj ? "insert" : ""
            if !tag.isEmpty { out.append((tag, i, ai, j, bj)) }
            (i, j) = (ai + size, bj + size)
            if size > 0 { out.append(("equal", ai, i, bj, j)) }
        }
        return out
    }

    static func groupedOpcodes(_ a: [String], _ b: [String], context n: Int) -> [[Opcode]] {
        var codes = opcodes(a, b)
        if codes.isEmpty { codes = [("equal", 0, 1, 0, 1)] }
        if codes[0].tag == "equal" {
            let c = codes[0]
            codes[0] = (c.tag, max(c.i1, c.i2 - n), c.i2, max(c.j1, c.j2 - n), c.j2)
        }
        if codes[codes.count - 1].tag == "equal" {
            let c = codes[codes.count - 1]
            codes[codes.count - 1] = (c.tag, c.i1, min(c.i2, c.i1 + n), c.j1, min(c.j2, c.j1 + n))
        }
        var groups: [[Opcode]] = [], group: [Opcode] = []
        for var c in codes {
            if c.tag == "equal" && c.i2 - c.i1 > 2 * n {
                group.append((c.tag, c.i1, min(c.i2, c.i1 + n), c.j1, min(c.j2, c.j1 + n)))
                groups.append(group)
                group = []
                (c.i1, c.j1) = (max(c.i1, c.i2 - n), max(c.j1, c.j2 - n))
            }
            group.append(c)
        }
        if !group.isEmpty && !(group.count == 1 && group[0].tag == "equal") { groups.append(group) }
        return groups
    }

    static func range(_ start: Int, _ stop: Int) -> String {
        let length = stop - start
        if length == 1 { return "\(start + 1)" }
        return "\(length == 0 ? start : start + 1),\(length)"
    }

    /// difflib.unified_diff's lines (each ending in a newline, as the inputs do).
    static func lines(_ a: [String], _ b: [String], from: String, to: String, context: Int = 3) -> [String] {
        var out: [String] = []
        for group in groupedOpcodes(a, b, context: context) {
            if out.isEmpty { out += ["--- \(from)\n", "+++ \(to)\n"] }
            out.append("@@ -\(range(group[0].i1, group[group.count - 1].i2)) +\(range(group[0].j1, group[group.count - 1].j2)) @@\n")
            for c in group {
                if c.tag == "equal" { out += a[c.i1..<c.i2].map { " " + $0 }; continue }
                if c.tag != "insert" { out += a[c.i1..<c.i2].map { "-" + $0 } }
                if c.tag != "delete" { out += b[c.j1..<c.j2].map { "+" + $0 } }
            }
        }
        return out
    }

    /// Python's str.splitlines(True): lines keeping their endings.
    static func splitKeepingEnds(_ s: String) -> [String] {
        var out: [String] = [], current = ""
        for ch in s {
            current.append(ch)
            if ch == "\n" || ch == "\r\n" || ch == "\r" { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// CallbackBase._get_diff: the text for a module's `diff` (one or a list).
    static func text(_ diff: Value) -> String {
        var ret = ""
        for d in diff.listValue ?? [diff] {
            guard case .dict(let entry) = d else { continue }
            if entry["dst_binary"] != nil { ret += "diff skipped: destination file appears to be binary\n" }
            if entry["src_binary"] != nil { ret += "diff skipped: source file appears to be binary\n" }
            if let n = entry["dst_larger"] { ret += "diff skipped: destination file size is greater than \(n.pythonStr)\n" }
            if let n = entry["src_larger"] { ret += "diff skipped: source file size is greater than \(n.pythonStr)\n" }
            if let before = entry["before"], let after = entry["after"] {
                func lines(_ v: Value) -> [String] {
                    var text: String
                    switch v {
                    case .dict: text = v.json(.init(indent: 4, sortKeys: true)) + "\n"
                    case .none: text = ""
                    default: text = v.pythonStr
                    }
                    var l = splitKeepingEnds(text)
                    if let last = l.last, !last.hasSuffix("\n") { l[l.count - 1] = last + "\n\\ No newline at end of file\n" }
                    return l
                }
                let from = entry["before_header"].map { "before: \($0.pythonStr)" } ?? "before"
                let to = entry["after_header"].map { "after: \($0.pythonStr)" } ?? "after"
                let out = UnifiedDiff.lines(lines(before), lines(after), from: from, to: to)
                for line in out {
                    if line.hasPrefix("+") { ret += Output.colored(line, .diffAdd) } else if line.hasPrefix("-") {
                        ret += Output.colored(line, .diffRemove)
                    } else if line.hasPrefix("@@") { ret += Output.colored(line, .diffLines) } else { ret += line }
                }
                if !out.isEmpty { ret += "\n" }
            }
            if let prepared = entry["prepared"] { ret += prepared.pythonStr }
        }
        return ret
    }
}
