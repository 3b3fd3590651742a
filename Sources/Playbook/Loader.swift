// Reads a playbook file into plays: validates keywords with their locations, finds each
// task's action and arguments, and loads the roles the plays list.
import Values
import Vault
import YAMLReader

public struct PlaybookLoader {
    /// Directories searched for roles after the playbook's own `roles/` (ansible.cfg roles_path).
    public var rolesPath: [String]
    public var warnings: [YAMLWarning] = []
    /// The task files `import_tasks` brought in, in load order.
    public var staticImports: [String] = []
    /// Deprecated forms met while loading, for the caller to show: message, version, place, hint.
    public var deprecations: [(message: String, version: String, location: SourceLocation?, help: String?)] = []
    /// The playbook's directory, where task files are also looked for.
    public var baseDir: String?
    var importDepth = 0
    /// Handlers of roles brought in by import_role while a play loads (they join its handlers).
    public var importedHandlers: [Task] = []

    /// The handlers import_role brought in since the last call (an included file or role's imports
    /// join the play's handlers when it loads).
    public mutating func takeStaticImports() -> [String] {
        defer { staticImports = [] }
        return staticImports
    }
    public mutating func takeImportedHandlers() -> [Task] {
        defer { importedHandlers = [] }
        return importedHandlers
    }
    /// Roles import_role brought into the current play (see Play.exposedRoles).
    var importedRoles: [Role] = []
    /// Roles the current play has brought in (see Play.roleKeys).
    public var seenRoles: Set<String> = []
    var dependentRoles: [String] = []

    /// Renders a templated import_playbook or import_role name with the vars known when
    /// loading (the Engine's templar).
    public var renderName: ((String, Dict) throws -> String)?
    /// Vars of the import_playbook being loaded, and those plus the current play's.
    var importVars = Dict(), loadVars = Dict()

    /// ACTION_PLUGINS (ansible.cfg `action_plugins`, ANSIBLE_ACTION_PLUGINS).
    public var actionPluginPaths: [String] = []
    /// Roots holding `ansible_collections/` (collections' roles are found there).
    public var collectionRoots: [String] = []
    /// Told each role's dir as it loads (its filter_plugins/, lookup_plugins/… join the search).
    public var roleLoaded: (@Sendable (String) -> Void)?
    /// The `collections:` search list in effect (the play's keyword, a role's meta): a short
    /// action name is first looked for in these, as Ansible's collection search does.
    public var collectionSearch: [String] = []
    /// The fully qualified name of a short action found in one of the given collections.
    public var resolveInCollections: (@Sendable (String, [String]) -> String?)?
    /// INVALID_TASK_ATTRIBUTE_FAILED: a keyword an include does not take is an error, else a warning.
    public var invalidAttributeFails = true
    /// Says a warning that has no place in the playbook.
    public var warn: (@Sendable (String) -> Void)?

    public init(rolesPath: [String] = []) { self.rolesPath = rolesPath }

    public mutating func load(_ path: String) throws -> PlaybookFile {
        let abs = Files.absolute(path)
        let text: String
        do { text = try Vault.shared.readText(abs) } catch let e as VaultFileError {
            throw e
        } catch {
            throw PlaybookError("the playbook: \(path) could not be found")
        }
        var book = try loadText(text, path: abs)
        book.given = path
        return book
    }

    /// Parses playbook text as if it were the file at `abs` (ad-hoc commands build one).
    public mutating func loadText(_ text: String, path abs: String) throws -> PlaybookFile {
        baseDir = Files.dirname(abs)
        let docs = try YAMLReader.loadAll(text, file: abs, warnings: &warnings)
        let items = try PlaybookLoader.playList(docs, path: abs)
        guard !items.isEmpty else { throw PlaybookError("A playbook must contain at least one play: \(abs)") }
        var book = PlaybookFile(path: abs, plays: try plays(items, baseDir: Files.dirname(abs)))
        book.staticImports = staticImports
        return book
    }

    /// A playbook file's first document as Playbook._load_playbook_data takes it: nothing there
    /// (an empty file, `---`, `~`) or something other than a list is refused naming the file.
    static func playList(_ docs: [Node], path: String) throws -> [Node] {
        let shown = Files.realPath(path) ?? path   // unfrackpath
        guard let root = docs.first, !root.value.isNone else { throw PlaybookError("Empty playbook, nothing to do: \(shown)") }
        guard let items = root.items else {
            // A bool carries no origin in 2.19: its error shows the value itself.
            let at: SourceLocation? = if case .bool(let b) = root.value { .unknown(showing: b ? "True" : "False") } else { root.location }
            throw PlaybookError("A playbook must be a list of plays, got a \(root.value.yamlClass) instead: \(shown)", at: at)
        }
        return items
    }

    static let importKeys: Set<String> = ["import_playbook", "ansible.builtin.import_playbook", "ansible.legacy.import_playbook"]

    mutating func plays(_ items: [Node], baseDir: String) throws -> [Play] {
        var out: [Play] = []
        for item in items {
            if let key = item.pairs?.first(where: { PlaybookLoader.importKeys.contains($0.key.scalar?.pythonStr ?? "") }) {
                out += try importPlaybook(item, key, baseDir: baseDir)
            } else {
                out.append(try play(item, baseDir: baseDir))
            }
        }
        return out
    }

    /// `import_playbook`: the other playbook's plays in place (its name templated with the
    /// import's vars), each with the import's vars over its own, its tags added and its `when`
    /// put before every task's (PlaybookInclude.load_data).
    mutating func importPlaybook(_ node: Node, _ entry: Node.Pair, baseDir base: String) throws -> [Play] {
        var vars = Dict(), tags: [String] = [], when: [Value] = [], places: [WhenPlace] = []
        try PlaybookLoader.checkShapes(node, kind: "PlaybookInclude")
        for p in node.pairs ?? [] {
            let key = p.key.scalar?.pythonStr ?? ""
            switch key {
            case _ where PlaybookLoader.importKeys.contains(key), "name": continue
            case "vars":
                guard case .dict(let d) = p.value.value else {
                    throw PlaybookError("Vars in a PlaybookInclude must be specified as a dictionary.", at: p.value.location)
                }
                vars = d
            case "tags": tags = Task.tagList(p.value.value)
            case "when":
                guard !p.value.value.isNone else { continue }
                when = p.value.value.listValue ?? [p.value.value]
                places = p.value.items?.map { WhenPlace($0.location) } ?? [WhenPlace(p.value.location)]
            default: throw PlaybookError("'\(key)' is not a valid attribute for a PlaybookInclude", at: p.key.location)
            }
        }
        guard var name = entry.value.value.stringValue, !name.isEmpty else {
            throw PlaybookError("import_playbook parameters cannot be mixed with 'vars' entries for import statements", at: entry.value.location)
        }
        if name.contains("{{") || name.contains("{%") {
            guard let render = renderName else { throw PlaybookError("import_playbook cannot template '\(name)' here", at: entry.value.location) }
            name = try render(name, vars)
        }
        let path = Files.absolute(name.hasPrefix("/") ? name : Files.join(base, name))
        guard Files.exists(path), !Files.isDirectory(path) else {
            throw PlaybookError("Could not find or access '\(name)'", at: entry.value.location)
        }
        importDepth += 1
        defer { importDepth -= 1 }
        guard importDepth < 64 else { throw PlaybookError("import_playbook recursion is too deep", at: entry.key.location) }
        let docs = try YAMLReader.loadAll(try Vault.shared.readText(path), file: path, warnings: &warnings)
        let items = try PlaybookLoader.playList(docs, path: path)
        let saved = (baseDir, importVars)
        baseDir = Files.dirname(path)
        for (k, v) in vars { importVars[k] = v }
        defer { (baseDir, importVars) = saved }
        var plays = try self.plays(items, baseDir: Files.dirname(path))
        if let legacy = vars.removeValue(forKey: "tags")?.stringValue { tags += legacy.split(separator: ",").map(String.init) }
        for i in plays.indices {
            for (k, v) in vars { plays[i].vars[k] = v }
            let playTags = plays[i].tags
            let added = tags.filter { !playTags.contains($0) }
            if !added.isEmpty { plays[i].keywords["tags"] = .list((playTags + added).map(Value.string)) }
            plays[i].includedWhen = when + plays[i].includedWhen
            func under(_ l: [Task]) -> [Task] { l.map { $0.imported(when: when, places: places, tags: added) } }
            plays[i].preTasks = under(plays[i].preTasks)
            plays[i].tasks = under(plays[i].tasks)
            plays[i].postTasks = under(plays[i].postTasks)
            plays[i].handlers = plays[i].handlers.map { $0.imported(when: [], places: [], tags: added) }
        }
        return plays
    }

