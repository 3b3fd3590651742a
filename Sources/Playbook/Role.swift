// A role found on the roles path: its directory, defaults and vars, as the tasks that come
// from it need them.
import Values

public final class Role: @unchecked Sendable {
    public let name: String
    public let path: String
    /// The name without its collection (`role_name`, argument spec errors); `name` is the FQCN.
    public var shortName: String {
        path.contains("/ansible_collections/") ? String(name.split(separator: ".").last ?? Substring(name)) : name
    }
    /// The collection the role comes from (`ns.coll`), nil for a role on the roles path.
    public var collection: String? {
        guard path.contains("/ansible_collections/") else { return nil }
        let parts = name.split(separator: ".")
        return parts.count >= 3 ? parts.dropLast().joined(separator: ".") : nil
    }
    public let defaults: Dict
    public let vars: Dict
    /// Params given where the role was listed (`- role: x` + `port: 80`), level 20.
    public let params: Dict
    /// The params of the roles that depend on this one, nearest last: a dependency sees them
    /// beneath its own (Role.get_role_params over the dep chain).
    public internal(set) var parentParams = Dict()
    /// The roles its meta/main.yml depends on (even those that ran already elsewhere).
    public internal(set) var dependencies: [Role] = []

    /// For a role listed in a play's `roles:` without allow_duplicates: what makes two listings the
    /// same role (name, params, when, tags, keywords — Ansible's role hash). A host that ran such a
    /// role to its end skips the same role listed again (Role._completed).
    public internal(set) var completionKey: String?
    /// `public:` as the import_role (or roles: entry) set it; nil follows DEFAULT_PRIVATE_ROLE_VARS.
    public internal(set) var publicSetting: Bool?
    /// The roles whose tasks imported or included this one, outermost first (the task's dep chain).
    public internal(set) var includedFrom: [Role] = []

    /// Role.get_default_vars / get_vars: the dependencies' (recursively, in order), then the
    /// dep chain's own, then its own.
    public var allDefaults: Dict { chained(\.defaults, chain: true) }
    public var allVars: Dict { chained(\.vars, chain: true) }

    func chained(_ part: KeyPath<Role, Dict>, depth: Int = 0, chain: Bool = false) -> Dict {
        var out = Dict()
        if depth < 32 { for d in dependencies { for (k, v) in d.chained(part, depth: depth + 1) { out[k] = v } } }
        if chain { for parent in includedFrom { for (k, v) in parent[keyPath: part] { out[k] = v } } }
        for (k, v) in self[keyPath: part] { out[k] = v }
        return out
    }

    init(name: String, path: String, defaults: Dict, vars: Dict, params: Dict) {
        self.name = name
        self.path = path
        self.defaults = defaults
        self.vars = vars
        self.params = params
    }
}
