// The inventory a run works with: sources parsed (ini, yaml, host lists, directories),
// group_vars/host_vars attached, and the variables of each host in Ansible's order.
import OrderedCollections
import Synchronization
import Values
import Vault
import YAMLReader

public final class Inventory: @unchecked Sendable {
    public let data = InventoryData()

    public init() {}

    /// Loads each `-i` source: a file, a directory of sources, or a `host1,host2,` list.
    public init(sources: [String]) throws {
        self.sources = sources
        readSources()
    }

    var sources: [String] = []
    /// Sources that could not be read (not there, or not parsed, with why): Ansible warns and
    /// goes on without them.
    public internal(set) var unparsed: [(source: String, failures: [SourceFailure])] = []
    /// Whether any source parsed (else the run has only the implicit localhost).
    public internal(set) var parsedAny = false
    /// The sources as ansible_inventory_sources shows them: files made absolute, lists as given.
    public var sourceNames: [String] { sources.map { $0.contains(",") || !Files.exists($0) ? $0 : Files.absolute($0) } }
    /// What add_host and group_by did, to do again after a refresh.
    private var dynamicChanges: [@Sendable (InventoryData) -> Void] = []

    /// A change made while the run goes (add_host, group_by): applied now and kept across refreshes.
    public func change(_ apply: @escaping @Sendable (InventoryData) -> Void) {
        apply(data)
        dynamicChanges.append(apply)
    }

    /// meta: refresh_inventory: the sources read again, then the run's own changes on top.
    public func refresh() throws {
        data.reset()
        unparsed = []
        // InventoryManager.refresh_inventory: plugins read their sources again, not their caches.
        let cache = Inventory.pluginCache
        Inventory.pluginCache = false
        defer { Inventory.pluginCache = cache }
        readSources()
        for c in dynamicChanges { c(data) }
        data.reconcile()
    }

    /// The host a localhost name finds: the inventory's first localhost-like host, else the
    /// implicit localhost Ansible creates, which any localhost name finds from then on.
    func implicitLocalhost(_ name: String) -> Host {
        if let h = data.hosts[resolvedHost(name)] { return h }
        let h = data.addHost(name)
        h.implicit = true
        for (k, v) in Inventory.implicitLocalhostVars { h.vars[k] = v }
        return h
    }

    /// The names C.LOCALHOST gives the implicit localhost.
    public static let localhostNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// The host InventoryData.get_host finds by `name`, without creating one: a localhost name
    /// no host has finds the inventory's localhost-like host.
    public func resolvedHost(_ name: String) -> String {
        guard data.hosts[name] == nil, Inventory.localhostNames.contains(name), let first = data.localhost else { return name }
        return first
    }

    static var implicitLocalhostVars: Dict {
        ["ansible_connection": "local", "ansible_python_interpreter": .string(controllerPython)]
    }

    /// The controller's own interpreter, as Ansible sets it for the implicit localhost.
    public nonisolated(unsafe) static var controllerPython = "/usr/bin/python3"

    public var hostNames: [String] { data.hostsOf(group: "all") }

    public func hasGroup(_ name: String) -> Bool { data.groups[name] != nil }

