// One agent's byte stream as the broker drives it: a pipe pair to a local process or an SSH
// channel. Only the broker thread touches a stream once it is registered.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import Synchronization
import Values

enum ReadResult {
    case data(Int)
    case wouldBlock
    case eof
}

protocol StreamIO: AnyObject {
    /// Descriptors to watch for input, and the one to watch for output.
    var readFds: [Int32] { get }
    var writeFd: Int32 { get }
    /// True while the transport itself has buffered output to flush (libssh).
    var writePending: Bool { get }
    /// Reads agent output into `buf`; also drains stderr into `stderrTail`.
    func read(into buf: inout [UInt8]) -> ReadResult
    /// Writes from `bytes`; returns how many were taken, 0 if it would block, -1 on error.
    func write(_ bytes: ArraySlice<UInt8>) -> Int
    var stderrTail: String { get }
    /// A `raw` command's run: all of stderr is kept (not the last few KiB), and the command gets
    /// no input — its stdin ends at once, so one that asks for a password fails instead of waiting.
    func collectOutput()
    var stderrBytes: [UInt8] { get }
    /// The exit status once output has ended (blocks briefly for it).
    func exitStatus() -> Int
    func close()
}

/// Keeps the last few KiB of what an agent wrote to stderr, for error messages.
struct TailBuffer {
    var bytes: [UInt8] = []
    var limit = 8192

    mutating func append(_ b: ArraySlice<UInt8>) {
        bytes += b
        if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
    }

    /// What the agent said on stderr, without the first stage's readiness marker.
    var text: String {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !Agent.isMarker($0) }.joined(separator: "\n")
    }
}

/// A local child process: its stdin, stdout and stderr pipes.
final class PipeStream: StreamIO {
    let pid: pid_t
    let stdinFd: Int32, stdoutFd: Int32, stderrFd: Int32
    var tail = TailBuffer()
    var closed = false
    var inputClosed = false
    /// stdin is a pseudo-terminal's master (Spawn's terminalInput).
    var terminalInput = false

    init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        stdinFd = stdin
        stdoutFd = stdout
        stderrFd = stderr
        _ = cshim_set_nonblocking(stdin)
        _ = cshim_set_nonblocking(stdout)
        _ = cshim_set_nonblocking(stderr)
    }

    var readFds: [Int32] { [stdoutFd, stderrFd] }
    var writeFd: Int32 { inputClosed ? -1 : stdinFd }
    var writePending: Bool { false }
    var stderrTail: String { tail.text }
    func collectOutput() {
        tail.limit = Int.max
        endInput()
    }

    /// Ends the command's input (EOF on its stdin).
    func endInput() {
        guard !inputClosed else { return }
        inputClosed = true
        Glibc.close(stdinFd)
    }
    var stderrBytes: [UInt8] { tail.bytes }

    func exitStatus() -> Int {
        var status: Int32 = 0
        Spawn.running.withLock { _ = $0.remove(pid) }
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        closed = true
        if !inputClosed { Glibc.close(stdinFd) }
        Glibc.close(stdoutFd)
        Glibc.close(stderrFd)
        return Spawn.exitCode(status)
    }

    func read(into buf: inout [UInt8]) -> ReadResult {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(stderrFd, $0.baseAddress, 65536) }
            if n > 0 { tail.append(chunk[0..<n]); continue }
            break
        }
        var total = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(stdoutFd, $0.baseAddress, 65536) }
            if n > 0 {
                buf += chunk[0..<n]
                total += n
                continue
            }
            if n == 0 { return total > 0 ? .data(total) : .eof }
            if errno == EINTR { continue }
            if errno == EAGAIN { return total > 0 ? .data(total) : .wouldBlock }
            return .eof
        }
    }

    func write(_ bytes: ArraySlice<UInt8>) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.write(stdinFd, $0.baseAddress, $0.count) }
        if n >= 0 { return n }
        return errno == EAGAIN || errno == EINTR ? 0 : -1
    }

    func close() {
        guard !closed else { return }
        closed = true
        if !inputClosed { Glibc.close(stdinFd) }
        Glibc.close(stdoutFd)
        Glibc.close(stderrFd)
        // The agent exits on EOF; reap it so no zombie is left.
        var status: Int32 = 0
        Spawn.running.withLock { _ = $0.remove(pid) }
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(10_000)
        }
        kill(pid, SIGTERM)
        waitpid(pid, &status, 0)
    }
}

/// Starts a local process with pipes on its standard streams.
public enum Spawn {
    /// Processes started here and not yet reaped, each the leader of its own process group.
    static let running = Mutex<Set<pid_t>>([])

    /// Sends `signal` to every process group started here (an agent on the local transport and
    /// the commands it runs, a `docker exec` client…), as ansible-core's workers pass Ctrl-C or
    /// SIGTERM on to their process groups.
    public static func signalAll(_ signal: Int32) {
        running.withLock { for pid in $0 { kill(-pid, signal) } }
    }

    /// With `terminalInput`, stdin is a pseudo-terminal (what su and sudo read a password from,
    /// as Ansible's local connection gives them) and the returned stream writes to its master.
    static func start(_ argv: [String], newProcessGroup: Bool = true, terminalInput: Bool = false) throws -> PipeStream {
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard cshim_pipe2_cloexec(&outPipe) == 0, cshim_pipe2_cloexec(&errPipe) == 0,
              terminalInput ? openTerminal(&inPipe) : cshim_pipe2_cloexec(&inPipe) == 0 else {
            throw RemoteError.unreachable("cannot create pipes: \(String(cString: strerror(errno)))")
        }
        let pid = Subprocess.spawn(argv, stdin: inPipe[0], stdout: outPipe[1], stderr: errPipe[1], newProcessGroup: newProcessGroup)
        if pid > 0, newProcessGroup { running.withLock { _ = $0.insert(pid) } }
        Glibc.close(inPipe[0])
        Glibc.close(outPipe[1])
        Glibc.close(errPipe[1])
        guard pid > 0 else {
            Glibc.close(inPipe[1])
            Glibc.close(outPipe[0])
            Glibc.close(errPipe[0])
            throw RemoteError.unreachable("failed to start \(argv[0]): \(String(cString: strerror(-pid)))")
        }
        let stream = PipeStream(pid: pid, stdin: inPipe[1], stdout: outPipe[0], stderr: errPipe[0])
        stream.terminalInput = terminalInput
        return stream
    }

    /// A wait status as the shell reports it: the exit code, or 128 + the signal.
    public static func exitCode(_ status: Int32) -> Int {
        (status & 0x7f) == 0 ? Int((status >> 8) & 0xff) : 128 + Int(status & 0x7f)
    }

    /// A pseudo-terminal as a pipe: [the terminal end the child reads, the master we write].
    static func openTerminal(_ fds: inout [Int32]) -> Bool {
        var master: Int32 = -1, terminal: Int32 = -1
        guard cshim_openpty(&master, &terminal) == 0 else { return false }
        fds = [terminal, master]
        return true
    }
}
