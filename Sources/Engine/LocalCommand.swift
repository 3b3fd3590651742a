// Shell commands the controller runs itself (the pipe and lines lookups): each in a process
// group of its own, so that Ctrl-C stops them at once — they block the thread that templates
// while they run, and the run cannot wind down until that thread is free again.
import CShim
import Remote
import Synchronization
import Values
#if canImport(Glibc)
import Glibc
#endif

enum LocalCommand {
    private static let running = Mutex<Set<pid_t>>([])
    private static let interrupted = Atomic<Bool>(false)

    /// `/bin/sh -c cmd` with the controller's stdin and stderr: its exit status and stdout.
    static func run(_ cmd: String) -> (Int32, String) {
        var out: [Int32] = [0, 0]
        guard !interrupted.load(ordering: .relaxed), cshim_pipe2_cloexec(&out) == 0 else { return (-1, "") }
        let pid = Subprocess.spawn(["/bin/sh", "-c", cmd], stdin: 0, stdout: out[1], stderr: 2, newProcessGroup: true)
        close(out[1])
        guard pid > 0 else { close(out[0]); return (-1, "") }
        running.withLock { _ = $0.insert(pid) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(out[0], &buf, buf.count)
            if n > 0 { bytes += buf[0..<n]; continue }
            if n < 0, errno == EINTR { continue }
            break
        }
        close(out[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        running.withLock { _ = $0.remove(pid) }
        return (Int32(Spawn.exitCode(status)), String(decoding: bytes, as: UTF8.self))
    }

    /// Ctrl-C: what runs now is stopped (as the terminal would have stopped it), nothing new starts.
    static func interruptAll(_ signal: Int32 = SIGINT) {
        interrupted.store(true, ordering: .relaxed)
        running.withLock { for pid in $0 { kill(-pid, signal) } }
    }
}
