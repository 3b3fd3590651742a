// The live status line: on a terminal, while hosts have been running a task for a while, one
// line at the foot of the screen says which and for how long. It is erased before anything
// else is written and never reaches log_path or a pipe, so what is written stays Ansible's.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

enum LiveStatus {
    /// Only when stdout is a terminal (a pipe or a file gets exactly Ansible's output).
    static let enabled = isatty(1) != 0

    /// How long a host runs a task before the line appears, in seconds.
    static let after = 2.0

    private struct State {
        /// The hosts running a task now: what they run and since when.
        var running: [String: (label: String, since: Double)] = [:]
        /// Prompts waiting for an answer (the line stays away from them).
        var prompting = 0
    }

    private static let state = Mutex(State())
    /// Whether the line is on the screen now (read and written under Output.lock).
    nonisolated(unsafe) static var drawn = false

    static func start(_ host: String, _ label: String) {
        guard enabled else { return }
        state.withLock { $0.running[host] = (label, Clock.now()) }
    }

    static func finish(_ host: String) {
        guard enabled else { return }
        state.withLock { $0.running[host] = nil }
    }

    /// Around a prompt: no line is drawn while the user is asked something.
    static func prompting(_ on: Bool) {
        guard enabled else { return }
        state.withLock { $0.prompting += on ? 1 : -1 }
        if on { Output.lock.withLock { _ in erase() } }
    }

    /// The line for now, or nil when nothing has been running long enough.
    static func text(now: Double, width: Int) -> String? {
        let (running, prompting) = state.withLock { ($0.running, $0.prompting) }
        guard prompting == 0, let oldest = running.min(by: { $0.value.since < $1.value.since }),
              now - oldest.value.since >= after else { return nil }
        let hosts = running.keys.sorted()
        let count = hosts.count == 1 ? "1 host" : "\(hosts.count) hosts"
        let line = "\(oldest.value.label): waiting \(Int(now - oldest.value.since))s for \(count): \(hosts.joined(separator: ", "))"
        return line.count < width ? line : String(line.prefix(max(width - 2, 1))) + "…"
    }

    /// Draws (or redraws) the line; called every second while a run goes on.
    static func tick() {
        guard enabled else { return }
        Output.lock.withLock { _ in
            // Never over a line being written (a prompt, a partial line).
            guard !Output.muted.load(ordering: .sequentiallyConsistent), Output.atLineStart || drawn else { return }
            guard let line = text(now: Clock.now(), width: columns) else { return erase() }
            put("\r\u{1b}[K" + Output.colored(line, .debug))
            drawn = true
        }
    }

    /// Takes the line off the screen (under Output.lock): before other text, at the end.
    static func erase() {
        guard drawn else { return }
        put("\r\u{1b}[K")
        drawn = false
    }

    /// The terminal's width (80 when it does not say).
    static var columns: Int {
        var size = winsize()
        return ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }

    private static func put(_ s: String) {
        let bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR { continue }; break }
            off += n
        }
    }

    /// Ticks once a second until cancelled, then leaves the screen clean.
    static func run() async {
        guard enabled else { return }
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            tick()
        }
        Output.lock.withLock { _ in erase() }
    }
}
