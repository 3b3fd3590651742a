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
        public init(errno: Int32) { self.errno = errno }
        public var description: String { "[Errno \(errno)] \(String(cString: strerror(errno)))" }
    }

    public struct Result: Sendable {
        /// The exit code, or minus the signal that ended it (as Python's returncode).
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
    }

    /// Runs `argv` (searched on PATH) with the controller's environment, and its stdin unless
    /// `input` is given (then written to it while the output is read); stderr goes to ours
    /// unless captured.
    public static func run(_ argv: [String], input: [UInt8]? = nil, captureStderr: Bool = true) throws -> Result {
        var pipes: [[Int32]] = []
        func closeAll() { for p in pipes { close(p[0]); close(p[1]) } }
        for wanted in [true, captureStderr, input != nil] {
            var p: [Int32] = [-1, -1]
            if wanted, cshim_pipe2_cloexec(&p) != 0 {
                let e = errno
                closeAll()
                throw StartError(errno: e)
            }
            pipes.append(p)
        }
        let (out, err, inp) = (pipes[0], pipes[1], pipes[2])
        let pid = spawn(argv, stdin: input != nil ? inp[0] : 0, stdout: out[1], stderr: captureStderr ? err[1] : 2)
        for fd in [out[1], err[1], inp[0]] where fd >= 0 { close(fd) }
        guard pid > 0 else {
            for fd in [out[0], err[0], inp[1]] where fd >= 0 { close(fd) }
            throw StartError(errno: -pid)
        }
        // A child that exits without reading its input must not end us with SIGPIPE.
        if input != nil { signal(SIGPIPE, SIG_IGN) }
        let (stdout, stderr) = drain(out[0], err[0], writing: input ?? [], to: inp[1])
        for fd in [out[0], err[0]] where fd >= 0 { close(fd) }
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

    /// Two descriptors read until both end, whichever has data first, while `input` is written
    /// to `sink` (closed once written, or when the reader is gone). A descriptor may be -1.
    static func drain(_ a: Int32, _ b: Int32, writing input: [UInt8] = [], to sink: Int32 = -1) -> ([UInt8], [UInt8]) {
        var got: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: sink, events: Int16(POLLOUT), revents: 0)]
        var written = 0
        func endInput() { if fds[2].fd >= 0 { close(fds[2].fd); fds[2].fd = -1 } }
        if written == input.count { endInput() }
        var buf = [UInt8](repeating: 0, count: 65536)
        while fds[0].fd >= 0 || fds[1].fd >= 0 {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buf.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 { got[i] += buf[0..<n] } else if n == 0 || errno != EINTR { fds[i].fd = -1 }
            }
            if fds[2].fd >= 0 && fds[2].revents != 0 {
                // At most PIPE_BUF bytes: what POLLOUT promises a blocking pipe takes at once.
                let n = input[written...].withUnsafeBytes { write(fds[2].fd, $0.baseAddress, min($0.count, Int(PIPE_BUF))) }
                if n > 0 { written += n } else if n < 0 && errno != EINTR && errno != EAGAIN { written = input.count }
                if written == input.count { endInput() }
            }
        }
        endInput()
        return (got[0], got[1])
    }
}
