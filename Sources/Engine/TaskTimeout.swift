// The `timeout` keyword: a task that runs longer fails with Ansible's "Timed out after N
// second(s)." Its agent is stopped (with the module in it), so the host's next task starts on a
// fresh one instead of queueing behind a call that may never end.
import Remote
import Values

extension PlaybookRunner {
    struct TimedOut: Error { let seconds: Int }

    func withTaskTimeout(_ task: PlayTask, host: String, scope: VarScope, pc: VariableManager.PlayContext) async throws -> (Status, Dict) {
        guard let raw = keyword(task, "timeout") ?? (settings.taskTimeout != 0 ? .int(settings.taskTimeout) : nil), let seconds = try vars.templar.template(raw, scope).intValue, seconds != 0 else {
            return try await execute(task, host: host, scope: scope, pc: pc)
        }
        // AnsibleTimeoutError's bounds (signal.alarm's).
        guard (0...100_000_000).contains(seconds) else {
            let message = "Task failed: Timeout \(seconds) is invalid, it must be between 0 and 100000000."
            throw TaskError(links: [(message, task.location)], flat: message)
        }
        do {
            let silence = DefaultCallback.Silence()
            return try await withThrowingTaskGroup(of: (Status, Dict)?.self) { group in
                group.addTask { try await DefaultCallback.$silence.withValue(silence) { try await self.execute(task, host: host, scope: scope, pc: pc) } }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let outcome = first else {
                    // Time is up: stop the agent the task runs in, so the call under way ends
                    // (and whatever it still reports is not shown).
                    silence.on = true
                    let ctx = ActionContext(task: task, host: host, args: Dict(), scope: scope, runner: self, keywords: [:])
                    if let hop = (try? ctx.stack)?.first { ContextService.shared.dropAll(from: hop) }
                    throw TimedOut(seconds: seconds)
                }
                return outcome
            }
        } catch let t as TimedOut {
            let message = "Task failed: Timed out after \(t.seconds) second(s)."
            var r = TaskError(links: [(message, task.location)], flat: message).result
            r["timedout"] = ["frame": "Configure `DISPLAY_TRACEBACK` to see a traceback on timeout errors.", "period": .int(t.seconds)]
            callback.result(host: host, action: task.action, status: .failed, result: r, ignoring: keyword(task, "ignore_errors")?.truthy ?? false)
            if let reg = task["register"]?.pythonStr { vars.state(host).setFacts[.string(reg)] = .dict(DefaultCallback.stripInternal(r)) }
            return (.failed, r)
        }
    }
}
