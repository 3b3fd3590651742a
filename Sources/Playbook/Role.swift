// A role found on the roles path: its directory, defaults and vars, as the tasks that come
// from it need them.
import Values

public final class Role: @unchecked Sendable {
    public let name: String
    public let path: String
    public let defaults: Dict
    public let vars: Dict
    /// Params given where the role was listed (`- role: x` + `port: 80`), level 20.
    public let params: Dict
    /// The params of the roles that depend on this one, nearest last: a dependency sees them
    /// beneath its own (Role.get_role_params over the dep chain).
    public internal(set) var parentParams = Dict()
    /// The roles its meta/main.yml depends on (even those that ran already elsewhere).
    public internal(set) var dependencies: [Role] = []

    /// Role.get_default_vars / get_vars: the dependencies' (recursively, in order), then its own.
    public var allDefaults: Dict { chained(\.defaults) }
    public var allVars: Dict { chained(\.vars) }

    func chained(_ part: KeyPath<Role, Dict>, depth: Int = 0) -> Dict {
        var out = Dict()
        if depth < 32 { for d in dependencies { for (k, v) in d.chained(part, depth: depth + 1) { out[k] = v } } }
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
