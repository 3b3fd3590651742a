// The attributes and methods templates use on datetime and timedelta values (from to_datetime).
import Values
#if canImport(Glibc)
import Glibc
#endif

enum DateAttributes {
    static func attribute(_ v: Value, _ name: String) -> Value? {
        switch v {
        case .datetime(let t):
            let p = DateParts(t)
            switch name {
            case "year": return .int(p.year)
            case "month": return .int(p.month)
            case "day": return .int(p.day)
            case "hour": return .int(p.hour)
            case "minute": return .int(p.minute)
            case "second": return .int(p.second)
            case "microsecond": return .int(p.microsecond)
            default: return nil
            }
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

    static func method(_ v: Value, _ name: String, _ a: Arguments) throws -> Value? {
        switch (v, name) {
        case (.timedelta(let t), "total_seconds"): return .float(t)
        case (.datetime(let t), "strftime"):
            var tt = time_t(t.rounded(.down))
            var tmv = tm()
            gmtime_r(&tt, &tmv)
            var buf = [CChar](repeating: 0, count: 512)
            let n = strftime(&buf, 512, a.positional.first?.pythonStr ?? "", &tmv)
            return .string(n > 0 ? String(cString: buf) : "")
        case (.datetime(let t), "timestamp"): return .float(t)
        case (.datetime(let t), "isoformat"): return .string(DateParts(t).description.replacingOccurrencesOfSpace)
        case (.datetime(let t), "date"):
            let p = DateParts(t)
            return .string("\(p.year)-\(p.month < 10 ? "0" : "")\(p.month)-\(p.day < 10 ? "0" : "")\(p.day)")
        default: return nil
        }
    }
}

extension String {
    var replacingOccurrencesOfSpace: String { String(map { $0 == " " ? "T" : $0 }) }
}
