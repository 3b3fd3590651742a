// The keywords ansible-core 2.19 accepts on plays and tasks; anything else in a task is its
// action, and more than one action is an error.
public enum Keywords {
    static let common: Set<String> = [
        "name", "become", "become_exe", "become_flags", "become_method", "become_user", "check_mode",
        "collections", "connection", "debugger", "diff", "environment", "ignore_errors", "ignore_unreachable",
        "module_defaults", "no_log", "port", "remote_user", "run_once", "tags", "throttle", "timeout", "vars",
        "any_errors_fatal",
    ]

    static let task: Set<String> = common.union([
        "action", "args", "async", "changed_when", "delay", "delegate_facts", "delegate_to", "failed_when",
        "local_action", "loop", "loop_control", "notify", "poll", "register", "retries", "until", "when", "listen",
    ])

    static let block: Set<String> = common.union(["block", "rescue", "always", "when", "delegate_to", "delegate_facts", "notify"])

    static let play: Set<String> = common.union([
        "hosts", "gather_facts", "gather_subset", "gather_timeout", "fact_path", "vars_files", "vars_prompt",
        "pre_tasks", "tasks", "post_tasks", "handlers", "roles", "serial", "strategy", "max_fail_percentage",
        "order", "force_handlers", "user",
    ])

    /// Keywords of string type on plays, blocks and tasks, in the order their FieldAttributes are
    /// declared (Base.validate refuses a list or a mapping there, the first it finds).
    static let stringFields = ["delegate_to", "name", "connection", "remote_user", "debugger", "become_method", "become_user",
                               "become_flags", "become_exe", "fact_path", "strategy", "order"]

    /// The keywords include_tasks and include_role take (TaskInclude.VALID_INCLUDE_KEYWORDS).
    static let include: Set<String> = [
        "action", "args", "collections", "debugger", "ignore_errors", "loop", "loop_control", "loop_with", "name",
        "no_log", "register", "run_once", "tags", "timeout", "vars", "when",
    ]

    /// Actions whose free-form text is one `_raw_params` string rather than k=v pairs.
    static let rawParamActions: Set<String> = [
        "command", "shell", "script", "raw", "win_command", "win_shell", "include_tasks", "import_tasks",
        "include_vars", "import_playbook", "include_role", "import_role", "meta", "set_fact", "group_by", "include",
        "add_host", "debug", "fail", "assert", "pause", "wait_for_connection",
    ]

    /// Actions whose free-form text is kept whole (the others only keep non-k=v words).
    public static let freeFormActions: Set<String> = ["command", "shell", "script", "raw", "win_command", "win_shell",
                                               "include_tasks", "import_tasks", "include_vars", "import_playbook", "meta"]

    /// Actions that take free-form text besides k=v words (mod_args' RAW_PARAM_MODULES); the
    /// others refuse it unless it is all one template (which may render to their arguments).
    /// Jinja2's "starts and ends with delimiters": the text may be one whole template.
    public static func isAllTemplate(_ s: String) -> Bool {
        ["{{", "{%", "{#"].contains(where: s.hasPrefix) && ["}}", "%}", "#}"].contains(where: s.hasSuffix)
    }

    /// 2.19's is_possibly_all_template: that, or text with a `#jinja2:` overrides header.
    public static func isPossiblyAllTemplate(_ s: String) -> Bool { s.hasPrefix("#jinja2:") || isAllTemplate(s) }

    public static let rawParamModules: Set<String> = freeFormActions.union(["include_role", "import_role", "add_host", "group_by", "set_fact"])
}