    mutating func play(_ node: Node, baseDir: String) throws -> Play {
        guard let pairs = node.pairs else {
            throw PlaybookError("A playbook must be a list of plays, got a \(node.value.typeName) instead", at: node.location)
        }
        var keywords: [String: Value] = [:]
        var lists: [String: Node] = [:]
        for p in pairs {
            let key = p.key.scalar?.pythonStr ?? ""
            guard Keywords.play.contains(key) else {
                throw PlaybookError("'\(key)' is not a valid attribute for a Play", at: p.key.location)
            }
            switch key {
            case "pre_tasks", "tasks", "post_tasks", "handlers", "roles":
                // A section is a list or nothing (Play's field validation).
                if p.value.items == nil, !p.value.value.isNone {
                    // Python's class of the value as 2.19 reads it from YAML (tagged with its origin).
                    let v = p.value.value
                    let type = v.yamlClass
                    throw PlaybookError(key == "roles" ? "A malformed role declaration was encountered: ds (\(v.pythonStr)) should be a list but was a \(type)"
                                            : "A malformed block was encountered while loading \(key): \(v.pythonStr) should be a list or None but is \(type)",
                                        at: node.location)
                }
                lists[key] = p.value
            case "user":
                // `user` is the old name of remote_user (Play's alias); not both.
                if pairs.contains(where: { $0.key.scalar?.pythonStr == "remote_user" }) {
                    throw PlaybookError("both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and should be removed", at: node.location)
                }
                keywords["remote_user"] = p.value.value
            default: keywords[key] = p.value.value
            }
        }
        try PlaybookLoader.checkShapes(node, kind: "Play")
        if let prompts = node["vars_prompt"], !prompts.value.isNone {
            // Play._load_vars_prompt: preprocess_vars' mapping or list of mappings, each named.
            let entries = prompts.items ?? [prompts]
            if let bad = entries.first(where: { $0.value.dictValue == nil }) {
                var e = PlaybookError("Invalid variable file contents.", at: bad.location)
                e.help = "Variable files must contain either a dictionary of variables, or a list of dictionaries."
                e.parse = true
                throw e
            }
            let known: Set = ["name", "prompt", "default", "private", "confirm", "encrypt", "salt_size", "salt", "unsafe"]
            for entry in entries {
                let unknown = entry.pairs?.lazy.compactMap { $0.key.scalar?.pythonStr }.first { !known.contains($0) }
                guard entry["name"] == nil || unknown != nil else { continue }
                let what = entry["name"] == nil ? "missing 'name' key" : "found unsupported key '\(unknown!)'"
                var e = PlaybookError("Invalid vars_prompt data structure, \(what)", at: prompts.location)
                e.parse = true
                throw e
            }
            if prompts.items == nil { keywords["vars_prompt"] = .list([prompts.value]) }
        }
        collectionSearch = (keywords["collections"]?.listValue ?? []).compactMap(\.stringValue)
        guard let hosts = keywords["hosts"], !hosts.isNone else {
            throw PlaybookError("Plays must have a 'hosts' keyword.", at: node.location)
        }
        if hosts.stringValue?.isEmpty == true || hosts.listValue?.isEmpty == true {
            throw PlaybookError("Hosts list cannot be empty. Please check your playbook", at: nil)
        }
        // Play._validate_hosts: a string, or a list of strings.
        switch hosts {
        case .string: break
        case .list(let l):
            if l.contains(where: \.isNone) { throw PlaybookError("Hosts list cannot contain values of 'None'. Please check your playbook") }
            if let bad = l.first(where: { $0.stringValue == nil }) {
                throw PlaybookError("Hosts list contains an invalid host value: '\(bad.pythonStr)'")
            }
        default:
            throw PlaybookError("Hosts list must be a sequence or string. Please check your playbook.")
        }
        let playTags = Task.tagList(keywords["tags"])
        // Static names (import_role's) may use the play's vars and its import_playbook's.
        loadVars = importVars
        if case .dict(let d)? = keywords["vars"] { for (k, v) in d { loadVars[k] = v } }
        importedHandlers = []
        importedRoles = []
        seenRoles = []
        dependentRoles = []
        var roles: [Role] = []
        var roleTasks: [Task] = [], roleHandlers: [Task] = []
        if let r = lists["roles"] {
            for entry in r.items ?? [] {
                let (role, when, tags, keywords) = try loadRole(entry, baseDir: baseDir)
                // The same role listed again is deduplicated host by host when it runs (a host
                // whose first run of it was skipped runs it again), not here.
                let key = roleKey(role)
                if (try? meta(role))??["allow_duplicates"]?.value.truthy != true {
                    var kw = Dict()
                    for k in keywords.keys.sorted() { kw[.string(k)] = keywords[k] }
                    role.completionKey = [key, (when ?? .none).json(), tags.joined(separator: ","), Value.dict(kw).json()].joined(separator: "|")
                }
                if !roles.contains(where: { roleKey($0) == key }) { roles.append(role) }
                seenRoles.insert(key)
                var inherited = Inherited(tags: playTags + tags, when: when.map { [$0] } ?? [], vars: [], keywords: keywords)
                for k in keywords.keys { inherited.keywordLocations[k] = entry[k]?.location }
                let (t, h) = try roleContent(role, inherited: inherited)
                roleTasks += t
                roleHandlers += h
                // Its end: the hosts that ran one of its tasks have completed it (Role.compile's eor task).
                var end = Task(name: nil, action: "meta", args: ["_raw_params": "role_complete"], keywords: [:], location: entry.location, role: role)
                end.implicit = true
                end.inheritedTags = ["always"]
                roleTasks.append(end)
            }
        }
        let inherited = Inherited(tags: playTags, when: [], vars: [])
        try PlaybookLoader.checkVarNames(node["vars"])
        func section(_ k: String) throws -> [Task] {
            guard let n = lists[k] else { return [] }
            return k == "handlers" ? try handlers(n, role: nil, inherited: inherited) : try tasks(n, role: nil, inherited: inherited)
        }
        var vars = Dict()
        if case .dict(let d)? = keywords.removeValue(forKey: "vars") { vars = d } else if let v = keywords["vars"], !v.isNone {
            throw PlaybookError("Vars in a Play must be specified as a dictionary.", at: node["vars"]?.location)
        }
        var varsFiles: [Value] = []
        switch keywords.removeValue(forKey: "vars_files") {
        case .list(let l)?: varsFiles = l
        case .none?, nil: break
        case let other?: varsFiles = [other]   // refused when the play reads it, as Ansible does
        }
        var play = Play(name: keywords["name"]?.pythonStr, hosts: hosts, vars: vars, varsFiles: varsFiles, keywords: keywords,
                        preTasks: try section("pre_tasks"), tasks: roleTasks + (try section("tasks")),
                        postTasks: try section("post_tasks"), handlers: roleHandlers + (try section("handlers")) + importedHandlers,
                        roles: roles, location: node.location)
        for p in node["vars"]?.pairs ?? [] {
            if let k = p.key.scalar?.pythonStr { (play.varLocations[k], play.varKeyLocations[k]) = (p.value.location, p.key.location) }
        }
        play.varsFileLocations = node["vars_files"]?.items?.map(\.location) ?? [node["vars_files"]?.location]
        play.hostsLocation = node["hosts"]?.location
        if let prompts = node["vars_prompt"] {
            play.promptLocations = (prompts.items ?? [prompts]).map { entry in
                var at: [String: SourceLocation] = [:]
                for p in entry.pairs ?? [] { if let k = p.key.scalar?.pythonStr { at[k] = p.value.location } }
                return at
            }
        }
        for p in pairs { if let k = p.key.scalar?.pythonStr { play.keywordLocations[k] = p.value.location } }
        play.roleKeys = seenRoles
        play.exposedRoles = importedRoles
        play.baseDir = baseDir
        play.dependentRoles = dependentRoles
        return play
    }

