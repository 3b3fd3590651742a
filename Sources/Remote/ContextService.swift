// Hands out agents by connection spec: one per (transport, host, user) for the whole run,
// started once even when several tasks ask at the same moment.
import OrderedCollections
import Synchronization
import Values

/// Become settings for a child agent, in the agent's words.
public struct BecomeOptions: Sendable, Hashable {
    public var method: String
    public var user: String
    public var password: String?
    public var flags: String?
    public var exe: String?
    public var timeout: Int
    /// The password prompts to answer on a terminal (su's localized ones); empty: "password".
    public var prompts: [String]
    /// A become plugin written in Python (`method` names it): what its options are made of.
    public var plugin: PluginBecome?

    public init(method: String, user: String, password: String?, flags: String?, exe: String?, timeout: Int, prompts: [String] = []) {
        self.method = method
        self.user = user
        self.password = password
        self.flags = flags
        self.exe = exe
        self.timeout = timeout
        self.prompts = prompts
    }
}

/// A become plugin written in Python: its options as TaskExecutor gives them (the task's become
/// keywords, the host's variables), for the controller's helper to build its command with.
public struct PluginBecome: Sendable, Hashable {
    public var taskKeys: [String: String]
    public var variables: [String: Value]
    /// The task's shell (ansible_shell_executable), which runs the command under the method.
    public var executable: String
    public init(taskKeys: [String: String], variables: [String: Value], executable: String) {
        self.taskKeys = taskKeys
        self.variables = variables
        self.executable = executable
    }
}

/// What a become plugin built for one command: the command, and what its target side looks for.
public struct BecomePlan: Sendable {
    public var command: String
    /// Its password prompt when it expects one (a password given), else "".
    public var prompt: String
    public var password: String?
    public var success: String
    /// Its name, and its words for a wrong and for a missing password.
    public var name: String
    public var fail: [String], missing: [String]
    public var tty: Bool
    public init(command: String, prompt: String, password: String?, success: String, name: String, fail: [String], missing: [String], tty: Bool) {
        (self.command, self.prompt, self.password, self.success, self.name) = (command, prompt, password, success, name)
        (self.fail, self.missing, self.tty) = (fail, missing, tty)
    }
}

/// How to reach one agent. Built by the Engine from Ansible's connection variables.
public enum Hop: Sendable, Hashable {
    /// The controller itself; each inventory host has its own agent (`name`), so that hosts run
    /// their tasks side by side as Ansible's forks do.
    case local(interpreter: String?, name: String? = nil)
    case ssh(SSHOptions, interpreter: String?)
    /// A child of the previous hop's agent, as another user.
    case become(BecomeOptions)
    /// The next host of a via chain: the previous hop's agent connects to it with OpenSSH.
    case sshFromAgent(SSHOptions, interpreter: String?)
    /// A container or namespace: `argv` runs a command inside it (docker exec -i NAME …).
    case command(kind: String, argv: [String], interpreter: String?)

    /// The interpreter the hop's agent is started with, when one was configured.
    var interpreter: String? {
        switch self {
        case .local(let i, _), .ssh(_, let i), .sshFromAgent(_, let i), .command(_, _, let i): return i
        case .become: return nil
        }
    }

    public var key: String {
        switch self {
        case .local(let i, let name): return "local:\(name ?? ""):\(i ?? "")"
        case .ssh(let o, let i):
            let extra = (o.configFile ?? "") + o.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return "ssh:\(o.inventoryName ?? ""):\(o.user ?? "")@\(o.host):\(o.port ?? 22):\(i ?? ""):\(extra)"
        case .become(let b): return "\(b.method):\(b.user):\(b.flags ?? ""):\(b.exe ?? "")"
        case .sshFromAgent(let o, let i): return "via-ssh:\(o.inventoryName ?? ""):\(o.user ?? "")@\(o.host):\(o.port ?? 22):\(i ?? "")"
        case .command(let kind, let argv, let i): return "\(kind):\(argv.joined(separator: " ")):\(i ?? "")"
        }
    }
}

public final class ContextService: Sendable {
    public static let shared = ContextService()

    private let contexts = Mutex<[String: Task<Context, any Error>]>([:])
    private let nextChild = Atomic<UInt32>(1)
    /// When each agent was last asked for (a counter, not a clock): the least recently used
    /// goes first when a connection has as many agents as it may.
    private let lastUsed = Mutex<(tick: UInt64, by: [String: UInt64])>((0, [:]))

