// Host patterns as `ansible-playbook` and `--limit` take them: `a:b`, `a,b`, `&g`, `!g`,
// globs, `~regex`, subscripts `g[0]` and `g[1:3]`, `@file`.
import Values

extension Inventory {
    /// Splits a pattern string into its terms, as Ansible's split_host_pattern does.
    static func splitPattern(_ p: String) -> [String] {
        if p.contains(",") {
            return p.split(separator: ",").map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
        }
        // Without commas: runs of anything but whitespace and ':' (a bracketed part kept whole).
        var out: [String] = []
        var cur = ""
        var depth = 0
        for c in p {
            if c == "[" { depth += 1 }
            if c == "]" { depth -= 1 }
            if depth == 0, c == ":" || c.isWhitespace {
                if !cur.isEmpty { out.append(cur) }
                cur = ""
            } else {
                cur.append(c)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out.map { String($0.trimmingSpaces) }
    }

    /// HOST_PATTERN_MISMATCH: told of each pattern term that matches no group and no host (it
    /// warns, fails or ignores); unset, nothing is said.
    public nonisolated(unsafe) static var unmatchedPattern: ((String) throws -> Void)?

    /// Hosts matching a pattern, in inventory order (unions first, then `&`, then `!`).
    /// `quietly`: a lookup of the controller's own (a delegate's name), not a pattern the user
    /// gave, so a term that matches nothing is not reported.
    public func hosts(matching pattern: String, quietly: Bool = false) throws -> [String] {
        let terms = Inventory.splitPattern(pattern)
        var regular = terms.filter { !$0.hasPrefix("&") && !$0.hasPrefix("!") }
        // Only `&`/`!` terms, or none at all (`,,`): they apply to all (order_patterns).
        if regular.isEmpty { regular = ["all"] }
        let ordered = regular + terms.filter { $0.hasPrefix("&") } + terms.filter { $0.hasPrefix("!") }
        var result: [String] = []
        for (i, t) in ordered.enumerated() {
            if t.hasPrefix("!") {
                let ex = Set(try matchTerm(String(t.dropFirst()), quietly: quietly))
                result.removeAll { ex.contains($0) }
            } else if t.hasPrefix("&") {
                let keep = Set(try matchTerm(String(t.dropFirst()), quietly: quietly))
                result.removeAll { !keep.contains($0) }
            } else {
                let add = try matchTerm(t, quietly: quietly)
                if i == 0 { result = add } else {
                    for h in add where !result.contains(h) { result.append(h) }
                }
            }
        }
        return result
    }

    func matchTerm(_ term: String, quietly: Bool = false) throws -> [String] {
        var name = term
        var subscriptText: String? = nil
        if !term.hasPrefix("~"), term.hasSuffix("]"), let open = term.lastIndex(of: "["),
            term[term.index(after: open)..<term.index(before: term.endIndex)].allSatisfy({ $0.isNumber || $0 == ":" || $0 == "-" })
        {
            name = String(term[..<open])
            subscriptText = String(term[term.index(after: open)..<term.index(before: term.endIndex)])
        }
        var hosts = try matchName(name, quietly: quietly)
        if let s = subscriptText {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 1, let i = Int(parts[0]) {
                let j = i < 0 ? hosts.count + i : i
                hosts = j >= 0 && j < hosts.count ? [hosts[j]] : []
            } else if parts.count == 2 {
                let a = Int(parts[0]) ?? 0
                let b = parts[1].isEmpty ? hosts.count - 1 : Int(parts[1]) ?? 0
                let lo = max(0, a < 0 ? hosts.count + a : a), hi = min(hosts.count - 1, b < 0 ? hosts.count + b : b)
                hosts = lo <= hi ? Array(hosts[lo...hi]) : []
            }
        }
        return hosts
    }

    func matchName(_ name: String, quietly: Bool = false) throws -> [String] {
        let (hosts, groupMatched) = try enumerate(name)
        if hosts.isEmpty, !groupMatched, name != "all", !quietly, let report = Inventory.unmatchedPattern { try report(name) }
        return hosts
    }

    /// The hosts a term names, and whether some group matched it (an empty group is no mismatch).
    private func enumerate(_ name: String) throws -> ([String], Bool) {
        if name == "all" || name == "*" { return (data.hostsOf(group: "all"), true) }
        if name.hasPrefix("~") {
            let re = try Regex(String(name.dropFirst()))
            var out: [String] = [], groups = false
            for g in data.groups.keys where (try? re.firstMatch(in: g))?.map({ $0.range.lowerBound == g.startIndex }) == true {
                groups = true
                for h in data.hostsOf(group: g) where !out.contains(h) { out.append(h) }
            }
            for (h, host) in data.hosts where !host.implicit && !out.contains(h) {
                if (try? re.firstMatch(in: h))?.range.lowerBound == h.startIndex { out.append(h) }
            }
            return (out, groups)
        }
        if name.contains("*") || name.contains("?") || name.contains("[") {
            var out: [String] = [], groups = false
            for g in data.groups.keys where Glob.match(name, g) {
                groups = true
                for h in data.hostsOf(group: g) where !out.contains(h) { out.append(h) }
            }
            for (h, host) in data.hosts where !host.implicit && Glob.match(name, h) && !out.contains(h) { out.append(h) }
            return (out, groups)
        }
        if data.groups[name] != nil { return (data.hostsOf(group: name), true) }
        if data.hosts[name] != nil { return ([name], false) }
        if Inventory.localhostNames.contains(name) {
            return ([implicitLocalhost(name).name], false)
        }
        return ([], false)
    }
}

/// fnmatch-style globbing: `*`, `?`, `[seq]`, `[!seq]`.
public enum Glob {
    public static func match(_ pattern: String, _ s: String) -> Bool {
        matchAt(Array(pattern.unicodeScalars)[...], Array(s.unicodeScalars)[...])
    }

    static func matchAt(_ p: ArraySlice<Unicode.Scalar>, _ s: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let c = p.first else { return s.isEmpty }
        switch c {
        case "*":
            var rest = s
            while true {
                if matchAt(p.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case "?":
            return !s.isEmpty && matchAt(p.dropFirst(), s.dropFirst())
        case "[":
            guard let close = p.dropFirst().firstIndex(of: "]"), let ch = s.first else { return false }
            var set = p[(p.startIndex + 1)..<close]
            let negate = set.first == "!"
            if negate { set = set.dropFirst() }
            var hit = false
            var i = set.startIndex
            while i < set.endIndex {
                if i + 2 < set.endIndex, set[i + 1] == "-" {
                    if ch >= set[i] && ch <= set[i + 2] { hit = true }
                    i += 3
                } else {
                    if set[i] == ch { hit = true }
                    i += 1
                }
            }
            return hit != negate && matchAt(p[(close + 1)...], s.dropFirst())
        default:
            return s.first == c && matchAt(p.dropFirst(), s.dropFirst())
        }
    }
}