    public func groupNames(of host: String) -> [String] {
        data.groupsOf(host).map(\.name).filter { $0 != "all" }.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    // MARK: variables

    /// Inventory-level vars of a host, in ansible-core's VARIABLE_PRECEDENCE order (lowest first):
    /// `all`'s inventory vars, the other groups' inventory vars (by depth, priority, name),
    /// group_vars/all next to the inventory then the playbook, group_vars/<group> likewise, then the
    /// host's inventory vars, host_vars next to the inventory, host_vars next to the playbook.
    /// Without `files`, only what the inventory sources set (what inventory plugins see).
    public func vars(for host: String, playbookDirs: [String] = [], files: Bool = true) throws -> Dict {
        try merged(host, playbookDirs: playbookDirs, files: files, sharing: false).vars
    }

    /// The layers merged; with `sharing`, each variable whose value comes from a group — its
    /// variables in a source or a group_vars file — with a name for that source: Python hands
    /// every host of the group the same object, which ansible-inventory's YAML writes once and
    /// aliases after (a host's own values, and dicts merged by hash_behaviour, are new objects).
    func merged(_ host: String, playbookDirs: [String], files: Bool, sharing: Bool) throws -> (vars: Dict, shared: [Value: String]) {
        var out = Dict(), shared: [Value: String] = [:]
        for layer in layers(for: host, playbookDirs: playbookDirs, files: files) {
            for (k, v) in try layer.vars() {
                let old = out[k]
                out[k] = Combine.over(old, v)
                guard sharing else { continue }
                if case .dict? = old, case .dict = v, Combine.mergeHashes.load(ordering: .relaxed) { shared[k] = nil; continue }
                switch layer {
                case .group(let g): shared[k] = "group|\(g.name)|\(k.pythonStr)"
                case .file(let dir, let name) where dir.hasSuffix("/group_vars"): shared[k] = "file|\(dir)|\(name)|\(k.pythonStr)"
                default: shared[k] = nil
                }
            }
        }
        if files { for (k, v) in listedExtraVars { (out[k], shared[k]) = (Combine.over(out[k], v), nil) } }
        return (out, shared)
    }

    /// ansible-inventory's extra vars: on top of every host's variables it lists (those of
    /// VariableManager.get_vars), not in what plugins see.
    public var listedExtraVars = Dict()

    /// Where a host's variable was first set (Python keeps a dict's first key, with its origin,
    /// through every merge): in the lowest layer that has it. Nil when that layer does not say.
    public func keyOrigin(host: String, _ key: String, playbookDirs: [String] = []) -> SourceLocation? {
        let k = Value.string(key)
        for layer in layers(for: host, playbookDirs: playbookDirs, files: true) where (try? layer.vars()[k]) != nil {
            switch layer {
            case .group(let g): return g.keyOrigins[k]
            case .host(_, let origins, _): return origins[k]
            case .file(let dir, let name): return (try? VarsFiles.keyOrigins(dir: dir, name: name))?[k]
            case .plugin: return nil
            }
        }
        return nil
    }

    /// Where the value a host's variable has was written: in the highest layer that has it (a
    /// source or a group_vars/host_vars file; nil for a Python vars plugin's). Read files again:
    /// for the rare message that names it.
    public func valueOrigin(host: String, _ key: String, playbookDirs: [String] = []) -> SourceLocation? {
        let k = Value.string(key)
        for layer in layers(for: host, playbookDirs: playbookDirs, files: true).reversed() where (try? layer.vars()[k]) != nil {
            switch layer {
            case .group(let g): return g.valueOrigins[k]
            case .host(_, _, let values): return values[k]
            case .file(let dir, let name): return (try? VarsFiles.valueOrigins(dir: dir, name: name))?[k]
            case .plugin: return nil
            }
        }
        return nil
    }

    /// One level of a host's inventory variables: what sources set on a group or on the host,
    /// a group_vars/host_vars file (or directory), or what Python vars plugins give at a dir.
    enum Layer {
        case group(Group)
        case host(Dict, origins: [Value: SourceLocation], values: [Value: SourceLocation])
        case file(dir: String, name: String)
        /// `after`: the plugins the loader has after host_group_vars (the enabled ones), else before it.
        case plugin(dir: String, entities: [String], host: Bool, after: Bool)

        func vars() throws -> Dict {
            switch self {
            case .group(let g): return g.vars
            case .host(let d, _, _): return d
            case .file(let dir, let name): return try VarsFiles.load(dir: dir, name: name)
            case .plugin(let dir, let entities, let host, let after): return try Inventory.varsPlugins?(dir, entities, host, after) ?? [:]
            }
        }
    }

    /// The stage variables are asked for at: a play's tasks (`task`), or ansible-inventory's
    /// listing (`all`), as VariableManager.get_vars is called.
    public nonisolated(unsafe) static var layerStage = "task"

    /// host_group_vars' `stage` option (ANSIBLE_VARS_PLUGIN_STAGE), else RUN_VARS_PLUGINS
    /// (`demand` or `start`): set from the settings.
    public nonisolated(unsafe) static var hostGroupVarsStage: String?
    public nonisolated(unsafe) static var runVarsPlugins = "demand"

    /// _plugin_should_run for host_group_vars, which swansible runs itself: a stage the option
    /// names (or `all`), else every stage but the one RUN_VARS_PLUGINS leaves out.
    static func hostGroupVarsRuns(_ stage: String) -> Bool {
        if let allowed = hostGroupVarsStage, !allowed.isEmpty { return allowed == "all" || allowed == stage }
        return !(runVarsPlugins == "demand" && stage == "inventory") && !(runVarsPlugins == "start" && stage == "task")
    }

    /// The vars plugins written in Python (the Engine gives them when there are any): what they
    /// give for these groups or this host at a dir. Locked: a role included while tasks run may
    /// bring the first one.
    public static var varsPlugins: VarsPluginCall? {
        get { varsPluginCall.withLock { $0 } }
        set { varsPluginCall.withLock { $0 = newValue } }
    }
    public typealias VarsPluginCall = @Sendable (_ dir: String, _ entities: [String], _ host: Bool, _ after: Bool) throws -> Dict
    private static let varsPluginCall = Mutex<VarsPluginCall?>(nil)

    /// The layers of vars(for:), lowest first.
    func layers(for host: String, playbookDirs: [String], files: Bool) -> [Layer] {
        var groups = data.sortedGroups(data.groupsOf(host))
        // The implicit localhost and a host only named by delegate_to are in no group, yet they
        // get `all`'s vars (and their host_vars files), as Ansible's VariableManager gives them.
        if data.hosts[host]?.implicit ?? true, let all = data.groups["all"] { groups.insert(all, at: 0) }
        let dirs = varsDirs(playbookDirs)
        let all = groups.filter { $0.name == "all" }, rest = groups.filter { $0.name != "all" }
        var out = (all + rest).map(Layer.group)
        // Each dir's vars plugins (host_group_vars: the files; then Python ones) for `all`, then
        // for the other groups, as get_vars_from_path gives them.
        let plugins = Inventory.varsPlugins != nil, hostGroupVars = Inventory.hostGroupVarsRuns(Inventory.layerStage)
        for part in [all, rest] where files {
            for dir in dirs where !part.isEmpty {
                if plugins { out.append(.plugin(dir: dir, entities: part.map(\.name), host: false, after: false)) }
                if hostGroupVars { out += part.map { .file(dir: Files.join(dir, "group_vars"), name: $0.name) } }
                if plugins { out.append(.plugin(dir: dir, entities: part.map(\.name), host: false, after: true)) }
            }
        }
        // A localhost name delegated to has the implicit localhost's variables without the
        // inventory being changed while tasks run.
        if let h = data.hosts[host] {
            out.append(.host(h.vars, origins: h.keyOrigins, values: h.valueOrigins))
        } else if Inventory.localhostNames.contains(host) {
            out.append(.host(Inventory.implicitLocalhostVars, origins: [:], values: [:]))
        }
        if files {
            for dir in dirs {
                if plugins { out.append(.plugin(dir: dir, entities: [host], host: true, after: false)) }
                if hostGroupVars { out.append(.file(dir: Files.join(dir, "host_vars"), name: host)) }
                if plugins { out.append(.plugin(dir: dir, entities: [host], host: true, after: true)) }
            }
        }
        return out
    }

    // MARK: output (ansible-inventory)

    /// `ansible-inventory --list`: groups with hosts/children, and `_meta.hostvars`. With `export`,
    /// each group's own variables and each host's own, instead of every host's merged ones.
    /// `available`: the hosts `--limit` leaves (all of them without it).
    public func listJSON(available: [String]? = nil, playbookDirs: [String] = [], export: Bool = false) throws -> Value {
        let available = available ?? hostNames, shown = Set(available)
        var root = Dict()
        var hostvars = Dict()
        for h in available {
            let v = try listedVars(host: h, export: export, playbookDirs: playbookDirs)
            if !v.isEmpty { hostvars[.string(h)] = Value.dict(v).legacyEncoded }
        }
        root["_meta"] = ["hostvars": .dict(hostvars), "profile": "inventory_legacy"]
        func add(_ g: Group) throws {
            var entry = Dict()
            if !g.children.isEmpty { entry["children"] = .list(g.children.map(Value.string)) }
            let hosts = g.hosts.filter(shown.contains)
            if !hosts.isEmpty { entry["hosts"] = .list(hosts.map(Value.string)) }
            if export {
                let v = try ownVars(group: g, playbookDirs: playbookDirs)
                if !v.isEmpty { entry["vars"] = Value.dict(v).legacyEncoded }
            }
            if !entry.isEmpty || g.name == "all" { root[.string(g.name)] = .dict(entry) }
            for c in g.children { if let cg = data.groups[c] { try add(cg) } }
        }
        try add(data.groups["all"]!)
        return .dict(root)
    }

    /// A host's variables in a listing: its own with `export`, else all of them, as a play sees them.
    func listedVars(host: String, export: Bool, playbookDirs: [String]) throws -> Dict {
        export ? try ownVars(host: host, playbookDirs: playbookDirs) : try vars(for: host, playbookDirs: playbookDirs)
    }

    /// A group's variables as its sources set them: the inventory's, group_vars next to it, its priority.
    func ownVars(group g: Group, playbookDirs: [String]) throws -> Dict {
        var v = g.vars
        try mergeFiles(into: &v, "group_vars", g.name, dirs: varsDirs(playbookDirs))
        if g.priority != 1 { v["ansible_group_priority"] = .int(g.priority) }
        return v
    }

    /// A host's variables as its sources set them: the inventory's, then host_vars next to it.
    func ownVars(host: String, playbookDirs: [String]) throws -> Dict {
        var v = data.hosts[host]?.vars ?? [:]
        try mergeFiles(into: &v, "host_vars", host, dirs: varsDirs(playbookDirs))
        return v
    }

    /// The directories whose group_vars/host_vars apply: the sources', then the playbook's.
    func varsDirs(_ playbookDirs: [String]) -> [String] {
        data.sourceDirs + playbookDirs.filter { !data.sourceDirs.contains($0) }
    }

    /// `<dir>/group_vars/<name>` or `host_vars/<name>` (files or directories) of each dir over `vars`.
    func mergeFiles(into vars: inout Dict, _ kind: String, _ name: String, dirs: [String]) throws {
        for dir in dirs {
            let plugins = { (after: Bool) in try Inventory.varsPlugins?(dir, [name], kind == "host_vars", after) ?? [:] }
            for (k, x) in try plugins(false) { vars[k] = Combine.over(vars[k], x) }
            if Inventory.hostGroupVarsRuns("all") {
                for (k, x) in try VarsFiles.load(dir: Files.join(dir, kind), name: name) { vars[k] = Combine.over(vars[k], x) }
            }
            for (k, x) in try plugins(true) { vars[k] = Combine.over(vars[k], x) }
        }
    }

    /// `--list --yaml`: the groups under `all` as a YAML inventory (children, then hosts with their
    /// vars at their first appearance only, then the group's own vars with `export`; empty groups
    /// left out), as ansible-inventory builds it; `shared`: the paths of values that are one
    /// object in several places (see merged), for the YAML writer's aliases.
    public func yamlTree(_ top: String = "all", available: [String]? = nil, playbookDirs: [String] = [],
                         export: Bool = false) throws -> (tree: Value, shared: [[Value]: String]) {
        let shown = Set(available ?? hostNames)
        var seenGroups: Set<String> = [], seenHosts: Set<String> = []
        var shared: [[Value]: String] = [:]
        func format(_ g: Group, at path: [Value]) throws -> Dict {
            let here = path + [.string(g.name)]
            var body = Dict(), children = Dict(), hosts = Dict()
            for c in g.children where c != "all" {
                guard let cg = data.groups[c] else { continue }
                if seenGroups.contains(c) { children[.string(c)] = .dict(Dict()); continue }
                seenGroups.insert(c)
                for (k, v) in try format(cg, at: here + ["children"]) { children[k] = v }
            }
            if g.name != "all" {
                for h in g.hosts where shown.contains(h) {
                    guard seenHosts.insert(h).inserted else { hosts[.string(h)] = .dict(Dict()); continue }
                    guard !export else { hosts[.string(h)] = .dict(try ownVars(host: h, playbookDirs: playbookDirs)); continue }
                    let (vars, tokens) = try merged(h, playbookDirs: playbookDirs, files: true, sharing: true)
                    hosts[.string(h)] = .dict(vars)
                    for (k, token) in tokens { shared[here + ["hosts", .string(h), k]] = token }
                }
            }
            if !children.isEmpty { body["children"] = .dict(children) }
            if !hosts.isEmpty { body["hosts"] = .dict(hosts) }
            if export, case let v = try ownVars(group: g, playbookDirs: playbookDirs), !v.isEmpty { body["vars"] = .dict(v) }
            return body.isEmpty ? Dict() : [.string(g.name): .dict(body)]
        }
        guard let g = data.groups[top] else { return (.dict(Dict()), [:]) }
        return (.dict(try format(g, at: [])), shared)
    }

    /// `--list --toml`: every group at the top level (children as names, hosts with their vars at
    /// their first appearance only, its own vars with `export`), as ansible-inventory builds it —
    /// a group under several parents is formatted again each time and the last one stands.
    public func tomlTree(available: [String]? = nil, playbookDirs: [String] = [], export: Bool = false) throws -> Dict {
        let shown = Set(available ?? hostNames)
        let hasUngrouped = !(data.groups["ungrouped"]?.hosts.isEmpty ?? true)
        var seenHosts: Set<String> = []
        func format(_ g: Group) throws -> Dict {
            var body = Dict(), below = Dict(), children: [Value] = [], hosts = Dict()
            for c in g.children {
                guard let cg = data.groups[c], c != "ungrouped" || hasUngrouped else { continue }
                if g.name != "all" { children.append(.string(c)) }
                for (k, v) in try format(cg) { below[k] = v }
            }
            if g.name != "all" {
                for h in g.hosts where shown.contains(h) {
                    hosts[.string(h)] = .dict(seenHosts.insert(h).inserted ? try listedVars(host: h, export: export, playbookDirs: playbookDirs) : Dict())
                }
            }
            if !children.isEmpty { body["children"] = .list(children) }
            if !hosts.isEmpty { body["hosts"] = .dict(hosts) }
            if export, case let v = try ownVars(group: g, playbookDirs: playbookDirs), !v.isEmpty { body["vars"] = .dict(v) }
            var results: Dict = body.isEmpty ? [:] : [.string(g.name): .dict(body)]
            for (k, v) in below { results[k] = v }
            return results
        }
        guard let all = data.groups["all"] else { return [:] }
        return try format(all)
    }

    /// `ansible-inventory --graph`, with `--vars` each host's variables under it and each group's
    /// own after its members, sorted by name, as `{name = value}`.
    /// `playbookDirs` for the hosts' variables, `groupDirs` for the groups' own (see swansible-inventory).
    public func graph(_ group: String = "all", vars: Bool = false, playbookDirs: [String] = [], groupDirs: [String] = []) throws -> String {
        var lines: [String] = []
        func line(_ text: String, _ depth: Int) { lines.append(depth == 0 ? text : String(repeating: "  |", count: depth) + "--" + text) }
        func show(_ d: Dict, _ depth: Int) {
            for (k, v) in d.sorted(by: { $0.key.pythonStr.unicodeScalars.lexicographicallyPrecedes($1.key.pythonStr.unicodeScalars) }) {
                line("{\(k.pythonStr) = \(v.pythonStr)}", depth)
            }
        }
        func walk(_ g: Group, _ depth: Int) throws {
            line("@\(g.name):", depth)
            for c in g.children { if let cg = data.groups[c] { try walk(cg, depth + 1) } }
            for h in g.hosts {
                line(h, depth + 1)
                if vars { show(try self.vars(for: h, playbookDirs: playbookDirs), depth + 2) }
            }
            if vars { show(try ownVars(group: g, playbookDirs: groupDirs), depth + 1) }
        }
        if let g = data.groups[group] { try walk(g, 0) }
        return lines.joined(separator: "\n")
    }
}
