// module_defaults: the play's, its blocks' and imports', and the task's own (outer first) under
// the task's arguments, as _get_action_arg_defaults merges them: `group/<name>` entries for
// the actions of that group (a collection's meta/runtime.yml `action_groups`), then the entry
// for the action itself; what the task says goes over them (TaskArgs.swift).
import Playbook
import Synchronization
import Values

extension PlaybookRunner {
    /// The module_defaults for the task's action, its values not yet templated (the task's
    /// arguments layer over them, and only a value that is used is templated). `action`: the
    /// module the defaults are for, when not the task's own (gather_facts' fact modules).
    func moduleDefaults(_ task: PlayTask, scope: VarScope, action: String? = nil) throws -> Dict {
        let levels = [playKeywords["module_defaults"], task.inheritedKeywords["module_defaults"], task.keywords["module_defaults"]]
            .compactMap { $0 }.flatMap { $0.listValue ?? [$0] }
        guard !levels.isEmpty else { return Dict() }
        var defaults = Dict()
        for level in levels {
            let rendered = try vars.templar.container(level, scope)
            if rendered.isNone || rendered.isOmit { continue }
            guard case .dict(let d) = rendered else {
                throw TaskFailure(message: "The field 'module_defaults' is supposed to be a dictionary or list of dictionaries, the keys of which must be static action, module, or group names. Only the values may contain templates.")
            }
            for (k, v) in d { defaults[k] = v }
        }
        // Entries and the task meet by resolved name: `ping` is ansible.builtin.ping unless a
        // library/ module of the name makes it ansible.legacy.ping (Base._resolve_action).
        let dirs = ActionContext.moduleDirs(task, runner: self)
        let resolved = ModuleDefaults.cachedResolved(action ?? task.action, library: library, dirs: dirs,
                                                     actionDirs: action == nil ? PythonAction.actionDirs(task, runner: self) : [])
        let validate = settings.value(env: "ANSIBLE_VALIDATE_ACTION_GROUP_METADATA", key: "validate_action_group_metadata").map(Settings.truthy) ?? true
        var out = Dict()
        // An entry's value is a mapping, or one template that renders to one (resolve_to_container).
        func merge(_ v: Value) throws {
            guard case .dict(let d) = try vars.templar.container(v, scope) else { return }
            for (a, b) in d { out[a] = b }
        }
        for (k, v) in defaults {
            let key = k.pythonStr
            guard key.hasPrefix("group/"),
                  ModuleDefaults.resolvedMembers(of: String(key.dropFirst(6)), library: library, dirs: dirs, validate: validate).contains(resolved)
            else { continue }
            try merge(v)
        }
        for (k, v) in defaults where !k.pythonStr.hasPrefix("group/") && ModuleDefaults.cachedResolved(k.pythonStr, library: library, dirs: dirs) == resolved {
            try merge(v)
        }
        return out
    }

    /// The defaults an action plugin applies itself to the module it picks (_apply_action_arg_defaults):
    /// those the arguments do not give, templated, under the arguments.
    func withModuleDefaults(_ task: PlayTask, _ args: Dict, scope: VarScope, action: String) throws -> Dict {
        var out = Dict()
        for (k, v) in try moduleDefaults(task, scope: scope, action: action) where args[k] == nil {
            let r = try vars.templar.template(v, scope)
            if !r.isOmit { out[k] = r }
        }
        for (k, v) in args { out[k] = v }
        return out
    }
}

enum ModuleDefaults {
    /// An action's fully qualified name as module_defaults compares them: a collection's as it is,
    /// a short or ansible.legacy name ansible.legacy when the user's library/ has it, else
    /// ansible.builtin; a task written `ansible.legacy.x` is also legacy when its action_plugins/
    /// has x (measured: an entry `ansible.builtin.debug` does not reach it, `debug` does reach
    /// `ansible.builtin.debug`).
    static func resolved(_ action: String, library: ModuleLibrary, dirs: [String], actionDirs: [String] = []) -> String {
        let parts = action.split(separator: ".")
        if parts.count >= 3, parts[0] != "ansible" {
            // Base._resolve_action: the module (redirects followed) when it names its action
            // plugin, else the action plugin of the name when there is one, else the module.
            let module = library.redirected(action)
            if library.findModule(module, searchDirs: []) != nil, library.routing(module, kind: "modules")?["action_plugin"] != nil { return module }
            if library.collectionPlugin(action, kind: "action") != nil { return action }
            if let next = library.routing(action, kind: "action")?["redirect"]?.stringValue,
               library.collectionPlugin(next, kind: "action") != nil { return next }
            return module
        }
        if parts.count >= 3, parts[1] != "legacy" {
            return library.movedModule(PlayTask.shortName(action)).map { resolved($0, library: library, dirs: dirs) } ?? action
        }
        let short = PlayTask.shortName(action)
        let own = (parts.count >= 3 && ActionPlugins.file(short, dirs: actionDirs) != nil)
            || library.findModule(short, searchDirs: dirs).map { $0 != library.findModule(short, searchDirs: []) } ?? false
        // A name ansible-core moved to a collection is that collection's.
        if !own, let moved = library.movedModule(short) { return resolved(moved, library: library, dirs: dirs) }
        return (own ? "ansible.legacy." : "ansible.builtin.") + short
    }

