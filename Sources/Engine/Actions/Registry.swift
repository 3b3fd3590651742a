// Actions by name: a new action is one file and one line here.
let builtinActions: [String: any Action.Type] = [
    "command": CommandAction.self,
    "shell": ShellAction.self,
    "raw": RawAction.self,
    "copy": CopyAction.self,
    "template": TemplateAction.self,
    "fetch": FetchAction.self,
    "script": ScriptAction.self,
    "assemble": AssembleAction.self,
    "unarchive": UnarchiveAction.self,
    "group_by": GroupByAction.self,
    "add_host": AddHostAction.self,
    "debug": DebugAction.self,
    "set_fact": SetFactAction.self,
    "assert": AssertAction.self,
    "fail": FailAction.self,
    "gather_facts": GatherFactsAction.self,
    "setup": GatherFactsAction.self,
    "include_vars": IncludeVarsAction.self,
    "async_status": AsyncStatusAction.self,
    "pause": PauseAction.self,
    "package": PackageAction.self,
    "set_stats": SetStatsAction.self,
    "wait_for_connection": WaitForConnectionAction.self,
    "validate_argument_spec": ValidateArgumentSpecAction.self,
    "service": ServiceAction.self,
    "swansible_get_stack": GetStackAction.self,
    "mitogen_get_stack": GetStackAction.self,
]

/// Actions that run on the controller only and never need a connection.
let controllerActions: Set<String> = ["debug", "set_fact", "assert", "fail", "include_vars", "pause", "validate_argument_spec", "set_stats", "include_tasks", "include", "include_role", "group_by", "add_host",
                                      "swansible_get_stack", "mitogen_get_stack"]

func action(for name: String) -> any Action.Type {
    var short = name
    for p in ["ansible.builtin.", "ansible.legacy."] where name.hasPrefix(p) { short = String(name.dropFirst(p.count)) }
    if short == "setup" { return NormalAction.self }
    return builtinActions[short] ?? NormalAction.self
}
