// A play as written, with its roles already loaded and their tasks in place.
import Values

public struct Play: Sendable {
    public var name: String?
    public var hosts: Value
    public var vars: Dict
    /// Where each play var's value was written (errors name it, as Ansible's origins do).
    public var varLocations: [String: SourceLocation] = [:]
    /// Where each var's name was written (a warning about the name points there).
    public var varKeyLocations: [String: SourceLocation] = [:]
    public var varsFiles: [Value]
    /// Where `hosts:`'s value was written.
    public var hostsLocation: SourceLocation?
    /// Where each vars_files entry was written.
    public var varsFileLocations: [SourceLocation?] = []
    /// Every other play keyword (`gather_facts`, `become`, `remote_user`, `connection`, `serial`…).
    public var keywords: [String: Value]
    /// Where each keyword's value was written.
    public var keywordLocations: [String: SourceLocation] = [:]
    /// Where each vars_prompt entry's values were written, by entry and key.
    public var promptLocations: [[String: SourceLocation]] = []
    public var preTasks: [Task]
    /// Role tasks first, then the play's own tasks, as Ansible orders them.
    public var tasks: [Task]
    public var postTasks: [Task]
    /// Role handlers, then the play's own.
    public var handlers: [Task]
    public var roles: [Role]
    /// Roles (by path and params) this play has already brought in, so that a dependency
    /// reached again, by include_role too, runs once (unless it allows duplicates).
    public var roleKeys: Set<String> = []
    /// Names of the roles brought in as dependencies (meta/main.yml), in order.
    public var dependentRoles: [String] = []
    public var location: SourceLocation
    /// The `when` of the import_playbook that brought the play in: its fact gathering runs under it too.
    public var includedWhen: [Value] = []
    /// Roles brought in by import_role: their defaults and vars are the whole play's, as the listed roles' are.
    public var exposedRoles: [Role] = []
    /// The directory of the playbook file the play is written in (an imported one's own).
    public var baseDir = ""

    public init(name: String?, hosts: Value, vars: Dict, varsFiles: [Value], keywords: [String: Value], preTasks: [Task],
                tasks: [Task], postTasks: [Task], handlers: [Task], roles: [Role], location: SourceLocation) {
        self.name = name
        self.hosts = hosts
        self.vars = vars
        self.varsFiles = varsFiles
        self.keywords = keywords
        self.preTasks = preTasks
        self.tasks = tasks
        self.postTasks = postTasks
        self.handlers = handlers
        self.roles = roles
        self.location = location
    }

    public subscript(keyword: String) -> Value? { keywords[keyword] }

    public var tags: [String] { Task.tagList(keywords["tags"]) }
}

public struct PlaybookFile: Sendable {
    public var path: String
    /// The path as the user gave it (Ansible's messages quote it so).
    public var given = ""
    public var plays: [Play]
    /// The task files `import_tasks` brought in while loading, in order (said at -vv).
    public var staticImports: [String] = []
    public var baseDir: String { Files.dirname(path) }
}
