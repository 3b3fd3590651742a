// Hosts and groups as Ansible's InventoryData holds them: insertion order kept, `all` and
// `ungrouped` always present, group depth and priority for variable ordering.
import OrderedCollections
import Values

public struct InventoryError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Shown as a cause of its own under the plugin's failure, not joined to it (2.19 joins some).
    public var apart = false
    public init(_ message: String, apart: Bool = false) {
        self.message = message
        self.apart = apart
    }
    public var description: String { message }
}

public final class Host: @unchecked Sendable {
    public let name: String
    public var vars = Dict()
    /// Where a source first set each variable (Python keeps that key, with its origin).
    public var keyOrigins: [Value: SourceLocation] = [:]
    /// Where each variable's value was last written, where the source says.
    public var valueOrigins: [Value: SourceLocation] = [:]
    /// Groups the host was added to directly, in order.
    public var groups: [String] = []
    /// Set on the implicit localhost that is not part of `all`.
    public var implicit = false

    init(_ name: String) { self.name = name }

    /// Host.get_magic_vars: the variables every host has from its name and groups, which
    /// inventory plugins see with its own (`inventory_hostname`, `_short`, `group_names`); text
    /// made in Python, so not trusted as a template.
    public static func magicVars(_ name: String, groupNames: [String]) -> Dict {
        ["inventory_hostname": .unsafe(name), "inventory_hostname_short": .unsafe(shortName(name)),
         "group_names": .list(groupNames.map(Value.unsafe))]
    }

    /// `inventory_hostname_short`: up to the first dot, except for an IP address.
    public static func shortName(_ name: String) -> String {
        if (try? ipv4.wholeMatch(in: name)) != nil || (try? ipv6.wholeMatch(in: name)) != nil { return name }
        return String(name.split(separator: ".", omittingEmptySubsequences: false)[0])
    }

    // ansible.parsing.utils.addresses' patterns: each part a number or a [begin:end(:step)] range.
    private nonisolated(unsafe) static let ipv4 = try! Regex(#"(?:\#(v4)\.){3}\#(v4)"#).ignoresCase()
    private nonisolated(unsafe) static let ipv6: Regex<AnyRegexOutput> = {
        let c = #"(?:[0-9a-f]{1,4}|\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\])"#
        // The address forms, C standing for one part.
        let forms = #"(?:C:){7}C|(?:C:){1,6}:|(?:C:)(?::C){1,6}|(?:C:){2}(?::C){1,5}|(?:C:){3}(?::C){1,4}|(?:C:){4}(?::C){1,3}|"#
            + #"(?:C:){5}(?::C){1,2}|(?:C:){6}(?::C)|:(?::C){1,6}|C?::|(?:0:){6}(?:C\.){3}C|::(?:ffff:)?(?:C\.){3}C|(?:0:){5}ffff:(?:C\.){3}C"#
        return try! Regex("(?:" + forms.replacingOccurrences(of: "C", with: c) + ")").ignoresCase()
    }()
    private static let v4 = #"(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|\[[0-9]+:[0-9]+(?::[0-9]+)?\])"#
}

public final class Group: @unchecked Sendable {
    public let name: String
    public var vars = Dict()
    /// Where a source first set each variable (Python keeps that key, with its origin).
    public var keyOrigins: [Value: SourceLocation] = [:]
    /// Where each variable's value was last written, where the source says.
    public var valueOrigins: [Value: SourceLocation] = [:]
    public var hosts: [String] = []
    public var children: [String] = []
    public var parents: [String] = []
    public var depth = 0

    init(_ name: String) { self.name = name }

    public var priority: Int { vars[.string("ansible_group_priority")]?.intValue ?? 1 }
}

public final class InventoryData: @unchecked Sendable {
    public private(set) var hosts = OrderedDictionary<String, Host>()
    public private(set) var groups = OrderedDictionary<String, Group>()
    /// Directories whose group_vars/ and host_vars/ belong to the inventory.
    public var sourceDirs: [String] = []
    /// Whether variables inventory plugins set are trusted as templates when the plugin does not
    /// trust them itself: 2.19 decides it once per inventory, at the first plugin that sets one
    /// (its `trusted_by_default`), and keeps it for every later source (its _InventoryDataWrapper
    /// caches the decision on the inventory it wraps). Nil until then.
    public var variableTrust: Bool?
    /// How many variables hosts and groups have, to tell whether a source set any.
    var variableCount: Int { hosts.values.reduce(0) { $0 + $1.vars.count } + groups.values.reduce(0) { $0 + $1.vars.count } }
    /// The file each host came from first (`inventory_file`).
    public var hostSource: [String: String] = [:]
    /// Hosts that are members of `all` itself (add_host, a YAML inventory's `all: hosts:`): they
    /// come first in `all`'s hosts.
    public var allHosts: [String] = []
    /// The first host of a localhost name (`localhost`, `127.0.0.1`, `::1`), from the sources or
    /// the implicit one: what any localhost name finds when no host has that name itself
    /// (InventoryData.localhost).
    public var localhost: String?

