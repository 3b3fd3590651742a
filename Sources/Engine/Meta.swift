// `meta:` tasks act on the run itself rather than on a host: they print their banner and no
// result line, and count in no recap column, as ansible-playbook does.
import Playbook
import Remote
import Values

extension PlaybookRunner {
    func runMeta(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String]) async {
        let what = (task.args["_raw_params"] ?? task.args["free_form"])?.pythonStr.trimmingCharacters(in: " ") ?? ""
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