    /// Resolved names and groups' resolved members, by name and dirs: worked out once per run
    /// (files are looked for; a group such as `aws` has hundreds of members).
    private static let resolvedNames = Mutex<[String: String]>([:])
    private static let resolvedGroups = Mutex<[String: Set<String>]>([:])

    static func cachedResolved(_ action: String, library: ModuleLibrary, dirs: [String], actionDirs: [String] = []) -> String {
        let key = action + "|" + dirs.joined(separator: ":") + "|" + actionDirs.joined(separator: ":")
        if let known = resolvedNames.withLock({ $0[key] }) { return known }
        let found = resolved(action, library: library, dirs: dirs, actionDirs: actionDirs)
        resolvedNames.withLock { $0[key] = found }
        return found
    }

    static func resolvedMembers(of group: String, library: ModuleLibrary, dirs: [String], validate: Bool) -> Set<String> {
        let key = group + "|" + dirs.joined(separator: ":")
        if let known = resolvedGroups.withLock({ $0[key] }) { return known }
        let found = Set(members(of: group, library: library, validate: validate).map { resolved($0, library: library, dirs: dirs) })
        resolvedGroups.withLock { $0[key] = found }
        return found
    }

    /// The actions of an action group by fully qualified name (a short group name is
    /// ansible.builtin's, as Base._resolve_group has it; a short member is of the group's
    /// collection), `extend_group` followed.
    static func members(of group: String, library: ModuleLibrary, validate: Bool = true) -> Set<String> {
        var seen: Set<String> = []
        var out: Set<String> = []
        func visit(_ name: String) {
            let fq = name.split(separator: ".").count >= 3 ? name : "ansible.builtin." + name
            guard seen.insert(fq).inserted else { return }
            let parts = fq.split(separator: ".").map(String.init)
            let collection = parts[0] + "." + parts[1], short = parts[2...].joined(separator: ".")
            let groups = library.runtime(collection)["action_groups"]
            guard let entries = (groups?[fq] ?? groups?[short])?.listValue else { return }
            var foundMetadata = false
            for e in entries {
                if let s = e.stringValue {
                    out.insert(s.split(separator: ".").count >= 3 ? s : collection + "." + s)
                    continue
                }
                if validate { checkMetadata(e, foundMetadata: foundMetadata, group: fq) }
                guard case .dict(let metadata)? = e["metadata"] else { continue }
                foundMetadata = true
                if let extend = metadata["extend_group"] {
                    for g in extend.listValue ?? [extend] { if let g = g.stringValue { visit(g) } }
                }
            }
        }
        visit(group)
        return out
    }

    /// Groups whose metadata was checked (Ansible warns once, when the play loads its defaults).
    private static let checked = Mutex<Set<String>>([])

    /// _validate_action_group_metadata: a group's `metadata` entry with anything but
    /// `extend_group` (a list or a name) is warned about, once.
    static func checkMetadata(_ entry: Value, foundMetadata: Bool, group: String) {
        var problems: [String] = []
        let keys = entry.dictValue?.keys.map(\.pythonStr) ?? []
        if keys != ["metadata"] {
            problems.append("The only expected key is metadata, but got keys: \(keys.sorted().joined(separator: ", "))")
        } else {
            if foundMetadata { problems.append("The group contains multiple metadata entries.") }
            if case .dict(let m)? = entry["metadata"] {
                let unexpected = m.keys.map(\.pythonStr).filter { $0 != "extend_group" }
                if !unexpected.isEmpty { problems.append("The metadata contains unexpected keys: \(unexpected.joined(separator: ", "))") }
                if let v = m["extend_group"], v.listValue == nil, v.stringValue == nil {
                    problems.append("The metadata contains unexpected key types: extend_group is \(v.pythonStr) (expected type list)")
                }
            } else {
                problems.append("The metadata is not a dictionary. Got \((entry["metadata"] ?? .none).pythonStr)")
            }
        }
        guard !problems.isEmpty, checked.withLock({ $0.insert(group + "|" + problems.joined()).inserted }) else { return }
        Output.warning((["Invalid metadata was found for action_group \(group) while loading module_defaults."] + problems).joined(separator: " "))
    }
}
