// Python's str() and repr() of values, so `{{ [1, 'a'] }}` renders `[1, 'a']` as Jinja2 does.
extension Value {
    /// `str(x)` in Python.
    public var pythonStr: String {
        switch self {
        case .string(let s), .unsafe(let s): return s
        case .deprecated(let v, _): return v.pythonStr
        case .vault: return "<vault-encrypted string>"
        case .datetime(let t): return DateParts(t).description
        case .timedelta(let t): return DateParts.deltaDescription(t)
        case .date(let d): return DateParts(Double(d) * 86400).dateText
        case .time(let t): return DateParts(t).timeText
        case .zonedDatetime(let t, let offset): return DateParts(t + Double(offset)).description + DateParts.offsetText(offset)
        default: return pythonRepr
        }
    }

    /// ansible's `to_bytes(x)`: bytes as they are, text encoded as UTF-8 (a lone surrogate as the
    /// byte it stands for), anything else its str().
    public var pythonBytes: [UInt8] { bytesValue ?? Surrogates.escapedBytes(pythonStr) }

    /// ansible's `to_text(x)`: bytes decoded (a byte that is no UTF-8 as a lone surrogate),
    /// anything else its str().
    public var pythonText: String {
        if let b = bytesValue { return Surrogates.decoded(b).text }
        return pythonStr
    }

    /// `repr(x)` in Python.
    public var pythonRepr: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .bigInt(let b): return String(b)
        case .float(let f): return Value.formatFloat(f)
        case .string(let s), .unsafe(let s): return Value.reprString(s)
        case .vault: return "'<vault-encrypted string>'"
        case .bytes(let b): return Value.reprBytes(b)
        case .list(let l): return "[" + l.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .tuple(let l, _): return "(" + l.map(\.pythonRepr).joined(separator: ", ") + (l.count == 1 ? ",)" : ")")
        case .dict(let d):
            return "{" + d.map { "\($0.key.pythonRepr): \($0.value.pythonRepr)" }.joined(separator: ", ") + "}"
        case .datetime(let t): return DateParts(t).repr()
        case .timedelta(let t): return DateParts.deltaRepr(t)
        case .date(let d):
            let p = DateParts(Double(d) * 86400)
            return "datetime.date(\(p.year), \(p.month), \(p.day))"
        case .time(let t): return DateParts(t).timeRepr
        case .zonedDatetime(let t, let offset): return DateParts(t + Double(offset)).repr(tzinfo: DateParts.zoneRepr(offset))
        case .undefined: return "AnsibleUndefined"
        case .deprecated(let v, _): return v.pythonRepr
        case .omit: return "<<Omit>>"
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

    /// repr(bytes): `b'...'`, printable ASCII as it is and the rest escaped.
    static func reprBytes(_ b: [UInt8]) -> String {
        let quote: UInt8 = b.contains(0x27) && !b.contains(0x22) ? 0x22 : 0x27
        var out = "b" + String(UnicodeScalar(quote))
        for c in b {
            switch c {
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case quote: out += "\\" + String(UnicodeScalar(quote))
            case 0x20..<0x7F: out.unicodeScalars.append(UnicodeScalar(c))
            default: out += "\\x" + hex(Int(c), width: 2)
            }
        }
        out.unicodeScalars.append(UnicodeScalar(quote))
        return out
    }

    /// Lowercase hex, zero-padded to `width` (Python's `%0*x`).
    public static func hex(_ v: Int, width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }
}

extension String {
    /// The text with each character of `table` replaced by its entity (HTML and XML escaping).
    public func escaping(_ table: [Unicode.Scalar: String]) -> String {
        var out = ""
        for c in unicodeScalars {
            if let e = table[c] { out += e } else { out.unicodeScalars.append(c) }
        }
        return out
    }

    /// Python's str.splitlines(): \r\n, and each of \n \r \v \f \x1c-\x1e \x85 \u2028 \u2029.
    public var pythonSplitLines: [String] {
        var out: [String] = []
        var cur = ""
        var it = Array(unicodeScalars)[...]
        while let c = it.first {
            it = it.dropFirst()
            if [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029].contains(c.value) {
                if c == "\r", it.first == "\n" { it = it.dropFirst() }
                out.append(cur)
                cur = ""
            } else { cur.unicodeScalars.append(c) }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }
}

/// The calendar fields of a naive UTC timestamp (proleptic Gregorian, as Python's datetime).
public struct DateParts: CustomStringConvertible {
    public var year, month, day, hour, minute, second, microsecond: Int

