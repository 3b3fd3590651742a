// The one I/O thread: it owns every agent stream (pipes and libssh sessions), multiplexes them
// with epoll, drives SSH handshakes without blocking, writes queued frames and hands each
// reply to the task awaiting it. Other threads talk to it only through `ops` and an eventfd.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import Synchronization
import Values

struct UnsafeTransfer<T>: @unchecked Sendable {
    let value: T
}

/// What a command run to completion produced (`raw`).
public struct CommandOutput: Sendable {
    public var rc: Int
    public var stdout: [UInt8]
    public var stderr: [UInt8]
}

public final class Broker: Sendable {
    public static let shared = Broker()

    enum Op: Sendable {
        case add(Int, UnsafeTransfer<StreamIO>, collect: CheckedContinuation<CommandOutput, any Error>?)
        case handshake(Int, SSHOptions, String, CheckedContinuation<Int, any Error>?,
                       collect: CheckedContinuation<CommandOutput, any Error>?, become: (BecomeExchange, BecomeSlot)? = nil)
        case send(Int, [UInt8], UInt32, dst: UInt32, CheckedContinuation<[UInt8], any Error>?, deadline: UInt64?, compress: Bool)
        case close(Int, CheckedContinuation<Void, Never>?)
    }

    private let ops = Mutex<[Op]>([])
    private let wakeFd: Int32
    private let epfd: Int32
    private let nextStream = Atomic<Int>(1)
    private let nextHandle = Atomic<UInt32>(2)
    /// Agent protocol traffic of this run, for `SWANSIBLE_STATS`: requests, bytes out and in.
    public let requests = Atomic<Int>(0)
    public let bytesOut = Atomic<Int>(0)
    public let bytesIn = Atomic<Int>(0)

    private init() {
        // A dead agent's pipe must surface as an error on write, not kill the controller.
        signal(SIGPIPE, SIG_IGN)
        ssh_init_once()
        wakeFd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        var ev = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: 0))
        epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFd, &ev)
        let loop = UnsafeTransfer(value: Loop(epfd: epfd, wakeFd: wakeFd))
        Thread.detach { [self] in loop.value.run(self) }
    }

    func takeOps() -> [Op] {
        ops.withLock { q in
            let all = q
            q.removeAll()
            return all
        }
    }

    private func submit(_ op: Op) {
        let first = ops.withLock { q in
            q.append(op)
            return q.count == 1
        }
        if first {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFd, &one, 8)
        }
    }

    private func newID() -> Int { nextStream.add(1, ordering: .relaxed).oldValue }

    func register(_ stream: StreamIO) -> Int {
        let id = newID()
        submit(.add(id, UnsafeTransfer(value: stream), collect: nil))
        return id
    }

    /// Connects over ssh and starts `command`; returns the stream once the channel runs it.
    /// Every libssh call happens on the broker thread, from session creation to free.
    func connectSSH(_ options: SSHOptions, command: String) async throws -> Int {
        let id = newID()
        return try await withCheckedThrowingContinuation { cont in
            submit(.handshake(id, options, command, cont, collect: nil))
        }
    }

    /// Runs one command to completion over a fresh ssh session (no agent involved); under a
    /// become stage, its stream goes into `become`'s slot once the session is up.
    func runSSH(_ options: SSHOptions, command: String, become: (BecomeExchange, BecomeSlot)? = nil) async throws -> CommandOutput {
        let id = newID()
        return try await withCheckedThrowingContinuation { cont in
            submit(.handshake(id, options, command, nil, collect: cont, become: become))
        }
    }

    /// Collects a local process's output to its end.
    func collect(_ stream: StreamIO) async throws -> CommandOutput {
        let id = newID()
        return try await withCheckedThrowingContinuation { cont in
            submit(.add(id, UnsafeTransfer(value: stream), collect: cont))
        }
    }

    func newHandle() -> UInt32 { nextHandle.add(1, ordering: .relaxed).oldValue }

    /// Writes `bytes` (a frame, or the bootstrap payload) and waits for the frame that replies to `handle`;
    /// with `compress`, the frame's body goes through the agent's deflate stream.
    func request(_ stream: Int, _ bytes: [UInt8], replyTo handle: UInt32, dst: UInt32 = 0, timeout: Double? = nil,
                 compress: Bool = false) async throws -> [UInt8] {
        let deadline = timeout.map { Clock.nowNanos() + Seconds.nanoseconds($0) }
        requests.add(1, ordering: .relaxed)
        return try await withCheckedThrowingContinuation { cont in
            submit(.send(stream, bytes, handle, dst: dst, cont, deadline: deadline, compress: compress))
        }
    }

    func close(_ stream: Int) { submit(.close(stream, nil)) }

    /// Closes a stream and returns once its transport is freed (before the process may exit:
    /// libssh and OpenSSL tear down their globals at exit and must not be in use then).
    func closeAndWait(_ stream: Int) async {
        await withCheckedContinuation { cont in submit(.close(stream, cont)) }
    }
}

