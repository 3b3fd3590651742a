// The inventory a run works with: sources parsed (ini, yaml, host lists, directories),
// group_vars/host_vars attached, and the variables of each host in Ansible's order.
import OrderedCollections
import Values
import Vault
import YAMLReader

public final class Inventory: @unchecked Sendable {
    public let data = InventoryData()

    public init() {}

    /// Loads each `-i` source: a file, a directory of sources, or a `host1,host2,` list.
    public init(sources: [String]) throws {
        self.sources = sources
        for s in sources { try load(s) }
        data.reconcile()
    }

    private var sources: [String] = []
    /// Sources that could not be read (not there, or not parsed, with why): Ansible warns and
    /// goes on without them.
    public private(set) var unparsed: [(source: String, plugin: String, reason: String?)] = []
    /// What the inventory plugins say at -vvv.
    public private(set) var notes: [String] = []
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
        for s in sources { try load(s) }
        for c in dynamicChanges { c(data) }
        data.reconcile()
    }

    public func load(_ source: String) throws {
        let path = Files.expandUser(source)
        if !Files.exists(path), source.contains(",") {
            // advanced_host_list (when enabled) expands ranges, `web[1:3],`: a range Ansible refuses
            // leaves the name as written; one Python cannot read fails the whole source.
            var entries: [(String, Int?)] = []
            for h in source.split(separator: ",") where !h.trimmingSpaces.isEmpty {
                let (name, port) = HostRange.splitPort(String(h.trimmingSpaces))
                guard Inventory.advancedHostList else { entries.append((name, port)); continue }
                do { entries += try HostRange.expand(name).map { ($0, port) } } catch let e as HostRange.PythonError {
                    unparsed.append((source, "advanced_host_list", "Invalid data from string, could not parse: \(e)"))
                    return
                } catch {
                    notes.append("Unable to parse address from hostname, leaving unchanged: \(error)")
                    entries.append((name, port))
                }
            }
            for (name, port) in entries {
                let host = data.addHost(name, group: "ungrouped", source: source)
                if let port { host.vars["ansible_port"] = .int(port) }
            }
            if Inventory.advancedHostList { notes.append("Parsed \(source) inventory source with advanced_host_list plugin") }
            return
        }
        guard Files.exists(path) else {
            unparsed.append((Files.absolute(path), "", nil))
            return
        }
        if Files.isDirectory(path) {
            data.sourceDirs.append(Files.absolute(path))
            for entry in Files.list(path) where !Inventory.ignored(entry) {
                let p = Files.join(path, entry)
                if Files.isDirectory(p) { continue }
                tryFile(p)
            }
            return
        }
        data.sourceDirs.append(Files.dirname(Files.absolute(path)))
        tryFile(path)
    }

    /// A file that does not parse is left out, with why (it may have added hosts before).
    func tryFile(_ path: String) {
        do { try loadFile(path) } catch {
            unparsed.append((Files.absolute(path), Inventory.isYAML(path) ? "yaml" : "ini", "\(error)"))
        }
    }

    static func isYAML(_ path: String) -> Bool {
        path.hasSuffix(".yml") || path.hasSuffix(".yaml") || path.hasSuffix(".json")
    }

    static func ignored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix("~") || name == "group_vars" || name == "host_vars"
            || [".orig", ".ini", ".cfg", ".retry", ".pyc", ".pyo"].contains { name.hasSuffix($0) && $0 != ".ini" }
    }

    func loadFile(_ path: String) throws {
        let text = try Vault.shared.read(path)
        let abs = Files.absolute(path)
        if Inventory.isYAML(path) {
            let node = try YAMLReader.load(text, file: abs)
            try YAMLSource.parse(node, path: abs, into: data)
        } else {
            try INISource.parse(text, path: abs, into: data)
        }
    }

    /// The implicit localhost Ansible creates when a play names it but the inventory does not.
    func implicitLocalhost(_ name: String) -> Host {
        if let h = data.hosts[name] { return h }
        let h = data.addHost(name)
        h.implicit = true
        for (k, v) in Inventory.implicitLocalhostVars { h.vars[k] = v }
        return h
    }

    /// The names C.LOCALHOST gives the implicit localhost.
    public static let localhostNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    static var implicitLocalhostVars: Dict {
        ["ansible_connection": "local", "ansible_python_interpreter": .string(controllerPython)]
    }

    /// INVENTORY_ENABLED names `advanced_host_list`: host lists may hold ranges.
    public nonisolated(unsafe) static var advancedHostList = false

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
    public func vars(for host: String, playbookDirs: [String] = []) throws -> Dict {
        var out = Dict()
        var groups = data.sortedGroups(data.groupsOf(host))
        // The implicit localhost and a host only named by delegate_to are in no group, yet they
        // get `all`'s vars (and their host_vars files), as Ansible's VariableManager gives them.
        if data.hosts[host]?.implicit ?? true, let all = data.groups["all"] { groups.insert(all, at: 0) }
        let invDirs = data.sourceDirs, pbDirs = playbookDirs.filter { !data.sourceDirs.contains($0) }
        func merge(_ d: Dict) { for (k, v) in d { out[k] = Combine.over(out[k], v) } }
        let all = groups.filter { $0.name == "all" }, rest = groups.filter { $0.name != "all" }
        for g in all + rest { merge(g.vars) }
        for part in [all, rest] {
            for dir in invDirs + pbDirs {
                for g in part { merge(try VarsFiles.load(dir: Files.join(dir, "group_vars"), name: g.name)) }
            }
        }
        // A localhost name delegated to has the implicit localhost's variables without the
        // inventory being changed while tasks run.
        if let h = data.hosts[host] { merge(h.vars) } else if Inventory.localhostNames.contains(host) { merge(Inventory.implicitLocalhostVars) }
        for dir in invDirs + pbDirs { merge(try VarsFiles.load(dir: Files.join(dir, "host_vars"), name: host)) }
        return out
    }

    // MARK: output (ansible-inventory)

    /// `ansible-inventory --list`: groups with hosts/children, and `_meta.hostvars`.
    public func listJSON(playbookDirs: [String] = []) throws -> Value {
        var root = Dict()
        var hostvars = Dict()
        for h in hostNames {
            let v = try vars(for: h, playbookDirs: playbookDirs)
            if !v.isEmpty { hostvars[.string(h)] = .dict(v) }
        }
        root["_meta"] = ["hostvars": .dict(hostvars), "profile": "inventory_legacy"]
        func add(_ g: Group) {
            var entry = Dict()
            if !g.children.isEmpty { entry["children"] = .list(g.children.map(Value.string)) }
            if !g.hosts.isEmpty { entry["hosts"] = .list(g.hosts.map(Value.string)) }
            if !entry.isEmpty || g.name == "all" { root[.string(g.name)] = .dict(entry) }
            for c in g.children { if let cg = data.groups[c] { add(cg) } }
        }
        add(data.groups["all"]!)
        return .dict(root)
    }

    /// `ansible-inventory --graph`.
    /// `--list --yaml`: the groups under `all` as a YAML inventory (children, then hosts with their
    /// vars at their first appearance only; empty groups left out), as ansible-inventory builds it.
    public func yamlTree(_ top: String = "all", playbookDirs: [String] = []) throws -> Value {
        var seenGroups: Set<String> = [], seenHosts: Set<String> = []
        func format(_ g: Group) throws -> Dict {
            var body = Dict(), children = Dict(), hosts = Dict()
            for c in g.children where c != "all" {
                guard let cg = data.groups[c] else { continue }
                if seenGroups.contains(c) { children[.string(c)] = .dict(Dict()); continue }
                seenGroups.insert(c)
                for (k, v) in try format(cg) { children[k] = v }
            }
            if g.name != "all" {
                for h in g.hosts {
                    hosts[.string(h)] = .dict(seenHosts.insert(h).inserted ? try vars(for: h, playbookDirs: playbookDirs) : Dict())
                }
            }
            if !children.isEmpty { body["children"] = .dict(children) }
            if !hosts.isEmpty { body["hosts"] = .dict(hosts) }
            return body.isEmpty ? Dict() : [.string(g.name): .dict(body)]
        }
        guard let g = data.groups[top] else { return .dict(Dict()) }
        return .dict(try format(g))
    }

    public func graph(_ group: String = "all") -> String {
        var lines: [String] = []
        func walk(_ g: Group, _ depth: Int) {
            let indent = String(repeating: "  |", count: depth)
            lines.append(depth == 0 ? "@\(g.name):" : "\(indent)--@\(g.name):")
            for c in g.children { if let cg = data.groups[c] { walk(cg, depth + 1) } }
            for h in g.hosts { lines.append("\(String(repeating: "  |", count: depth + 1))--\(h)") }
        }
        if let g = data.groups[group] { walk(g, 0) }
        return lines.joined(separator: "\n")
    }
}
