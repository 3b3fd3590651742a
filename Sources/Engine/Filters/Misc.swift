// random, shuffle, strftime and urlsplit.
import CShim
import Jinja
import Values
#if canImport(Glibc)
import Glibc
#endif

enum MiscFilters {
    static let filters: [String: Filter] = [
        "random": { v, a, _ in
            var g = try a.keywords["seed"].flatMap { $0.isNone ? nil : try PyRandom(seed: $0) }
            func below(_ n: Int) -> Int {
                if g != nil { return g!.below(n) }
                return Int.random(in: 0..<n)
            }
            let start = a.get(0, "start") ?? .none, step = a.get(1, "step") ?? .none
            if case .int(let end) = v {
                let s = start.truthy ? start.intValue ?? 0 : 0, st = step.truthy ? step.intValue ?? 1 : 1
                if g != nil { return .int(try g!.randrange(s, end, st)) }
                // randrange without building the range (`999999999999 | random` is common).
                let count = st > 0 ? (end - s + st - 1) / st : (end - s + st + 1) / st
                guard count > 0 else { throw AnsibleError("empty range in randrange(\(s), \(end))") }
                return .int(s + below(count) * st)
            }
            switch v {
            case .list, .tuple, .string, .unsafe, .dict: break
            default: throw AnsibleError("random can only be used on sequences and integers")
            }
            guard !start.truthy, !step.truthy else { throw AnsibleError("start and step can only be used with integer values") }
            if case .dict(let d) = v {
                // choice() indexes the mapping by position: a KeyError unless that key exists.
                guard !d.isEmpty else { throw AnsibleError("Cannot choose from an empty sequence") }
                let i = below(d.count)
                guard let hit = d[.int(i)] else { throw AnsibleError("\(i)") }
                return hit
            }
            let items = v.listValue ?? v.pythonStr.map { .string(String($0)) }
            guard !items.isEmpty else { throw AnsibleError("Cannot choose from an empty sequence") }
            return items[below(items.count)]
        },
        "shuffle": { v, a, _ in
            // randomize_list: what is not a list (or cannot be shuffled) comes back unchanged.
            var items: [Value]
            switch v {
            case .list(let l), .tuple(let l, _): items = l
            case .string(let t), .unsafe(let t): items = t.map { .string(String($0)) }
            case .dict(let d): items = Array(d.keys)
            default: return v
            }
            guard let seed = a.get(0, "seed"), seed.truthy else {
                items.shuffle()
                return .list(items)
            }
            // A seed Random() refuses leaves the list as it was (randomize_list swallows the error).
            guard var g = try? PyRandom(seed: seed) else { return .list(items) }
            g.shuffle(&items)
            return .list(items)
        },
        "strftime": { v, a, _ in
            var t = time_t(time(nil))
            if let second = a.get(0, "second"), !second.isNone {
                guard let n = second.number ?? second.stringValue.flatMap({ PythonNumber.float(stripping: $0) }), n.isFinite else {
                    throw ChainedError("Invalid value for epoch value (\(second.pythonStr))")
                }
                guard let whole = Int(exactly: n.rounded(.down)) else { throw AnsibleError("timestamp out of range for platform time_t") }
                t = time_t(whole)
            }
            var tmv = tm()
            let broken = a.get(1, "utc")?.truthy == true ? gmtime_r(&t, &tmv) : localtime_r(&t, &tmv)
            guard broken != nil else { throw AnsibleError("timestamp out of range for platform time_t") }
            var buf = [CChar](repeating: 0, count: 512)
            let n = strftime(&buf, 512, v.pythonStr, &tmv)
            return .string(n > 0 ? String(nulTerminated: buf) : "")
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
