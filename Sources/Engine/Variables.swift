// The variables a task sees on a host, merged in Ansible's precedence order (lowest first),
// plus the magic variables. Facts and set_fact/register results live here per host.
import Inventory
import Playbook
import Synchronization
import Values

final class HostState: @unchecked Sendable {
    /// Facts by their `ansible_facts` name (without `ansible_`).
    var facts = Dict()
    /// Facts that were named without the `ansible_` prefix: injected under that same name.
    var plainFacts: Set<String> = []

    /// A fact as a module, set_fact or the cache names it.
    func setFact(_ name: String, _ v: Value) {
        if name.hasPrefix("ansible_") { facts[.string(String(name.dropFirst(8)))] = v } else {
            facts[.string(name)] = v
            if !name.hasPrefix("_ansible_") { plainFacts.insert(name) }   // the executor's own marks are no variables
        }
    }
    /// include_vars results (level 18).
    var includeVars = Dict()
    /// set_fact and register results (level 19).
    var setFacts = Dict()
    var notified: Set<String> = []
    /// The handlers notified since the last flush, in order: what -vv names when they flush.
    var unannounced: [String] = []
}

final class VariableManager: @unchecked Sendable {
    let inventory: Inventory
    let extraVars: Dict
    let playbookDir: String
    let library: ModuleLibrary
    let templar = Templar()
    private let lock = Mutex<Void>(())
    private var states: [String: HostState] = [:]
    private var inventoryVars: [String: Dict] = [:]
    private var varsGeneration = 0
    /// Hosts whose inventory variables were checked for reserved names before a task's banner.
    private var reservedChecked: Set<String> = []
    /// The `groups` magic variable: the same for every host and task until the inventory changes.
    private var groupsValue: Value?
    /// Roles include_role brought in with `public: true`: seen by the rest of the play.
    private var publicRoles: [Role] = []
    /// Names of the roles include_role ran in this play (ansible_play_role_names has them).
    private var includedRoles: [String] = []
    /// The hosts that failed or are unreachable (the runner's), for ansible_play_hosts.
    var hostsDown: (@Sendable () -> Set<String>)?
    /// --tags and --skip-tags, for ansible_run_tags / ansible_skip_tags.
    var runTags: [String] = ["all"], skipTags: [String] = []
    /// Ad-hoc runs have no tags: ansible_run_tags and ansible_skip_tags are not set there.
    var taggedRun = true
    var checkMode = false
    var diffMode = false
    var verbosity = 0
    var forks = 5
    /// The ansible.cfg in use, for ansible_config_file.
    var configFile: String?

    init(inventory: Inventory, extraVars: Dict, playbookDir: String, library: ModuleLibrary) {
        self.inventory = inventory
        self.extraVars = extraVars
        self.playbookDir = playbookDir
        self.library = library
    }

    func state(_ host: String) -> HostState {
        lock.withLock { _ in
            if let s = states[host] { return s }
            let s = HostState()
            for (k, v) in factCache.load(host) ?? Dict() { s.setFact(k.pythonStr, v) }
            states[host] = s
            return s
        }
    }

    /// Where facts outlive the run (fact_caching = jsonfile); set from the runner's settings.
    var factCache = FactCache()

    /// A host's facts changed: the cache keeps them.
    func persistFacts(_ host: String) {
        guard factCache.directory != nil else { return }
        factCache.store(host, state(host).facts, plain: state(host).plainFacts)
    }

    /// `meta: clear_facts` and --flush-cache: gone from the run and from the cache.
    func clearFacts(_ host: String) {
        state(host).facts = Dict()
        state(host).plainFacts = []
        factCache.remove(host)
    }

    func expose(_ role: Role) { lock.withLock { _ in publicRoles.append(role) } }
    /// An include_role ran: the role is one of the play's from now on (ansible_play_role_names).
    func included(_ role: Role) { lock.withLock { _ in if !includedRoles.contains(role.name) { includedRoles.append(role.name) } } }
    func resetPlayRoles() { lock.withLock { _ in (publicRoles, includedRoles) = ([], []) } }

