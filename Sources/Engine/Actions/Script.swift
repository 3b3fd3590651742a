// script: a controller file run on the target by /bin/sh, in the task's agent (so become applies),
// the file with the call when small. creates/removes are checked over there in the same message.
import Inventory
import Remote
import Values

enum ScriptAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        let args = c.args
        for k in args.keys where !["_raw_params", "cmd", "creates", "removes", "chdir", "executable", "decrypt"].contains(k.pythonStr) {
            throw TaskFailure.raise("Unsupported parameters for (script) module: \(k.pythonStr). Supported parameters include: _raw_params, chdir, cmd, creates, executable, removes.")
        }
        guard let raw = (args["_raw_params"] ?? args["cmd"])?.pythonStr.trimmingCharacters(in: " \n\t") else {
            throw TaskFailure.raise("one of the following is required: _raw_params, cmd")
        }
        if let chdir = args["chdir"]?.pythonStr, !chdir.hasPrefix("/") {
            throw TaskFailure.raise("chdir \(chdir) must be an absolute path for a Unix-aware remote node")
        }
        guard let name = (try? Shlex.split(raw))?.first else { throw TaskFailure.raise("script requires a file to run") }
        let source = try c.findFile(name, kind: "files", notFound: .caused)
        // As Ansible: the first word's text is replaced by the copy's path wherever it occurs.
        var command = raw.replacingOccurrences(of: name, with: "@@SCRIPT@@")
        if let exe = args["executable"]?.pythonStr { command = exe + " " + command }
        // `environment:` as the shell's env prefix before the command, as the script action runs it.
        let env = try c.environment
        if !env.isEmpty {
            command = env.map { "\($0.key.pythonStr)=\(Shlex.quote($0.value.pythonStr))" }.joined(separator: " ") + " " + command
        }
        var msg: Dict = ["name": .string(Files.basename(source)), "command": .string(command),
                         "remote_tmp": .string(try c.remoteTmp())]
        for k in ["creates", "removes", "chdir"] { if let v = args[.string(k)] { msg[.string(k)] = .string(v.pythonStr) } }
        let check = c.checkMode
        if check { msg["check"] = true }
        func run(_ ctx: Context, _ msg: Dict) async throws -> Value {
            do { return try await ctx.call("run_script", msg) } catch let e as RemoteError { throw Unreachable(message: e.description) }
        }
        let reply: Value
        if !check && (Files.size(source) ?? 0) > CopyAction.inlineLimit {
            reply = try await c.withUpload(.file(source)) { ctx, remote in
                msg["upload"] = .string(remote)
                return try await run(ctx, msg)
            }
        } else {
            if !check { msg["content"] = .string(Base64.encode(try Files.readBytes(source))) }
            reply = try await run(try await c.agent(), msg)
        }
        if reply["failed"]?.truthy == true { return reply.dictValue ?? ["failed": true] }
        if let skip = reply["skipped"] { return ["changed": false, "skipped": true, "msg": skip] }
        if reply["check"] != nil {
            if msg["creates"] != nil || msg["removes"] != nil { return ["changed": true] }
            return ["changed": false, "skipped": true, "msg": "Check mode is not supported for this task."]
        }
        let stdout = reply["stdout"]?.pythonStr ?? "", stderr = reply["stderr"]?.pythonStr ?? ""
        let rc = reply["rc"]?.intValue ?? 1
        var r: Dict = ["rc": .int(rc), "stdout": .string(stdout), "stdout_lines": .list(RawAction.lines(stdout)),
                       "stderr": .string(stderr), "stderr_lines": .list(RawAction.lines(stderr)), "changed": true]
        if rc != 0 {
            r["msg"] = "non-zero return code"
            r["failed"] = true
        }
        return r
    }
}
