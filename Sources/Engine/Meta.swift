// `meta:` tasks act on the run itself rather than on a host, as the linear strategy's
// _execute_meta: once (for the first host) or host by host, `when` evaluated for that host, the
// outcome said at -vv as `META: …`, a skipped one shown as skipped; none counts in the recap.
import Playbook
import Remote
import Values

extension PlaybookRunner {
    func runMeta(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String], prefix: String) async {
        let what = (task.args["_raw_params"] ?? task.args["free_form"])?.pythonStr.trimmingCharacters(in: " ") ?? ""
        let perHost = ["noop", "reset_connection", "end_host", "role_complete", "flush_handlers", "end_role"].contains(what)
        if ["noop", "refresh_inventory", "reset_connection"].contains(what), task["when"] != nil {
            Output.warning("\(what) task does not support when conditional")
        }
        if what == "refresh_inventory" {
            do {
                try inventory.refresh()
                inventoryChanged()
                // The strategy takes the play's hosts from the inventory anew at each task (within
                // the batch): a host the refreshed inventory no longer has, or that no longer
                // matches the play, runs nothing more in it.
                let matching = Set(try PlaybookRunner.playHosts(pc.play, inventory, limit: options.limit, extraVars: options.extraVars))
                endHosts(pc.batch.filter { !matching.contains($0) })
            } catch {
                abortRun(PlaybookError("\(error)", at: task.location))
                return
            }
            Output.verbose("META: inventory successfully refreshed", caplevel: 1)
            return
        }
        if what == "flush_handlers", prefix == "RUNNING HANDLER" {
            abortRun(PlaybookError("flush_handlers cannot be used as a handler"))
            return
        }
        if what == "end_role" {
            if prefix == "RUNNING HANDLER" { abortRun(PlaybookError("Cannot execute 'end_role' from a handler", at: task.location)); return }
            if task.role == nil { abortRun(PlaybookError("Cannot execute 'end_role' from outside of a role", at: task.location)); return }
        }
        let known = ["noop", "flush_handlers", "clear_facts", "clear_host_errors", "end_batch", "end_play", "end_host",
                     "reset_connection", "role_complete", "end_role"]
        guard known.contains(what) else {
            // Ansible stops the whole run here (exit 1), naming the task.
            abortRun(PlaybookError("invalid meta action requested: \(what)", at: task.location))
            return
        }
        var flushFor: [String] = []
        for (i, host) in (perHost ? hosts : Array(hosts.prefix(1))).enumerated() {
            // Each host's run prints the task banner again.
            if i > 0 { callback.taskStart(task.displayName, prefix: prefix, path: task.location) }
            let holds: Bool
            do { holds = try metaCondition(task, host: host, pc: pc, what: what) } catch {
                failHost(host, task, TaskError.keyword(task, keyword: "when", "\(error)", at: (error as? AnsibleError)?.location).result)
                continue
            }
            var msg = what
            var skip: String?
            var implicitHeader = false
            let otherwise = "\(what) conditional evaluated to False"
            switch what {
            case "noop":
                msg = "noop"
            case "flush_handlers":
                if holds {
                    flushFor.append(host)
                    announceNotified(pc.play, hosts: [host])
                    msg = "triggered running handlers for \(host)"
                } else {
                    skip = otherwise + ", not running handlers for \(host)"
                }
            case "clear_facts":
                if holds { for h in pc.hosts { vars.clearFacts(h) }; msg = "facts cleared" } else {
                    skip = otherwise + ", not clearing facts and fact cache for \(host)"
                }
            case "clear_host_errors":
                if holds { clearErrors(pc.hosts); msg = "cleared host errors" } else {
                    skip = otherwise + ", not clearing host error state for \(host)"
                }
            case "end_batch", "end_play":
                if holds {
                    endHosts(reachable(pc.batch))
                    if what == "end_play" { endPlay() }
                    msg = what == "end_play" ? "ending play" : "ending batch"
                } else {
                    skip = otherwise + (what == "end_play" ? ", continuing play" : ", continuing current batch")
                }
            case "end_host":
                if holds { endHosts([host]); msg = "ending play for \(host)" } else {
                    skip = otherwise + ", continuing execution for \(host)"
                    msg = "end_host conditional evaluated to false, continuing execution for \(host)"
                }
            case "end_role":
                if holds, let role = task.role {
                    endRole(role, for: host)
                    msg = "ending role \(role.name) for \(host)"
                    // Ansible's strategy has moved on to the role's implicit role_complete by then,
                    // whose META lines are debug ones: this one is never shown at -vv.
                    implicitHeader = true
                } else {
                    skip = otherwise + ", continuing role \(task.role?.name ?? "") for \(host)"
                }
            case "reset_connection":
                // The next task on the host starts a new agent over a new connection.
                if let scope = try? vars.scope(host: host, pc: pc, task: task) {
                    let ctx = ActionContext(task: task, host: host, args: Dict(), scope: scope, runner: self, keywords: [:])
                    if let first = (try? ctx.stack)?.first { ContextService.shared.dropAll(from: first) }
                }
                msg = "reset connection"
            default:
                break
            }
            if implicitHeader { Output.debug("META: \(skip ?? msg)") } else { Output.verbose("META: \(skip ?? msg)", caplevel: 1) }
            if let skip {
                callback.result(host: host, action: task.action, status: .skipped,
                                result: ["msg": .unsafe(msg), "skip_reason": .unsafe(skip), "skipped": true], ignoring: false)
            }
        }
        if !flushFor.isEmpty { await runHandlers(pc.play, pc: pc, only: flushFor) }
    }

    /// A meta task's `when` (its blocks' too) for one host; true without one.
    func metaCondition(_ task: PlayTask, host: String, pc: VariableManager.PlayContext, what: String) throws -> Bool {
        let conditions = task.conditions
        guard !conditions.isEmpty, !["noop", "refresh_inventory", "reset_connection"].contains(what) else { return true }
        let scope = try vars.scope(host: host, pc: pc, task: task)
        for i in conditions.indices where !(try holds(task, condition: i, scope).0) { return false }
        return true
    }
}