    /// DEFAULT_PRIVATE_ROLE_VARS: listed and imported roles keep their vars to themselves unless `public: yes`.
    var privateRoleVars = false

    /// Roles whose defaults and vars every task of the play sees: listed, imported, made public.
    func playRoles(_ pc: PlayContext) -> [Role] {
        let visible = { (r: Role) in r.publicSetting ?? !self.privateRoleVars }
        return pc.play.roles.filter(visible) + pc.play.exposedRoles.filter(visible) + lock.withLock { _ in publicRoles }
    }

    /// After add_host or group_by: every host's inventory vars are worked out again.
    func forgetInventoryVars() {
        lock.withLock { _ in
            inventoryVars.removeAll()
            groupsValue = nil
        }
    }

    var groups: Value {
        if let v = lock.withLock({ _ in groupsValue }) { return v }
        var d = Dict()
        for g in inventory.data.groups.keys { d[.string(g)] = .list(inventory.data.hostsOf(group: g).map(Value.string)) }
        lock.withLock { _ in groupsValue = .dict(d) }
        return .dict(d)
    }

    func inventoryVars(_ host: String) throws -> Dict {
        let generation = VarsPlugins.generation.load(ordering: .relaxed)
        if let v = lock.withLock({ _ -> Dict? in
            // A role that brought vars plugins has loaded since: everyone's are worked out again.
            if generation != varsGeneration { inventoryVars.removeAll(); varsGeneration = generation }
            return inventoryVars[host]
        }) { return v }
        let v = try inventory.vars(for: host, playbookDirs: [playbookDir])
        lock.withLock { _ in inventoryVars[host] = v }
        return v
    }

    /// INJECT_FACTS_AS_VARS: facts are variables of their own too (else only `ansible_facts`,
    /// and `ansible_local`, which is always promoted).
    var injectFacts = true

    /// Facts as variables: `ansible_facts` and each fact again as `ansible_<name>`.
    static func factVars(_ facts: Dict, plain: Set<String> = [], inject: Bool = true) -> Dict {
        guard inject else { return ["ansible_facts": .dict(facts), "ansible_local": facts["local"] ?? .dict([:])] }
        var out = Dict()
        for (k, v) in facts {
            let name = k.pythonStr
            out[.string(name.hasPrefix("ansible_") || plain.contains(name) ? name : "ansible_" + name)] = v
        }
        out["ansible_facts"] = .dict(facts)
        return out
    }

    struct PlayContext {
        var play: Play
        var playVars: Dict
        var hosts: [String]
        var batch: [String]
        /// vars_files, read for each host (their names are templated with its vars).
        var varsFiles: [String: Dict] = [:]
    }

    /// Where the value `name` has for `task` on `host` was written: the highest layer that sets it,
    /// where that layer knows (the play's and the task's vars, the inventory's sources and
    /// group_vars/host_vars files); nil when it does not.
    func valueOrigin(_ name: String, host: String, pc: PlayContext, task: PlayTask?) -> SourceLocation? {
        let k = Value.string(name), st = state(host)
        if extraVars[k] != nil || task?.includeParams[k] != nil { return nil }
        if let role = task?.role, role.params[k] != nil || role.parentParams[k] != nil { return nil }
        if st.setFacts[k] != nil || st.includeVars[k] != nil { return nil }
        if task?["vars"]?.dictValue?[k] != nil { return task?.varLocations[name] }
        if task?.blockVars.contains(where: { $0[k] != nil }) == true { return nil }
        let roles = playRoles(pc)
        if task?.role?.allVars[k] != nil || roles.contains(where: { $0.allVars[k] != nil }) || pc.varsFiles[host]?[k] != nil { return nil }
        if pc.playVars[k] != nil { return pc.play.varLocations[name] }
        if VariableManager.factVars(st.facts, plain: st.plainFacts, inject: injectFacts)[k] != nil { return nil }
        return inventory.valueOrigin(host: host, name, playbookDirs: [playbookDir])
    }

