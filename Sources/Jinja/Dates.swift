// The attributes and methods templates use on date and time values (YAML and TOML timestamps,
// to_datetime's results, their differences), as Python's datetime module has them.
import Values
#if canImport(Glibc)
import Glibc
#endif

enum DateAttributes {
    static func attribute(_ v: Value, _ name: String) -> Value? {
        switch v {
        case .datetime, .zonedDatetime: return fields(DateParts(v.wallClock!), name, date: true, time: true)
        case .date(let d): return fields(DateParts(Double(d) * 86400), name, date: true, time: false)
        case .time(let t): return fields(DateParts(t), name, date: false, time: true)
        case .timedelta(let t):
            let days = Int((t / 86400).rounded(.down))
            let rest = t - Double(days) * 86400
            switch name {
            case "days": return .int(days)
            case "seconds": return .int(Int(rest.rounded(.down)))
            case "microseconds": return .int(Int(((rest - rest.rounded(.down)) * 1_000_000).rounded()))
            default: return nil
            }
        default: return nil
        }
    }

    static func fields(_ p: DateParts, _ name: String, date: Bool, time: Bool) -> Value? {
        switch name {
        case "year" where date: return .int(p.year)
        case "month" where date: return .int(p.month)
        case "day" where date: return .int(p.day)
        case "hour" where time: return .int(p.hour)
        case "minute" where time: return .int(p.minute)
        case "second" where time: return .int(p.second)
        case "microsecond" where time: return .int(p.microsecond)
        default: return nil
        }
    }

    static func method(_ v: Value, _ name: String, _ a: Arguments) throws -> Value? {
        // The wall-clock time a value shows, and its offset when it has one.
        let wall: Double, offset: Int?
        switch v {
        case .timedelta(let t): return name == "total_seconds" ? .float(t) : nil
        case .datetime(let t): (wall, offset) = (t, nil)
        case .zonedDatetime(_, let o): (wall, offset) = (v.wallClock!, o)
        case .date(let d): (wall, offset) = (Double(d) * 86400, nil)
        case .time(let t): (wall, offset) = (t, nil)
        default: return nil
        }
        let isDatetime = v.typeName == "datetime"
        switch name {
        case "strftime": return .string(strftime(wall, offset, a.positional.first?.pythonStr ?? ""))
        case "isoformat":
            guard isDatetime else { return .string(v.pythonStr) }
            let separator = a.get(0, "sep")?.pythonStr ?? "T"
            let text = DateParts(wall).description
            return .string(text.replacingFirstSpace(with: separator) + (offset.map(DateParts.offsetText) ?? ""))
        case "timestamp" where isDatetime:
            if case .zonedDatetime(let t, _) = v { return .float(t) }
            return .float(wall)   // naive: taken as UTC here, the controller's zone
        case "date" where isDatetime: return .date(Int((wall / 86400).rounded(.down)))
        case "time" where isDatetime: return .time(wall - (wall / 86400).rounded(.down) * 86400)
        case "utcoffset" where isDatetime: return offset.map { .timedelta(Double($0)) } ?? Value.none
        case "weekday" where v.typeName != "time", "isoweekday" where v.typeName != "time":
            let days = Int((wall / 86400).rounded(.down))
            let monday0 = ((days % 7) + 7 + 3) % 7   // 1970-01-01 was a Thursday
            return .int(name == "weekday" ? monday0 : monday0 + 1)
        default: return nil
        }
    }

    /// C's strftime on the wall-clock fields; `%z`/`%Z` from the offset, as Python fills them.
    static func strftime(_ wall: Double, _ offset: Int?, _ format: String) -> String {
        var f = format
        if let offset {
            let text = DateParts.offsetText(offset).filter { $0 != ":" }
            f = f.replacingPercent("z", with: text).replacingPercent("Z", with: offset == 0 ? "UTC" : "UTC" + DateParts.offsetText(offset))
        } else {
            f = f.replacingPercent("z", with: "").replacingPercent("Z", with: "")
        }
        var tt = time_t(wall.rounded(.down))
        var tmv = tm()
        gmtime_r(&tt, &tmv)
        var buf = [CChar](repeating: 0, count: 512)
        let n = Glibc.strftime(&buf, 512, f, &tmv)
        return n > 0 ? String(nulTerminated: buf) : ""
    }
}

extension String {
    func replacingFirstSpace(with separator: String) -> String {
        guard let i = firstIndex(of: " ") else { return self }
        return String(self[..<i]) + separator + String(self[index(after: i)...])
    }

    /// `%x` directives replaced by text (`%%` left alone).
    func replacingPercent(_ directive: Character, with text: String) -> String {
        var out = ""
        var it = makeIterator()
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            guard let d = it.next() else { out.append(c); break }
            if d == directive { out += text } else { out.append(c); out.append(d) }
        }
        return out
    }
}
