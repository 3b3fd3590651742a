// command and shell: the command module, with `_uses_shell` for shell.
import Values

enum CommandAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        try await c.runModule("ansible.builtin.command", c.args)
    }
}

enum ShellAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        // An option of command only, which shell's action refuses.
        if args["expand_argument_vars"] != nil {
            throw TaskFailure.raise("Unsupported parameters for (\(c.task.action)) module: expand_argument_vars")
        }
        args["_uses_shell"] = true
        return try await c.runModule("ansible.builtin.command", args)
    }
}