    /// Everything visible to `task` on `host`, lowest precedence first.
    func scope(host: String, pc: PlayContext, task: PlayTask?) throws -> VarScope {
        var all = [String: Value]()
        // Reserved names in the order they were first set, with where: Python's merged dict keeps
        // the first key, and the warning names that key's origin.
        var reserved: [(name: String, origin: SourceLocation?)] = []
        func merge(_ d: Dict, origins: ((String) -> SourceLocation?)? = nil) {
            for (k, v) in d {
                let key = k.pythonStr
                let old = all[key]
                if old == nil, VariableManager.reservedNames.contains(key) { reserved.append((key, origins?(key))) }
                all[key] = Combine.over(old, v)
            }
        }
        let roles = playRoles(pc)
        for r in roles { merge(r.allDefaults) }
        if let role = task?.role { merge(role.allDefaults) }
        merge(try inventoryVars(host), origins: { [inventory, playbookDir] in inventory.keyOrigin(host: host, $0, playbookDirs: [playbookDir]) })
        let st = state(host)
        merge(VariableManager.factVars(st.facts, plain: st.plainFacts, inject: injectFacts))
        merge(pc.playVars)
        if let files = pc.varsFiles[host] { merge(files) }
        for r in roles { merge(r.allVars) }
        if let role = task?.role { merge(role.allVars) }
        for b in task?.blockVars ?? [] { merge(b) }
        if case .dict(let tv)? = task?["vars"] { merge(tv) }
        merge(st.includeVars)
        merge(st.setFacts)
        if let role = task?.role {
            merge(role.parentParams)
            merge(role.params)
        }
        if let t = task { merge(t.includeParams) }
        merge(extraVars)
        VariableManager.warnReserved(reserved, fallback: { task?.varKeyLocations[$0] ?? pc.play.varKeyLocations[$0] })
        addMagic(&all, host: host, pc: pc, task: task)
        let scope = VarScope(raw: all, templar: templar)
        scope.playbookDir = playbookDir
        for (k, l) in pc.play.varLocations { scope.origins[k] = l }
        for (k, l) in task?.varLocations ?? [:] { scope.origins[k] = l }
        scope.valueOrigin = { [unowned self] name in self.valueOrigin(name, host: host, pc: pc, task: task) }
        scope.dynamic["hostvars"] = { [unowned self] in try self.hostvars(pc) }
        scope.deprecated = VariableManager.deprecatedMagic
        // `hostvars[h]…`: that host's vars, rendered with them (Ansible's HostVarsVars); a
        // localhost name is the implicit localhost, as HostVars finds it.
        scope.hostScope = { [unowned self] name in
            let h = self.inventory.resolvedHost(name)
            guard self.inventory.data.hosts[h] != nil || pc.hosts.contains(h) || Inventory.localhostNames.contains(h) else { return nil }
            // HostVars gets the host's vars through get_vars, which warns about reserved names then.
            self.warnReservedInventory(h)
            var raw: [String: Value] = [:]
            for (k, v) in try self.hostvars(of: h, pc) { raw[k.pythonStr] = v }
            let s = VarScope(raw: raw, templar: self.templar)
            s.playbookDir = self.playbookDir
            return s
        }
        // `vars`: every variable of this scope by name, rendered (one that does not render stays as written).
        scope.dynamic["vars"] = { [unowned scope] in
            var all = Dict()
            for k in scope.raw.keys.sorted() where k != "hostvars" {
                all[.string(k)] = scope.viewed(k)
            }
            return .dict(all)
        }
        return scope
    }

    /// 2.19 tags `play_hosts` Deprecated: each template that reads it says so, at its own place
    /// (one table for every scope: nothing is made per task-host).
    static let deprecatedMagic: [String: @Sendable () -> Void] = [
        "play_hosts": {
            Output.deprecation("The `play_hosts` magic variable is deprecated.", version: "2.23", origin: Templar.usedAt,
                               help: "Use `ansible_play_batch` instead.")
        },
    ]