/// libssh's global initialisation, done once before any session exists.
private func ssh_init_once() { _ = ssh_init() }

/// State only the broker thread touches.
final class Loop {
    struct Entry {
        var io: StreamIO
        var out: [UInt8] = []
        var outOffset = 0
        var inBuf: [UInt8] = []
        /// Waiting requests by handle: who waits, until when, and which context (dst) was asked.
        var pending: [UInt32: (CheckedContinuation<[UInt8], any Error>, UInt64?, UInt32)] = [:]
        var wantOut = false
        /// Set for a command whose whole output is wanted instead of frames.
        var collector: CheckedContinuation<CommandOutput, any Error>?
        /// The compression streams of the agents on this stream, by context id (see Compression.swift).
        var deflaters: [UInt32: ZStream] = [:]
        var inflaters: [UInt32: ZStream] = [:]
        /// When the agent was last heard from; a busy agent that stays silent longer than the
        /// limit (it sends heartbeats while it works) is taken for a stopped or lost host.
        var lastHeard = Clock.nowNanos()
        /// Whether the agent has sent a frame yet: one that ends before it did never started.
        var started = false
        /// What was wrong with output that came before the agent's first frame.
        var garbled: RemoteError?
    }

    struct Handshake {
        var hs: SSHHandshake
        var cont: CheckedContinuation<Int, any Error>?
        var collector: CheckedContinuation<CommandOutput, any Error>?
        var become: (BecomeExchange, BecomeSlot)?
        var registeredFd: Int32 = -1
    }

    let epfd: Int32, wakeFd: Int32
    var streams: [Int: Entry] = [:]
    /// How long a busy agent may stay silent (SWANSIBLE_AGENT_TIMEOUT seconds, default 30).
    static let silenceLimit: UInt64 = UInt64(Int(Files.environment("SWANSIBLE_AGENT_TIMEOUT") ?? "") ?? 30) * 1_000_000_000
    var handshakes: [Int: Handshake] = [:]
    /// Why recent streams ended: a request sent after its agent already exited (an interpreter
    /// that is not there) gets the agent's stderr, not a bare "closed".
    var endings: [Int: any Error] = [:]

    init(epfd: Int32, wakeFd: Int32) {
        self.epfd = epfd
        self.wakeFd = wakeFd
    }

