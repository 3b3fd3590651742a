// Programs the controller starts and waits for: vault password scripts, inventory scripts, an
// editor. Both output streams are read together, so a script that writes much to stderr cannot
// stall waiting for us to read it while we wait on its stdout.
import CShim
#if canImport(Glibc)
import Glibc
#endif

public enum Subprocess {
    /// `argv[0]` could not be started: errno, as Python's OSError carries it.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        public var errno: Int32
        public var description: String { "[Errno \(errno)] \(String(cString: strerror(errno)))" }
    }

    public struct Result: Sendable {
        /// The exit code, or minus the signal that ended it (as Python's returncode).
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
    }

    /// Runs `argv` (searched on PATH) with the controller's stdin and environment; stderr goes
    /// to ours unless captured.
    public static func run(_ argv: [String], captureStderr: Bool = true) throws -> Result {
        var out: [Int32] = [0, 0], err: [Int32] = [-1, -1]
        guard cshim_pipe2_cloexec(&out) == 0 else { throw StartError(errno: errno) }
        guard !captureStderr || cshim_pipe2_cloexec(&err) == 0 else {
            let e = errno
            close(out[0]); close(out[1])
            throw StartError(errno: e)
        }
        let pid = spawn(argv, stdout: out[1], stderr: captureStderr ? err[1] : 2)
        close(out[1])
        if captureStderr { close(err[1]) }
        guard pid > 0 else {
            close(out[0])
            if captureStderr { close(err[0]) }
            throw StartError(errno: -pid)
        }
        let (stdout, stderr) = captureStderr ? drain(out[0], err[0]) : (drain(out[0]), [])
        close(out[0])
        if captureStderr { close(err[0]) }
        return Result(status: wait(pid), stdout: stdout, stderr: stderr)
    }

    /// Starts `argv` (searched on PATH) with stdin inherited: its pid, or -errno.
    public static func spawn(_ argv: [String], stdin: Int32 = 0, stdout: Int32 = 1, stderr: Int32 = 2,
                             newProcessGroup: Bool = false) -> pid_t {
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        return cargs.withUnsafeMutableBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) {
                cshim_spawn($0, stdin, stdout, stderr, newProcessGroup ? 1 : 0)
            }
        }
    }

    /// The exit code of a child (negative: the signal that ended it).
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
    }

    /// Everything a descriptor gives until its end.
    public static func drain(_ fd: Int32) -> [UInt8] {
        var all: [UInt8] = [], buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return all }
            all += buf[0..<n]
        }
    }

    /// Two descriptors read until both end, whichever has data first.
    static func drain(_ a: Int32, _ b: Int32) -> ([UInt8], [UInt8]) {
        var got: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var buf = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buf.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 { got[i] += buf[0..<n] } else if n == 0 || errno != EINTR { fds[i].fd = -1 }
            }
        }
        return (got[0], got[1])
    }
}