    func addMagic(_ all: inout [String: Value], host: String, pc: PlayContext, task: PlayTask?) {
        all["inventory_hostname"] = .string(host)
        all["inventory_hostname_short"] = .string(Host.shortName(host))
        all["group_names"] = .list(inventory.groupNames(of: host).filter { $0 != "ungrouped" || true }.map(Value.string))
        all["groups"] = groups
        // The play's and the batch's hosts that have not failed or become unreachable, as the
        // strategy sees them now.
        let down = hostsDown?() ?? []
        let live = Value.list(pc.batch.filter { !down.contains($0) }.map(Value.string))
        all["play_hosts"] = live
        all["ansible_play_hosts"] = .list(pc.hosts.filter { !down.contains($0) }.map(Value.string))
        all["ansible_play_batch"] = live
        all["ansible_play_hosts_all"] = .list(pc.hosts.map(Value.string))
        all["ansible_play_name"] = .string(pc.play.name ?? "")
        all["playbook_dir"] = .string(pc.play.baseDir.isEmpty ? playbookDir : pc.play.baseDir)
        all["ansible_check_mode"] = .bool(checkMode)
        if taggedRun {
            all["ansible_run_tags"] = .list(runTags.map(Value.string))
            all["ansible_skip_tags"] = .list(skipTags.map(Value.string))
        }
        all["ansible_diff_mode"] = .bool(diffMode)
        all["ansible_verbosity"] = .int(verbosity)
        all["ansible_forks"] = .int(forks)
        all["ansible_config_file"] = configFile.map(Value.string) ?? Value.none
        all["ansible_inventory_sources"] = .list(inventory.sourceNames.map(Value.string))
        all["omit"] = .omit
        all["ansible_playbook_python"] = .string(library.playbookPython)
        let parts = library.version.split(separator: ".").compactMap { Int($0) }
        all["ansible_version"] = [
            "full": .string(library.version), "string": .string(library.version),
            "major": .int(parts.first ?? 2), "minor": .int(parts.count > 1 ? parts[1] : 0), "revision": .int(parts.count > 2 ? parts[2] : 0),
        ]
        if let src = inventory.data.hostSource[host] {
            all["inventory_file"] = .string(src)
            // A `host1,host2,` list has no directory: Ansible's text for that is "None".
            let list = src.contains(",") && !Files.exists(Files.expandUser(src))
            all["inventory_dir"] = .string(list ? "None" : Files.dirname(src))
        }
        // Where lookups and file-taking actions look: the role, then the task file's own dir.
        var search: [String] = task?.role.map { [$0.path] } ?? []
        if let file = task?.location.file, !file.isEmpty, !search.contains(Files.dirname(Files.absolute(file))) {
            search.append(Files.dirname(Files.absolute(file)))
        }
        all["ansible_search_path"] = .list((search.isEmpty ? [playbookDir] : search).map(Value.string))
        if let role = task?.role {
            all["role_name"] = .string(role.shortName)
            all["ansible_role_name"] = .string(role.name)
            all["role_path"] = .string(role.path)
        }
        // The play's roles (listed, imported, included so far), their dependencies, and the two together.
        var listed: [String] = []
        for r in pc.play.roles.map(\.name) + pc.play.exposedRoles.map(\.name) + lock.withLock({ _ in includedRoles }) where !listed.contains(r) {
            listed.append(r)
        }
        var every = listed
        for d in pc.play.dependentRoles where !every.contains(d) { every.append(d) }
        all["role_names"] = .list(listed.map(Value.string))
        all["ansible_play_role_names"] = .list(listed.map(Value.string))
        all["ansible_role_names"] = .list(every.map(Value.string))
        all["ansible_dependent_role_names"] = .list(pc.play.dependentRoles.map(Value.string))
    }

    /// `hostvars`: each host's own vars, as HostVars has them without a play: inventory, facts,
    /// include_vars, set_fact/register, extra vars (rendered when used), and the host's magic
    /// variables. Play vars, vars_files and role vars are the play's, not the host's.
    func hostvars(_ pc: PlayContext) throws -> Value {
        var out = Dict()
        for h in inventory.hostNames + pc.hosts where out[.string(h)] == nil {
            out[.string(h)] = .dict(try hostvars(of: h, pc))
        }
        return .dict(out)
    }

