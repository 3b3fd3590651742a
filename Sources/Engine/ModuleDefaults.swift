// module_defaults: the play's, its blocks' and imports', and the task's own (outer first) under
// the task's arguments, as get_action_args_with_defaults merges them: `group/<name>` entries for
// the actions of that group (a collection's meta/runtime.yml `action_groups`), then the entry
// for the action itself, then what the task says.
import Values

extension PlaybookRunner {
    /// `action`: the module the defaults are for, when not the task's own (gather_facts' fact modules).
    func withModuleDefaults(_ task: PlayTask, _ args: Dict, scope: VarScope, action: String? = nil) throws -> Dict {
        let levels = [playKeywords["module_defaults"], task.inheritedKeywords["module_defaults"], task.keywords["module_defaults"]]
            .compactMap { $0 }.flatMap { $0.listValue ?? [$0] }
        guard !levels.isEmpty else { return args }
        var defaults = Dict()
        for level in levels {
            let rendered = try vars.templar.template(level, scope)
            if rendered.isNone || rendered.isOmit { continue }
            guard case .dict(let d) = rendered else {
                throw TaskFailure(message: "The field 'module_defaults' is supposed to be a dictionary or list of dictionaries, the keys of which must be static action, module, or group names. Only the values may contain templates.")
            }
            for (k, v) in d { defaults[k] = v }
        }
        let action = PlayTask.shortName(action ?? task.action)
        let collections = (playKeywords["collections"]?.listValue ?? []).map(\.pythonStr)
        var out = Dict()
        for (k, v) in defaults {
            let key = k.pythonStr
            guard key.hasPrefix("group/"),
                  ModuleDefaults.members(of: String(key.dropFirst(6)), collections: collections, library: library).contains(action),
                  case .dict(let d) = v else { continue }
            for (a, b) in d where !b.isOmit { out[a] = b }
        }
        for (k, v) in defaults where !k.pythonStr.hasPrefix("group/") && PlayTask.shortName(k.pythonStr) == action {
            if case .dict(let d) = v { for (a, b) in d where !b.isOmit { out[a] = b } }
        }
        for (k, v) in args { out[k] = v }
        return out
    }
}

enum ModuleDefaults {
    /// The actions of an action group (`ns.coll.group`, or a short name found in ansible.builtin
    /// and the play's `collections`), `extend_group` followed, each action by its short name (Task.shortName: `copy` for ansible.builtin.copy too).
    static func members(of group: String, collections: [String], library: ModuleLibrary) -> Set<String> {
        var seen: Set<String> = []
        var out: Set<String> = []
        func visit(_ name: String) {
            guard seen.insert(name).inserted else { return }
            let parts = name.split(separator: ".").map(String.init)
            let candidates = parts.count >= 3 ? [(parts[0] + "." + parts[1], parts[2...].joined(separator: "."))]
                : (["ansible.builtin"] + collections).map { ($0, name) }
            for (collection, short) in candidates {
                guard let entries = library.runtime(collection)["action_groups"]?[short]?.listValue else { continue }
                for e in entries {
                    if let s = e.stringValue {
                        out.insert(PlayTask.shortName(s.split(separator: ".").count >= 3 ? s : (collection == "ansible.builtin" ? s : collection + "." + s)))
                    } else if let extend = e["metadata"]?["extend_group"] {
                        for g in extend.listValue ?? [extend] {
                            guard let g = g.stringValue else { continue }
                            visit(g.split(separator: ".").count >= 3 ? g : collection + "." + g)
                        }
                    }
                }
                break
            }
        }
        visit(group)
        return out
    }
}