    public struct Inherited {
        public var tags: [String]
        public var when: [Value]
        /// Where each of `when` was written (WhenPlace(nil) where unknown).
        public var whenPlaces: [WhenPlace]
        public var vars: [Dict]
        public var keywords: [String: Value] = [:]
        /// Where each of `keywords` was written (the nearest level's), for errors about its value.
        public var keywordLocations: [String: SourceLocation] = [:]
        /// Where the enclosing blocks wrote their vars' names (nearest wins), for warnings.
        public var varKeyLocations: [String: SourceLocation] = [:]

        public init(tags: [String], when: [Value], vars: [Dict], keywords: [String: Value] = [:], whenPlaces: [WhenPlace] = []) {
            self.tags = tags
            self.when = when
            self.whenPlaces = whenPlaces + Array(repeating: WhenPlace(nil), count: max(0, when.count - whenPlaces.count))
            self.vars = vars
            self.keywords = keywords
        }

        public mutating func addWhen(_ v: Value, _ place: WhenPlace = WhenPlace(nil)) {
            when.append(v)
            whenPlaces.append(place)
        }

        /// A keyword a block, import or role passes down: nearer levels replace, except those
        /// that add up (`environment`, `module_defaults`).
        public mutating func inherit(_ k: String, _ v: Value, at location: SourceLocation?) {
            if Task.accumulating.contains(k), let outer = keywords[k] {
                keywords[k] = .list((outer.listValue ?? [outer]) + (v.listValue ?? [v]))
            } else {
                keywords[k] = v
            }
            keywordLocations[k] = location
        }
    }

    /// While handlers load, how deep in blocks we are: a handler list is a list of blocks, so a
    /// block inside one, or a role include, is refused as Ansible's load_list_of_tasks does.
    var handlerBlockDepth: Int?

    mutating func handlers(_ node: Node, role: Role?, inherited: Inherited) throws -> [Task] {
        let saved = handlerBlockDepth
        handlerBlockDepth = 0
        defer { handlerBlockDepth = saved }
        return try tasks(node, role: role, inherited: inherited)
    }

    /// What Ansible refuses while it loads an object's fields (a Play, Block, Task…): `tags` that
    /// are neither a list nor a comma-separated string (exit 1); `vars`, `module_defaults` entries
    /// and a task's `loop_control` that are no mapping, `collections` that are no strings, a
    /// string keyword given a list or a mapping (parser errors, exit 4).
    static func checkShapes(_ node: Node, kind: String, loopControl: Bool = false) throws {
        if let tags = node["tags"] {
            switch tags.value {
            case .list, .string: break
            default:
                var e = PlaybookError("tags must be specified as a list", at: tags.value.isNone ? nil : tags.location)
                e.generic = true
                throw e
            }
        }
        if let vars = node["vars"], !vars.value.isNone, vars.value.dictValue == nil {
            var e = PlaybookError("Vars in a \(kind) must be specified as a dictionary.", at: vars.location)
            e.parse = true
            throw e
        }
        if let defaults = node["module_defaults"], !defaults.value.isNone {
            // Base._load_module_defaults: a mapping or a list of them, at the entry that is neither.
            let entries = defaults.items ?? [defaults]
            if let bad = entries.first(where: { $0.value.dictValue == nil }) {
                var e = PlaybookError("The field 'module_defaults' is supposed to be a dictionary or list of dictionaries, the keys of which must be static action, module, or group names. Only the values may contain templates. For example: {'ping': \"{{ ping_defaults }}\"}",
                                      at: bad.location)
                e.parse = true
                throw e
            }
        }
        for k in ["collections", "listen"] {
            // Static lists of strings (search path, a handler's topics), validated as they load.
            guard let list = node[k], !list.value.isNone, let bad = (list.items ?? [list]).first(where: { $0.value.stringValue == nil }) else { continue }
            var e = PlaybookError("Keyword '\(k)' items must be of type 'str', not '\(bad.value.typeName)'.", at: bad.location)
            e.parse = true
            throw e
        }
        if loopControl, let control = node["loop_control"], control.value.dictValue == nil {
            var e = PlaybookError("the `loop_control` value must be specified as a dictionary and cannot be a variable itself (though it can contain variables)",
                                  at: control.value.isNone ? nil : control.location)
            e.parse = true
            throw e
        }
        try checkVarNames(node["vars"])
        // Base.validate: a string field given a list or a mapping (FieldAttribute order).
        for k in Keywords.stringFields {
            guard let v = node[k]?.value, v.listValue != nil || v.dictValue != nil else { continue }
            var e = PlaybookError("The field '\(k)' is supposed to be a string type, however the incoming data structure is a \(v.yamlClass)",
                                  at: node.location)
            e.parse = true
            throw e
        }
    }

    /// A block's section must be a list of mappings (Block._load_block and its twins).
    static func checkSection(_ node: Node, _ name: String, block: Node) throws {
        let problem: String
        switch node.value {
        case .list(let l):
            guard l.contains(where: { $0.dictValue == nil }) else { return }
            problem = "The ds (\(node.value.pythonStr)) should be a dict but was a \(node.value.yamlClass)"
        default:
            problem = "The ds (\(node.value.pythonStr)) should be a list but was a \(node.value.yamlClass)"
        }
        var e = PlaybookError("A malformed block was encountered while loading \(name): \(problem)", at: block.location)
        e.parse = true
        throw e
    }

