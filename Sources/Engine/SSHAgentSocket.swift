// The ssh-agent protocol's one request the controller makes itself: list the identities, to
// know an agent answers on a socket before the run relies on it (draft-miller-ssh-agent).
#if canImport(Glibc)
import Glibc
#endif
import Values

struct AgentSocket {
    let path: String
    init(_ path: String) { self.path = path }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// An OS error, worded as Python's OSError.
        static func system(_ code: Int32) -> Failure { Failure(description: "[Errno \(code)] \(String(cString: strerror(code)))") }
    }

    static let requestIdentities: UInt8 = 11, identitiesAnswer: UInt8 = 12, failure: UInt8 = 5

    /// How many keys the agent holds.
    func identities() throws -> Int {
        let reply = try request([AgentSocket.requestIdentities])
        if reply.first == AgentSocket.failure { throw Failure(description: "agent: failure") }
        guard reply.first == AgentSocket.identitiesAnswer, reply.count >= 5 else {
            throw Failure(description: "agent: non-identities answer received for identities list")
        }
        return reply[1..<5].reduce(0) { $0 << 8 | Int($1) }
    }

    /// One message out, its answer back (each framed by a 4-byte length), within 10 s as
    /// ansible-core's client waits.
    func request(_ message: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.system(errno) }
        defer { close(fd) }
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "AF_UNIX path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw Failure.system(errno) }
        let n = UInt32(message.count)
        try send(fd, [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + message)
        let length = try receive(fd, 4).reduce(0) { $0 << 8 | Int($1) }
        return try receive(fd, length)
    }

    private func send(_ fd: Int32, _ data: [UInt8]) throws {
        var done = 0
        while done < data.count {
            let n = data[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw errno == EAGAIN ? Failure(description: "timed out") : Failure.system(errno) }
            done += n
        }
    }

    private func receive(_ fd: Int32, _ count: Int) throws -> [UInt8] {
        var got: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while got.count < count {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, count - got.count)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw errno == EAGAIN ? Failure(description: "timed out") : Failure.system(errno) }
            if n == 0 { throw Failure(description: "the agent closed the connection") }
            got += buf[0..<n]
        }
        return got
    }
}
