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
            if let i = int(s) { return .int(i) }
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
        guard s.count >= 10 else { return nil }
        if let m = s.wholeMatch(of: datePattern) {
            guard let year = Int(m.1), let month = Int(m.2), let day = Int(m.3), valid(year, month, day) else { return nil }
            return .date(Int(DateParts.timestamp(year: year, month: month, day: day) / 86400))
        }
        guard s.count >= 14, let m = s.wholeMatch(of: datetimePattern),
              let year = Int(m.1), let month = Int(m.2), let day = Int(m.3), let hour = Int(m.4), let minute = Int(m.5), let second = Int(m.6),
              valid(year, month, day), hour < 24, minute < 60, second < 60 else { return nil }
        let fraction = m.7.map { String($0.prefix(6)) } ?? ""
        let micro = Int(fraction.padding(toLength: 6)) ?? 0
        let wall = DateParts.timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: micro)
        guard m.8 != nil else { return .datetime(wall) }
        var offset = 0
        if let sign = m.9, let h = m.10.flatMap({ Int($0) }) {
            offset = (h * 3600 + (m.11.flatMap { Int($0) } ?? 0) * 60) * (sign == "-" ? -1 : 1)
        }
        return .zonedDatetime(wall - Double(offset), offset: offset)
    }

    /// Why a scalar PyYAML takes for a timestamp is no date or time (datetime()'s own words), or
    /// nil when it is one or is not taken for a timestamp at all.
    public static func timestampError(_ s: String) -> String? {
        guard s.count >= 10, s.first?.isNumber == true else { return nil }
        let parts: (Int, Int, Int, Int, Int, Int)
        if let m = s.wholeMatch(of: datePattern), let y = Int(m.1), let mo = Int(m.2), let d = Int(m.3) {
            parts = (y, mo, d, 0, 0, 0)
        } else if let m = s.wholeMatch(of: datetimePattern), let y = Int(m.1), let mo = Int(m.2), let d = Int(m.3),
                  let h = Int(m.4), let mi = Int(m.5), let se = Int(m.6) {
            parts = (y, mo, d, h, mi, se)
        } else {
            return nil
        }
        let (year, month, day, hour, minute, second) = parts
        if year < 1 { return "year \(year) is out of range" }
        if !(1...12).contains(month) { return "month must be in 1..12" }
        if !valid(year, month, day) { return "day is out of range for month" }
        if hour > 23 { return "hour must be in 0..23" }
        if minute > 59 { return "minute must be in 0..59" }
        if second > 59 { return "second must be in 0..59" }
        return nil
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

    static func int(_ text: String) -> Int? {
        let (sg, body) = sign(Substring(text))
        guard let c0 = body.first else { return nil }
        if body.hasPrefix("0b") {
            let d = body.dropFirst(2)
            guard !d.isEmpty, d.allSatisfy({ $0 == "0" || $0 == "1" || $0 == "_" }) else { return nil }
            return Int(d.filter { $0 != "_" }, radix: 2).map { $0 * sg }
        }
        if body.hasPrefix("0x") {
            let d = body.dropFirst(2)
            guard !d.isEmpty, d.allSatisfy({ $0.isHexDigit || $0 == "_" }) else { return nil }
            return Int(d.filter { $0 != "_" }, radix: 16).map { $0 * sg }
        }
        if c0 == "0" {
            if body == "0" { return 0 }
            let d = body.dropFirst()
            guard d.allSatisfy({ ($0 >= "0" && $0 <= "7") || $0 == "_" }) else { return nil }
            let digits = d.filter { $0 != "_" }
            return digits.isEmpty ? 0 : Int(digits, radix: 8).map { $0 * sg }
        }
        guard c0 >= "1" && c0 <= "9" else { return nil }
        if body.contains(":") {
            // Base 60: [1-9][0-9_]*(:[0-5]?[0-9])+
            let parts = body.split(separator: ":", omittingEmptySubsequences: false)
            guard parts[0].allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
            for p in parts.dropFirst() where !sexagesimalPart(p) { return nil }
            var total = 0
            for p in parts { total = total * 60 + (Int(p.filter { $0 != "_" }) ?? 0) }
            return total * sg
        }
        guard body.allSatisfy({ isDigit($0) || $0 == "_" }) else { return nil }
        return Int(body.filter { $0 != "_" }).map { $0 * sg }
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