    /// Agents a connection may carry besides its login agent (become users, via hops), as
    /// Mitogen's max_interpreters: SWANSIBLE_MAX_AGENTS or MITOGEN_MAX_INTERPRETERS, default 20.
    static let agentLimit: Int = max(1, Int(Files.environment("SWANSIBLE_MAX_AGENTS") ?? Files.environment("MITOGEN_MAX_INTERPRETERS") ?? "") ?? 20)

    public static func key(_ stack: [Hop]) -> String { stack.map(\.key).joined(separator: " -> ") }

    /// The agent for `hop`, starting it if needed.
    public func get(_ hop: Hop) async throws -> Context { try await get([hop]) }

    /// The agent at the end of a stack, starting each missing hop in turn (a shared prefix is
    /// reused). Concurrent callers share one attempt.
    public func get(_ stack: [Hop]) async throws -> Context {
        let key = ContextService.key(stack)
        lastUsed.withLock { l in
            l.tick += 1
            l.by[key] = l.tick
        }
        let task = contexts.withLock { c -> Task<Context, any Error> in
            if let t = c[key] { return t }
            let t = Task { try await self.start(stack) }
            c[key] = t
            return t
        }
        let ctx: Context
        do { ctx = try await task.value } catch {
            drop(stack, only: task)
            throw error
        }
        if ctx.isAlive { return ctx }
        drop(stack, only: task)
        return try await get(stack)
    }

    /// Forgets the agent a stack leads to, if it is still the one that failed (another task may
    /// already have started a new one: that one is kept).
    func drop(_ stack: [Hop], only failed: Task<Context, any Error>) {
        let key = ContextService.key(stack)
        let gone = contexts.withLock { c -> Task<Context, any Error>? in
            guard let t = c[key], t == failed else { return nil }
            return c.removeValue(forKey: key)
        }
        if let gone { Task { (try? await gone.value)?.shutdown() } }
    }

    /// Forgets the agent for `ctx` after it failed, unless it was already replaced by a new one.
    public func drop(_ stack: [Hop], context: Context) {
        context.markDead()
        let key = ContextService.key(stack)
        let t = contexts.withLock { $0[key] }
        guard let t else { return }
        Task {
            if let current = try? await t.value, current === context { self.drop(stack, only: t) }
        }
    }

    public func drop(_ hop: Hop) { drop([hop]) }

    /// Forgets the agent reached through `first` and every agent stacked on it (become, via):
    /// `meta: reset_connection`.
    public func dropAll(from first: Hop) {
        let key = ContextService.key([first])
        let gone = contexts.withLock { c in
            let keys = c.keys.filter { $0 == key || $0.hasPrefix(key + " -> ") }
            return keys.compactMap { c.removeValue(forKey: $0) }
        }
        for t in gone { Task { (try? await t.value)?.shutdown() } }
    }

    /// Forgets the agent for a stack (after a failure), so the next task starts a new one.
    public func drop(_ stack: [Hop]) {
        let t = contexts.withLock { $0.removeValue(forKey: ContextService.key(stack)) }
        if let t { Task { (try? await t.value)?.shutdown() } }
    }

    /// Builds a Python become plugin's command (the Engine asks the controller's helper).
    public nonisolated(unsafe) static var becomePlan: (@Sendable (BecomeOptions, String) throws -> BecomePlan)?

    func start(_ stack: [Hop]) async throws -> Context {
        guard let last = stack.last else { throw RemoteError.unreachable("empty connection stack") }
        if case .sshFromAgent(let o, let interpreter) = last {
            return try await startViaSSH(stack, o, interpreter)
        }
        guard case .become(let b) = last else { return try await ContextService.start(last) }
        let parent = try await get(Array(stack.dropLast()))
        await makeRoom(for: stack)
        let id = nextChild.add(1, ordering: .relaxed).oldValue
        let prompt = "[sudo via swansible, key=\(UInt64.random(in: 0...UInt64.max))] password:"
        var body: Dict = ["id": .int(Int(id)), "method_name": .string(b.method), "user": .string(b.user),
                          "stage": .string(Agent.firstStage), "prompt": .string(prompt), "timeout": .int(b.timeout)]
        if let p = b.password { body["password"] = .string(p) }
        if b.plugin != nil {
            // The plugin wraps the command that starts the child's Python, as it would a module's.
            guard let build = ContextService.becomePlan else { throw RemoteError.becomeFailed("become plugins need the controller's Python helper") }
            let python = parent.info["python"]?.stringValue ?? "/usr/bin/python3"
            let plan = try build(b, [python, "-c", Agent.firstStage, "-"].map(Shlex.quote).joined(separator: " "))
            body["method_name"] = .string(plan.name)
            body["become_command"] = .string(plan.command)
            body["prompt"] = .string(plan.prompt)
            body["password"] = plan.password.map(Value.string) ?? .none
            body["success"] = .string(plan.success)
            body["fail"] = .list(plan.fail.map(Value.string))
            body["missing"] = .list(plan.missing.map(Value.string))
            body["tty"] = .bool(plan.tty)
        }
        if let f = b.flags { body["flags"] = .string(f) }
        if let e = b.exe { body["exe"] = .string(e) }
        if !b.prompts.isEmpty { body["prompts"] = .list(b.prompts.map(Value.string)) }
        if let python = parent.info["python"]?.stringValue { body["python"] = .string(python) }
        let reply = try await parent.call("spawn", body, timeout: Double(b.timeout) + 30)
        if reply["failed"]?.truthy == true {
            // No prompt in time is the connection's failure in Ansible (UNREACHABLE), not the task's.
            if reply["unreachable"]?.truthy == true { throw RemoteError.unreachable(reply["msg"]?.pythonStr ?? "privilege escalation timed out") }
            throw RemoteError.becomeFailed(reply["msg"]?.pythonStr ?? "privilege escalation failed")
        }
        return Context(name: ContextService.key(stack), stream: parent.stream, id: id, info: reply, becomeUser: b.user)
    }