    func run(_ broker: Broker) {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let hasDeadlines = !handshakes.isEmpty || streams.values.contains { !$0.pending.isEmpty }
            let n = cshim_epoll_wait(epfd, &events, 64, hasDeadlines ? 100 : 1000)
            for i in 0..<max(0, Int(n)) {
                let id = Int(events[i].data.u64)
                if id == 0 {
                    var v: UInt64 = 0
                    _ = Glibc.read(wakeFd, &v, 8)
                    for op in broker.takeOps() { apply(op) }
                } else if handshakes[id] != nil {
                    stepHandshake(id)
                } else {
                    service(id)
                }
            }
            // libssh may hold data it already read from the socket; poll those streams too.
            let now = Clock.nowNanos()
            for (id, e) in streams {
                guard let ssh = e.io as? SSHStream ?? (e.io as? BecomeStream)?.inner as? SSHStream else { continue }
                service(id)
                if ssh.keepAlive(now: now) { flush(id) }
            }
            if hasDeadlines { expire() }
        }
    }

    func apply(_ op: Broker.Op) {
        switch op {
        case .add(let id, let box, let collector):
            let io = box.value
            if collector != nil { io.collectOutput() }
            streams[id] = Entry(io: io, collector: collector)
            for fd in io.readFds {
                var ev = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: UInt64(id)))
                epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
            }
            if !io.readFds.contains(io.writeFd) {
                var ev = epoll_event(events: 0, data: epoll_data_t(u64: UInt64(id)))
                epoll_ctl(epfd, EPOLL_CTL_ADD, io.writeFd, &ev)
            }
            if collector != nil { service(id) }
        case .handshake(let id, let options, let command, let cont, let collector, let become):
            do {
                handshakes[id] = Handshake(hs: try SSHHandshake(options, command: command), cont: cont, collector: collector, become: become)
                stepHandshake(id)
            } catch {
                cont?.resume(throwing: error)
                collector?.resume(throwing: error)
            }
        case .send(let id, var bytes, let handle, let dst, let cont, let deadline, let compress):
            guard streams[id] != nil else {
                cont?.resume(throwing: endings.removeValue(forKey: id) ?? RemoteError.disconnected("the connection to the agent is closed"))
                return
            }
            if compress {
                guard let packed = self.compress(bytes, stream: id, dst: dst) else {
                    cont?.resume(throwing: RemoteError.protocolError("could not compress a frame"))
                    return
                }
                bytes = packed
            }
            Broker.shared.bytesOut.add(bytes.count, ordering: .relaxed)
            streams[id]!.out += bytes
            if streams[id]!.pending.isEmpty { streams[id]!.lastHeard = Clock.nowNanos() }
            if let cont { streams[id]!.pending[handle] = (cont, deadline, dst) }
            flush(id)
        case .close(let id, let done):
            drop(id, RemoteError.disconnected("the connection was closed"))
            done?.resume()
        }
    }

    func stepHandshake(_ id: Int) {
        guard var h = handshakes[id] else { return }
        let progress = h.hs.advance()
        switch progress {
        case .again:
            let fd = h.hs.fd
            guard fd >= 0 else { return }
            let events = EPOLLIN.rawValue | (h.hs.wantsWrite ? EPOLLOUT.rawValue : 0)
            var ev = epoll_event(events: events, data: epoll_data_t(u64: UInt64(id)))
            if h.registeredFd != fd {
                if h.registeredFd >= 0 { epoll_ctl(epfd, EPOLL_CTL_DEL, h.registeredFd, nil) }
                epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
                h.registeredFd = fd
            } else {
                epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev)
            }
            handshakes[id] = h
        case .failed(let error):
            handshakes[id] = nil
            if h.registeredFd >= 0 { epoll_ctl(epfd, EPOLL_CTL_DEL, h.registeredFd, nil) }
            h.cont?.resume(throwing: error)
            h.collector?.resume(throwing: error)
        case .ready(let stream):
            handshakes[id] = nil
            if h.registeredFd >= 0 { epoll_ctl(epfd, EPOLL_CTL_DEL, h.registeredFd, nil) }
            var io: any StreamIO = stream
            if let (exchange, slot) = h.become {
                let staged = BecomeStream(stream, exchange, overSSH: true)
                staged.sshTimeout = 2 + h.hs.options.timeout
                slot.attach(staged)
                io = staged
            }
            apply(.add(id, UnsafeTransfer(value: io), collect: h.collector))
            h.cont?.resume(returning: id)
        }
    }

    func service(_ id: Int) {
        guard var e = streams[id] else { return }
        let before = e.inBuf.count
        let r = e.io.read(into: &e.inBuf)
        if e.inBuf.count > before { e.lastHeard = Clock.nowNanos() }
        streams[id] = e
        if let collector = e.collector {
            if case .eof = r {
                streams[id] = nil
                for fd in Set(e.io.readFds + [e.io.writeFd]) { epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil) }
                let rc = e.io.exitStatus()
                let output = CommandOutput(rc: rc, stdout: e.inBuf, stderr: e.io.stderrBytes)
                e.io.close()
                collector.resume(returning: output)
            }
            return
        }
        if e.garbled == nil {
            do { try deliver(id) } catch {
                guard let s = streams[id], !s.started, let error = error as? RemoteError else {
                    drop(id, error)
                    return
                }
                // Output before the agent's first frame is not the agent's (an interpreter
                // that ran and failed): the process is let end, and its output says why.
                streams[id]!.garbled = error
                streams[id]!.io.collectOutput()
            }
        }
        if case .eof = r {
            drop(id, ending(id, otherwise: streams[id]?.garbled?.description ?? "the agent closed its connection"))
            return
        }
        flush(id)
    }

    /// Splits complete frames off the input buffer and resumes whoever waits for each.
    func deliver(_ id: Int) throws {
        guard var e = streams[id] else { return }
        var offset = 0
        while let h = try Frame.parseHeader(e.inBuf[offset...]) {
            let end = offset + Frame.headerSize + Int(h.length)
            guard e.inBuf.count >= end else { break }
            let body = Array(e.inBuf[(offset + Frame.headerSize)..<end])
            offset = end
            e.started = true
            if h.flags & Frame.disconnect != 0 {
                // A child agent died: whatever waits on it fails now, the rest carries on.
                let gone = (try? Value.parseJSON(bytes: body))?["id"]?.intValue.map { UInt32($0) } ?? 0
                e.deflaters[gone] = nil
                e.inflaters[gone] = nil
                for (handle, p) in e.pending where p.2 == gone {
                    e.pending[handle] = nil
                    p.0.resume(throwing: RemoteError.disconnected("the become agent exited"))
                }
                continue
            }
            if h.flags & Frame.routeAdd != 0 {
                // A new context on this stream: its streams start fresh.
                let added = (try? Value.parseJSON(bytes: body))?["id"]?.intValue.map { UInt32($0) } ?? 0
                e.deflaters[added] = nil
                e.inflaters[added] = nil
            }
            if h.flags & (Frame.routeAdd | Frame.heartbeat) != 0 { continue }
            var reply = body
            if h.flags & Frame.zlib != 0 {
                // Inflated even when nobody waits any more (a timed-out request): the stream must stay in step.
                if e.inflaters[h.src] == nil { e.inflaters[h.src] = ZStream(deflating: false) }
                guard let plain = e.inflaters[h.src]?.run(body[...], max: Frame.maxBody) else {
                    streams[id] = e
                    throw RemoteError.protocolError("a compressed frame from the agent is corrupt or inflates past the \(Frame.maxBody)-byte limit")
                }
                reply = plain
            }
            guard let (cont, _, _) = e.pending.removeValue(forKey: h.replyTo) else { continue }
            Broker.shared.bytesIn.add(Frame.headerSize + body.count, ordering: .relaxed)
            cont.resume(returning: reply)
        }
        if offset > 0 { e.inBuf.removeFirst(offset) }
        streams[id] = e
    }

    /// The frame with its body through the deflate stream of context `dst`.
    func compress(_ frame: [UInt8], stream id: Int, dst: UInt32) -> [UInt8]? {
        guard let h = try? Frame.parseHeader(frame[...]) else { return nil }
        if streams[id]!.deflaters[dst] == nil { streams[id]!.deflaters[dst] = ZStream(deflating: true) }
        guard let body = streams[id]!.deflaters[dst]?.run(frame[Frame.headerSize...], max: 2 * Frame.maxBody) else { return nil }
        var header = h
        header.flags |= Frame.zlib
        return Frame.encode(header, body: body)
    }

    func flush(_ id: Int) {
        guard var e = streams[id] else { return }
        while e.outOffset < e.out.count {
            let n = e.io.write(e.out[e.outOffset...])
            if n < 0 {
                // The agent is gone: what it said on stderr before going is the reason. One that
                // never started is let end first, so its exit status and output say why.
                let r = e.io.read(into: &e.inBuf)
                streams[id] = e
                if !e.started {
                    if case .eof = r {
                        drop(id, ending(id, otherwise: "write to the agent failed"))
                        return
                    }
                    e.out = []
                    e.outOffset = 0
                    e.io.collectOutput()
                    break
                }
                drop(id, RemoteError.disconnected(e.io.stderrTail.isEmpty ? "write to the agent failed" : e.io.stderrTail))
                return
            }
            if n == 0 { break }
            e.outOffset += n
        }
        if e.outOffset == e.out.count {
            e.out.removeAll(keepingCapacity: true)
            e.outOffset = 0
        }
        let want = e.outOffset < e.out.count || e.io.writePending
        if want != e.wantOut {
            e.wantOut = want
            let shared = e.io.readFds.contains(e.io.writeFd)
            let events = (want ? EPOLLOUT.rawValue : 0) | (shared ? EPOLLIN.rawValue : 0)
            var ev = epoll_event(events: events, data: epoll_data_t(u64: UInt64(id)))
            epoll_ctl(epfd, EPOLL_CTL_MOD, e.io.writeFd, &ev)
        }
        streams[id] = e
    }

    func expire() {
        let now = Clock.nowNanos()
        for (id, e) in streams where !e.pending.isEmpty && e.collector == nil && now - e.lastHeard > Loop.silenceLimit {
            let seconds = Loop.silenceLimit / 1_000_000_000
            drop(id, RemoteError.timeout("the agent stopped answering (nothing heard for \(seconds) seconds)"))
        }
        for (id, e) in streams {
            for (h, (cont, deadline, _)) in e.pending {
                if let deadline, deadline < now {
                    streams[id]?.pending[h] = nil
                    cont.resume(throwing: RemoteError.timeout("timed out waiting for the agent"))
                }
            }
        }
        for (id, h) in handshakes where h.hs.deadline < now {
            handshakes[id] = nil
            if h.registeredFd >= 0 { epoll_ctl(epfd, EPOLL_CTL_DEL, h.registeredFd, nil) }
            guard case .failed(let error) = h.hs.timedOut() else { continue }
            h.cont?.resume(throwing: error)
            h.collector?.resume(throwing: error)
        }
    }

    /// Why stream `id`'s agent is gone. One that never sent a frame ended before it started: its
    /// exit status and output tell a broken interpreter (the task's failure) from a lost host.
    func ending(_ id: Int, otherwise message: String) -> RemoteError {
        guard let e = streams[id] else { return .disconnected(message) }
        guard !e.started else { return .disconnected(e.io.stderrTail.isEmpty ? message : e.io.stderrTail) }
        let stderr = String(decoding: e.io.stderrBytes, as: UTF8.self)
        return .exited(rc: e.io.exitStatus(), stdout: String(decoding: e.inBuf, as: UTF8.self), stderr: stderr,
                       message: e.garbled != nil || e.io.stderrTail.isEmpty ? message : e.io.stderrTail)
    }

    func drop(_ id: Int, _ error: any Error) {
        guard let e = streams.removeValue(forKey: id) else { return }
        if endings.count >= 64 { endings.removeAll() }
        endings[id] = error
        for fd in Set(e.io.readFds + [e.io.writeFd]) { epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil) }
        // Free the transport before anyone waiting can move on (and perhaps exit the process).
        e.io.close()
        for (cont, _, _) in e.pending.values { cont.resume(throwing: error) }
        e.collector?.resume(throwing: error)
    }
}

enum Clock {
    static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// A detached pthread (the broker loop).
enum Thread {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func detach(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var tid = pthread_t()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        pthread_create(&tid, &attr, { raw in
            let b = Unmanaged<Thread.Box>.fromOpaque(raw!).takeRetainedValue()
            b.body()
            return nil
        }, box)
        pthread_attr_destroy(&attr)
    }
}
import CSSH
