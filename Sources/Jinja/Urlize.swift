// Jinja2's `urlize` filter: the text HTML-escaped, each word that is a web address or an email
// address made a link, with the punctuation around it left outside (Jinja2 3.x's rules).
import Values

enum Urlize {
    /// `http(s)://` or `www.` hosts with a TLD, bare domains of the classic TLDs, or an IP address
    /// after a scheme; then a port, and a path, query or fragment.
    nonisolated(unsafe) static let web: Regex<AnyRegexOutput> = try! Regex(
        #"^((https?://|www\.)(([\w%-]+\.)+)?([a-z]{2,63}|xn--[\w%]{2,59})"#
            + #"|([\w%-]{2,63}\.)+(com|net|int|edu|gov|org|info|mil)"#
            + #"|(https?://)((\d{1,3}(\.\d{1,3}){3})|(\[([\da-f]{0,4}:){2}([\da-f]{0,4}:?){1,6}\])))"#
            + #"(:\d{1,5})?([/?#]\S*)?$"#).ignoresCase()
    nonisolated(unsafe) static let email: Regex<AnyRegexOutput> = try! Regex(#"^\S+@\w[\w.-]*\.\w+$"#)
    nonisolated(unsafe) static let scheme: Regex<AnyRegexOutput> = try! Regex(#"^[\w.+-]{2,}:/{0,2}$"#)

    /// do_urlize's arguments: `rel` gets the environment's `noopener` (and `nofollow` when asked).
    static func filter(_ v: Value, _ a: Arguments) throws -> Value {
        let limit = a.get(0, "trim_url_limit").flatMap { $0.isNone ? nil : $0.intValue }
        var rel = Set(Strings.split(a.get(3, "rel").flatMap { $0.isNone ? nil : $0.pythonStr } ?? "", nil, max: -1))
        if a.get(1, "nofollow")?.truthy ?? false { rel.insert("nofollow") }
        rel.insert("noopener")
        let target = a.get(2, "target").flatMap { $0.isNone ? nil : $0.pythonStr }
        let schemes = a.get(4, "extra_schemes").flatMap { $0.isNone ? nil : $0.listValue ?? [$0] }?.map(\.pythonStr) ?? []
        for s in schemes where (try? scheme.wholeMatch(in: s)) == nil {
            throw TemplateError("\(Value.string(s).pythonRepr) is not a valid URI scheme prefix.")
        }
        return .string(urlize(v.pythonStr, limit: limit, rel: rel.sorted().joined(separator: " "), target: target, extraSchemes: schemes))
    }

    static func urlize(_ text: String, limit: Int?, rel: String, target: String?, extraSchemes: [String]) -> String {
        let attributes = (rel.isEmpty ? "" : " rel=\"\(BuiltinFilters.htmlEscape(rel))\"")
            + (target.map { " target=\"\(BuiltinFilters.htmlEscape($0))\"" } ?? "")
        func trimmed(_ s: String) -> String {
            guard let limit, s.unicodeScalars.count > limit else { return s }
            return Strings.from(s.unicodeScalars.prefix(max(0, limit))) + "..."
        }
        return words(BuiltinFilters.htmlEscape(text)).map { word in
            var (head, middle, tail) = ("", word, "")
            // Opening brackets before the address, closing ones and punctuation after it.
            while let token = ["(", "<", "&lt;"].first(where: { starts(middle, $0) }) {
                head += token
                middle = Strings.from(middle.unicodeScalars.dropFirst(token.unicodeScalars.count))
            }
            while let token = ["&gt;", ")", ">", ".", ",", "\n"].first(where: { ends(middle, $0) }) {
                tail = token + tail
                middle = Strings.from(middle.unicodeScalars.dropLast(token.unicodeScalars.count))
            }
            // A closing bracket the address opened belongs to it.
            for (open, close) in [("(", ")"), ("<", ">"), ("&lt;", "&gt;")] {
                let opened = Strings.count(middle, open)
                guard opened > Strings.count(middle, close) else { continue }
                for _ in 0..<min(opened, Strings.count(tail, close)) {
                    let end = Strings.find(tail, close) + close.unicodeScalars.count
                    let u = Array(tail.unicodeScalars)
                    middle += Strings.from(u[..<end])
                    tail = Strings.from(u[end...])
                }
            }
            if (try? web.wholeMatch(in: middle)) != nil {
                let href = starts(middle, "https://") || starts(middle, "http://") ? middle : "https://" + middle
                middle = "<a href=\"\(href)\"\(attributes)>\(trimmed(middle))</a>"
            } else if starts(middle, "mailto:"), case let address = Strings.from(middle.unicodeScalars.dropFirst(7)),
                      (try? email.wholeMatch(in: address)) != nil {
                middle = "<a href=\"\(middle)\">\(address)</a>"
            } else if middle.unicodeScalars.contains("@"), !starts(middle, "www."), !starts(middle, "@"), !middle.unicodeScalars.contains(":"),
                      (try? email.wholeMatch(in: middle)) != nil {
                middle = "<a href=\"mailto:\(middle)\">\(middle)</a>"
            } else {
                for s in extraSchemes where middle != s && starts(middle, s) {
                    middle = "<a href=\"\(middle)\"\(attributes)>\(middle)</a>"
                }
            }
            return head + middle + tail
        }.joined()
    }

    /// `re.split(r'(\s+)', text)`: the words and the runs of whitespace between them, in order.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var cur = "", inSpace = false
        for u in text.unicodeScalars {
            let space = Strings.isSpace(u)
            if space != inSpace, !cur.isEmpty { out.append(cur); cur = "" }
            inSpace = space
            cur.unicodeScalars.append(u)
        }
        out.append(cur)
        return out
    }

    // Code point comparisons, as Python's (a Character may join a bracket with a combining mark).
    static func starts(_ s: String, _ prefix: String) -> Bool { s.unicodeScalars.starts(with: prefix.unicodeScalars) }
    static func ends(_ s: String, _ suffix: String) -> Bool { s.unicodeScalars.reversed().starts(with: suffix.unicodeScalars.reversed()) }
}
