// Inventory plugins written in Python (a collection's, such as amazon.aws.aws_ec2, or one in
// inventory_plugins/): ansible-core's own plugin reads the source in the helper agent, over the
// inventory the earlier sources made (a constructed-like plugin sees their hosts), and what it
// added comes back into the run's inventory. Its options, cache and templating are Ansible's.
import Inventory
import Values

enum PythonInventory {
    /// Whether the plugin took the source; a PythonPluginFailure when it could not read it.
    static func parse(plugin: String, source: String, auto: Bool, inventory inv: Inventory) throws -> Bool {
        let sentText = Value.dict(state(inv.data)).json()
        let body: Dict = [
            "plugin": .string(plugin), "source": .string(source), "auto": .bool(auto), "cache": .bool(Inventory.pluginCache),
            "inventory": .string(sentText), "extra_vars": .dict(Constructed.extraVars),
            "vault_secrets": PythonPlugins.vaultSecrets, "trust": inv.data.variableTrust.map(Value.bool) ?? .none,
        ]
        let reply: Value
        do { reply = try PythonPlugins.shared.inventoryParse(body) } catch {
            throw PythonPluginFailure(warning: "Failed to parse inventory with '\(auto ? "auto" : plugin)' plugin: \(error)")
        }
        if auto, let name = reply["load_name"]?.stringValue {
            Output.verbose("Using inventory plugin '\(name)' to process inventory source '\(source)'", caplevel: 0)
        }
        PythonPlugins.showWarnings(reply)
        if inv.data.variableTrust == nil, case .bool(let trust)? = reply["trust"] { inv.data.variableTrust = trust }
        if let text = reply["failure"]?.stringValue { throw PythonPluginFailure(warning: text) }
        guard let text = reply["inventory"]?.stringValue else {
            if reply["declined"]?.truthy == true { return false }
            throw PythonPluginFailure(warning: "Failed to parse inventory with '\(plugin)' plugin: \(reply["msg"]?.pythonStr ?? "the helper gave no inventory")")
        }
        // Both sides as JSON gives them, so a value that did not change compares equal.
        guard case .dict(let made) = try Value.parseJSON(text), case .dict(let sent) = try Value.parseJSON(sentText) else { return true }
        merge(made, sent: sent, into: inv.data, source: source)
        return true
    }

    /// The inventory so far as the plugin is given it: groups with their variables, children and
    /// hosts, then hosts (not the implicit localhost) with theirs and the source each came from.
    static func state(_ data: InventoryData) -> Dict {
        let groups: [Value] = data.groups.values.map { g in
            // `all` holds every top-level group only once the sources are reconciled.
            let children = g.name == "all" ? [] : g.children
            return ["name": .string(g.name), "vars": Value.dict(g.vars).legacyEncoded,
                    "children": .list(children.map(Value.string)), "hosts": .list(g.hosts.map(Value.string))]
        }
        let hosts: [Value] = data.hosts.values.filter { !$0.implicit }.map { h in
            ["name": .string(h.name), "vars": Value.dict(h.vars).legacyEncoded, "source": data.hostSource[h.name].map(Value.string) ?? .none]
        }
        return ["groups": .list(groups), "hosts": .list(hosts)]
    }

    /// What the plugin added or changed: new groups and hosts in its order, children, group
    /// memberships, and each variable whose value is not the one it was given (both legacy JSON).
    static func merge(_ made: Dict, sent: Dict, into data: InventoryData, source: String) {
        func byName(_ list: Value?) -> [String: Dict] {
            var out: [String: Dict] = [:]
            for case .dict(let d) in list?.listValue ?? [] { if let n = text(d["name"]) { out[n] = d["vars"]?.dictValue ?? [:] } }
            return out
        }
        let oldGroups = byName(sent["groups"]), oldHosts = byName(sent["hosts"])
        let groups = (made["groups"]?.listValue ?? []).compactMap(\.dictValue)
        for g in groups { if let n = text(g["name"]) { data.addGroup(n) } }
        for case .dict(let h) in made["hosts"]?.listValue ?? [] {
            guard let name = text(h["name"]) else { continue }
            let host = data.addHost(name, source: source)
            for (k, v) in h["vars"]?.dictValue ?? [:] where !magic.contains(k) && oldHosts[name]?[k] != v {
                host.vars[k] = v.legacyTagged
            }
        }
        for g in groups {
            guard let name = text(g["name"]), let group = data.groups[name] else { continue }
            for c in g["children"]?.listValue ?? [] { if let c = text(c) { data.addChild(name, c) } }
            for h in g["hosts"]?.listValue ?? [] { if let h = text(h) { data.addHost(h, group: name) } }
            for (k, v) in g["vars"]?.dictValue ?? [:] where oldGroups[name]?[k] != v { group.vars[k] = v.legacyTagged }
            if let p = g["priority"], p != 1, group.vars["ansible_group_priority"] != p { group.vars["ansible_group_priority"] = p }
        }
    }

    /// A name, as the legacy encoder writes it (untrusted text, as names a plugin made are).
    private static func text(_ v: Value?) -> String? {
        switch v?.legacyTagged {
        case .string(let s)?, .unsafe(let s)?: return s
        default: return nil
        }
    }

    /// Set by InventoryData.add_host for every host; the run has them from the host's source.
    private static let magic: Set<Value> = ["inventory_file", "inventory_dir"]
}
