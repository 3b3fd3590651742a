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
    /// The user a become agent was started as (nil for a login or via agent).
    let becomeUser: String?
    private let sent = Mutex<Set<String>>([])
    /// What the user's module cache on the target held when the agent started.
    private let cached: Set<String>
    private let dead = Atomic<Bool>(false)
    /// Calls under way: an agent in the middle of one is never evicted.
    private let active = Atomic<Int>(0)

    init(name: String, stream: Int, id: UInt32 = 0, info: Value, becomeUser: String? = nil) {
        self.name = name
        self.stream = stream
        self.id = id
        self.info = info
        self.becomeUser = becomeUser
        self.cached = Set((info["cached"]?.listValue ?? []).compactMap(\.stringValue))
    }

    public var isAlive: Bool { !dead.load(ordering: .relaxed) }

    var isBusy: Bool { active.load(ordering: .relaxed) > 0 }

    func markDead() { dead.store(true, ordering: .relaxed) }

    /// One message to the agent and its reply.
    public func call(_ method: String, _ body: Dict = Dict(), timeout: Double? = nil) async throws -> Value {
        var b = body
        b["method"] = .string(method)
        let handle = Broker.shared.newHandle()
        active.add(1, ordering: .relaxed)
        defer { active.subtract(1, ordering: .relaxed) }
        do {
            let reply = try await Broker.shared.request(stream, Frame.request(handle: handle, body: .dict(b), dst: id), replyTo: handle,
                                                        dst: id, timeout: timeout, compress: true)
            return try Value.parseJSON(bytes: reply)
        } catch let e as RemoteError {
            if case .timeout = e {} else { dead.store(true, ordering: .relaxed) }
            throw e
        }
    }

    /// Streams a local file (or bytes) into the agent's temp dir in chunks, with a few chunks in
    /// flight at a time so neither side buffers the whole file; returns the path over there.
    /// `remoteTmp`: where the agent makes its temp dir if it has none yet (the task's remote_tmp).
    public func upload(_ source: UploadSource, remoteTmp: String? = nil, chunk: Int = 1 << 20, window: Int = 4) async throws -> String {
        active.add(1, ordering: .relaxed)
        defer { active.subtract(1, ordering: .relaxed) }
        let id = Int.random(in: 1...Int(Int32.max))
        var open: Dict = ["id": .int(id)]
        if let remoteTmp { open["remote_tmp"] = .string(remoteTmp) }
        guard let path = try await call("upload_open", open)["path"]?.stringValue else {
            throw RemoteError.protocolError("the agent did not open an upload")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var offset = 0
            while let piece = try source.read(at: offset, count: chunk), !piece.isEmpty {
                if inFlight >= window {
                    try await group.next()
                    inFlight -= 1
                }
                let handle = Broker.shared.newHandle()
                // Each piece says where it goes: the tasks below may hand their frames to the broker in
                // any order, so the agent writes by offset, not in arrival order.
                let frame = Frame.raw(handle: handle, meta: ["method": "upload_chunk", "id": .int(id), "offset": .int(offset)],
                                      data: piece[...], dst: self.id)
                let stream = self.stream, dst = self.id
                group.addTask { _ = try await Broker.shared.request(stream, frame, replyTo: handle, dst: dst) }
                inFlight += 1
                offset += piece.count
            }
            try await group.waitForAll()
        }
        _ = try await call("upload_close", ["id": .int(id)])
        return path
    }

    /// The keys this agent does not hold; with `cache`, what its user's module cache held counts.
    public func missing(_ keys: [String], cache: Bool = false) -> Set<String> {
        sent.withLock { s in Set(keys.filter { !s.contains($0) && !(cache && cached.contains($0)) }) }
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

/// Where an upload's bytes come from: memory, or a file read piece by piece.
public enum UploadSource: Sendable {
    case bytes([UInt8])
    case file(String)

    func read(at offset: Int, count: Int) throws -> [UInt8]? {
        switch self {
        case .bytes(let b):
            guard offset < b.count else { return nil }
            return Array(b[offset..<min(b.count, offset + count)])
        case .file(let path):
            return try Files.readChunk(path, offset: offset, count: count)
        }
    }
}
