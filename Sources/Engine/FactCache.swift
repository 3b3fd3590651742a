// Fact caching (CACHE_PLUGIN): `memory` keeps facts for the run, as the variable manager does
// anyway; `jsonfile` keeps each host's facts in `<fact_caching_connection>/<prefix>s1_<host>` as
// ansible-core 2.19 writes them (`{"__payload__": "<facts as JSON>"}`, schema 1), read back by
// later runs until `fact_caching_timeout` seconds have passed (0: never expire).
#if canImport(Glibc)
import Glibc
#endif
import Inventory
import Values

public struct FactCache: Sendable {
    var directory: String?
    var prefix = ""   // the jsonfile plugin's _prefix has no default (base.yml's "ansible_facts" is not read)
    var timeout = 86400.0

    /// The memory cache: nothing kept beyond the run.
    public init() {}

    public init(_ settings: Settings) {
        guard settings.value(env: "ANSIBLE_CACHE_PLUGIN", key: "fact_caching").map(PlayTask.shortName) == "jsonfile",
              let dir = settings.value(env: "ANSIBLE_CACHE_PLUGIN_CONNECTION", key: "fact_caching_connection") else { return }
        directory = Files.absolute(Files.expandUser(dir))
        prefix = settings.value(env: "ANSIBLE_CACHE_PLUGIN_PREFIX", key: "fact_caching_prefix") ?? prefix
        timeout = settings.value(env: "ANSIBLE_CACHE_PLUGIN_TIMEOUT", key: "fact_caching_timeout").flatMap(Settings.integer).map(Double.init) ?? timeout
    }

    func path(_ host: String) -> String? { directory.map { Files.join($0, prefix + "s1_" + host) } }

    /// A value as 2.19's cache persistence profile wrote it: tagged values carry theirs in `value`.
    static func untagged(_ v: Value) -> Value {
        switch v {
        case .dict(let d):
            if d["__ansible_type"] != nil, let inner = d["value"] { return untagged(inner) }
            var out = Dict()
            for (k, x) in d { out[k] = untagged(x) }
            return .dict(out)
        case .list(let l): return .list(l.map(untagged))
        default: return v
        }
    }

    /// A host's cached facts, under the names they were given.
    func load(_ host: String) -> Dict? {
        guard let p = path(host), Files.exists(p) else { return nil }
        if timeout > 0, let mtime = Files.modificationTime(p) {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            if Double(now.tv_sec) - mtime > timeout { return nil }
        }
        guard let text = try? Files.read(p), case .dict(let wrapper)? = try? Value.parseJSON(text),
              let payload = wrapper["__payload__"]?.stringValue, case .dict(let d)? = try? Value.parseJSON(payload) else { return nil }
        var facts = Dict()
        for (k, v) in d { facts[k] = FactCache.untagged(v) }
        return facts
    }

    /// Stores a host's facts under the names they were given (HostState keeps which had no prefix).
    func store(_ host: String, _ facts: Dict, plain: Set<String>) {
        guard let p = path(host), let dir = directory else { return }
        var named = Dict()
        for (k, v) in facts { named[.string(plain.contains(k.pythonStr) ? k.pythonStr : "ansible_" + k.pythonStr)] = v }
        let facts = named
        try? Files.makeDirectories(dir)
        let wrapper: Value = ["__payload__": .string(Value.dict(facts).json())]
        try? Files.write(p, Array(wrapper.json().utf8))
    }

    public func remove(_ host: String) { if let p = path(host) { Files.remove(p) } }

    /// --flush-cache: every inventory host's facts forgotten, the implicit localhost's too.
    public func flush(_ inventory: Inventory) {
        for h in Set(inventory.hostNames + ["localhost"]) { remove(h) }
    }
}