    /// Ends the become agents running as `user` on the connection `first` leads to (with what is
    /// stacked on them) and waits until their processes are gone: Ansible's become lasts one
    /// task, so a playbook may delete a user it has just become, which `userdel` refuses while
    /// one of the user's processes runs. The agents on `keep` (the asking task's) stay.
    public func endAgents(of user: String, from first: Hop, keep: [Hop]) async {
        let root = ContextService.key([first]) + " -> ", kept = ContextService.key(keep)
        let candidates = contexts.withLock { c in
            c.filter { $0.key.hasPrefix(root) && $0.key != kept && !kept.hasPrefix($0.key + " -> ") }
        }
        for (key, task) in candidates {
            guard let ctx = try? await task.value, ctx.becomeUser == user, ctx.isAlive else { continue }
            let gone = contexts.withLock { c in
                c.keys.filter { $0 == key || $0.hasPrefix(key + " -> ") }.compactMap { c.removeValue(forKey: $0) }
            }
            for t in gone { (try? await t.value)?.markDead() }
            // The child's key is its parent's key, an arrow, and its own hop.
            guard let arrow = key.ranges(of: " -> ").last, let parent = try? await contexts.withLock({ $0[String(key[..<arrow.lowerBound])] })?.value
            else { continue }
            _ = try? await parent.call("end_child", ["id": .int(Int(ctx.id))], timeout: 30)
        }
    }

    /// A via hop: the parent agent runs OpenSSH to the next host and hands it the agent source.
    func startViaSSH(_ stack: [Hop], _ o: SSHOptions, _ interpreter: String?) async throws -> Context {
        let parent = try await get(Array(stack.dropLast()))
        await makeRoom(for: stack)
        let id = nextChild.add(1, ordering: .relaxed).oldValue
        var body: Dict = ["id": .int(Int(id)), "method_name": "ssh", "host": .string(o.host), "stage": .string(Agent.firstStage),
                          "command": .string(Agent.bootstrapCommand(interpreter: interpreter)), "timeout": .int(o.timeout),
                          "check_host_keys": .bool(o.hostKeyChecking)]
        if let u = o.user { body["user"] = .string(u) }
        if let p = o.port { body["port"] = .int(p) }
        if let k = o.privateKeyFile { body["identity"] = .string(k) }
        if let e = o.executable { body["exe"] = .string(e) }
        let reply = try await parent.call("spawn", body, timeout: Double(o.timeout) + 30)
        if reply["failed"]?.truthy == true {
            throw RemoteError.unreachable(reply["msg"]?.pythonStr ?? "could not reach \(o.host) through the via chain")
        }
        return Context(name: ContextService.key(stack), stream: parent.stream, id: id, info: reply)
    }

    /// Before a new agent starts on a connection that has its limit of them, stops the least
    /// recently used idle one (with whatever is stacked on it); never one on the new stack's path.
    func makeRoom(for stack: [Hop]) async {
        let root = ContextService.key([stack[0]]) + " -> ", newKey = ContextService.key(stack)
        while true {
            let (others, used) = (contexts.withLock { c in c.filter { $0.key.hasPrefix(root) && $0.key != newKey } },
                                  lastUsed.withLock { $0.by })
            guard others.count >= ContextService.agentLimit else { return }
            var victim: String?
            for key in others.keys.sorted(by: { used[$0, default: 0] < used[$1, default: 0] }) where !newKey.hasPrefix(key + " -> ") {
                guard let ctx = try? await others[key]!.value, !ctx.isBusy else { continue }
                if others.keys.contains(where: { $0.hasPrefix(key + " -> ") }) { continue }   // leaves first
                victim = key
                break
            }
            guard let victim else { return }   // every other agent is busy: go over the limit rather than wait
            let t = contexts.withLock { $0.removeValue(forKey: victim) }
            lastUsed.withLock { _ = $0.by.removeValue(forKey: victim) }
            if let ctx = try? await t?.value {
                _ = try? await ctx.call("shutdown", timeout: 5)
                ctx.markDead()
            }
        }
    }

