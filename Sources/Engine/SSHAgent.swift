// 2.19's SSH_AGENT: the run starts an ssh-agent of its own (`auto`) or uses a running one (a
// socket path), and a private key given as text (`ansible_ssh_private_key`) is added to it as the
// ssh connection plugin adds it. SSH_AUTH_SOCK then names it for everything the run starts (ssh,
// plugins in the helper, local commands); swansible itself logs in with the key it was given.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import Values

public enum SSHAgent {
    /// The agent's socket once the run has one; nil under SSH_AGENT `none`.
    nonisolated(unsafe) static var socket: String?
    /// The agent this run started (ended at exit, as Ansible's atexit does) and its directory.
    nonisolated(unsafe) static var started: pid_t = 0
    nonisolated(unsafe) static var directory: String?

    /// What the CLI does before reading the inventory (ansible-core's launch_ssh_agent).
    public static func launch(_ settings: Settings, verbosity: Int) throws {
        let configured = settings.value(env: "ANSIBLE_SSH_AGENT", section: "connection", key: "ssh_agent") ?? "none"
        self.verbosity = verbosity
        keyLifetime = settings.value(env: "ANSIBLE_SSH_AGENT_KEY_LIFETIME", section: "connection", key: "ssh_agent_key_lifetime").flatMap(Settings.integer)
        guard configured != "none" else { return }
        let sock: String
        do {
            sock = configured == "auto" ? try start(settings, verbosity: verbosity) : configured
            do { _ = try AgentSocket(sock).identities() } catch {
                throw AnsibleError("Could not communicate with ssh-agent using auth sock \(Value.string(sock).pythonRepr): \(error)")
            }
        } catch let e as AnsibleError {
            var failure = AnsibleError("Failed to launch ssh agent: \(e.message)")
            if let help = e.help {
                failure.message += "\n\nFailed to launch ssh agent.\n\n<<< caused by >>>\n\n\(e.message)\n\n\(help)"
            }
            throw failure
        }
        socket = sock
        setenv("SSH_AUTH_SOCK", sock, 1)
        setenv("ANSIBLE_SSH_AGENT", sock, 1)
    }

    nonisolated(unsafe) static var verbosity = 0
    nonisolated(unsafe) static var keyLifetime: Int?

    /// A private key given as text, in the run's agent (added unless it is there, as the ssh
    /// plugin's _populate_agent does each time it connects): the key, unencrypted, to log in
    /// with. Failing is the host's: UNREACHABLE, in Ansible's words.
    static func populate(key: String, passphrase: String?, address: String) throws -> String {
        guard let socket else {
            throw Unreachable(message: "Failed to authenticate: Failed to add configured private key into ssh-agent: Cannot utilize private_key with SSH_AGENT disabled")
        }
        var body: Dict = ["key": .string(key), "sock": .string(socket), "pid": .int(Int(getpid()))]
        if let passphrase, !passphrase.isEmpty { body["passphrase"] = .string(passphrase) }
        if let keyLifetime { body["lifetime"] = .int(keyLifetime) }
        let found: (key: String, fingerprint: String, added: Bool)
        do { found = try PythonPlugins.shared.addToSSHAgent(body) } catch {
            throw Unreachable(message: "Failed to authenticate: Failed to add configured private key into ssh-agent: \(error)")
        }
        Output.verbose("<\(address)> SSH: SSH_AGENT " + (found.added ? "adding \(found.fingerprint) to agent" : "\(found.fingerprint) exists in agent"), caplevel: 2)
        return found.key
    }

