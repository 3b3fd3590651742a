// swansible_get_stack (and mitogen_get_stack): the connection stack this task would use, without
// connecting; `swansible-playbook --explain-connection HOST` prints the same.
import Remote
import Values

enum GetStackAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        ["changed": false, "result": .list(try c.stack.map(\.described))]
    }
}

extension PlaybookRunner {
    /// The stack for a host outside any task (the first play that targets it, or an empty play).
    public func explainConnection(_ host: String, book: PlaybookFile) throws -> Value {
        let play = try book.plays.first { try PlaybookRunner.playHosts($0, inventory, limit: nil, extraVars: options.extraVars).contains(host) }
            ?? Play(name: nil, hosts: .string(host), vars: Dict(), varsFiles: [], keywords: [:], preTasks: [], tasks: [],
                    postTasks: [], handlers: [], roles: [], location: SourceLocation.unknown)
        _ = try inventory.hosts(matching: host, quietly: true)
        playKeywords = play.keywords
        currentPlay = VariableManager.PlayContext(play: play, playVars: play.vars, hosts: [host], batch: [host])
        let task = PlayTask(name: "explain", action: "swansible_get_stack", args: Dict(), keywords: [:], location: play.location, role: nil)
        let scope = try vars.scope(host: host, pc: currentPlay!, task: task)
        var keywords: [String: Value] = [:]
        for k in ["connection", "remote_user", "become", "become_user", "become_method", "become_flags", "become_exe"] {
            if let v = play.keywords[k] { keywords[k] = v }
        }
        let ctx = ActionContext(task: task, host: host, args: Dict(), scope: scope, runner: self, keywords: keywords)
        return .list(try ctx.stack.map { $0.described })
    }
}
import Playbook
