// The generator inventory plugin: one host per combination of the `layers` values, its name and
// its parent groups (with their vars) rendered from templates over that combination.
import Inventory
import Values

enum Generator {
    static func parse(_ path: String, _ config: Dict, _ inv: Inventory) throws {
        guard case .dict(let layers)? = config["layers"], case .dict(let hosts)? = config["hosts"] else {
            throw InventoryError("generator needs 'hosts' and 'layers' mappings")
        }
        let templar = Templar()
        // itertools.product over the layers, the last varying fastest.
        var combinations: [Dict] = [[:]]
        for (key, values) in layers {
            let items = values.listValue ?? [values]
            combinations = combinations.flatMap { partial in items.map { var c = partial; c[key] = $0; return c } }
        }
        for vars in combinations {
            let scope = templar.staticScope(vars, extraVars: [:])
            func render(_ v: Value) throws -> Value { v.stringValue == nil ? v : try templar.template(v, scope) }
            let host = try render(hosts["name"] ?? Value.none).pythonStr
            inv.data.addHost(host)
            try addParents(host, hosts["parents"]?.listValue ?? [], inv.data, render)
        }
    }

    static func addParents(_ child: String, _ parents: [Value], _ data: InventoryData, _ render: (Value) throws -> Value) throws {
        for parent in parents {
            let name = try render(parent["name"] ?? Value.none)
            guard name.truthy else { throw InventoryError("Element \(child) has a parent with no name.") }
            let group = data.addGroup(name.pythonStr)
            for (k, v) in parent["vars"]?.dictValue ?? [:] { group.vars[k] = try render(v) }
            if data.hosts[child] != nil, data.groups[child] == nil {
                data.addHost(child, group: group.name)
            } else {
                data.addChild(group.name, child)
            }
            try addParents(group.name, parent["parents"]?.listValue ?? [], data, render)
        }
    }
}
