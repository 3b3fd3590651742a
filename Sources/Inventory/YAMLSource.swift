// Ansible's yaml inventory format: nested groups with hosts, vars and children.
import Values
import YAMLReader

enum YAMLSource {
    static func parse(_ root: Node, path: String, into inv: InventoryData) throws {
        guard let pairs = root.pairs else {
            if case .scalar(.none) = root.kind { return }
            throw InventoryError("\(root.location): YAML inventory has invalid structure, it should be a dictionary, got: \(root.value.typeName)")
        }
        for p in pairs {
            guard let name = p.key.scalar?.pythonStr else { continue }
            try group(name, p.value, path: path, inv)
        }
    }

    static let groupKeys: Set<String> = ["vars", "children", "hosts"]

    static func group(_ name: String, _ node: Node, path: String, _ inv: InventoryData) throws {
        let name = inv.addGroup(name).name
        guard let pairs = node.pairs else {
            if case .scalar(.none) = node.kind { return }
            throw InventoryError("\(node.location): Invalid group (\(name)) definition: expected a dictionary, got \(node.value.typeName)")
        }
        for p in pairs {
            let key = p.key.scalar?.pythonStr ?? ""
            guard groupKeys.contains(key) else {
                throw InventoryError("\(p.key.location): Skipping unexpected key (\(key)) in group (\(name)), only \"vars\", \"children\" and \"hosts\" are valid.")
            }
            if case .scalar(.none) = p.value.kind { continue }
            switch key {
            case "vars":
                guard case .dict(let d) = p.value.value else { throw InventoryError("\(p.value.location): vars for group \(name) must be a dictionary") }
                for (k, v) in d { inv.groups[name]!.vars[k] = Combine.over(inv.groups[name]!.vars[k], v) }
            case "children":
                guard let kids = p.value.pairs else { throw InventoryError("\(p.value.location): children of group \(name) must be a dictionary") }
                for k in kids {
                    let child = k.key.scalar?.pythonStr ?? ""
                    try group(child, k.value, path: path, inv)
                    inv.addChild(name, child)
                }
            default:
                guard let hosts = p.value.pairs else { throw InventoryError("\(p.value.location): hosts of group \(name) must be a dictionary") }
                for h in hosts {
                    guard let pattern = h.key.scalar?.stringValue else {
                        let shown = h.key.scalar?.pythonStr ?? "\(h.key.value.pythonStr)"
                        throw InventoryError("Host pattern \(shown) must be a string. Enclose integers/floats in quotation marks.")
                    }
                    let (hostPattern, port) = HostRange.splitPort(pattern)
                    for hn in try HostRange.expand(hostPattern) {
                        let host = inv.addHost(hn, group: name, source: path)
                        if let port { host.vars["ansible_port"] = .int(port) }
                        if case .dict(let d) = h.value.value { for (k, v) in d { host.vars[k] = Combine.over(host.vars[k], v) } }
                    }
                }
            }
        }
    }
}