    /// The class Ansible loads a task entry as, which its load errors name.
    func taskKind(_ pairs: [Node.Pair]) -> String {
        let handler = handlerBlockDepth != nil
        let keys = pairs.compactMap { $0.key.scalar?.pythonStr }
        let action = keys.first { !Keywords.task.contains($0) && !$0.hasPrefix("with_") }
        switch action.map(Task.shortName) {
        case "include_tasks", "import_tasks": return handler ? "HandlerTaskInclude" : "TaskInclude"
        case "include_role", "import_role": return "IncludeRole"
        default: return handler ? "Handler" : "Task"
        }
    }

    /// validate_variable_name over the keys of a `vars:` mapping, as each object loads its vars
    /// (a plain AnsibleError: exit 1).
    static func checkVarNames(_ vars: Node?) throws {
        for p in vars?.pairs ?? [] {
            let key = p.key.value
            if let s = key.stringValue, VariableName.isValid(s) { continue }
            // None and booleans cannot carry an origin in Ansible: a boolean is shown as data, None not at all.
            var place = key.isNone ? nil : p.key.location
            if case .bool = key { place = SourceLocation.unknown(showing: key.pythonStr) }
            var e = PlaybookError(VariableName.invalid(key), at: place)
            e.help = VariableName.help
            e.generic = true
            throw e
        }
    }

    mutating func tasks(_ node: Node, role: Role?, inherited: Inherited) throws -> [Task] {
        if case .scalar(.none) = node.kind { return [] }
        guard let items = node.items else {
            throw PlaybookError("A malformed block was encountered while loading tasks: expected a list of tasks", at: node.location)
        }
        var out: [Task] = []
        for (i, item) in items.enumerated() {
            guard let pairs = item.pairs else {
                // load_list_of_blocks gathers the entries between blocks into an implicit block,
                // a list without a place, which Block refuses whole.
                let start = items[..<i].lastIndex(where: { $0["block"] != nil }).map { $0 + 1 } ?? 0
                let end = items[i...].firstIndex(where: { $0["block"] != nil }) ?? items.count
                let run = Value.list(items[start..<end].map(\.value)).pythonStr
                var e = PlaybookError("A malformed block was encountered while loading a block: The ds (\(run)) should be a dict but was a <class 'list'>",
                                      at: .unknown(showing: run))
                e.parse = true
                throw e
            }
            if item["block"] != nil {
                if let depth = handlerBlockDepth, depth > 0 {
                    var e = PlaybookError("Using a block as a handler is not supported.", at: item.location)
                    e.parse = true
                    throw e
                }
                handlerBlockDepth = handlerBlockDepth.map { $0 + 1 }
                defer { handlerBlockDepth = handlerBlockDepth.map { $0 - 1 } }
                var inner = inherited
                try PlaybookLoader.checkShapes(item, kind: "Block")
                for p in pairs {
                    let k = p.key.scalar?.pythonStr ?? ""
                    guard Keywords.block.contains(k) else {
                        throw PlaybookError("'\(k)' is not a valid attribute for a Block", at: p.key.location)
                    }
                }
                // A block's `collections:` is where its tasks' short action names are searched.
                let outerSearch = collectionSearch
                defer { collectionSearch = outerSearch }
                if let search = item["collections"]?.value.listValue { collectionSearch = search.compactMap(\.stringValue) }
                inner.tags += Task.tagList(item["tags"]?.value)
                if let w = item["when"], !w.value.isNone { inner.addWhen(w.value, WhenPlace(w.location, items: w.items?.map(\.location) ?? [])) }
                if case .dict(let d)? = item["vars"]?.value { inner.vars.append(d) }
                for p in item["vars"]?.pairs ?? [] { if let k = p.key.scalar?.pythonStr { inner.varKeyLocations[k] = p.key.location } }
                for p in pairs {
                    let k = p.key.scalar?.pythonStr ?? ""
                    if Task.inheritable.contains(k) { inner.inherit(k, p.value.value, at: p.value.location) }
                }
                for (k, name) in [("block", "a block"), ("rescue", "rescue"), ("always", "always")] {
                    if let section = item[k] { try PlaybookLoader.checkSection(section, name, block: item) }
                }
                let body = try tasks(item["block"]!, role: role, inherited: inner)
                guard item["rescue"] != nil || item["always"] != nil else {
                    out += body
                    continue
                }
                var b = Task(name: item["name"]?.value.stringValue, action: "block", args: [:], keywords: [:], location: item.location, role: role)
                b.sections = BlockSections(block: body, rescue: try item["rescue"].map { try tasks($0, role: role, inherited: inner) } ?? [],
                                           always: try item["always"].map { try tasks($0, role: role, inherited: inner) } ?? [])
                out.append(b)
                continue
            }
            let t = try task(item, pairs, role: role, inherited: inherited)
            if handlerBlockDepth != nil, t.shortAction == "include_role" || t.shortAction == "import_role" {
                var e = PlaybookError("Using '\(t.action)' as a handler is not supported.", at: item.location)
                e.parse = true
                throw e
            }
            // load_list_of_tasks: end_role only in a role's tasks (the task shown as its repr:
            // a handler's is its name).
            if t.shortAction == "meta", t.args["_raw_params"]?.stringValue == "end_role", handlerBlockDepth != nil || role == nil {
                let handler = handlerBlockDepth != nil
                let shown = handler ? "HANDLER: " + (role.map { "\($0.name) : " } ?? "") + (t.name ?? t.action) : "TASK: meta (end_role)"
                var e = PlaybookError("Cannot execute 'end_role' from \(handler ? "a handler" : "outside of a role")", at: .unknown(showing: shown))
                e.parse = true
                throw e
            }
            if t.shortAction == "import_tasks" {
                out += try importTasks(t, role: role, inherited: inherited)
                continue
            }
            if t.shortAction == "import_role" {
                out += try importRole(t, inherited: inherited)
                continue
            }
            out.append(t)
        }
        return out
    }

    /// `import_tasks`: the file's tasks, in place, inheriting the import's when, tags and vars.
    mutating func importTasks(_ imp: Task, role: Role?, inherited: Inherited) throws -> [Task] {
        if imp.args["apply"] != nil { throw PlaybookError("Invalid options for import_tasks: apply", at: imp.location) }
        guard var name = (imp.args["file"] ?? imp.args["_raw_params"])?.stringValue else {
            throw PlaybookError("No file specified for import_tasks", at: imp.location)
        }
        // A templated name is rendered now, with the vars known while loading (play and extra
        // vars; in a role, its defaults, vars, params and role_path too).
        if name.contains("{{"), let render = renderName {
            var vars = Dict()
            if let role {
                for d in [role.allDefaults, role.allVars, role.params] { for (k, v) in d { vars[k] = v } }
                vars["role_path"] = .string(role.path)
                vars["role_name"] = .string(role.name)
            }
            for (k, v) in loadVars(for: imp) { vars[k] = v }
            name = try render(name, vars)
        }
        let path = try resolveTaskFile(name, from: imp.location.file, role: role, at: imp.location)
        var inner = inherited
        inner.tags += Task.tagList(imp["tags"])
        if let w = imp["when"] { inner.addWhen(w, WhenPlace(imp.keywordLocations["when"], items: imp.whenItemLocations)) }
        if case .dict(let d)? = imp["vars"] { inner.vars.append(d) }
        for k in Task.inheritable { if let v = imp[k] { inner.inherit(k, v, at: imp.keywordLocations[k]) } }
        importDepth += 1
        defer { importDepth -= 1 }
        guard importDepth < 64 else { throw PlaybookError("import_tasks recursion is too deep", at: imp.location) }
        let node = try YAMLReader.load(try Vault.shared.readText(path), file: path)
        staticImports.append(path)
        return try tasks(node, role: role, inherited: inner)
    }