    /// Ends every agent: each removes its temp dir when its stdin closes.
    public func shutdownAll() async {
        // Deepest stacks first: a child agent is told to stop before its parent goes.
        let all = contexts.withLock { c -> [Task<Context, any Error>] in
            let v = c.sorted { $0.key.filter { $0 == ">" }.count > $1.key.filter { $0 == ">" }.count }.map(\.value)
            c.removeAll()
            return v
        }
        // Agents are told to exit in parallel, then every transport is freed before returning.
        for t in all where (try? await t.value)?.id != 0 {
            if let ctx = try? await t.value { _ = try? await ctx.call("shutdown", timeout: 5) }
        }
        await withTaskGroup(of: Void.self) { group in
            for t in all {
                group.addTask {
                    guard let ctx = try? await t.value, ctx.id == 0 else { return }
                    _ = try? await ctx.call("shutdown", timeout: 5)
                    await ctx.close()
                }
            }
        }
    }

    static func start(_ hop: Hop) async throws -> Context {
        let io: StreamIO
        switch hop {
        case .local(let interpreter, _):
            io = try LocalTransport.start(interpreter: interpreter)
        case .command(_, let argv, let interpreter):
            io = try CommandTransport.start(argv, interpreter: interpreter)
        case .ssh(let options, let interpreter):
            var attempt = 0
            while true {
                let id: Int
                do { id = try await Broker.shared.connectSSH(options, command: Agent.bootstrapCommand(interpreter: interpreter)) } catch RemoteError.unreachable where attempt < options.retries {
                    try await Task.sleep(nanoseconds: UInt64(min((1 << min(attempt, 10)) - 1, 30)) * 1_000_000_000)
                    attempt += 1
                    continue
                }
                return try await hello(hop, stream: id)
            }
        case .become, .sshFromAgent:
            throw RemoteError.unreachable("this hop needs a connection before it")
        }
        return try await hello(hop, stream: Broker.shared.register(io))
    }

    /// Sends the agent's source down the started stream and waits for its hello.
    static func hello(_ hop: Hop, stream: Int) async throws -> Context {
        let hello: [UInt8]
        do {
            hello = try await Broker.shared.request(stream, Agent.payload, replyTo: 1, timeout: 60)
        } catch let e as RemoteError {
            Broker.shared.close(stream)
            throw startFailure(hop, e)
        }
        return Context(name: hop.key, stream: stream, info: try Value.parseJSON(bytes: hello))
    }

    /// Why an agent did not start, as Ansible tells it: a missing or broken interpreter fails the
    /// task (_parse_returned_data's words), anything before the shell reached it is the host's.
    static func startFailure(_ hop: Hop, _ e: RemoteError) -> RemoteError {
        guard case .exited(let rc, let stdout, let stderr, _) = e else { return .unreachable(agentStartFailure(e)) }
        let output = stderr.replacingReady
        // The shell's word for a missing program.
        if let interpreter = hop.interpreter,
           ["No such file or directory", "not found", "command not found"].contains(where: { output.contains("\(interpreter): \($0)") }) {
            return .interpreterNotFound(interpreter, output: output)
        }
        let marks = stderr.split(separator: "\n").filter { $0 == Agent.execMarker || $0.hasPrefix(Agent.execMarker + " /") }
        if let mark = marks.last {
            let discovered = mark.count > Agent.execMarker.count ? String(mark.dropFirst(Agent.execMarker.count + 1)) : nil
            return .interpreterFailed(rc: rc, stdout: stdout, stderr: output, discovered: discovered)
        }
        return .unreachable(agentStartFailure(e))
    }

    static func agentStartFailure(_ e: RemoteError) -> String {
        let text = e.description.replacingReady.trimmingCharacters
        if text.contains("no Python interpreter found") || text.contains("not found") {
            return "Failed to start the swansible agent: \(text)"
        }
        return "Failed to start the swansible agent: \(text.isEmpty ? "the agent exited" : text)"
    }

