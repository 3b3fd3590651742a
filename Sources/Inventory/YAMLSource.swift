// Ansible's yaml inventory format: nested groups with hosts, vars and children. What does not
// fit is skipped with the yaml plugin's warnings; only what it refuses fails the source.
import Values
import YAMLReader

enum YAMLSource {
    static func parse(_ root: Node, path: String, into inv: InventoryData) throws {
        if !root.value.truthy { throw InventoryError("Parsed empty YAML file") }
        guard let pairs = root.pairs else {
            throw InventoryError("YAML inventory has invalid structure, it should be a dictionary, got: \(root.value.yamlClass)")
        }
        if pairs.contains(where: { $0.key.scalar?.pythonStr == "plugin" && $0.value.value.truthy }) {
            throw InventoryError("Plugin configuration YAML file, not YAML inventory")
        }
        for p in pairs {
            guard let name = p.key.scalar?.pythonStr else { continue }
            _ = try group(name, p.value, path: path, inv)
        }
    }

    static let sections = ["vars", "children", "hosts"]

    /// A group's name as the inventory knows it (it may have been made a safe name).
    static func group(_ name: String, _ node: Node?, path: String, _ inv: InventoryData) throws -> String {
        guard let node, !isNone(node) else { return inv.addGroup(name).name }
        guard let pairs = node.pairs else {
            Inventory.say(.warning("Skipping '\(name)' as this is not a valid group definition"))
            return name
        }
        let name = inv.addGroup(name).name
        // A section given as one name stands for a mapping of that name; any other non-mapping fails.
        var named: [String: String] = [:]
        for p in pairs {
            guard let key = p.key.scalar?.pythonStr, sections.contains(key) else { continue }
            if case .scalar(.string(let s)) = p.value.kind { named[key] = s } else if p.value.pairs == nil, !isNone(p.value) {
                throw InventoryError("Invalid \"\(key)\" entry for \"\(name)\" group, requires a dictionary, found \"\(p.value.value.yamlClass)\" instead.")
            }
        }
        for p in pairs {
            let key = p.key.scalar?.pythonStr ?? ""
            if isNone(p.value) { continue }
            let entries: [(key: Value, keyAt: SourceLocation?, value: Node?)]
            if let one = named[key] { entries = [(.string(one), nil, nil)] } else if let kv = p.value.pairs {
                entries = kv.map { ($0.key.value, $0.key.location, $0.value) }
            } else {
                Inventory.say(.warning("Skipping key (\(key)) in group (\(name)) as it is not a mapping, it is a \(p.value.value.yamlClass)"))
                continue
            }
            switch key {
            case "vars":
                for e in entries { inv.setVariable(name, e.key, e.value?.value ?? Value.none, keyOrigin: e.keyAt, valueOrigin: e.value?.location) }
            case "children":
                for e in entries {
                    let child = try group(e.key.pythonStr, e.value, path: path, inv)
                    guard inv.groups[child] != nil || inv.hosts[child] != nil else {
                        throw InventoryError("\(child) is not a known host nor group")
                    }
                    inv.addChild(name, child)
                }
            case "hosts":
                for e in entries {
                    guard let pattern = e.key.stringValue else {
                        throw InventoryError("Host pattern \(e.key.pythonStr) must be a string. Enclose integers/floats in quotation marks.")
                    }
                    let (hostPattern, port) = HostRange.splitPort(pattern)
                    let vars: [(key: Value, keyAt: SourceLocation?, value: Value, valueAt: SourceLocation?)]
                    switch e.value?.value ?? Value.none {
                    case .dict(let d):
                        let pairs = e.value?.pairs ?? []
                        vars = d.enumerated().map { i, kv in
                            (kv.key, i < pairs.count ? pairs[i].key.location : nil, kv.value, i < pairs.count ? pairs[i].value.location : nil)
                        }
                    case let v where !v.truthy: vars = []
                    case let v: throw InventoryError("Invalid data from file, expected dictionary and got:\n\n\(v.pythonStr)")
                    }
                    for hn in try HostRange.expand(hostPattern) {
                        let host = inv.addHost(hn, group: name, source: path)
                        if let port { host.vars["ansible_port"] = .int(port) }
                        for v in vars { inv.setVariable(hn, v.key, v.value, keyOrigin: v.keyAt, valueOrigin: v.valueAt) }
                    }
                }
            default:
                Inventory.say(.warning("Skipping unexpected key (\(key)) in group (\(name)), only \"vars\", \"children\" and \"hosts\" are valid"))
            }
        }
        return name
    }

    static func isNone(_ n: Node) -> Bool {
        if case .scalar(.none) = n.kind { return true }
        return false
    }
}