    /// `import_role`: the role's tasks (`tasks_from`), in place, inheriting the import's when,
    /// tags, vars and keywords; its handlers join the play's.
    mutating func importRole(_ imp: Task, inherited: Inherited) throws -> [Task] {
        if imp.args["apply"] != nil { throw PlaybookError("Invalid options for import_role: apply", at: imp.location) }
        var inner = inherited
        inner.tags += Task.tagList(imp["tags"])
        if let w = imp["when"] { inner.addWhen(w, WhenPlace(imp.keywordLocations["when"], items: imp.whenItemLocations)) }
        if case .dict(let d)? = imp["vars"] { inner.vars.append(d) }
        for k in Task.inheritable { if let v = imp[k] { inner.inherit(k, v, at: imp.keywordLocations[k]) } }
        let (role, tasks, handlers) = try loadRoleFor(imp, inherited: inner)
        importedHandlers += handlers
        if let p = imp.args["public"] { role.publicSetting = try staticBool(p, imp, key: "public") }
        importedRoles.append(role)
        return tasks
    }

    /// The role an import_role / include_role names, with its tasks and handlers loaded.
    public mutating func loadRoleFor(_ t: Task, inherited: Inherited) throws -> (Role, [Task], [Task]) {
        var t = t
        // import_role is static: a templated name or *_from is rendered now, with the vars known while loading.
        if t.shortAction == "import_role", let render = renderName {
            let vars = loadVars(for: t)
            for k in ["name", "tasks_from", "vars_from", "defaults_from", "handlers_from"] {
                if let s = t.args[.string(k)]?.stringValue, s.contains("{{") { t.args[.string(k)] = .string(try render(s, vars)) }
            }
        }
        guard let name = t.args["name"]?.stringValue else {
            throw PlaybookError("'name' is a required field for \(t.shortAction).", at: t.location)
        }
        func from(_ k: String) -> String? { t.args[.string(k)]?.stringValue }
        let (role, _, _, _) = try loadRole(Node(.scalar(.string(name)), location: t.location), baseDir: baseDir ?? ".",
                                           varsFrom: from("vars_from"), defaultsFrom: from("defaults_from"))
        importDepth += 1
        defer { importDepth -= 1 }
        guard importDepth < 64 else { throw PlaybookError("\(t.shortAction) recursion is too deep", at: t.location) }
        if let f = from("tasks_from"), mainFile(Files.join(role.path, "tasks"), f) == nil {
            throw PlaybookError("Could not find specified file in role: tasks/\(f)", at: t.location)
        }
        // The role itself runs again when imported or included (its dependencies once per play),
        // unless the task says allow_duplicates: false and the play has had it already.
        if let allow = t.args["allow_duplicates"], try !staticBool(allow, t, key: "allow_duplicates"), seenRoles.contains(roleKey(role)) { return (role, [], []) }
        seenRoles.insert(roleKey(role))
        let validate = try t.args["rolespec_validate"].map { try staticBool($0, t, key: "rolespec_validate") } ?? true
        let (tasks, handlers) = try roleContent(role, inherited: inherited, tasksFrom: from("tasks_from"), handlersFrom: from("handlers_from"),
                                                validate: validate)
        // A role brought in by another role's task sees its params and the chain of roles that
        // brought it in, nearest first (IncludeRole.get_include_params).
        guard let parent = t.role else { return (role, tasks, handlers) }
        role.includedFrom = parent.includedFrom + [parent]
        // The include's own include params (the chain above it), then its role's params.
        var params = t.includeParams.merging(parent.params) { $1 }
        params["ansible_parent_role_names"] = .list([.string(parent.name)] + (t.includeParams["ansible_parent_role_names"]?.listValue ?? []))
        params["ansible_parent_role_paths"] = .list([.string(parent.path)] + (t.includeParams["ansible_parent_role_paths"]?.listValue ?? []))
        return (role, tasks.map { $0.including(params) }, handlers.map { $0.including(params) })
    }

    /// The vars a static import's templates see: the play's and its import_playbook's, then the task's own.
    func loadVars(for t: Task) -> Dict {
        var vars = loadVars
        if case .dict(let d)? = t["vars"] { for (k, v) in d { vars[k] = v } }
        return vars
    }

    /// A boolean argument known while loading: YAML's, or a template rendered with the load-time
    /// vars; anything else is IncludeRole's post_validate error (a parser error for import_role).
    func staticBool(_ v: Value, _ t: Task, key: String) throws -> Bool {
        var v = v
        if let s = v.stringValue, s.contains("{{"), let render = renderName {
            v = .string(try render(s, loadVars(for: t)))
        }
        guard let b = v.strictBool else {
            var e = PlaybookError("Error processing keyword '\(key)'.", at: t.argLocations[key])
            e.causes = [("The value \(v.pythonRepr) could not be converted to 'bool'.", t.argLocations[key], nil)]
            e.parse = true
            throw e
        }
        return b
    }

    func roleKey(_ role: Role) -> String { role.path + "|" + Value.dict(role.params).json(.init(sortKeys: true)) }

    func meta(_ role: Role) throws -> Node? { try roleFile(role, "meta") }

    /// A role already brought into this play, unless its meta allows duplicates; marks it seen.
    mutating func alreadyIn(_ role: Role) -> Bool {
        if (try? meta(role))??["allow_duplicates"]?.value.truthy == true { return false }
        return !seenRoles.insert(roleKey(role)).inserted
    }

    /// A role's dependencies (meta/main.yml, each once per play), then its own tasks and handlers.
    /// `validate`: false when the include or import says `rolespec_validate: false`.
    mutating func roleContent(_ role: Role, inherited: Inherited, tasksFrom: String? = nil,
                              handlersFrom: String? = nil, validate: Bool = true) throws -> ([Task], [Task]) {
        var tasks: [Task] = [], handlers: [Task] = []
        importDepth += 1
        defer { importDepth -= 1 }
        guard importDepth < 64 else { throw PlaybookError("role dependencies of \(role.name) are too deep (a cycle?)") }
        for entry in try meta(role)?["dependencies"]?.items ?? [] {
            let (dep, when, tags, keywords) = try loadRole(entry, baseDir: baseDir ?? ".", near: Files.dirname(role.path))
            dep.parentParams = role.parentParams.merging(role.params) { $1 }
            role.dependencies.append(dep)
            if !dependentRoles.contains(dep.name) { dependentRoles.append(dep.name) }
            if alreadyIn(dep) { continue }
            var inner = inherited
            inner.tags += tags
            if let when { inner.addWhen(when) }
            for (k, v) in keywords { inner.inherit(k, v, at: entry[k]?.location) }
            let (t, h) = try roleContent(dep, inherited: inner)
            tasks += t
            handlers += h
        }
        // A role's tasks search its own collection, then its meta `collections:`; the play's do not
        // reach into roles (Role._load_role_data), and builtin (legacy for other roles) closes the list.
        let outerSearch = collectionSearch
        defer { collectionSearch = outerSearch }
        var search = role.collection.map { [$0] } ?? []
        for c in (try meta(role)?["collections"]?.value.listValue ?? []).compactMap(\.stringValue) where !search.contains(c) { search.append(c) }
        if !search.isEmpty, !search.contains("ansible.builtin"), !search.contains("ansible.legacy") {
            search.append(role.collection != nil ? "ansible.builtin" : "ansible.legacy")
        }
        collectionSearch = search
        if validate, let v = try validationTask(role, entrypoint: tasksFrom ?? "main", inherited: inherited) { tasks.append(v) }
        if let n = try roleFile(role, "tasks", tasksFrom) { tasks += try self.tasks(n, role: role, inherited: inherited) }
        if let n = try roleFile(role, "handlers", handlersFrom) { handlers += try self.handlers(n, role: role, inherited: inherited) }
        return (tasks, handlers)
    }