    /// Starts SSH_AGENT_EXECUTABLE in the foreground on a socket in the local temporary
    /// directory, and checks that it talks as ssh-agent does; its socket.
    static func start(_ settings: Settings, verbosity: Int) throws -> String {
        let name = settings.value(env: "ANSIBLE_SSH_AGENT_EXECUTABLE", section: "connection", key: "ssh_agent_executable") ?? "ssh-agent"
        let executable: String
        do { executable = try binPath(name) } catch {
            throw AnsibleError("SSH_AGENT set to auto, but cannot find ssh-agent binary: \(error)")
        }
        let dir = try localTemporaryDirectory(settings)
        let agentDir = dir + "/ssh_agent"
        guard mkdir(agentDir, 0o700) == 0 else { throw AnsibleError("[Errno \(errno)] \(String(cString: strerror(errno))): '\(agentDir)'") }
        let sock = agentDir + "/agent.sock"
        Output.verbose("SSH_AGENT: starting...", caplevel: 2)
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard cshim_pipe2_cloexec(&out) == 0, cshim_pipe2_cloexec(&err) == 0 else {
            throw AnsibleError("Could not start ssh-agent: \(Subprocess.StartError(errno: errno))")
        }
        // Its stdout and stderr stay open with us for the run, as Popen's pipes do in Ansible.
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let pid = Subprocess.spawn([executable, "-D", "-s", "-a", sock], stdin: null, stdout: out[1], stderr: err[1])
        for fd in [null, out[1], err[1]] { close(fd) }
        guard pid > 0 else {
            close(out[0])
            close(err[0])
            throw AnsibleError("Could not start ssh-agent: \(Subprocess.StartError(errno: -pid)): \(Value.string(executable).pythonRepr)")
        }
        started = pid
        let help = "The ssh-agent \(Value.string(executable).pythonRepr) might be an incompatible agent."
        let expected = "SSH_AUTH_SOCK"
        let prefix = readPrefix(out[0], count: expected.utf8.count, timeout: 5)
        switch prefix?.text {
        case nil:
            Output.warning("Timed out waiting for expected stdout \(Value.string(expected).pythonRepr) from ssh-agent: Timed out after 5 second(s). \(help)")
        case let text? where text != expected:
            Output.warning("The ssh-agent output \(Value.string(text).pythonRepr) did not match expected \(Value.string(expected).pythonRepr). \(help)")
        default: break
        }
        // Less than asked for means its stdout closed: it is ending, so give it a moment.
        if let code = exitStatus(pid, within: prefix?.ended == true ? 1 : 0) {
            started = 0
            let stderr = String(decoding: Subprocess.drain(err[0]), as: UTF8.self)
            var e = AnsibleError("The ssh-agent terminated prematurely.")
            e.help = "\(help)\n\nReturn Code: \(code)\nStandard Error:\n\(stderr)"
            throw e
        }
        Output.verbose("SSH_AGENT: ssh-agent[\(pid)] started and bound to \(sock)", caplevel: 2)
        return sock
    }

    /// Ends the agent this run started and removes its directory (at exit).
    static func stop() {
        if started > 0 {
            kill(started, SIGTERM)
            var status: Int32 = 0
            while waitpid(started, &status, 0) < 0 && errno == EINTR {}
            started = 0
        }
        if let dir = directory {
            unlink(dir + "/ssh_agent/agent.sock")
            rmdir(dir + "/ssh_agent")
            rmdir(dir)
            directory = nil
        }
    }

    /// DEFAULT_LOCAL_TMP: a directory of this run's own under `local_tmp` (~/.ansible/tmp).
    static func localTemporaryDirectory(_ settings: Settings) throws -> String {
        let base = Files.expandUser(settings.value(env: "ANSIBLE_LOCAL_TEMP", key: "local_tmp")
            ?? (Files.environment("ANSIBLE_HOME") ?? "~/.ansible") + "/tmp")
        try Files.makeDirectories(base, mode: 0o700)
        var template = Array("\(base)/ansible-local-\(getpid())XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw AnsibleError("[Errno \(errno)] \(String(cString: strerror(errno))): '\(base)'") }
        directory = String(cString: made)
        atexit { SSHAgent.stop() }
        return directory!
    }

    /// get_bin_path: the first executable of that name on PATH (then the sbin directories).
    static func binPath(_ name: String) throws -> String {
        var paths = (Files.environment("PATH") ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        for p in ["/sbin", "/usr/sbin", "/usr/local/sbin"] where !paths.contains(p) && Files.exists(p) { paths.append(p) }
        for d in paths where !d.isEmpty {
            let path = name.hasPrefix("/") ? name : Files.join(d, name)
            if Files.exists(path), !Files.isDirectory(path), Files.isExecutable(path) { return path }
        }
        throw AnsibleError("Failed to find required executable \"\(name)\" in paths: \(paths.joined(separator: ":"))")
    }

    /// Up to `count` bytes of a pipe, fewer when it ended first; nil when they did not come in time.
    static func readPrefix(_ fd: Int32, count: Int, timeout: Int) -> (text: String, ended: Bool)? {
        var got: [UInt8] = []
        let deadline = Clock.now() + Double(timeout)
        while got.count < count {
            let left = deadline - Clock.now()
            guard left > 0 else { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(left * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            var buf = [UInt8](repeating: 0, count: count - got.count)
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return (String(decoding: got, as: UTF8.self), true) }
            got += buf[0..<n]
        }
        return (String(decoding: got, as: UTF8.self), false)
    }

    /// The exit code of a child that ended (at once, or within `seconds` once it is ending).
    static func exitStatus(_ pid: pid_t, within seconds: Int) -> Int32? {
        for attempt in 0...(seconds * 100) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f) }
            if attempt < seconds * 100 { usleep(10_000) }
        }
        return nil
    }
}
