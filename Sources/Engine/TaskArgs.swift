// A task's arguments when it runs, as 2.19's Task._post_validate_args and TaskArgsFinalizer make
// them. Layers, lowest first: the action's module_defaults, a template given as `args:`, free-form
// text that is one template (for an action that takes no raw params), the task's own arguments
// (k=v words over an `args:` mapping, settled when the playbook loaded). Each key comes from the
// highest layer that has it and only that value is templated; one that renders to omit is gone,
// whatever a lower layer says ("omit obliterates"). The keys come out sorted, as Ansible's do.
import Playbook
import Values

extension PlaybookRunner {
    func finalizedArgs(_ task: PlayTask, scope: VarScope) throws -> Dict {
        var own = task.args
        var layers = [try moduleDefaults(task, scope: scope)]
        if let splat = task.keywords["args"], case .string = splat {
            layers.append(try argsLayer(task, splat, at: task.keywordLocations["args"] ?? task.location, scope: scope))
        }
        if case .string(let raw)? = own["_raw_params"], !raw.isEmpty, !takesRawParams(task) {
            own["_raw_params"] = nil
            guard Keywords.isPossiblyAllTemplate(raw) else {
                throw TaskError.keyword(task, keyword: "@action", "Action '\(resolvedName(task))' does not support raw params.")
            }
            layers.append(try argsLayer(task, .string(raw), at: task.argLocations["_raw_params"] ?? task.location, scope: scope))
        }
        layers.append(own)
        var args = Dict()
        for k in Set(layers.flatMap(\.keys)).sorted(by: { $0.pythonStr < $1.pythonStr }) {
            guard let v = layers.last(where: { $0[k] != nil })?[k] else { continue }
            // assert's `that` holds expressions: the action resolves it itself (finalize_task_arg).
            if k == "that", task.shortAction == "assert" {
                args[k] = v
                continue
            }
            let r: Value
            // set_fact stores what the template gave: a value tagged deprecated stays tagged.
            let keepingTag = task.shortAction == "set_fact"
            do {
                r = try Templar.$origin.withValue(task.argLocations[k.pythonStr]) { try vars.templar.template(v, scope, keepingTag: keepingTag) }
            } catch let e as AnsibleError {
                throw TaskError.args(task, name: resolvedName(task), key: k.pythonStr, e.message).with(e)
            }
            if !r.isOmit { args[k] = r }
        }
        return args
    }

    /// mod_args' RAW_PARAM_MODULES, or a Python plugin whose class says `supports_raw_params`.
    func takesRawParams(_ task: PlayTask) -> Bool {
        Keywords.rawParamModules.contains(task.shortAction) || PythonAction.handler(task, runner: self)?.rawParams == true
    }

    /// The action's resolved name as Ansible's messages give it: a user's library module or
    /// action plugin by its short name.
    func resolvedName(_ task: PlayTask) -> String {
        let short = PlayTask.shortName(task.action), actionDirs = PythonAction.actionDirs(task, runner: self)
        if task.action == short || task.action.hasPrefix("ansible.legacy."), ActionPlugins.file(short, dirs: actionDirs) != nil { return short }
        let name = ModuleDefaults.cachedResolved(task.action, library: library, dirs: ActionContext.moduleDirs(task, runner: self),
                                                 actionDirs: actionDirs)
        return name.hasPrefix("ansible.legacy.") ? String(name.dropFirst(15)) : name
    }

    /// A template layer (`args: "{{ d }}"`, `debug: "{{ d }}"`): what it renders to must be a
    /// mapping (omit is an empty one), with 2.19's warning that this is unsafe.
    private func argsLayer(_ task: PlayTask, _ template: Value, at: SourceLocation, scope: VarScope) throws -> Dict {
        DeprecationCollector.current?.warn("Using a template for task args is unsafe in some situations (see https://docs.ansible.com/ansible/devel/reference_appendices/faq.html#argsplat-unsafe).", at: at)
        let rendered: Value
        do { rendered = try vars.templar.container(template, scope) } catch let e as AnsibleError {
            throw TaskError.args(task, name: resolvedName(task), key: "args", e.message).with(e)
        }
        if rendered.isOmit { return Dict() }
        guard case .dict(let d) = rendered else {
            let a = "Finalization of task args for '\(resolvedName(task))' failed"
            let b = "Task args must resolve to a 'dict' not '\(rendered.typeName)'."
            throw TaskError(links: [("Task failed.", task.location), (a + ".", task.keywordLocations["@action"]), (b, at)],
                            flat: "Task failed: \(a): \(b)")
        }
        return d
    }
}
