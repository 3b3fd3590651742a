// How Python writes dates, times and UTC offsets (str, repr, isoformat), for the date kinds
// YAML and TOML documents hold.
extension DateParts {
    /// `str(date)`, `date.isoformat()`: 2020-01-01
    public var dateText: String {
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-\(DateParts.two(month))-\(DateParts.two(day))"
    }

    /// `str(time)`, `time.isoformat()`: 12:42:42[.000123]
    public var timeText: String {
        var s = "\(DateParts.two(hour)):\(DateParts.two(minute)):\(DateParts.two(second))"
        if microsecond != 0 {
            let m = String(microsecond)
            s += "." + String(repeating: "0", count: 6 - m.count) + m
        }
        return s
    }

    /// `repr(time)`: trailing zero fields left out, as Python does.
    var timeRepr: String {
        var fields = [hour, minute]
        if second != 0 || microsecond != 0 { fields.append(second) }
        if microsecond != 0 { fields.append(microsecond) }
        return "datetime.time(" + fields.map(String.init).joined(separator: ", ") + ")"
    }

    /// A UTC offset as str() and isoformat() write it: +05:30, -07:00, +00:00 (seconds if any).
    public static func offsetText(_ offset: Int) -> String {
        let a = abs(offset)
        var s = (offset < 0 ? "-" : "+") + "\(two(a / 3600)):\(two(a % 3600 / 60))"
        if a % 60 != 0 { s += ":\(two(a % 60))" }
        return s
    }

    /// `repr(timezone(timedelta(seconds=offset)))`.
    static func zoneRepr(_ offset: Int) -> String {
        offset == 0 ? "datetime.timezone.utc" : "datetime.timezone(\(deltaRepr(Double(offset))))"
    }
}

extension Value {
    /// A datetime's wall-clock time, in seconds since the epoch as if it were UTC.
    public var wallClock: Double? {
        switch self {
        case .datetime(let t): return t
        case .zonedDatetime(let t, let offset): return t + Double(offset)
        default: return nil
        }
    }

    /// `isoformat()` of a date, time or datetime (a `T` between date and time); nil for others.
    public var isoformat: String? {
        switch self {
        case .date, .time: return pythonStr
        case .zonedDatetime(_, let offset): return DateParts(wallClock!).description.replacingFirstSpace + DateParts.offsetText(offset)
        default: return wallClock.map { DateParts($0).description.replacingFirstSpace }
        }
    }
}
