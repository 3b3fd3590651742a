// The local transport: the agent as a child process of the controller, on pipes.
import Values

enum LocalTransport {
    static func start(interpreter: String?) throws -> StreamIO {
        try Spawn.start(["/bin/sh", "-c", Agent.bootstrapCommand(interpreter: interpreter)])
    }

    /// `raw` on localhost: one shell command, no agent.
    static func runCommand(_ command: String) throws -> (Int, [UInt8], [UInt8]) {
        let p = try Spawn.start(["/bin/sh", "-c", command])
        return try p.collect()
    }
}

extension PipeStream {
    /// Reads both pipes to EOF and waits for the exit status (blocking; run off the broker).
    func collect() throws -> (Int, [UInt8], [UInt8]) {
        Glibc.close(stdinFd)
        var out: [UInt8] = [], err: [UInt8] = []
        var fds = [pollfd(fd: stdoutFd, events: Int16(POLLIN), revents: 0), pollfd(fd: stderrFd, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var chunk = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            _ = poll(&fds, 2, -1)
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fds[i].fd, $0.baseAddress, 65536) }
                if n > 0 {
                    if i == 0 { out += chunk[0..<n] } else { err += chunk[0..<n] }
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    Glibc.close(fds[i].fd)
                    fds[i].fd = -1
                    open -= 1
                }
            }
        }
        closed = true
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let rc = (status & 0x7f) == 0 ? Int((status >> 8) & 0xff) : 128 + Int(status & 0x7f)
        return (rc, out, err)
    }
}
#if canImport(Glibc)
import Glibc
#endif
