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

    init(name: String, path: String, defaults: Dict, vars: Dict, params: Dict) {
        self.name = name
        self.path = path
        self.defaults = defaults
        self.vars = vars
        self.params = params
    }
}