    /// `raw`: runs a shell command over the transport without an agent.
    /// A shell command over the hop's transport itself; with `become`, its become stage is
    /// watched and answered (a password given on a terminal, as Ansible's local connection does).
    /// `tty`: over ssh, the command gets a pseudo-terminal (its stderr then comes on stdout).
    public func runRaw(_ hop: Hop, _ command: String, become: BecomeExchange? = nil, tty: Bool = false) async throws -> (Int, [UInt8], [UInt8]) {
        let argv: [String]
        switch hop {
        case .local: argv = ["/bin/sh", "-c", command]
        case .command(_, let prefix, _): argv = prefix + ["/bin/sh", "-c", command]
        case .ssh(var o, _):
            o.tty = tty
            guard let become else {
                let out = try await Broker.shared.runSSH(o, command: command)
                return (out.rc, out.stdout, out.stderr)
            }
            // The ssh plugin's become stage, on the channel: a prompt answered there, the
            // marker's line dropped, a wrong or missing password said; 2 s over the connection's
            // timeout (counted from the start here, the handshake included).
            let slot = BecomeSlot()
            let limit = Double(2 + o.timeout + o.timeout)
            let watchdog = Task {
                try await Task.sleep(nanoseconds: Seconds.nanoseconds(limit))
                slot.expire()
            }
            defer { watchdog.cancel() }
            let out = try await Broker.shared.runSSH(o, command: command, become: (become, slot))
            guard let stream = slot.stream else { throw RemoteError.unreachable("the ssh session ended before the command ran") }
            if !stream.succeeded { throw stream.stageError(stream.failure ?? .premature) }
            return (out.rc, out.stdout, out.stderr)
        case .become, .sshFromAgent: throw RemoteError.unreachable("raw runs on a direct connection only")
        }
        guard let become else {
            let out = try await Broker.shared.collect(try Spawn.start(argv))
            return (out.rc, out.stdout, out.stderr)
        }
        let stream = BecomeStream(try Spawn.start(argv, terminalInput: become.expectsPrompt), become)
        let watchdog = Task {
            try await Task.sleep(nanoseconds: Seconds.nanoseconds(become.timeout))
            stream.expire()
        }
        defer { watchdog.cancel() }
        let out = try await Broker.shared.collect(stream)
        if !stream.succeeded { throw stream.stageError(stream.failure ?? .premature) }
        return (out.rc, out.stdout, out.stderr)
    }
}

extension String {
    var trimmingCharacters: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
import CSSH

extension String {
    /// stderr without the first stage's readiness marker.
    var replacingReady: String {
        split(separator: "\n", omittingEmptySubsequences: false).filter { !Agent.isMarker($0) }.joined(separator: "\n")
    }
}

extension Hop {
    /// The hop as Mitogen's mitogen_get_stack shows it: a method and its arguments.
    public var described: Value {
        func ssh(_ o: SSHOptions, _ i: String?, _ method: String) -> Value {
            var k: Dict = ["hostname": .string(o.host), "check_host_keys": .string(o.hostKeyChecking ? "enforce" : "ignore"),
                           "connect_timeout": .int(o.timeout)]
            k["port"] = o.port.map(Value.int) ?? Value.none
            k["username"] = o.user.map(Value.string) ?? Value.none
            k["identity_file"] = o.privateKey == nil ? o.privateKeyFile.map(Value.string) ?? Value.none : Value.none
            k["password"] = o.password == nil ? Value.none : "********"
            k["python_path"] = i.map(Value.string) ?? Value.none
            if let f = o.configFile { k["ssh_config"] = .string(f) }
            if let e = o.executable { k["ssh_path"] = .string(e) }
            return ["method": .string(method), "kwargs": .dict(k)]
        }
        switch self {
        case .local(let i, _): return ["method": "local", "kwargs": ["python_path": i.map(Value.string) ?? Value.none]]
        case .command(let kind, let argv, let i):
            return ["method": .string(kind), "kwargs": ["argv": .list(argv.map(Value.string)), "python_path": i.map(Value.string) ?? Value.none]]
        case .ssh(let o, let i): return ssh(o, i, "ssh")
        case .sshFromAgent(let o, let i): return ssh(o, i, "ssh (from the previous hop)")
        case .become(let b):
            var k: Dict = ["username": .string(b.user), "timeout": .int(b.timeout)]
            k["flags"] = b.flags.map(Value.string) ?? (b.method == "sudo" ? "-H -S -n" : Value.none)
            k["exe"] = b.exe.map(Value.string) ?? .string(b.method)
            k["password"] = b.password == nil ? Value.none : "********"
            return ["method": .string(b.method), "kwargs": .dict(k)]
        }
    }
}
