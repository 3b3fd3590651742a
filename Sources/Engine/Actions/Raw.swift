// raw: one shell command over the transport itself, no Python and no agent on the target.
import Remote
import Values

enum RawAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        guard let cmd = c.args["_raw_params"]?.pythonStr else { throw TaskFailure(message: "raw requires a command") }
        let (rc, stdout, stderr) = try await execute(c, cmd)
        var r: Dict = [
            "changed": true, "rc": .int(rc), "stdout": .string(stdout), "stdout_lines": .list(lines(stdout)),
            "stderr": .string(stderr), "stderr_lines": .list(lines(stderr)),
        ]
        if rc != 0 {
            r["failed"] = true
            r["msg"] = "non-zero return code"
        }
        return r
    }

    /// ActionBase._low_level_execute_command: the command over the transport, wrapped by the
    /// become method when there is one; a lost connection is Unreachable.
    static func execute(_ c: ActionContext, _ command: String) async throws -> (rc: Int, stdout: String, stderr: String) {
        var cmd = command
        let hop = try c.connection.hop
        // become: the command line of the method wraps it, as Ansible's become plugins build it
        // (no prompt can be answered over raw, so sudo and doas run non-interactive).
        if let b = try c.connection.become {
            let inner = "/bin/sh -c " + AnsibleFilters.shellQuote(cmd)
            switch b.method {
            case "sudo": cmd = "\(b.exe ?? "sudo") \(b.flags ?? "-H -S -n") -u \(AnsibleFilters.shellQuote(b.user)) \(inner)"
            case "su": cmd = "\(b.exe ?? "su") \(b.flags ?? "") \(AnsibleFilters.shellQuote(b.user)) -c \(AnsibleFilters.shellQuote(inner))"
            case "doas": cmd = "\(b.exe ?? "doas") \(b.flags ?? "-n") -u \(AnsibleFilters.shellQuote(b.user)) \(inner)"
            default: throw TaskFailure(message: "raw cannot become with '\(b.method)'")
            }
        }
        let (rc, out, err): (Int, [UInt8], [UInt8])
        do { (rc, out, err) = try await ContextService.shared.runRaw(hop, cmd) } catch let e as RemoteError {
            throw Unreachable(message: e.description)
        }
        return (rc, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func lines(_ s: String) -> [Value] {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { Value.string(String($0)) }.dropLastIfEmpty
    }
}

extension Array where Element == Value {
    var dropLastIfEmpty: [Value] { last == .string("") ? Array(dropLast()) : self }
}