    public init() { reset() }

    /// Empty again but for `all` and `ungrouped`.
    public func reset() {
        hosts = [:]
        groups = [:]
        sourceDirs = []
        hostSource = [:]
        allHosts = []
        localhost = nil
        namedUnderAll = []
        variableTrust = nil
        _ = addGroup("all")
        _ = addGroup("ungrouped")
        addChild("all", "ungrouped")
    }

    /// TRANSFORM_INVALID_GROUP_CHARS: what becomes of a group name with characters a variable
    /// name cannot hold (`never` keeps it and warns, `always` replaces them with `_` and warns,
    /// `ignore` and `silently` do the same without a word).
    public enum InvalidGroupChars: String, Sendable { case never, always, ignore, silently }
    public nonisolated(unsafe) static var invalidGroupChars = InvalidGroupChars.never
    /// What was replaced or kept, said at -vvvv.
    public private(set) var groupNameNotes: [String] = []

    /// The group name as Ansible's to_safe_group_name leaves it: a leading digit and every
    /// character outside Python's `\w` are the invalid ones.
    public func safeGroupName(_ name: String) -> String {
        func word(_ c: Unicode.Scalar) -> Bool {
            switch c.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber: return true
            default: return c == "_"
            }
        }
        var invalid: [Unicode.Scalar] = [], out = String.UnicodeScalarView()
        for (i, c) in name.unicodeScalars.enumerated() {
            let bad = !word(c) || (i == 0 && c.properties.generalCategory == .decimalNumber)
            if bad, !invalid.contains(c) { invalid.append(c) }
            out.append(bad ? "_" : c)
        }
        guard !invalid.isEmpty else { return name }
        let what = "invalid character(s) \"{\(invalid.map { Value.string(String($0)).pythonRepr }.joined(separator: ", "))}\" in group name (\(name))"
        switch InventoryData.invalidGroupChars {
        case .always:
            groupNameNotes.append("Replacing " + what)
            Inventory.say(.warning("Invalid characters were found in group names and automatically replaced, use -vvvv to see details"))
            return String(out)
        case .silently: return String(out)
        case .never:
            groupNameNotes.append("Not replacing " + what)
            Inventory.say(.warning("Invalid characters were found in group names but not replaced, use -vvvv to see details"))
            return name
        case .ignore: return name
        }
    }

    @discardableResult
    public func addGroup(_ name: String) -> Group {
        if let g = groups[name] { return g }
        let name = safeGroupName(name)
        if let g = groups[name] { return g }
        let g = Group(name)
        groups[name] = g
        if name != "all", let all = groups["all"] {
            all.children.append(name)
            g.parents.append("all")
        }
        return g
    }

    @discardableResult
    public func addHost(_ name: String, group: String? = nil, source: String? = nil) -> Host {
        let h: Host
        if let existing = hosts[name] { h = existing } else {
            h = Host(name)
            hosts[name] = h
            if let source { hostSource[name] = source }
            if Inventory.localhostNames.contains(name) {
                if let first = localhost {
                    Inventory.say(.warning("A duplicate localhost-like entry was found (\(name)). First found localhost was \(first)"))
                } else {
                    localhost = name
                }
            }
        }
        if group == "all", !allHosts.contains(name) { allHosts.append(name) }
        if let group, group != "all", group != "ungrouped" {
            let g = addGroup(group)
            if !g.hosts.contains(name) { g.hosts.append(name) }
            if !h.groups.contains(g.name) { h.groups.append(g.name) }
        }
        return h
    }

    /// InventoryData.set_variable: a name that is a group's sets the group's variable, else the
    /// host's (a mapping merged into one already there).
    public func setVariable(_ entity: String, _ key: Value, _ value: Value, keyOrigin: SourceLocation? = nil, valueOrigin: SourceLocation? = nil) {
        InventoryData.checkName(key, at: keyOrigin)
        if let g = groups[entity] {
            if g.vars[key] == nil, let keyOrigin { g.keyOrigins[key] = keyOrigin }
            g.valueOrigins[key] = valueOrigin
            g.vars[key] = Combine.over(g.vars[key], value)
        } else if let h = hosts[entity] {
            if h.vars[key] == nil, let keyOrigin { h.keyOrigins[key] = keyOrigin }
            h.valueOrigins[key] = valueOrigin
            h.vars[key] = Combine.over(h.vars[key], value)
        }
    }

