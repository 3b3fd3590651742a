// `meta:` tasks act on the run itself rather than on a host: they print their banner and no
// result line, and count in no recap column, as ansible-playbook does.
import Playbook
import Remote
import Values

extension PlaybookRunner {
    func runMeta(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String], prefix: String) async {
        let what = (task.args["_raw_params"] ?? task.args["free_form"])?.pythonStr.trimmingCharacters(in: " ") ?? ""
        // Ansible runs these once per host, and each run prints the task banner again.
        if ["noop", "reset_connection", "end_host", "flush_handlers"].contains(what) {
            for _ in hosts.dropFirst() { callback.taskStart(task.displayName, prefix: prefix, path: task.location) }
        }
        // With `when`, Ansible runs a meta task host by host, a banner each; not matched yet.
        let ignoresWhen = ["noop", "reset_connection"].contains(what)
        if task["when"] != nil, !ignoresWhen {
            abortRun(PlaybookError("meta: \(what) with 'when' is not supported by swansible yet", at: task.location))
            return
        }
        if task["when"] != nil { Output.warning("\(what) task does not support when conditional") }
        switch what {
        case "noop":
            break
        case "flush_handlers":
            await runHandlers(pc.play, pc: pc)
        case "end_host":
            endHosts(hosts)
        case "end_play", "end_batch":
            endHosts(pc.hosts)
        case "clear_facts":
            for h in hosts { vars.state(h).facts = Dict() }
        case "clear_host_errors":
            clearErrors(pc.hosts)
        case "reset_connection":
            // The next task on each host starts a new agent over a new connection.
            for h in hosts {
                guard let scope = try? vars.scope(host: h, pc: pc, task: task) else { continue }
                let ctx = ActionContext(task: task, host: h, args: Dict(), scope: scope, runner: self, keywords: [:])
                if let first = (try? ctx.stack)?.first { ContextService.shared.dropAll(from: first) }
            }
        case "end_role", "refresh_inventory":
            abortRun(PlaybookError("meta: \(what) is not supported by swansible yet", at: task.location))
        default:
            // Ansible stops the whole run here (exit 1), naming the task.
            abortRun(PlaybookError("invalid meta action requested: \(what)", at: task.location))
        }
    }
}
