// A running agent the controller can call: one stream in the broker, what the agent said
// about itself when it started, and which module sources it already holds.
import OrderedCollections
import Synchronization
import Values

public final class Context: Sendable {
    public let name: String
    let stream: Int
    /// The agent's address on its stream: 0 for the login agent, an id for a child (become).
    let id: UInt32
    /// The agent's hello: python, version, pid, uid, home.
    public let info: Value
    private let sent = Mutex<Set<String>>([])
    private let dead = Atomic<Bool>(false)

    init(name: String, stream: Int, id: UInt32 = 0, info: Value) {
        self.name = name
        self.stream = stream
        self.id = id
        self.info = info
    }

    public var isAlive: Bool { !dead.load(ordering: .relaxed) }

    /// One message to the agent and its reply.
    public func call(_ method: String, _ body: Dict = Dict(), timeout: Double? = nil) async throws -> Value {
        var b = body
        b["method"] = .string(method)
        let handle = Broker.shared.newHandle()
        do {
            let reply = try await Broker.shared.request(stream, Frame.request(handle: handle, body: .dict(b), dst: id), replyTo: handle,
                                                        dst: id, timeout: timeout)
            return try Value.parseJSON(bytes: reply)
        } catch let e as RemoteError {
            if case .timeout = e {} else { dead.store(true, ordering: .relaxed) }
            throw e
        }
    }

    /// Marks sources as held by the agent; returns those it did not hold yet.
    public func missing(_ keys: [String]) -> Set<String> {
        sent.withLock { s in Set(keys.filter { !s.contains($0) }) }
    }

    public func markSent(_ keys: some Sequence<String>) {
        sent.withLock { s in s.formUnion(keys) }
    }

    public func forget(_ keys: some Sequence<String>) {
        sent.withLock { s in s.subtract(keys) }
    }

    func shutdown() {
        dead.store(true, ordering: .relaxed)
        if id == 0 { Broker.shared.close(stream) }
    }

    /// Closes the stream and waits until its transport is freed (a child only stops its agent).
    func close() async {
        guard id == 0 else {
            dead.store(true, ordering: .relaxed)
            return
        }
        dead.store(true, ordering: .relaxed)
        await Broker.shared.closeAndWait(stream)
    }
}
