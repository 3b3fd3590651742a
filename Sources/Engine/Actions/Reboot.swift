// reboot: the host restarted and waited for, as ansible-core's reboot action does it: the boot
// id read, the shutdown command run over the transport (a connection lost to it is expected),
// then on fresh connections the boot id polled until it changes and the test command until it
// succeeds, with the action's backoff, within reboot_timeout.
#if canImport(Glibc)
import Glibc
#endif
import Remote
import Values

enum RebootAction: Action {
    static let defaultShutdownArgs = "-r {delay_min} \"{message}\""
    /// The action's per-system tables (distribution, then family), as ansible-core keeps them.
    static let bootTimeCommands = ["freebsd": "/sbin/sysctl kern.boottime", "openbsd": "/sbin/sysctl kern.boottime",
                                   "macosx": "who -b", "solaris": "who -b", "sunos": "who -b",
                                   "vmkernel": "grep booted /var/log/vmksummary.log | tail -n 1", "aix": "who -b"]
    static let shutdownCommands = ["alpine": "reboot", "vmkernel": "reboot"]
    static let shutdownArgs = ["alpine": "", "void": "-r +{delay_min} \"{message}\"", "freebsd": "-r +{delay_sec}s \"{message}\"",
                               "linux": defaultShutdownArgs, "macosx": "-r +{delay_min} \"{message}\"",
                               "openbsd": "-r +{delay_min} \"{message}\"", "solaris": "-y -g {delay_sec} -i 6 \"{message}\"",
                               "sunos": "-y -g {delay_sec} -i 6 \"{message}\"", "vmkernel": "-d {delay_sec}", "aix": "-Fr"]
    static let testCommands = ["solaris": "who", "vmkernel": "who"]

    struct Distribution {
        var name: String, version: String, family: String
        func pick(_ table: [String: String], _ fallback: String) -> String {
            table[name + version] ?? table[name] ?? table[family] ?? fallback
        }
    }

    struct NotYet: Error { var message: String }

    static func run(_ c: ActionContext) async throws -> Dict {
        if try c.connection.connection == "local" {
            return ["changed": false, "elapsed": 0, "rebooted": false, "failed": true,
                    "msg": .string("Running \(c.task.action) with local connection would reboot the control node.")]
        }
        if c.checkMode { return ["changed": true, "elapsed": 0, "rebooted": true] }
        func seconds(_ key: String, _ fallback: Int) throws -> Int {
            guard let v = c.args[.string(key)] ?? c.args[.string(key + "_sec")] else { return fallback }
            guard let n = v.intValue ?? Int(v.pythonStr.trimmingCharacters(in: " ")) else {
                throw TaskFailure.raise("invalid literal for int() with base 10: \(Value.string(v.pythonStr).pythonRepr)")
            }
            return n
        }
        func text(_ key: String) throws -> String? {
            guard let v = c.args[.string(key)] else { return nil }
            guard let s = v.stringValue else {
                throw TaskFailure.raise("Invalid value given for '\(key)': '\(v.pythonStr)' is not a string and conversion is not allowed.")
            }
            return s
        }
        let preDelay = max(0, try seconds("pre_reboot_delay", 0)), postDelay = max(0, try seconds("post_reboot_delay", 0))
        let timeout = try seconds("reboot_timeout", 600)
        let distribution = try await self.distribution(c)

        var bootTimeCommand = distribution.pick(bootTimeCommands, "cat /proc/sys/kernel/random/boot_id")
        if let given = try text("boot_time_command"), !given.isEmpty { bootTimeCommand = given }
        func bootTime() async throws -> String {
            let (rc, out, err) = try await RawAction.execute(c, bootTimeCommand)
            guard rc == 0 else {
                throw TaskFailure(message: "\(c.task.action): failed to get host boot time info, rc: \(rc), stdout: \(out), stderr: \(err)")
            }
            return out.trimmingCharacters(in: " \n\t\r")
        }
        let previous: String
        do { previous = try await bootTime() } catch {
            return ["changed": false, "failed": true, "reboot": false, "msg": .unsafe(message(error))]
        }

        // The shutdown command: reboot_command's first word (searched for when not a path) and the rest.
        let rebootCommand = try text("reboot_command")
        var binary = rebootCommand.map { String($0.split(separator: " ", maxSplits: 1).first ?? "") } ?? distribution.pick(shutdownCommands, "shutdown")
        if !binary.hasPrefix("/") { binary = try await find(c, binary) }
        let arguments: String
        if let rebootCommand {
            let parts = rebootCommand.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            arguments = parts.count > 1 ? String(parts[1]) : ""
        } else {
            arguments = distribution.pick(shutdownArgs, defaultShutdownArgs)
                .replacingOccurrences(of: "{delay_sec}", with: String(preDelay))
                .replacingOccurrences(of: "{delay_min}", with: String(preDelay / 60))
                .replacingOccurrences(of: "{message}", with: try text("msg") ?? "Reboot initiated by Ansible")
        }
        var rc = 0, out = "", err = ""
        do { (rc, out, err) = try await RawAction.execute(c, binary + " " + arguments) } catch is Unreachable {
            rc = 0   // the connection went down with the host
        }
        let start = WaitForConnectionAction.now()
        func elapsed() -> Value { .int(Int(WaitForConnectionAction.now() - start)) }
        guard rc == 0 else {
            return ["changed": false, "failed": true, "rebooted": false, "elapsed": elapsed(), "start": .string(utcNow()),
                    "msg": .unsafe("Reboot command failed. Error was: '\(out.trimmingCharacters(in: " \n\t\r")), \(err.trimmingCharacters(in: " \n\t\r"))'")]
        }
        if postDelay > 0 { try await Task.sleep(nanoseconds: Seconds.nanoseconds(Double(postDelay))) }

        let testCommand = try text("test_command") ?? distribution.pick(testCommands, "whoami")
        do {
            try await untilSuccess(c, timeout: timeout, "last boot time check") {
                let now = try await bootTime()
                if now.isEmpty || now == previous { throw NotYet(message: "boot time has not changed") }
            }
            try await untilSuccess(c, timeout: timeout, "post-reboot test command") {
                let (rc, out, err) = try await RawAction.execute(c, testCommand)
                if rc != 0 { throw NotYet(message: "Test command failed: \(err) \(out)") }
            }
        } catch let e as NotYet {
            return ["changed": false, "failed": true, "rebooted": true, "msg": .unsafe(e.message), "elapsed": elapsed()]
        }
        return ["changed": true, "rebooted": true, "elapsed": elapsed()]
    }