    /// Host.set_variable and Group.set_variable take a key that is no variable name with 2.19's
    /// deprecation, at the key's origin (without one, the key is shown as the data).
    static func checkName(_ key: Value, at origin: SourceLocation?) {
        if let s = key.stringValue, VariableName.isValid(s) { return }
        Inventory.say(.deprecation("Accepting inventory variable with invalid name \((key.stringValue.map { Value.string($0) } ?? key).pythonRepr).",
                                   version: "2.23", origin: origin ?? .unknown(showing: key.pythonStr), plugin: nil, help: VariableName.help))
    }

    public func addChild(_ parent: String, _ child: String) {
        let p = addGroup(parent), c = addGroup(child)
        if p.name == "all" { namedUnderAll.insert(c.name) }
        if !p.children.contains(c.name) { p.children.append(c.name) }
        if !c.parents.contains(p.name) { c.parents.append(p.name) }
    }

    /// Groups a source itself put under `all`; the others hang there only once reconciled.
    private var namedUnderAll: Set<String> = []

    /// The inventory when no source parsed: Ansible skips its reconcile step then, so groups a
    /// failed source left behind are under `all` only where the source put them.
    public func unreconciled() {
        guard let all = groups["all"] else { return }
        for (name, g) in groups where name != "all" && name != "ungrouped" && !namedUnderAll.contains(name) {
            g.parents.removeAll { $0 == "all" }
            all.children.removeAll { $0 == name }
        }
    }

    /// Ansible's reconcile step: hosts in no group go to `ungrouped`; `all` only keeps
    /// top-level groups as children; depths are computed for variable ordering.
    public func reconcile() {
        let all = groups["all"]!, ungrouped = groups["ungrouped"]!
        for (name, h) in hosts where !h.implicit {
            if h.groups.filter({ $0 != "all" && $0 != "ungrouped" }).isEmpty {
                if !ungrouped.hosts.contains(name) { ungrouped.hosts.append(name) }
            } else {
                ungrouped.hosts.removeAll { $0 == name }
            }
        }
        for (name, g) in groups where name != "all" {
            let others = g.parents.filter { $0 != "all" }
            if !others.isEmpty {
                g.parents.removeAll { $0 == "all" }
                all.children.removeAll { $0 == name }
            } else if !all.children.contains(name) {
                all.children.append(name)
                if !g.parents.contains("all") { g.parents.append("all") }
            }
        }
        for g in groups.values { g.depth = 0 }
        func setDepth(_ name: String, _ d: Int, _ seen: Set<String>) {
            guard let g = groups[name], !seen.contains(name) else { return }
            if d > g.depth || name == "all" { g.depth = d }
            for c in g.children { setDepth(c, d + 1, seen.union([name])) }
        }
        setDepth("all", 0, [])
        // A name that is both is allowed, but patterns then mean the group.
        for name in groups.keys where hosts[name] != nil {
            Inventory.say(.warning("Found both group and host with same name: \(name)"))
        }
    }

    /// Every group a host belongs to, directly or through parents (including `all`).
    public func groupsOf(_ host: String) -> [Group] {
        guard let h = hosts[host] else { return [] }
        var seen = OrderedSet<String>()
        func climb(_ g: String) {
            guard !seen.contains(g), let grp = groups[g] else { return }
            seen.append(g)
            for p in grp.parents { climb(p) }
        }
        for g in h.groups { climb(g) }
        if !h.implicit {
            if h.groups.isEmpty { climb("ungrouped") }
            climb("all")
        }
        return seen.compactMap { groups[$0] }
    }

    /// Groups sorted as Ansible combines their vars: by depth, then priority, then name.
    public func sortedGroups(_ gs: [Group]) -> [Group] {
        gs.sorted { ($0.depth, $0.priority, $0.name) < ($1.depth, $1.priority, $1.name) }
    }

    /// Hosts of a group and its descendants in Ansible's order (Group.get_hosts): the group's own,
    /// then its children's in order, then each further generation's (get_descendants with
    /// preserve_ordering walks level by level).
    public func hostsOf(group name: String) -> [String] {
        guard let top = groups[name] else { return [] }
        var ordered = [name] + top.children
        var seen = Set(ordered), level = ordered
        while !level.isEmpty {
            var next: [String] = []
            for g in level {
                for c in groups[g]?.children ?? [] where seen.insert(c).inserted { next.append(c) }
            }
            ordered += next
            level = next
        }
        var out = OrderedSet<String>()
        for g in ordered {
            for h in g == "all" ? allHosts : groups[g]?.hosts ?? [] where hosts[h].map({ !$0.implicit }) ?? false { out.append(h) }
        }
        return Array(out)
    }
}