    public init(_ t: Double) {
        let whole = Int((t).rounded(.down))
        microsecond = Int(((t - Double(whole)) * 1_000_000).rounded())
        var days = whole >= 0 ? whole / 86400 : (whole - 86399) / 86400
        let secs = whole - days * 86400
        hour = secs / 3600
        minute = secs % 3600 / 60
        second = secs % 60
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719468
        let era = (days >= 0 ? days : days - 146096) / 146097
        let doe = days - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Seconds since the epoch for calendar fields.
    public static func timestamp(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                                 microsecond: Int = 0) -> Double {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Double(days * 86400 + hour * 3600 + minute * 60 + second) + Double(microsecond) / 1_000_000
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `str(datetime)`: 2016-08-14 20:00:12[.000123]
    public var description: String {
        let y = String(year), yy = String(repeating: "0", count: max(0, 4 - y.count)) + y
        var s = "\(yy)-\(DateParts.two(month))-\(DateParts.two(day)) \(DateParts.two(hour)):\(DateParts.two(minute)):\(DateParts.two(second))"
        if microsecond != 0 {
            let m = String(microsecond)
            s += "." + String(repeating: "0", count: 6 - m.count) + m
        }
        return s
    }

    func repr(tzinfo: String? = nil) -> String {
        var fields = [year, month, day, hour, minute].map(String.init)
        if second != 0 || microsecond != 0 { fields.append(String(second)) }
        if microsecond != 0 { fields.append(String(microsecond)) }
        if let tzinfo { fields.append("tzinfo=\(tzinfo)") }
        return "datetime.datetime(" + fields.joined(separator: ", ") + ")"
    }

    /// `str(timedelta)`: "10 days, 2:00:12", "2:00:12", "-1 day, 23:59:59"
    public static func deltaDescription(_ t: Double) -> String {
        let total = Int(t.rounded(.down))
        let micro = Int(((t - Double(total)) * 1_000_000).rounded())
        var days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let rest = total - days * 86400
        var s = "\(rest / 3600):\(two(rest % 3600 / 60)):\(two(rest % 60))"
        if micro != 0 {
            let m = String(micro)
            s += "." + String(repeating: "0", count: 6 - m.count) + m
        }
        if days != 0 {
            s = "\(days) day\(abs(days) == 1 ? "" : "s"), " + s
            days = 0
        }
        return s
    }

    /// repr(timedelta): its normalised days, seconds and microseconds, those that are not 0.
    public static func deltaRepr(_ t: Double) -> String {
        let total = Int(t.rounded(.down))
        let micro = Int(((t - Double(total)) * 1_000_000).rounded())
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let parts = [("days", days), ("seconds", total - days * 86400), ("microseconds", micro)].filter { $0.1 != 0 }
        return "datetime.timedelta(\(parts.isEmpty ? "0" : parts.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")))"
    }
}

extension Value {
    /// module_utils' boolean(value, strict=True): nil for what is neither true nor false.
    public var strictBool: Bool? {
        switch self {
        case .bool(let b): return b
        case .int(let i) where i == 0 || i == 1: return i == 1
        case .float(let f) where f == 0 || f == 1: return f == 1
        case .string(let s), .unsafe(let s):
            var t = Substring(s)
            while let c = t.first, " \t\n\r\u{0B}\u{0C}".contains(c) { t = t.dropFirst() }
            while let c = t.last, " \t\n\r\u{0B}\u{0C}".contains(c) { t = t.dropLast() }
            let lower = t.lowercased()
            if ["y", "yes", "on", "1", "true", "t"].contains(lower) { return true }
            if ["n", "no", "off", "0", "false", "f"].contains(lower) { return false }
            return nil
        default: return nil
        }
    }
}

extension Value {
    /// `type(value)` as Python prints it for data 2.19's YAML loader read: tagged with its origin
    /// where the type can carry one.
    public var yamlClass: String {
        let tagged: String
        switch self {
        case .int, .bigInt: tagged = "Int"
        case .float: tagged = "Float"
        case .list: tagged = "List"
        case .dict: tagged = "Dict"
        case .string, .unsafe: tagged = "Str"
        case .none: return "<class 'NoneType'>"
        default: return "<class '\(typeName)'>"
        }
        return "<class 'ansible.module_utils._internal._datatag._AnsibleTagged\(tagged)'>"
    }
}
