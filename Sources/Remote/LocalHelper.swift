// An agent on the controller itself, called synchronously: a user's Python filter is a function
// call in the middle of a render, which cannot wait on the broker's async requests. The same
// agent.py with helper.py before it (what serves Python plugins), started with
// SWANSIBLE_HELPER=1 so it imports the installed ansible-core itself.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Values

public final class LocalHelper: Sendable {
    private struct Channel: @unchecked Sendable {
        let stream: PipeStream
        let inflate: ZStream
        var buffer: [UInt8] = []
        var handle: UInt32 = 1
    }

    private let channel: Mutex<Channel>

    /// Starts the agent with `interpreter` and waits for its hello.
    public init(interpreter: String) throws {
        let command = "SWANSIBLE_HELPER=1; export SWANSIBLE_HELPER; " + Agent.bootstrapCommand(interpreter: interpreter)
        let stream = try Spawn.start(["/bin/sh", "-c", command])
        guard let inflate = ZStream(deflating: false) else {
            stream.close()
            throw RemoteError.protocolError("zlib could not start an inflater")
        }
        var c = Channel(stream: stream, inflate: inflate)
        do {
            try LocalHelper.send(&c, Agent.helperPayload)
            _ = try LocalHelper.receive(&c, replyTo: 1, compressed: false)
        } catch {
            stream.close()
            throw error
        }
        channel = Mutex(c)
    }

    deinit { channel.withLock { $0.stream.close() } }

    /// One request and its reply; calls from several threads take turns.
    public func call(_ method: String, _ body: Dict) throws -> Value {
        var b = body
        b["method"] = .string(method)
        return try channel.withLock { c in
            let handle = try LocalHelper.request(&c, b)
            return try Value.parseJSON(bytes: LocalHelper.receive(&c, replyTo: handle, compressed: true))
        }
    }

    /// One request that may ask the controller things before its reply (an action plugin's
    /// module runs): each ask is answered by `answer`, awaited with the channel free. The caller
    /// has this helper to itself for the exchange.
    public func exchange(_ method: String, _ body: Dict, answer: (Value) async -> Dict) async throws -> Value {
        var b = body
        b["method"] = .string(method)
        let handle = try channel.withLock { c in try LocalHelper.request(&c, b) }
        while true {
            let reply = try channel.withLock { c in try Value.parseJSON(bytes: LocalHelper.receive(&c, replyTo: handle, compressed: true)) }
            guard reply["ask"] != nil else { return reply }
            var a = await answer(reply)
            a["method"] = "answer"
            _ = try channel.withLock { c in try LocalHelper.request(&c, a) }
        }
    }

    /// Sends a request under a new handle: that handle.
    private static func request(_ c: inout Channel, _ body: Dict) throws -> UInt32 {
        c.handle += 1
        try send(&c, Frame.request(handle: c.handle, body: .dict(body)))
        return c.handle
    }

    private static func send(_ c: inout Channel, _ bytes: [UInt8]) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let n = c.stream.write(rest)
            if n < 0 { throw RemoteError.disconnected("the helper agent stopped: \(c.stream.stderrTail)") }
            if n == 0 { try wait([c.stream.writeFd], events: Int16(POLLOUT)) }
            rest = rest.dropFirst(n)
        }
    }

    /// Reads frames until the reply to `replyTo`, skipping heartbeats.
    private static func receive(_ c: inout Channel, replyTo: UInt32, compressed: Bool) throws -> [UInt8] {
        while true {
            if let h = try Frame.parseHeader(c.buffer[...]), c.buffer.count >= Frame.headerSize + Int(h.length) {
                let body = c.buffer[Frame.headerSize..<Frame.headerSize + Int(h.length)]
                c.buffer.removeFirst(Frame.headerSize + Int(h.length))
                if h.flags & Frame.heartbeat != 0 || h.replyTo != replyTo { continue }
                guard compressed, h.flags & Frame.zlib != 0 else { return Array(body) }
                guard let plain = c.inflate.run(body, max: Frame.maxBody) else {
                    throw RemoteError.protocolError("the helper agent's reply does not inflate")
                }
                return plain
            }
            switch c.stream.read(into: &c.buffer) {
            case .data: continue
            case .wouldBlock: try wait(c.stream.readFds, events: Int16(POLLIN))   // stderr too: a full pipe would stall it
            case .eof: throw RemoteError.disconnected("the helper agent stopped: \(c.stream.stderrTail)")
            }
        }
    }

    private static func wait(_ fds: [Int32], events: Int16) throws {
        var p = fds.map { pollfd(fd: $0, events: events, revents: 0) }
        while poll(&p, nfds_t(p.count), -1) < 0 {
            if errno != EINTR { throw RemoteError.disconnected("poll failed: \(String(cString: strerror(errno)))") }
        }
    }
}
