// Python's str() and repr() of values, so `{{ [1, 'a'] }}` renders `[1, 'a']` as Jinja2 does.
extension Value {
    /// `str(x)` in Python.
    public var pythonStr: String {
        switch self {
        case .string(let s), .unsafe(let s): return s
        case .vault: return "<vault-encrypted string>"
        default: return pythonRepr
        }
    }

    /// `repr(x)` in Python.
    public var pythonRepr: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let f): return Value.formatFloat(f)
        case .string(let s), .unsafe(let s): return Value.reprString(s)
        case .vault: return "'<vault-encrypted string>'"
        case .list(let l): return "[" + l.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .dict(let d):
            return "{" + d.map { "\($0.key.pythonRepr): \($0.value.pythonRepr)" }.joined(separator: ", ") + "}"
        }
    }

    /// Python's float repr: shortest round-trip digits, `1.0` not `1`, `1e+16` for large values.
    public static func formatFloat(_ f: Double) -> String {
        if f.isNaN { return "nan" }
        if f.isInfinite { return f < 0 ? "-inf" : "inf" }
        var s = "\(f)"
        if let e = s.firstIndex(of: "e") {
            // Swift prints 1e-05 as "1e-05" and 1e+16 as "1e+16", as Python does.
            let mantissa = s[..<e]
            if mantissa.hasSuffix(".0") { s = String(mantissa.dropLast(2)) + s[e...] }
            return s
        }
        return s
    }

    static func reprString(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(u) == quote {
                    out += "\\" + String(quote)
                } else if u.value < 0x20 || u.value == 0x7f {
                    out += "\\x" + hex(Int(u.value), width: 2)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append(quote)
        return out
    }

    static func hex(_ v: Int, width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }
}

extension String {
    /// Python's str.splitlines() for \n, \r\n and \r.
    public var pythonSplitLines: [String] {
        var out: [String] = []
        var cur = ""
        var it = Array(unicodeScalars)[...]
        while let c = it.first {
            it = it.dropFirst()
            if c == "\n" || c == "\r" {
                if c == "\r", it.first == "\n" { it = it.dropFirst() }
                out.append(cur)
                cur = ""
            } else { cur.unicodeScalars.append(c) }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }
}