    /// A role with an argument spec for its entry point starts with a task that validates the
    /// arguments it was given (meta/argument_specs.yml, else meta/main.yml's `argument_specs`),
    /// tagged `always`, as Role._prepend_validation_task inserts it.
    func validationTask(_ role: Role, entrypoint: String, inherited: Inherited) throws -> Task? {
        let file = try roleFile(role, "meta", "argument_specs")
        let specs = file != nil ? file?["argument_specs"] : try meta(role)?["argument_specs"]
        guard let entry = specs?[entrypoint], case .dict(let spec) = entry.value else { return nil }
        var name = "Validating arguments against arg spec '\(entrypoint)'"
        if let d = spec["short_description"] { name += " - " + d.pythonStr }
        let context: Dict = ["type": "role", "name": .string(role.shortName), "argument_spec_name": .string(entrypoint), "path": .string(role.path)]
        let args: Dict = ["argument_spec": spec["options"] ?? .dict([:]), "provided_arguments": .dict(role.params),
                          "validate_args_context": .dict(context)]
        // A task made from data, not read from a file: its errors show that data.
        let data: Value = ["action": "ansible.builtin.validate_argument_spec", "args": .dict(args), "name": .string(name), "tags": ["always"]]
        var t = Task(name: name, action: "ansible.builtin.validate_argument_spec", args: args,
                     keywords: ["tags": ["always"]], location: .unknown(showing: data.pythonRepr), role: role)
        _ = entry
        t.inheritedTags = inherited.tags
        t.inheritedWhen = inherited.when
        t.inheritedWhenPlaces = inherited.whenPlaces
        t.blockVars = inherited.vars
        t.inheritedKeywords = inherited.keywords
        t.inheritedKeywordLocations = inherited.keywordLocations
        return t
    }

    /// A task file named by an import or include: next to the file that names it, in the role's
    /// tasks/, or next to the playbook.
    public func resolveTaskFile(_ name: String, from file: String, role: Role?, at loc: SourceLocation?) throws -> String {
        if name.hasPrefix("/") { if Files.exists(name) { return name } }
        var dirs = [Files.dirname(file)]
        if let role { dirs += [Files.join(role.path, "tasks"), role.path] }
        if let base = baseDir { dirs += [base, Files.join(base, "tasks")] }
        for d in dirs {
            let p = Files.join(d, name)
            if Files.exists(p), !Files.isDirectory(p) { return Files.absolute(p) }
        }
        // Ansible names the file as if next to the playbook, in its loader's words.
        let p = name.hasPrefix("/") ? name : Files.absolute(Files.join(baseDir ?? Files.dirname(file), name))
        throw PlaybookError("Could not find or access '\(p)' on the Ansible Controller: Unable to retrieve file contents.\n"
            + "Could not find or access '\(p)' on the Ansible Controller.\n"
            + "If you are using a module and expect the file to exist on the remote, see the remote_src option: [Errno 2] No such file or directory: '\(p)'")
    }

    /// Loads a task file for include_tasks at run time (as handlers when a handler includes it).
    public mutating func loadTaskFile(_ path: String, role: Role?, inherited: Inherited, asHandlers: Bool = false) throws -> [Task] {
        let node = try YAMLReader.load(try Vault.shared.readText(path), file: path)
        return asHandlers ? try handlers(node, role: role, inherited: inherited) : try tasks(node, role: role, inherited: inherited)
    }