    /// do_until_success_or_timeout: each failure drops the host's connections (the old ones died
    /// with it) and waits 2^n seconds (at most 12) plus a random fraction.
    static func untilSuccess(_ c: ActionContext, timeout: Int, _ what: String, _ body: () async throws -> Void) async throws {
        let end = WaitForConnectionAction.now() + Double(timeout)
        var failures = 0
        while WaitForConnectionAction.now() < end {
            do {
                try await body()
                return
            } catch is NotYet {
            } catch is Unreachable {
            } catch is TaskFailure {
            } catch is RemoteError {}
            if let first = (try? c.stack)?.first { ContextService.shared.dropAll(from: first) }
            let jitter = Double.random(in: 0..<1)
            let pause = min(pow(2, Double(failures)), 12) + jitter
            failures += 1
            try await Task.sleep(nanoseconds: Seconds.nanoseconds(pause))
        }
        throw NotYet(message: "Timed out waiting for \(what) (timeout=\(timeout))")
    }

    /// The host's distribution, from the setup module's minimal facts (the action's tables are keyed by it).
    static func distribution(_ c: ActionContext) async throws -> Distribution {
        let r = try await c.runModule("ansible.legacy.setup", ["gather_subset": "min"])
        guard r["failed"]?.truthy != true, let facts = r["ansible_facts"] else {
            throw TaskFailure(message: "Failed to determine system distribution. \(r["module_stdout"]?.pythonStr ?? ""), \(r["module_stderr"]?.pythonStr ?? r["msg"]?.pythonStr ?? "")")
        }
        for k in ["ansible_distribution", "ansible_distribution_version", "ansible_os_family"] where facts[k] == nil {
            throw TaskFailure(message: "Failed to get distribution information. Missing \"\(k)\" in output.")
        }
        return Distribution(name: facts["ansible_distribution"]!.pythonStr.lowercased(),
                            version: String(facts["ansible_distribution_version"]!.pythonStr.split(separator: ".").first ?? ""),
                            family: facts["ansible_os_family"]!.pythonStr.lowercased())
    }

    /// A bare command name looked for with the find module in search_paths, as the action does.
    static func find(_ c: ActionContext, _ name: String) async throws -> String {
        var paths: [Value] = ["/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin"]
        if let given = c.args["search_paths"] {
            switch given {
            case .list(let l) where l.allSatisfy({ $0.stringValue != nil }): paths = l
            case .string, .unsafe: paths = given.pythonStr.split(separator: ",").map { .string(String($0)) }
            default: throw TaskFailure(message: "'search_paths' must be a string or flat list of strings, got \(given.pythonStr)")
            }
        }
        let r = try await c.runModule("ansible.legacy.find", ["paths": .list(paths), "patterns": [.string(name)], "file_type": "any"])
        guard let path = r["files"]?.listValue?.first?["path"]?.stringValue else {
            throw TaskFailure(message: "Unable to find command \"\(name)\" in search paths: \(Value.list(paths).pythonRepr)")
        }
        return path
    }

    /// The time now as Python prints an aware UTC datetime in JSON (`2026-11-22T14:44:07.683284+00:00`).
    static func utcNow() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let text = DateParts(Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9).description
        return text.replacingOccurrences(of: " ", with: "T") + "+00:00"
    }

    static func message(_ e: any Error) -> String {
        switch e {
        case let f as TaskFailure: return f.message
        case let u as Unreachable: return u.message
        default: return "\(e)"
        }
    }
}
