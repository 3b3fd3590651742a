// PyYAML's YAML 1.1 implicit resolution of plain scalars, written out by hand (no regex engine):
// yes/no/on/off are booleans, 0755 is octal, 1:30 is base 60, 1e3 (no dot) stays a string.
import Values

public enum Resolver {
    static func resolve(plain s: String) -> Value {
        guard let first = s.unicodeScalars.first else { return .none }
        switch first {
        case "~", "n", "N":
            if s == "~" || s == "null" || s == "Null" || s == "NULL" { return .none }
            if let b = bool(s) { return .bool(b) }
        case "y", "Y", "t", "T", "f", "F", "o", "O":
            if let b = bool(s) { return .bool(b) }
        case "-", "+", "0"..."9", ".":
            if let i = int(s) { return i }
            if let f = float(s) { return .float(f) }
            if let t = timestamp(s) { return t }
        default: break
        }
        return .string(s)
    }

    nonisolated(unsafe) static let datetimePattern =
        #/([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?/#
    nonisolated(unsafe) static let datePattern = #/([0-9]{4})-([0-9]{2})-([0-9]{2})/#

    /// A YAML 1.1 timestamp as PyYAML's SafeConstructor makes it: a date, a naive datetime, or
    /// one with a fixed offset (`Z` is UTC).
    public static func timestamp(_ s: String) -> Value? {
        if case .success(let v)? = parseTimestamp(s) { return v }
        return nil
    }

    /// Why a scalar PyYAML takes for a timestamp is no date or time (datetime()'s own words), or
    /// nil when it is one or is not taken for a timestamp at all.
    public static func timestampError(_ s: String) -> String? {
        if case .failure(let e)? = parseTimestamp(s) { return e.message }
        return nil
    }

    struct TimestampError: Error { let message: String }