    mutating func task(_ node: Node, _ pairs: [Node.Pair], role: Role?, inherited: Inherited) throws -> Task {
        try PlaybookLoader.checkShapes(node, kind: taskKind(pairs), loopControl: true)
        var keywords: [String: Value] = [:]
        var actions: [(String, Node)] = []
        var keywordLocations: [String: SourceLocation] = [:]
        var argLocations: [String: SourceLocation] = [:], argKeyLocations: [String: SourceLocation] = [:]
        var whenItems: [SourceLocation] = [], loopItems: [SourceLocation] = [], argItems: [String: [SourceLocation]] = [:]
        for p in pairs {
            let key = p.key.scalar?.pythonStr ?? ""
            if Keywords.task.contains(key) || key.hasPrefix("with_") {
                if key == "when", p.value.value.isNone { continue }   // `when:` left empty: no condition
                keywords[key] = p.value.value
                keywordLocations[key] = p.value.location
                if key == "when" { whenItems = p.value.items?.map(\.location) ?? [] }
                if key == "loop" || key.hasPrefix("with_") { loopItems = p.value.items?.map(\.location) ?? [] }
                if key == "loop_control" {
                    for c in p.value.pairs ?? [] { if let k = c.key.scalar?.pythonStr { keywordLocations["loop_control." + k] = c.value.location } }
                }
                if key == "action" || key == "local_action" { keywordLocations["@action"] = p.key.location }
            } else {
                actions.append((key, p.value))
                keywordLocations["@action"] = p.key.location
            }
        }
        /// Locations of a mapping's values by key, or of a free-form string for all its keys.
        func locate(_ node: Node, _ args: Dict) {
            if let pairs = node.pairs {
                for p in pairs {
                    guard let k = p.key.scalar?.pythonStr, args[.string(k)] != nil else { continue }
                    argLocations[k] = p.value.location
                    argKeyLocations[k] = p.key.location
                    if let items = p.value.items { argItems[k] = items.map(\.location) }
                    // include_*'s `apply: {when: …}`: a condition the included tasks get, at its place.
                    if k == "apply", let w = p.value["when"] {
                        argLocations["apply.when"] = w.location
                        if let items = w.items { argItems["apply.when"] = items.map(\.location) }
                    }
                }
            } else {
                for k in args.keys { argLocations[k.pythonStr] = node.location }
            }
        }
        /// k=v text split_args cannot split (an open quote or block) is the task's loading error.
        func kv<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as FreeForm.SplitError {
                var err = PlaybookError("Error loading tasks: \(e)", at: node.location)
                err.parse = true
                throw err
            }
        }
        var action: String
        var args = Dict()
        // An `action:` mapping's arguments from its `module:` text and its own `args:`.
        var moduleWords = Dict(), innerWords = Dict()
        if let a = keywords.removeValue(forKey: "action") ?? keywords.removeValue(forKey: "local_action") {
            if pairs.contains(where: { $0.key.scalar?.pythonStr == "local_action" }) { keywords["delegate_to"] = "localhost" }
            guard actions.isEmpty else {
                throw PlaybookError("action and local_action are mutually exclusive with a module name: \(actions.map(\.0).joined(separator: ", "))", at: node.location)
            }
            switch a {
            case .string(let s):
                let words = try kv { try FreeForm.split(s) }
                guard let first = words.first else { throw PlaybookError("no module/action detected in task.", at: node.location) }
                // split_args keeps the spaces after a word on it (`set_fact    c=1`): _split_module_string strips them.
                action = String(first.trimmingCharacters)
                args = try kv { try FreeForm.parse(String(s.dropFirst(first.count)).trimmingSpacesOnly, action: Task.shortName(action)) }
            case .dict(var d):
                deprecations.append(("Using a mapping for `action` is deprecated.", "2.23", keywordLocations["action"] ?? keywordLocations["local_action"],
                                     "Use a string value for `action`."))
                guard let m = d.removeValue(forKey: "module")?.stringValue else {
                    throw PlaybookError("no module/action detected in task.", at: node.location)
                }
                // `module: copy src=a` may carry k=v args; an inner `args:` mapping or k=v string joins them.
                let first = try kv { try FreeForm.split(m) }.first ?? m
                action = String(first.trimmingCharacters)
                moduleWords = try kv { try FreeForm.parse(String(m.dropFirst(first.count)).trimmingSpacesOnly, action: Task.shortName(action)) }
                for (k, v) in moduleWords { d[k] = v }
                if let inner = d.removeValue(forKey: "args") {
                    innerWords = try inner.dictValue ?? (inner.stringValue.map { s in try kv { try FreeForm.parse(s, action: "") } } ?? Dict())
                    for (k, v) in innerWords { d[k] = v }
                }
                args = d
            default:
                var e = PlaybookError("unexpected parameter type in action: \(a.yamlClass)", at: node.location)
                e.parse = true
                throw e
            }
        } else {
            guard let first = actions.first else {
                throw PlaybookError("no module/action detected in task.", at: node.location)
            }
            if actions.count > 1 {
                throw PlaybookError("conflicting action statements: \(actions.map(\.0).joined(separator: ", "))", at: node.location)
            }
            action = first.0
            defer { locate(first.1, args) }
            switch first.1.value {
            case .string(let s):
                args = try kv { try FreeForm.parse(s, action: Task.shortName(action)) }
                let words = args.keys.map(\.pythonStr).filter { $0 != "_raw_params" }.sorted()
                if !words.isEmpty, pairs.contains(where: { $0.key.scalar?.pythonStr == "args" }) {
                    deprecations.append(("Merging legacy k=v args (\(words.map { "'\($0)'" }.joined(separator: ", "))) into task args.", "2.23",
                                         first.1.location, "Include all task args in the task `args` mapping."))
                }
            case .dict(let d): args = d
            case .none: break
            case .unsafe(let s):
                // `!unsafe` text: its words stay untemplated.
                for (k, v) in try kv({ try FreeForm.parse(s, action: Task.shortName(action)) }) { args[k] = .unsafe(v.pythonStr) }
            case let other:
                // ModuleArgsParser takes text, a mapping or nothing.
                var e = PlaybookError("unexpected parameter type in action: \(other.yamlClass)", at: node.location)
                e.parse = true
                throw e
            }
        }
        if let a = node["action"] ?? node["local_action"] {
            locate(a, args)
            if let m = a["module"] { locate(m, moduleWords) }
            if let i = a["args"] { locate(i, innerWords) }
        }
        // `args:` as a mapping joins the arguments now, under the action's own (mod_args' final_args);
        // as a template it is rendered when the task runs (TaskArgs.swift).
        switch keywords["args"] {
        case .dict(let extra)?:
            keywords["args"] = nil
            var joining = Dict()
            for (k, v) in extra where args[k] == nil { joining[k] = v }
            // final_args: the keyword's keys first (in its order), the action's own values win.
            var merged = Dict()
            for k in extra.keys { merged[k] = args[k] ?? extra[k] }
            for (k, v) in args where merged[k] == nil { merged[k] = v }
            args = merged
            if let a = node["args"] { locate(a, joining) }
        case .none?:
            keywords["args"] = nil
            deprecations.append(("Ignoring empty task `args` keyword.", "2.23", node.location,
                                 "A mapping or template which resolves to a mapping is required."))
        case .string(let t)? where Keywords.isPossiblyAllTemplate(t): break
        case nil: break
        default:
            var e = PlaybookError("The value of the task `args` keyword is invalid.", at: keywordLocations["args"])
            e.help = "A mapping or template which resolves to a mapping is required."
            throw e
        }
        if ["include_tasks", "import_tasks"].contains(Task.shortName(action)) {
            // TaskInclude.check_options: only a file (and include_tasks' apply).
            let bad = args.keys.map(\.pythonStr).filter { !["file", "_raw_params", "apply"].contains($0) }
            if !bad.isEmpty {
                var e = PlaybookError("Invalid options for \(action): \(bad.joined(separator: ","))", at: node.location)
                e.parse = true
                throw e
            }
        }
        if ["include_tasks", "import_tasks", "include"].contains(Task.shortName(action)),
            (args["file"] ?? args["_raw_params"]).map({ $0.isNone || $0.stringValue == "" }) ?? true {
            var e = PlaybookError("No file specified for \(action)", at: node.location)
            e.parse = true
            throw e
        }
        if ["include_role", "import_role"].contains(Task.shortName(action)) {
            // `role:` names the role where `name:` does not (IncludeRole.load).
            if args["name"] == nil, let role = args["role"] { args["name"] = role }
            for k in ["tasks_from", "vars_from", "defaults_from", "handlers_from"] {
                guard let v = args[.string(k)], v.stringValue == nil else { continue }
                // Arguments lose their origin tags on the way, all but containers'.
                let type = v.listValue != nil || v.dictValue != nil ? v.yamlClass : "<class '\(v.typeName)'>"
                throw PlaybookError("Expected a string for \(k) but got \(type) instead", at: node.location)
            }
        }
        if ["include_tasks", "include_role"].contains(Task.shortName(action)) {
            // TaskInclude.preprocess_data: keywords an include does not take (INVALID_TASK_ATTRIBUTE_FAILED).
            for p in pairs {
                guard let k = p.key.scalar?.pythonStr, keywords[k] != nil, !Keywords.include.contains(k), !k.hasPrefix("with_"),
                      !(k == "listen" && handlerBlockDepth != nil) else { continue }
                guard invalidAttributeFails else {
                    warn?("Ignoring invalid attribute: \(k)")
                    continue
                }
                throw PlaybookError("'\(k)' is not a valid attribute for a \(taskKind(pairs))", at: node.location)
            }
        }
        if handlerBlockDepth == nil, let listen = pairs.first(where: { $0.key.scalar?.pythonStr == "listen" }) {
            // A Handler's keyword: on a task, Task._validate_attributes refuses it.
            var e = PlaybookError("'listen' is not a valid attribute for a \(taskKind(pairs))\nThis error can be suppressed as a warning using the \"invalid_task_attribute_failed\" configuration",
                                  at: listen.key.location)
            e.parse = true
            throw e
        }
        if let reg = keywords["register"] {
            // register names a variable: checked when the playbook loads, as Ansible does.
            if reg.stringValue.map(VariableName.isValid) != true {
                var e = PlaybookError("Invalid 'register' specified.", at: keywordLocations["register"])
                e.causes = [(VariableName.invalid(reg), keywordLocations["register"],
                             VariableName.help)]
                throw e
            }
        }
        // Only Ansible itself passes `_ansible_*` arguments (free-form actions aside).
        if !["command", "raw", "script", "shell", "win_command", "win_shell"].contains(Task.shortName(action)),
           let bad = args.keys.first(where: { $0.pythonStr.hasPrefix("_ansible_") }) {
            var e = PlaybookError("Invalid parameter specified beginning with keyword '_ansible_' for action '\(action)': '\(bad.pythonStr)'. "
                                  + "The prefix '_ansible_' is reserved for internal use only.")
            e.generic = true
            throw e
        }
        var written: String?
        // The task's own `collections:` or its play's, block's or role's.
        let search = keywords["collections"]?.listValue?.compactMap(\.stringValue) ?? collectionSearch
        if !action.contains("."), !search.isEmpty, let fqcn = resolveInCollections?(action, search) {
            (written, action) = (action, fqcn)   // shown as written
        }
        if let target = ActionPlugins.alias(action, dirs: ActionPlugins.dirs(role: role, baseDir: baseDir, configured: actionPluginPaths)) {
            (written, action) = (action, target)
        }
        var t = Task(name: keywords["name"].map { $0.isNone ? nil : $0.pythonStr } ?? nil, action: action, args: args,
                     keywords: keywords, location: node.location, role: role)
        t.writtenAction = written
        t.inheritedTags = inherited.tags
        t.inheritedWhen = inherited.when
        t.inheritedWhenPlaces = inherited.whenPlaces
        t.blockVars = inherited.vars
        t.inheritedKeywords = inherited.keywords
        t.inheritedKeywordLocations = inherited.keywordLocations
        t.keywordLocations = keywordLocations
        t.argLocations = argLocations
        t.argKeyLocations = argKeyLocations
        t.whenItemLocations = whenItems
        t.loopItemLocations = loopItems
        t.argItemLocations = argItems
        t.varKeyLocations = inherited.varKeyLocations
        for p in node["vars"]?.pairs ?? [] {
            if let k = p.key.scalar?.pythonStr { (t.varLocations[k], t.varKeyLocations[k]) = (p.value.location, p.key.location) }
        }
        return t
    }

    // MARK: roles

    func loadRole(_ entry: Node, baseDir: String, near: String? = nil, varsFrom: String? = nil,
                  defaultsFrom: String? = nil) throws -> (Role, Value?, [String], [String: Value]) {
        var name: String
        var params = Dict()
        var when: Value? = nil
        var tags: [String] = []
        var keywords: [String: Value] = [:]
        switch entry.value {
        case .string(let s):
            // `src,version,name`: a requirements-file form roles: does not take (RoleRequirement).
            if s.contains(",") {
                var e = PlaybookError("Invalid old style role requirement: \(s)")
                e.generic = true
                throw e
            }
            name = s
        case .dict(let d):
            try PlaybookLoader.checkShapes(entry, kind: "RoleInclude")
            guard let n = (d["role"] ?? d["name"])?.stringValue else {
                throw PlaybookError("role definitions must contain a role name", at: entry.location)
            }
            name = n
            for (k, v) in d {
                switch k.pythonStr {
                case "role", "name": continue
                case "when": when = v.isNone ? nil : v
                case "tags": tags = Task.tagList(v)
                case let k where Task.inheritable.contains(k): keywords[k] = v
                case "vars":
                    if case .dict(let vd) = v { for (a, b) in vd { params[a] = b } }
                // The role's other keywords (Base, Become, Delegatable fields) are no params either.
                case "port", "timeout", "debugger", "collections", "vars_files": continue
                default: params[k] = v
                }
            }
        default:
            throw PlaybookError("role definitions must contain a role name", at: entry.location)
        }
        // A dependency is also looked for beside the role that names it; `ns.coll.role` in collections.
        var candidates = [Files.join(baseDir, "roles/" + name)] + rolesPath.map { Files.join(Files.expandUser($0), name) }
            + [Files.join(baseDir, name)] + (near.map { [Files.join($0, name)] } ?? [])
        let parts = name.split(separator: ".").map(String.init)
        if parts.count == 3 {
            candidates = ([Files.join(baseDir, "collections")] + collectionRoots).map {
                Files.join($0, "ansible_collections/\(parts[0])/\(parts[1])/roles/\(parts[2])")
            } + candidates
        }
        guard let path = candidates.first(where: Files.isDirectory).map(Files.absolute) else {
            let searched = candidates.map { Files.dirname($0) }
            var e = PlaybookError("the role '\(name)' was not found in \(searched.joined(separator: ":"))", at: entry.location)
            e.generic = true   // an AnsibleError, not a parser error: exit code 1
            throw e
        }
        roleLoaded?(path)
        let defaults = try varsFile(Files.join(path, "defaults"), defaultsFrom)
        let vars = try varsFile(Files.join(path, "vars"), varsFrom)
        return (Role(name: Files.basename(name), path: path, defaults: defaults, vars: vars, params: params), when, tags, keywords)
    }

    /// `main.yml` of a role's dir, or the file `*_from` names (with or without its extension).
    func mainFile(_ dir: String, _ from: String? = nil) -> String? {
        let base = from ?? "main"
        return [base + ".yml", base + ".yaml", base].map { Files.join(dir, $0) }.first { Files.exists($0) && !Files.isDirectory($0) }
    }

    func varsFile(_ dir: String, _ from: String? = nil) throws -> Dict {
        // `defaults/main/` (or the `*_from` name) may be a directory: its files merge in name order.
        let asDir = Files.join(dir, from ?? "main")
        if mainFile(dir, from) == nil, Files.isDirectory(asDir) {
            var out = Dict()
            func files(_ d: String) -> [String] {
                Files.list(d).filter { !$0.hasPrefix(".") }.sorted().flatMap { e -> [String] in
                    let p = Files.join(d, e)
                    return Files.isDirectory(p) ? files(p) : [p]
                }
            }
            for f in files(asDir) { for (k, v) in try varsFile(Files.dirname(f), Files.basename(f)) { out[k] = v } }
            return out
        }
        guard let f = mainFile(dir, from) else { return Dict() }
        let v = try YAMLReader.loadValue(try Vault.shared.readText(f), file: f)
        if case .dict(let d) = v { return d }
        if v.isNone { return Dict() }
        throw PlaybookError("The vars file \(f) must contain a dictionary")
    }

    func roleFile(_ role: Role, _ kind: String, _ from: String? = nil) throws -> Node? {
        let dir = Files.join(role.path, kind)
        guard let f = mainFile(dir, from) else { return nil }
        // `*_from` may not leave the role's own directory (an absolute path or `..`).
        let real = Files.realPath(f) ?? Files.normalize(f), realDir = Files.realPath(dir) ?? dir
        guard real.hasPrefix(realDir + "/") else {
            throw PlaybookError("Failed loading '\(Files.normalize(f))' for role (\(role.name)) as it is not inside the expected role path: '\(realDir)'")
        }
        return try YAMLReader.load(try Vault.shared.readText(f), file: f)
    }
}

extension String {
    var trimmingSpacesOnly: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
