// Python's ast.literal_eval for the values INI inventories carry (`port=22`, `on=True`,
// `l="[1, 2]"`), falling back to the raw string as Ansible's ini plugin does.
import Values

enum Literal {
    static func parse(_ text: String) -> Value {
        var p = LiteralParser(Array(text.unicodeScalars))
        p.space()
        if let v = try? p.value(), p.atEnd() { return v }
        return .string(text)
    }
}

struct LiteralParser {
    struct Fail: Error {}
    let s: [Unicode.Scalar]
    var i = 0
    init(_ s: [Unicode.Scalar]) { self.s = s }

    mutating func space() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
    mutating func atEnd() -> Bool { space(); return i == s.count }

    mutating func value() throws -> Value {
        space()
        guard i < s.count else { throw Fail() }
        switch s[i] {
        case "'", "\"":
            var out = ""
            while i < s.count, s[i] == "'" || s[i] == "\"" {
                out += try string()
                space()
            }
            return .string(out)
        case "[", "(":
            let close: Unicode.Scalar = s[i] == "[" ? "]" : ")"
            i += 1
            var items: [Value] = []
            space()
            while i < s.count, s[i] != close {
                items.append(try value())
                space()
                if i < s.count, s[i] == "," { i += 1; space() } else { break }
            }
            guard i < s.count, s[i] == close else { throw Fail() }
            i += 1
            return .list(items)
        case "{":
            i += 1
            var d = Dict()
            space()
            while i < s.count, s[i] != "}" {
                let k = try value()
                space()
                // `{1, 2}`: a set, which Ansible's ini plugin makes a list.
                if d.isEmpty, i < s.count, s[i] == "," || s[i] == "}" { return try setItems(first: k) }
                guard i < s.count, s[i] == ":" else { throw Fail() }
                i += 1
                d[k] = try value()
                space()
                if i < s.count, s[i] == "," { i += 1; space() } else { break }
            }
            guard i < s.count, s[i] == "}" else { throw Fail() }
            i += 1
            return .dict(d)
        default:
            let start = i
            while i < s.count, !" \t,:]})('\"".unicodeScalars.contains(s[i]) { i += 1 }
            var word = ""
            word.unicodeScalars.append(contentsOf: s[start..<i])
            // String prefixes: bytes are read as text, as the ini plugin converts them.
            if i < s.count, s[i] == "'" || s[i] == "\"", ["b", "u", "r", "br", "rb"].contains(word.lowercased()) {
                var out = ""
                while i < s.count, s[i] == "'" || s[i] == "\"" {
                    out += try string(raw: word.lowercased().contains("r"))
                    space()
                }
                return .string(out)
            }
            switch word {
            case "...": return "..."   // Ellipsis, and complex numbers below, fall back to their text
            case "set" where i + 1 < s.count && s[i] == "(" && s[i + 1] == ")":
                i += 2
                return .list([])
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                let body = word.replacingOccurrences("_", "")
                if let n = Value.integer(body) { return n }
                for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2), ("-0x", 16)] where body.lowercased().hasPrefix(prefix) {
                    if let n = Value.integer((prefix.hasPrefix("-") ? "-" : "") + body.dropFirst(prefix.count), radix: radix) { return n }
                }
                if body.first.map({ $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }) == true, let f = Double(body) { return .float(f) }
                if let last = body.last, last == "j" || last == "J", body.count > 1, Double(body.dropLast()) != nil { return .string(word) }
                throw Fail()
            }
        }
    }

    /// The rest of `{a, b}` after its first item: the items, deduplicated, as a list.
    mutating func setItems(first: Value) throws -> Value {
        var items = [first]
        while i < s.count, s[i] == "," {
            i += 1
            space()
            if i < s.count, s[i] == "}" { break }
            let v = try value()
            if !items.contains(v) { items.append(v) }
            space()
        }
        guard i < s.count, s[i] == "}" else { throw Fail() }
        i += 1
        return .list(items)
    }

    mutating func string(raw: Bool = false) throws -> String {
        let q = s[i]
        i += 1
        var out = ""
        while i < s.count, s[i] != q {
            if s[i] == "\\", i + 1 < s.count, !raw {
                i += 1
                switch s[i] {
                case "n": out += "\n"
                case "t": out += "\t"
                case "\\": out += "\\"
                case "'": out += "'"
                case "\"": out += "\""
                default: out += "\\"; out.unicodeScalars.append(s[i])
                }
            } else {
                out.unicodeScalars.append(s[i])
            }
            i += 1
        }
        guard i < s.count else { throw Fail() }
        i += 1
        return out
    }
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String {
        guard !a.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: a) {
            out += rest[..<r.lowerBound] + b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of needle: String) -> Range<Index>? {
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