    /// A scalar PyYAML's resolver takes for a timestamp: its value, or why datetime() refuses a
    /// field. Nil: not a timestamp.
    static func parseTimestamp(_ s: String) -> Result<Value, TimestampError>? {
        guard s.first?.isNumber == true, s.utf8.count >= 10 else { return nil }   // cheap first: every plain string comes here
        var fields: [Int]
        var fraction = "", zone: (sign: Substring?, hours: Int?, minutes: Int?)?
        if let m = s.wholeMatch(of: datePattern), let y = Int(m.1), let mo = Int(m.2), let d = Int(m.3) {
            fields = [y, mo, d]
        } else if let m = s.wholeMatch(of: datetimePattern), let y = Int(m.1), let mo = Int(m.2), let d = Int(m.3),
                  let h = Int(m.4), let mi = Int(m.5), let se = Int(m.6) {
            fields = [y, mo, d, h, mi, se]
            fraction = m.7.map { String($0.prefix(6)) } ?? ""
            if m.8 != nil { zone = (m.9, m.10.flatMap { Int($0) }, m.11.flatMap { Int($0) }) }
        } else {
            return nil
        }
        let (year, month, day) = (fields[0], fields[1], fields[2])
        let (hour, minute, second) = fields.count > 3 ? (fields[3], fields[4], fields[5]) : (0, 0, 0)
        let refusal: String? =
            year < 1 ? "year \(year) is out of range"
            : !(1...12).contains(month) ? "month must be in 1..12"
            : !valid(year, month, day) ? "day is out of range for month"
            : hour > 23 ? "hour must be in 0..23"
            : minute > 59 ? "minute must be in 0..59"
            : second > 59 ? "second must be in 0..59" : nil
        if let refusal { return .failure(TimestampError(message: refusal)) }
        guard fields.count > 3 else { return .success(.date(Int(DateParts.timestamp(year: year, month: month, day: day) / 86400))) }
        let micro = Int(fraction.padding(toLength: 6)) ?? 0
        let wall = DateParts.timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: micro)
        guard let zone else { return .success(.datetime(wall)) }
        let offset = zone.sign == nil ? 0 : ((zone.hours ?? 0) * 3600 + (zone.minutes ?? 0) * 60) * (zone.sign == "-" ? -1 : 1)
        return .success(.zonedDatetime(wall - Double(offset), offset: offset))
    }

    /// A day Python's date() accepts.
    static func valid(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        guard year >= 1, (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    static func bool(_ s: String) -> Bool? {
        switch s {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }

    /// `[-+]?` prefix split off.
    static func sign(_ s: Substring) -> (Int, Substring) {
        if s.first == "-" { return (-1, s.dropFirst()) }
        if s.first == "+" { return (1, s.dropFirst()) }
        return (1, s)
    }

    /// A YAML 1.1 int: `.int`, or `.bigInt` past 64 bits (Python's int has no bound).
    static func int(_ text: String) -> Value? {
        let (sg, body) = sign(Substring(text))
        guard let c0 = body.first else { return nil }
        func integer(_ digits: String, radix: Int) -> Value? { Value.integer((sg < 0 ? "-" : "") + digits, radix: radix) }
        if body.hasPrefix("0b") {
            let d = body.dropFirst(2)
            guard !d.isEmpty, d.allSatisfy({ $0 == "0" || $0 == "1" || $0 == "_" }) else { return nil }
            return integer(d.filter { $0 != "_" }, radix: 2)
        }
        if body.hasPrefix("0x") {
            let d = body.dropFirst(2)
            guard !d.isEmpty, d.allSatisfy({ $0.isHexDigit || $0 == "_" }) else { return nil }
            return integer(d.filter { $0 != "_" }, radix: 16)
        }
        if c0 == "0" {
            if body == "0" { return .int(0) }
            let d = body.dropFirst()
            guard d.allSatisfy({ ($0 >= "0" && $0 <= "7") || $0 == "_" }) else { return nil }
            let digits = d.filter { $0 != "_" }
            return digits.isEmpty ? .int(0) : integer(digits, radix: 8)
        }
        guard c0 >= "1" && c0 <= "9" else { return nil }
        if body.contains(":") {
            // Base 60: [1-9][0-9_]*(:[0-5]?[0-9])+
            let parts = body.split(separator: ":", omittingEmptySubsequences: false)
            guard parts[0].allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
            for p in parts.dropFirst() where !sexagesimalPart(p) { return nil }
            var total = Value.int(0)
            for p in parts {
                let digit = Value.integer(p.filter { $0 != "_" }) ?? .int(0)
                total = (try? Value.intArithmetic("+", Value.intArithmetic("*", total, 60) ?? total, digit)) ?? total
            }
            return sg < 0 ? total.negatedInt : total
        }
        guard body.allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
        return integer(body.filter { $0 != "_" }, radix: 10)
    }

    static func sexagesimalPart(_ p: Substring) -> Bool {
        (p.count == 1 || p.count == 2) && p.allSatisfy(isDigit) && (p.count == 1 || p.first! <= "5")
    }

    static func float(_ text: String) -> Double? {
        let (sg, body) = sign(Substring(text))
        switch body {
        case ".inf", ".Inf", ".INF": return Double(sg) * .infinity
        case ".nan", ".NaN", ".NAN": return text.first == "-" || text.first == "+" ? nil : .nan
        default: break
        }
        guard let c0 = body.first else { return nil }
        if c0 == "." {
            // \.[0-9][0-9_]*([eE][-+][0-9]+)?  — no sign allowed in PyYAML's pattern.
            guard text.first == ".", body.dropFirst().first.map(isDigit) == true else { return nil }
            return mantissaExponent(body, sign: 1)
        }
        guard isDigit(c0) else { return nil }
        if body.contains(":") {
            guard let dot = body.firstIndex(of: ".") else { return nil }
            let head = body[..<dot], frac = body[body.index(after: dot)...]
            guard frac.allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
            let parts = head.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
            for p in parts.dropFirst() where !sexagesimalPart(p) { return nil }
            var total = 0.0
            for (i, p) in parts.enumerated() {
                var t = String(p.filter { $0 != "_" })
                if i == parts.count - 1 { t += "." + frac.filter { $0 != "_" } }
                total = total * 60 + (Double(t) ?? 0)
            }
            return total * Double(sg)
        }
        return mantissaExponent(body, sign: sg)
    }

    /// [0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? — a dot is required and an exponent needs a sign.
    static func mantissaExponent(_ body: Substring, sign sg: Int) -> Double? {
        guard let dot = body.firstIndex(of: ".") else { return nil }
        let intPart = body[..<dot]
        var rest = body[body.index(after: dot)...]
        guard intPart.allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
        var exponent = ""
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let exp = rest[rest.index(after: e)...]
            guard let s = exp.first, s == "+" || s == "-", exp.count > 1, exp.dropFirst().allSatisfy(isDigit) else { return nil }
            exponent = "e" + exp
            rest = rest[..<e]
        }
        guard rest.allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
        let text = (intPart.isEmpty ? "0" : String(intPart)) + "." + rest + exponent
        return Double(text.filter { $0 != "_" }).map { $0 * Double(sg) }
    }
}

extension Resolver {
    /// How a plain scalar would read back: a string, or the bool/int/float/null it would become.
    public static func resolvePublic(_ s: String) -> Value { resolve(plain: s) }
}

private extension String {
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: "0", count: n - count) }
}
