// async_status: Ansible's action around the module: defaults first, started/finished as booleans.
import Values

enum AsyncStatusAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        guard let jid = c.args["jid"]?.pythonStr else { throw TaskFailure(message: "missing required arguments: jid") }
        let mode = c.args["mode"]?.pythonStr ?? "status"
        let asyncDir = try AsyncRunner.jobDir(c)
        var r: Dict = ["started": false, "finished": false, "stdout": "", "stderr": "", "stdout_lines": .list([]),
                       "stderr_lines": .list([]), "ansible_job_id": .string(jid)]
        let path = Files.join(asyncDir, jid)
        if mode == "cleanup" { r["erased"] = .string(path) } else {
            r["results_file"] = .string(path)
            r["started"] = true
        }
        let module = try await c.runModule("ansible.builtin.async_status", ["jid": .string(jid), "mode": .string(mode),
                                                                           "_async_dir": .string(asyncDir)])
        for (k, v) in module { r[k] = v }
        for k in ["started", "finished"] { r[.string(k)] = .bool(r[.string(k)]?.truthy ?? false) }
        return r
    }
}
