// async: the module starts detached in the agent, which writes Ansible's job file
// (~/.ansible_async/<jid>); with poll > 0 the task waits, reading it through async_status.
import Remote
import Values

enum AsyncRunner {
    /// A new job's id, as the async wrapper makes them.
    static func jobID() -> String { "j\(Int.random(in: 0..<999_999_999_999))" }

    /// Where job files go: `ansible_async_dir`, ANSIBLE_ASYNC_DIR, ~/.ansible_async.
    static func jobDir(_ c: ActionContext) throws -> String {
        try c.scope.lookup("ansible_async_dir")?.stringValue ?? Files.environment("ANSIBLE_ASYNC_DIR") ?? "~/.ansible_async"
    }

    /// 2.19 reports these as booleans (the wrapper writes 1 and 0).
    static func booleans(_ d: inout Dict, _ keys: [String]) {
        for k in keys { if let v = d[.string(k)] { d[.string(k)] = .bool(v.truthy) } }
    }

    static func run(_ c: ActionContext, timeLimit: Int, poll: Int) async throws -> Dict {
        let module = c.task.action == "shell" || c.task.action == "ansible.builtin.shell" ? "ansible.builtin.command" : c.task.action
        let started = try await start(c, module, shellArgs(c), timeLimit: timeLimit)
        guard poll > 0, started["ansible_job_id"] != nil else { return started }
        return try await wait(c, started: started, poll: poll)
    }

    /// The module started as a job the async wrapper's way: its `ansible_job_id` result.
    static func start(_ c: ActionContext, _ module: String, _ args: Dict, timeLimit: Int) async throws -> Dict {
        var started = try await c.runModule(module, args, method: "run_async",
                                            extra: ["jid": .string(jobID()), "time_limit": .int(timeLimit), "async_dir": .string(try jobDir(c))])
        guard started["ansible_job_id"] != nil else { return started }
        started["changed"] = true
        booleans(&started, ["started", "finished"])
        return started
    }

    /// Polls a started job every `poll` seconds until it finishes: its result.
    static func wait(_ c: ActionContext, started: Dict, poll: Int) async throws -> Dict {
        let asyncDir = try jobDir(c)
        guard let jobID = started["ansible_job_id"]?.stringValue else { return started }
        while true {
            try await _Concurrency.Task.sleep(nanoseconds: Seconds.nanoseconds(Double(poll)))
            var status = try await c.runModule("ansible.builtin.async_status",
                                               ["jid": .string(jobID), "_async_dir": .string(asyncDir)])
            status["started"] = .bool(status["started"]?.truthy ?? true)
            status["finished"] = .bool(status["finished"]?.truthy ?? false)
            let finished = status["finished"]?.truthy ?? false
            c.runner.callback.asyncPoll(host: c.host, jid: jobID, finished: finished, failed: status["failed"]?.truthy ?? false)
            if finished {
                status["ansible_job_id"] = .string(jobID)
                if status["results_file"] == nil { status["results_file"] = started["results_file"] }   // as the async_status action adds it
                // The controller waited for it: the job file goes, as Ansible's async wrapper cleans up.
                _ = try? await c.runModule("ansible.builtin.async_status",
                                           ["jid": .string(jobID), "mode": "cleanup", "_async_dir": .string(asyncDir)])
                return status
            }
        }
    }

    /// shell runs as command with `_uses_shell`, as its action does when not async.
    static func shellArgs(_ c: ActionContext) -> Dict {
        var a = c.args
        if c.task.shortAction == "shell" { a["_uses_shell"] = true }
        return a
    }
}
