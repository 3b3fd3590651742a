// Hands out agents by connection spec: one per (transport, host, user) for the whole run,
// started once even when several tasks ask at the same moment.
import Synchronization
import Values

/// How to reach one agent. Built by the Engine from Ansible's connection variables.
public enum Hop: Sendable, Hashable {
    case local(interpreter: String?)
    case ssh(SSHOptions, interpreter: String?)

    public var key: String {
        switch self {
        case .local(let i): return "local:\(i ?? "")"
        case .ssh(let o, let i):
            let extra = (o.configFile ?? "") + o.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return "ssh:\(o.user ?? "")@\(o.host):\(o.port ?? 22):\(i ?? ""):\(extra)"
        }
    }
}

public final class ContextService: Sendable {
    public static let shared = ContextService()

    private let contexts = Mutex<[String: Task<Context, any Error>]>([:])

    /// The agent for `hop`, starting it if needed. Concurrent callers share one attempt.
    public func get(_ hop: Hop) async throws -> Context {
        let task = contexts.withLock { c -> Task<Context, any Error> in
            if let t = c[hop.key] { return t }
            let t = Task { try await ContextService.start(hop) }
            c[hop.key] = t
            return t
        }
        do {
            let ctx = try await task.value
            if ctx.isAlive { return ctx }
            drop(hop)
            return try await get(hop)
        } catch {
            drop(hop)
            throw error
        }
    }

    /// Forgets the agent for `hop` (after a failure), so the next task starts a new one.
    public func drop(_ hop: Hop) {
        let t = contexts.withLock { $0.removeValue(forKey: hop.key) }
        if let t { Task { (try? await t.value)?.shutdown() } }
    }

    /// Ends every agent: each removes its temp dir when its stdin closes.
    public func shutdownAll() async {
        let all = contexts.withLock { c -> [Task<Context, any Error>] in
            let v = Array(c.values)
            c.removeAll()
            return v
        }
        // Agents are told to exit in parallel, then every transport is freed before returning.
        await withTaskGroup(of: Void.self) { group in
            for t in all {
                group.addTask {
                    guard let ctx = try? await t.value else { return }
                    _ = try? await ctx.call("shutdown", timeout: 5)
                    await ctx.close()
                }
            }
        }
    }

    static func start(_ hop: Hop) async throws -> Context {
        let io: StreamIO
        switch hop {
        case .local(let interpreter):
            io = try LocalTransport.start(interpreter: interpreter)
        case .ssh(let options, let interpreter):
            let id = try await Broker.shared.connectSSH(options, command: Agent.bootstrapCommand(interpreter: interpreter))
            return try await hello(hop, stream: id)
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
            throw RemoteError.unreachable(agentStartFailure(e))
        }
        return Context(name: hop.key, stream: stream, info: try Value.parseJSON(bytes: hello))
    }

    static func agentStartFailure(_ e: RemoteError) -> String {
        let text = e.description.trimmingCharacters
        if text.contains("no Python interpreter found") || text.contains("not found") {
            return "Failed to start the swansible agent: \(text)"
        }
        return "Failed to start the swansible agent: \(text.isEmpty ? "the agent exited" : text)"
    }

    /// `raw`: runs a shell command over the transport without an agent.
    public func runRaw(_ hop: Hop, _ command: String) async throws -> (Int, [UInt8], [UInt8]) {
        let out: CommandOutput
        switch hop {
        case .local: out = try await Broker.shared.collect(try Spawn.start(["/bin/sh", "-c", command]))
        case .ssh(let o, _): out = try await Broker.shared.runSSH(o, command: command)
        }
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
