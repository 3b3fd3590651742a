// The wire format between the controller and agents: a fixed 24-byte big-endian header
// (magic, flags, dst, src, handle, reply_to, length) and a JSON body. The length is checked
// against the limit before anything is allocated.
import Values

public enum Frame {
    public static let magic: UInt16 = 0x5357
    public static let headerSize = 24
    public static let maxBody = 64 * 1024 * 1024

    struct Header {
        var flags: UInt16 = 0
        var dst: UInt32 = 0
        var src: UInt32 = 0
        var handle: UInt32 = 0
        var replyTo: UInt32 = 0
        var length: UInt32 = 0
    }

    static func encode(_ h: Header, body: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(headerSize + body.count)
        func put16(_ v: UInt16) { out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xff)) }
        func put32(_ v: UInt32) { for s in [24, 16, 8, 0] { out.append(UInt8((v >> UInt32(s)) & 0xff)) } }
        put16(magic)
        put16(h.flags)
        put32(h.dst)
        put32(h.src)
        put32(h.handle)
        put32(h.replyTo)
        put32(UInt32(body.count))
        out += body
        return out
    }

    /// Route announcements that agents send up when a child starts or goes away.
    static let routeAdd: UInt16 = 1, disconnect: UInt16 = 2, heartbeat: UInt16 = 4, raw: UInt16 = 8, zlib: UInt16 = 16

    /// A frame carrying bytes: one line of JSON describing them, then the bytes.
    static func raw(handle: UInt32, meta: Value, data: ArraySlice<UInt8>, dst: UInt32) -> [UInt8] {
        encode(Header(flags: raw, dst: dst, handle: handle), body: Array((meta.json() + "\n").utf8) + data)
    }

    static func request(handle: UInt32, body: Value, dst: UInt32 = 0) -> [UInt8] {
        encode(Header(dst: dst, handle: handle), body: Array(body.json().utf8))
    }

    /// Parses one header from the start of `buf`; nil when fewer than 24 bytes are there.
    static func parseHeader(_ buf: ArraySlice<UInt8>) throws -> Header? {
        guard buf.count >= headerSize else { return nil }
        let b = buf.startIndex
        func u16(_ i: Int) -> UInt16 { UInt16(buf[b + i]) << 8 | UInt16(buf[b + i + 1]) }
        func u32(_ i: Int) -> UInt32 {
            UInt32(buf[b + i]) << 24 | UInt32(buf[b + i + 1]) << 16 | UInt32(buf[b + i + 2]) << 8 | UInt32(buf[b + i + 3])
        }
        guard u16(0) == magic else {
            throw RemoteError.protocolError("bad frame magic: the agent's output is not framed (\(String(decoding: buf.prefix(80), as: UTF8.self)))")
        }
        let h = Header(flags: u16(2), dst: u32(4), src: u32(8), handle: u32(12), replyTo: u32(16), length: u32(20))
        guard Int(h.length) <= maxBody else {
            throw RemoteError.protocolError("frame of \(h.length) bytes exceeds the \(maxBody)-byte limit")
        }
        return h
    }
}

public enum RemoteError: Error, CustomStringConvertible, Sendable {
    /// How an unreachable message begins when the ssh login itself failed (the ssh plugin's words).
    public static let sshConnectFailure = "Failed to connect to the host via ssh: "

    /// The connection could not be made (Ansible reports the host UNREACHABLE).
    case unreachable(String)
    /// The agent's stream ended; carries what it wrote to stderr.
    case disconnected(String)
    case protocolError(String)
    case timeout(String)
    /// Privilege escalation failed (a wrong or missing password): a task failure, not unreachable.
    case becomeFailed(String)
    /// The interpreter the agent was to run on is not on the host: Ansible fails the task (the
    /// host stays reachable). Carries the shell's output.
    case interpreterNotFound(String, output: String)
    /// The agent's process ended before the agent started: its exit status, its output (stderr
    /// raw, with the bootstrap's markers) and what to say of it.
    case exited(rc: Int, stdout: String, stderr: String, message: String)
    /// The interpreter ran and exited without starting the agent (a broken shim, a Python too
    /// old): Ansible fails the task, as it does for a module whose output is not JSON.
    /// `discovered`: the interpreter the bootstrap found, when none was given.
    case interpreterFailed(rc: Int, stdout: String, stderr: String, discovered: String?)

    public var description: String {
        switch self {
        case .unreachable(let m), .disconnected(let m), .protocolError(let m), .timeout(let m), .becomeFailed(let m): return m
        case .interpreterNotFound(let i, _): return "The module interpreter \(Value.string(i).pythonRepr) was not found."
        case .exited(_, _, _, let m): return m
        case .interpreterFailed: return "Module result deserialization failed: No start of json char found"
        }
    }
}
