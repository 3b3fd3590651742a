// Actions by name: a new action is one file and one line here.
import Values

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
    "reboot": RebootAction.self,
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

/// What ansible-core's ActionBase.run checks before an action plugin runs.
enum ActionRules {
    /// Action plugins without `_supports_async` (shell's runs through command, which has it).
    static let noAsync: Set<String> = ["add_host", "assemble", "assert", "async_status", "copy", "debug", "fail", "fetch",
                                       "gather_facts", "group_by", "include_vars", "pause", "raw", "reboot", "script",
                                       "set_fact", "set_stats", "template", "unarchive", "validate_argument_spec",
                                       "wait_for_connection"]
    /// Action plugins with a `_VALID_ARGS` list: any other argument fails the task.
    static let validArgs: [String: Set<String>] = [
        "fail": ["msg"], "group_by": ["key", "parents"], "set_stats": ["aggregate", "data", "per_host"],
        "wait_for_connection": ["connect_timeout", "delay", "sleep", "timeout"],
        "reboot": ["boot_time_command", "connect_timeout", "msg", "post_reboot_delay", "pre_reboot_delay", "reboot_command",
                   "reboot_timeout", "search_paths", "test_command"],
    ]

    static func check(_ task: PlayTask, args: Dict) throws {
        guard let valid = validArgs[task.shortAction] else { return }
        let bad = args.keys.map(\.pythonStr).filter { !valid.contains($0) }.sorted()
        if !bad.isEmpty { throw TaskFailure.raise("Invalid options for \(task.action): \(bad.joined(separator: ","))") }
    }
}
