// random, shuffle, strftime and urlsplit.
import CShim
import Jinja
import Values
#if canImport(Glibc)
import Glibc
#endif

enum MiscFilters {
    static func generator(_ seed: Value?) -> any RandomNumberGenerator {
        guard let seed else { return SystemRandomNumberGenerator() }
        return SeededGenerator(seed: UInt64(truncatingIfNeeded: seed.pythonStr.hashValueStable))
    }

    static let filters: [String: Filter] = [
        "random": { v, a, _ in
            var g = generator(a.keywords["seed"])
            if let end = v.intValue, !v.isBool {
                let start = a.get(0, "start")?.intValue ?? 0, step = max(1, a.get(1, "step")?.intValue ?? 1)
                // randrange without building the range (`999999999999 | random` is common).
                let count = end > start ? (end - start + step - 1) / step : 0
                guard count > 0 else { throw AnsibleError("empty range for randrange()") }
                return .int(start + Int.random(in: 0..<count, using: &g) * step)
            }
            let l = try SetFilters.list(v)
            guard let r = l.randomElement(using: &g) else { throw AnsibleError("Cannot choose from an empty sequence") }
            return r
        },
        "shuffle": { v, a, _ in
            var g = generator(a.keywords["seed"])
            return .list(try SetFilters.list(v).shuffled(using: &g))
        },
        "strftime": { v, a, _ in
            var t = time_t(a.get(0, "second")?.number.map { Int($0) } ?? Int(time(nil)))
            var tmv = tm()
            if a.get(1, "utc")?.truthy == true { gmtime_r(&t, &tmv) } else { localtime_r(&t, &tmv) }
            var buf = [CChar](repeating: 0, count: 512)
            let n = strftime(&buf, 512, v.pythonStr, &tmv)
            return .string(n > 0 ? String(cString: buf) : "")
        },
        "to_datetime": { v, a, _ in
            let text = v.pythonStr, format = a.get(0, "format")?.pythonStr ?? "%Y-%m-%d %H:%M:%S"
            var tmv = tm()
            guard cshim_strptime(text, format, &tmv) == text.utf8.count else {
                throw AnsibleError("time data '\(text)' does not match format '\(format)'")
            }
            return .datetime(DateParts.timestamp(year: Int(tmv.tm_year) + 1900, month: Int(tmv.tm_mon) + 1, day: Int(tmv.tm_mday),
                                                 hour: Int(tmv.tm_hour), minute: Int(tmv.tm_min), second: Int(tmv.tm_sec)))
        },
        "urlsplit": { v, a, _ in
            let d = urlsplit(v.pythonStr)
            if let q = a.get(0, "query")?.stringValue {
                guard let x = d[.string(q)] else { throw AnsibleError("urlsplit: unknown URL component: \(q)") }
                return x
            }
            return .dict(d)
        },
    ]

    /// Python's urllib.parse.urlsplit, with the derived fields Ansible's filter adds.
    static func urlsplit(_ url: String) -> Dict {
        var rest = Substring(url)
        var scheme = ""
        if let c = rest.firstIndex(of: ":"), rest[..<c].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }), rest.first?.isLetter == true {
            scheme = rest[..<c].lowercased()
            rest = rest[rest.index(after: c)...]
        }
        var netloc = ""
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
            netloc = String(rest[..<end])
            rest = rest[end...]
        }
        var fragment = "", query = ""
        if let h = rest.firstIndex(of: "#") { fragment = String(rest[rest.index(after: h)...]); rest = rest[..<h] }
        if let q = rest.firstIndex(of: "?") { query = String(rest[rest.index(after: q)...]); rest = rest[..<q] }
        var username: Value = .none, password: Value = .none
        var hostport = Substring(netloc)
        if let at = netloc.lastIndex(of: "@") {
            let userinfo = netloc[..<at]
            hostport = netloc[netloc.index(after: at)...]
            if let c = userinfo.firstIndex(of: ":") {
                username = .string(String(userinfo[..<c]))
                password = .string(String(userinfo[userinfo.index(after: c)...]))
            } else { username = .string(String(userinfo)) }
        }
        var hostname: Value = .none, port: Value = .none
        if !hostport.isEmpty {
            if let c = hostport.lastIndex(of: ":"), !hostport[hostport.index(after: c)...].contains("]") {
                hostname = .string(hostport[..<c].lowercased())
                port = Int(hostport[hostport.index(after: c)...]).map(Value.int) ?? .none
            } else { hostname = .string(hostport.lowercased()) }
        }
        // Ansible returns the fields in alphabetical order.
        return ["fragment": .string(fragment), "hostname": hostname, "netloc": .string(netloc), "password": password,
                "path": .string(String(rest)), "port": port, "query": .string(query), "scheme": .string(scheme), "username": username]
    }
}

/// A small deterministic generator for `random(seed=…)` (splitmix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

extension String {
    /// FNV-1a: a hash that is the same in every run (Swift's hashValue is seeded per process).
    var hashValueStable: Int {
        var h: UInt64 = 0xcbf29ce484222325
        for b in utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return Int(truncatingIfNeeded: h)
    }
}