    /// One host's entry of hostvars, as written (its templates render with these same vars).
    func hostvars(of h: String, _ pc: PlayContext) throws -> Dict {
        var d = Dict()
        func merge(_ x: Dict) { for (k, v) in x { d[k] = Combine.over(d[k], v) } }
        merge(try inventoryVars(h))
        let st = state(h)
        merge(VariableManager.factVars(st.facts, plain: st.plainFacts, inject: injectFacts))
        merge(st.includeVars)
        merge(st.setFacts)
        merge(extraVars)
        // The host's own magic variables, not the play's (hostvars has no play context).
        var magic: [String: Value] = [:]
        addMagic(&magic, host: h, pc: pc, task: nil)
        for k in VariableManager.hostMagic { if let v = magic[k] { d[.string(k)] = v } }
        return d
    }

    /// The magic variables hostvars carries for each host (the others belong to a play or task).
    static let hostMagic = ["ansible_check_mode", "ansible_config_file", "ansible_diff_mode", "ansible_forks", "ansible_inventory_sources",
                            "ansible_playbook_python", "ansible_run_tags", "ansible_skip_tags", "ansible_verbosity", "ansible_version",
                            "group_names", "groups", "inventory_hostname", "inventory_hostname_short", "inventory_file", "inventory_dir",
                            "playbook_dir"]

    /// Names Ansible reserves for its keywords and template globals (vars/reserved.py's list for
    /// ansible-core 2.19): a variable of one of these names is warned about, once.
    static let reservedNames: Set<String> = [
        "action", "always", "any_errors_fatal", "args", "async", "async_val", "become", "become_exe", "become_flags",
        "become_method", "become_user", "block", "changed_when", "check_mode", "collections", "connection", "cycler",
        "debugger", "delay", "delegate_facts", "delegate_to", "dict", "diff", "environment", "fact_path", "failed_when",
        "force_handlers", "gather_facts", "gather_timeout", "handlers", "hosts", "ignore_errors", "ignore_unreachable",
        "joiner", "lipsum", "local_action", "lookup", "loop", "loop_control", "loop_with", "max_fail_percentage",
        "module_defaults", "name", "namespace", "no_log", "notify", "now", "omit", "order", "poll", "port", "post_tasks",
        "pre_tasks", "q", "query", "range", "register", "remote_user", "rescue", "retries", "roles", "run_once", "serial",
        "strategy", "tags", "tasks", "throttle", "timeout", "undef", "until", "vars_files", "vars_prompt", "when", "with_",
    ]

    static func warnReserved<Names: Sequence<String>>(_ names: Names, origins: (String) -> SourceLocation?) {
        warnReserved(names.filter(reservedNames.contains).sorted().map { ($0, origins($0)) }, fallback: { _ in nil })
    }

    /// A host's inventory variables with reserved names, in the inventory's order and at their
    /// origins: said before the first task's banner for its first host, as the strategy gets
    /// that host's vars before it announces the task. Once per host.
    func warnReservedInventory(_ host: String) {
        guard lock.withLock({ _ in reservedChecked.insert(host).inserted }), let vars = try? inventoryVars(host) else { return }
        inventory.warnReservedNames(host: host, vars: vars, playbookDirs: [playbookDir])
    }

    /// Each reserved name with where it was set (or else where `fallback` says), in order; once
    /// per name and place, as Display says a warning once.
    static func warnReserved(_ names: [(name: String, origin: SourceLocation?)], fallback: (String) -> SourceLocation?) {
        for (name, origin) in names {
            // Without a place, once per name: a later scope may no longer know where it was written.
            let at = origin ?? fallback(name), anywhere = "reserved name \(name)"
            guard let at else {
                if Output.firstTime(anywhere) { Output.warning("Found variable using reserved name '\(name)'.") }
                continue
            }
            _ = Output.firstTime(anywhere)
            guard Output.firstTime("\(anywhere) at \(at.description) \(at.snippet ?? "")") else { continue }
            Output.warning(Origin.report("Found variable using reserved name '\(name)'.", at))
        }
    }
}
