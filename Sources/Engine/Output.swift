// Writes what the user sees: stdout for results, stderr for warnings and errors, colored as
// Ansible colors them when on a terminal (ANSIBLE_FORCE_COLOR forces, NO_COLOR disables).
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Values

public enum Output {
    static let lock = Mutex<Void>(())
    /// Set once the run is interrupted: Ansible prints nothing after "User interrupted execution".
    static let muted = Atomic<Bool>(false)

    public static func mute() { muted.store(true, ordering: .sequentiallyConsistent) }

    public static let color: Bool = {
        if let v = Files.environment("ANSIBLE_NOCOLOR"), Settings.truthy(v) { return false }
        if Files.environment("NO_COLOR") != nil { return false }
        if let v = Files.environment("ANSIBLE_FORCE_COLOR"), Settings.truthy(v) { return true }
        return isatty(1) != 0
    }()

    public enum Color: String {
        case ok = "0;32", changed = "0;33", error = "0;31", skip = "0;36", unreachable = "1;31", warn = "1;35", verbose = "0;34"
    }

    public static func line(_ s: String, _ c: Color? = nil, stderr: Bool = false) {
        let text = (color && c != nil) ? "\u{1b}[\(c!.rawValue)m\(s)\u{1b}[0m" : s
        write(text + "\n", fd: stderr ? 2 : 1)
    }

    public static func write(_ s: String, fd: Int32 = 1) {
        lock.withLock { _ in
            if muted.load(ordering: .sequentiallyConsistent) { return }
            var bytes = Array(s.utf8)
            var off = 0
            while off < bytes.count {
                let n = bytes[off...].withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n <= 0 { if errno == EINTR { continue }; break }
                off += n
            }
            bytes.removeAll()
        }
    }

    /// `[WARNING]: …` on stderr, as Display.warning prints it.
    public static func warning(_ s: String) {
        line("[WARNING]: \(s)", .warn, stderr: true)
    }

    /// `[ERROR]: …` on stderr, as ansible-core 2.19 prints fatal errors.
    public static func error(_ s: String) {
        line("[ERROR]: \(s)", .error, stderr: true)
    }

    /// A banner: the text, a space and stars up to column 79 (at least 3), after a blank line.
    public static func banner(_ msg: String, _ c: Color? = nil) {
        let stars = max(3, 79 - msg.unicodeScalars.count)
        line("\n\(msg) " + String(repeating: "*", count: stars), c)
    }
}
