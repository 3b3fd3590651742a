// group_by and add_host: the inventory changed while the play runs, as Ansible's strategy
// applies these results (one host at a time: the runner runs these tasks with one fork).
import Inventory
import Values

enum GroupByAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        guard let key = c.args["key"] else { throw TaskFailure(message: "the 'key' param is required when using group_by") }
        let name = key.pythonStr.replacingOccurrences(of: " ", with: "-")
        var parents = (c.args["parents"].map { $0.listValue ?? [$0] } ?? ["all"]).map { $0.pythonStr.replacingOccurrences(of: " ", with: "-") }
        if parents.isEmpty { parents = ["all"] }
        let data = c.runner.inventory.data
        var changed = !(data.groups[name]?.hosts.contains(c.host) ?? false)
        // As Ansible's strategy: each parent takes the group as a child (`all` too, even though
        // the inventory then settles a group with other parents out of `all` again).
        for p in parents where !(data.groups[p]?.children.contains(name) ?? false) { changed = true }
        let host = c.host, group = name, parentGroups = parents
        c.runner.inventory.change { data in
            for p in parentGroups { data.addChild(p, group) }
            // After a refresh, a host the sources no longer have stays out.
            if data.hosts[host] != nil { data.addHost(host, group: group) }
        }
        c.runner.inventoryChanged()
        return ["changed": .bool(changed), "add_group": .string(name), "parent_groups": .list(parents.map(Value.string))]
    }
}

enum AddHostAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        // `add_host: "{{ a_mapping }}"`: the mapping, under the arguments given beside it.
        if let raw = args.removeValue(forKey: "_raw_params") {
            guard case .dict(var d) = raw else {
                throw TaskFailure.raise("Invalid raw parameters passed, requires a dictionary/mapping got a  <class '\(raw.typeName)'>")
            }
            for (k, v) in args { d[k] = v }
            args = d
        }
        guard let raw = (args.removeValue(forKey: "name") ?? args.removeValue(forKey: "host") ?? args.removeValue(forKey: "hostname"))?.pythonStr else {
            throw TaskFailure(message: "name, host or hostname needs to be provided")
        }
        var vars = Dict()
        let (name, port) = HostRange.splitPort(raw)
        if let port { vars["ansible_ssh_port"] = .int(port) }
        var groups: [String] = []
        for k in ["groups", "group", "groupname"] {
            guard let g = args.removeValue(forKey: .string(k)) else { continue }
            let list = g.listValue?.map(\.pythonStr) ?? g.pythonStr.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }
            for n in list where !n.isEmpty && !groups.contains(n) { groups.append(n) }
        }
        for (k, v) in args { vars[k] = v }
        let data = c.runner.inventory.data
        var changed = data.hosts[name] == nil
        if let host = data.hosts[name] { for (k, v) in vars where host.vars[k] != v { changed = true } }
        for g in groups where !(data.groups[g]?.hosts.contains(name) ?? false) { changed = true }
        let hostVars = vars, hostGroups = groups
        c.runner.inventory.change { data in
            let host = data.addHost(name, group: "all")   // a member of `all` itself, as the strategy adds it
            for (k, v) in hostVars { host.vars[k] = v }
            for g in hostGroups { data.addHost(name, group: g) }
        }
        c.runner.inventoryChanged()
        return ["changed": .bool(changed),
                "add_host": ["host_name": .string(name), "groups": .list(groups.map(Value.string)), "host_vars": .dict(vars)]]
    }
}
