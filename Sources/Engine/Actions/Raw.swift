// raw: one shell command over the transport itself, no Python and no agent on the target.
import Remote
import Values

enum RawAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        // The environment is not exported for raw: said, as Ansible's action says it.
        let warnings: [Value] = try c.environment.isEmpty ? [] : ["raw module does not support the environment keyword"]
        if c.checkMode { return ["changed": false, "skipped": true, "warnings": .list(warnings)] }   // never run under --check
        guard let cmd = c.args["_raw_params"]?.pythonStr else { throw TaskFailure(message: "raw requires a command") }
        let (rc, stdout, stderr) = try await execute(c, cmd)
        var r: Dict = ["warnings": .list(warnings),
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
    /// become method when there is one (its password answered, its success marker dropped), then
    /// run by the task's `executable` (or the one given); a lost connection is Unreachable.
    /// `sudoable`: false runs it as the login user even when the task becomes another.
    static func execute(_ c: ActionContext, _ command: String, executable given: String? = nil,
                        sudoable: Bool = true) async throws -> (rc: Int, stdout: String, stderr: String) {
        let hop = try c.connection.hop
        let executable = given ?? c.args["executable"].flatMap { $0.truthy ? $0.pythonStr : nil }
        var cmd = command
        var exchange: BecomeExchange?
        if sudoable, let b = try c.connection.become {
            (cmd, exchange) = try wrap(command, b, shell: executable ?? "/bin/sh", c)
        }
        // allow_executable: the task's executable runs the whole line (the connection's shell otherwise).
        if let executable { cmd = executable + " -c " + Shlex.quote(cmd) }
        let (rc, out, err): (Int, [UInt8], [UInt8])
        // The ssh plugin's -tt for a sudoable command (use_tty: ansible_ssh_use_tty, [ssh_connection] usetty).
        let useTTY = try c.scope.lookup("ansible_ssh_use_tty").map { AnsibleFilters.boolean($0).truthy }
            ?? c.runner.settings.value(env: "ANSIBLE_SSH_USETTY", section: "ssh_connection", key: "usetty").map(Settings.truthy) ?? true
        do { (rc, out, err) = try await ContextService.shared.runRaw(hop, cmd, become: exchange, tty: sudoable && useTTY) } catch let e as RemoteError {
            throw Unreachable(message: e.description)
        } catch let e as BecomeStageError {
            if e.reason == .timedOut { throw Unreachable(message: e.message) }
            let flat = "Task failed: " + e.message
            throw TaskError(links: [(flat, c.task.location)], flat: flat)
        }
        return (rc, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// The become plugin's build_become_command: `echo MARKER ; cmd` run by the shell under the
    /// method, and what its become stage looks for (sudo's own prompt, su's localized ones).
    static func wrap(_ command: String, _ b: BecomeOptions, shell: String, _ c: ActionContext) throws -> (String, BecomeExchange?) {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let id = String((0..<32).map { _ in letters.randomElement()! })
        let marker = "BECOME-SUCCESS-" + id
        let success = shell + " -c " + Shlex.quote("echo \(marker) ; \(command)")
        let timeout = (try c.scope.lookup("ansible_local_become_success_timeout")?.intValue).flatMap { $0 >= 1 ? $0 : nil } ?? 10
        switch b.method {
        case "sudo":
            var flags = b.flags ?? "-H -S -n"
            var prompt = ""
            let sudoPrompt = "[sudo via ansible, key=\(id)] password:"
            if b.password != nil {
                // Without -n (also inside grouped short flags), and with a prompt to watch for.
                flags = flags.split(separator: " ").compactMap { f -> String? in
                    if f == "-n" || f == "--non-interactive" { return nil }
                    guard f.hasPrefix("-"), !f.hasPrefix("--"), let n = f.dropFirst().firstIndex(of: "n") else { return String(f) }
                    var g = f
                    g.remove(at: n)
                    return String(g)
                }.joined(separator: " ")
                prompt = "-p \"\(sudoPrompt)\""
            }
            var sudo = b.exe ?? "sudo"
            // sudo_chdir (ansible_sudo_chdir, ANSIBLE_SUDO_CHDIR, [sudo_become_plugin] chdir): cd first.
            let chdir = try c.scope.lookup("ansible_sudo_chdir")?.pythonStr
                ?? c.runner.settings.value(env: "ANSIBLE_SUDO_CHDIR", section: "sudo_become_plugin", key: "chdir")
            if let chdir, !chdir.isEmpty { sudo = "cd \(Shlex.quote(chdir)) && " + sudo }
            let cmd = [sudo, flags, prompt, b.user.isEmpty ? "" : "-u " + b.user, success].joined(separator: " ")
            var exchange = BecomeExchange(marker: marker, password: b.password,
                                          findPrompt: { $0.trimmingCharacters(in: " \t\r").hasPrefix(sudoPrompt) ? sudoPrompt : nil },
                                          timeout: Double(timeout))
            (exchange.method, exchange.fail, exchange.missing) = ("sudo", ["Sorry, try again."],
                                                                  ["Sorry, a password is required to run sudo", "sudo: a password is required"])
            return (cmd, exchange)
        case "su":
            let cmd = "\(b.exe ?? "su") \(b.flags ?? "") \(b.user) -c \(Shlex.quote(success))"
            let prompts = b.prompts
            var exchange = BecomeExchange(marker: marker, password: b.password, findPrompt: { line in
                prompts.lazy.compactMap { suPromptMatch(line, $0) }.first
            }, timeout: Double(timeout))
            (exchange.method, exchange.fail) = ("su", ["Authentication failure"])
            return (cmd, exchange)
        case "doas":
            // community.general's doas: non-interactive unless a password is given (not answered over raw).
            let inner = shell + " -c " + Shlex.quote(command)
            return ("\(b.exe ?? "doas") \(b.flags ?? "-n") -u \(Shlex.quote(b.user)) \(inner)", nil)
        default:
            // A Python become plugin builds the command itself, its marker and prompt with it.
            guard b.plugin != nil else { throw TaskFailure(message: "raw cannot become with '\(b.method)'") }
            var options = b
            options.plugin?.executable = shell
            let plan: BecomePlan
            do { plan = try PythonPlugins.shared.becomePlan(options, command) } catch let e as RemoteError { throw TaskFailure(message: e.description) }
            let prompt = plan.prompt.trimmingCharacters(in: " \t\r\n")
            var exchange = BecomeExchange(marker: plan.success, password: plan.password, findPrompt: { line in
                !prompt.isEmpty && line.trimmingCharacters(in: " \t\r").hasPrefix(prompt) ? prompt : nil
            }, timeout: Double(timeout))
            (exchange.method, exchange.fail, exchange.missing) = (plan.name, plan.fail, plan.missing)
            return (plan.command, exchange)
        }
    }

    /// `(?:prompt)\s*[:：]` in the line, case aside, as su's check_password_prompt: the text matched.
    static func suPromptMatch(_ line: String, _ prompt: String) -> String? {
        let original = Array(line.unicodeScalars)
        let text = Array(line.lowercased().unicodeScalars), p = Array(prompt.lowercased().unicodeScalars)
        guard !p.isEmpty, text.count == original.count, text.count >= p.count else { return nil }
        for start in 0...(text.count - p.count) where Array(text[start..<start + p.count]) == p {
            var i = start + p.count
            while i < text.count, text[i].properties.isWhitespace { i += 1 }
            if i < text.count, text[i] == ":" || text[i] == "\u{FF1A}" {
                return String(String.UnicodeScalarView(original[start...i]))
            }
        }
        return nil
    }

    /// str.splitlines(), as _low_level_execute_command makes stdout_lines (a terminal's CRLF too).
    static func lines(_ s: String) -> [Value] { s.pythonSplitLines.map(Value.string) }
}

