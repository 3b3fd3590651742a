// The constructed inventory plugin: variables composed from Jinja2 expressions over each host's
// inventory variables (`compose`), groups from conditionals (`groups`) and from variable values
// (`keyed_groups`), as ansible-core's Constructable does it. Errors skip the entry unless `strict`.
import Inventory
import Values

enum Constructed {
    /// The run's `-e` variables, over the host's with `use_extra_vars`; set before sources are read.
    nonisolated(unsafe) static var extraVars: Dict = [:]

    static func parse(_ path: String, _ config: Dict, _ inv: Inventory, cache: FactCache) throws {
        let strict = config["strict"]?.truthy ?? false
        let useFiles = config["use_vars_plugins"]?.truthy ?? false
        let leadingSeparator = config["leading_separator"].map(\.truthy) ?? true
        let extra = config["use_extra_vars"]?.truthy == true ? extraVars : [:]
        let templar = Templar()
        func hostVars(_ host: String) throws -> Dict {
            // combine_vars(group vars, host.get_vars()): the host's magic variables on top.
            var vars = try inv.vars(for: host, files: useFiles)
            for (k, v) in Host.magicVars(host, groupNames: inv.groupNames(of: host)) { vars[k] = v }
            for (k, v) in cache.load(host) ?? [:] { vars[k] = v }
            return vars
        }
        func scope(_ vars: Dict) -> VarScope { templar.staticScope(vars, extraVars: extra) }

        for host in Array(inv.data.hosts.keys) where !(inv.data.hosts[host]?.implicit ?? false) {
            if case .dict(let compose)? = config["compose"] {
                let s = scope(try hostVars(host))
                for (name, expression) in compose {
                    let value: Value
                    do { value = try templar.evaluate(expression, s) } catch {
                        if strict { throw InventoryError("Could not set \(name.pythonStr) for host \(host): \(error)", apart: true) }
                        continue
                    }
                    inv.data.hosts[host]?.vars[name] = composed(expression, value.tupleFree())
                }
            }
            let vars = try hostVars(host), s = scope(vars)
            if case .dict(let groups)? = config["groups"] {
                // Conditionals see the host's variables only; expressions get the extra vars too.
                let s = templar.staticScope(vars, extraVars: [:])
                for (rawName, conditional) in groups {
                    let group = try groupName(rawName.pythonStr, inv.data)
                    do {
                        guard try templar.conditional(conditional, s).0 else { continue }
                    } catch {
                        if strict { throw InventoryError("Could not add host \(host) to group \(group): \(error)", apart: true) }
                        continue
                    }
                    inv.data.addHost(host, group: group)
                }
            }
            if case .list(let keyed)? = config["keyed_groups"] {
                for entry in keyed {
                    try keyedGroups(entry, host: host, scope: s, templar: templar, strict: strict, leadingSeparator: leadingSeparator, inv.data)
                }
            }
        }
    }

    /// One `keyed_groups` entry for a host: a group per value of `key` (a string, a list, or a
    /// mapping giving `name<sep>value`), named `prefix<sep>value`, under `parent_group`.
    static func keyedGroups(_ entry: Value, host: String, scope: VarScope, templar: Templar, strict: Bool, leadingSeparator: Bool,
                            _ data: InventoryData) throws {
        guard case .dict(let keyed) = entry, !keyed.isEmpty else {
            throw InventoryError("Invalid keyed group entry, it must be a dictionary: \(entry.pythonStr) ")
        }
        let keyExpression = keyed["key"] ?? Value.none
        let key: Value
        do { key = try templar.evaluate(keyExpression, scope) } catch {
            if strict { throw InventoryError("Could not generate group for host \(host) from \(keyExpression.pythonStr) entry: \(error)", apart: true) }
            return
        }
        let defaultName = keyed["default_value"].flatMap { $0.isNone ? nil : $0 }
        let trailing = keyed["trailing_separator"].flatMap { $0.isNone ? nil : $0.truthy }
        if trailing != nil, defaultName != nil {
            throw InventoryError("parameters are mutually exclusive for keyed groups: default_value|trailing_separator")
        }
        func isEmptyValue(_ v: Value) -> Bool { v.isNone || v.stringValue == "" }
        let useDefault = isEmptyValue(key) && defaultName != nil
        guard key.truthy || useDefault else {
            if strict, key.listValue?.isEmpty != true, key.dictValue?.isEmpty != true {
                throw InventoryError("No key or key resulted empty for \(keyExpression.pythonStr) in host \(host), invalid entry", apart: true) }
            return
        }
        let prefix = keyed["prefix"]?.pythonStr ?? ""
        var sep = keyed["separator"]?.pythonStr ?? "_"
        var parent: String?
        if let raw = keyed["parent_group"], !raw.isNone {
            do {
                let rendered = try templar.template(raw, scope)
                parent = rendered.isOmit ? nil : rendered.pythonStr
            } catch {
                if strict { throw InventoryError("Could not generate parent group \(raw.pythonRepr) for group \(key.pythonRepr): \(error)", apart: true) }
                return
            }
        }
        var names: [String] = []
        if useDefault {
            names = [defaultName!.pythonStr]
        } else {
            switch key {
            case .string(let s), .unsafe(let s): names = [s]
            case .list(let l): names = l.map { isEmptyValue($0) && defaultName != nil ? defaultName!.pythonStr : $0.pythonStr }
            case .dict(let d):
                for (name, value) in d {
                    var bare = "\(name.pythonStr)\(sep)\(value.pythonStr)"
                    if isEmptyValue(value) {
                        if let defaultName { bare = "\(name.pythonStr)\(sep)\(defaultName.pythonStr)" } else if trailing == false { bare = name.pythonStr }
                    }
                    names.append(bare)
                }
            default:
                throw InventoryError("Invalid group name format, expected a string or a list of them or dictionary, got: <class '\(key.typeName)'>")
            }
        }
        for bare in names {
            if prefix.isEmpty, !leadingSeparator { sep = "" }
            let group = data.addGroup(try groupName(prefix + sep + bare, data)).name
            data.addHost(host, group: group)
            if let parent, !parent.isEmpty {
                let p = data.addGroup(try groupName(parent, data)).name
                data.addChild(p, group)
            }
        }
    }

    /// A name InventoryData.add_group takes: an empty one is refused, outside the strict check.
    static func groupName(_ raw: String, _ data: InventoryData) throws -> String {
        let name = data.safeGroupName(raw)
        guard !name.isEmpty else { throw InventoryError("Invalid empty/false group name provided: \(name)") }
        return name
    }

    /// What an expression gives keeps its trust when it names a variable; text it builds is
    /// new and untrusted, as 2.19's templar returns it.
    static func composed(_ expression: Value, _ value: Value) -> Value {
        let bare = expression.stringValue?.trimmingCharacters(in: " ") ?? ""
        let isName = !bare.isEmpty && bare.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } && !(bare.first?.isNumber ?? true)
        return isName ? value : value.untrusted
    }
}
