// The aggregate callbacks users enable with callbacks_enabled: junit (JUnit.swift), and
// ansible.posix's timer and profile_tasks, printed as those plugins print. They run where
// Ansible would load them: a name whose collection is not installed is skipped with Ansible's
// warnings, and a Python callback swansible does not have is skipped with its own.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Values

/// What callbacks_enabled asked for, in its order, once loading is settled.
struct AggregateCallbacks {
    var junit: JUnitCallback?
    /// timer and profile_tasks, in the order their recaps print.
    var recaps: [any RecapCallback] = []
    var profile: ProfileTasksCallback? { recaps.lazy.compactMap { $0 as? ProfileTasksCallback }.first }

    static func load(_ settings: Settings, library: ModuleLibrary, verbosity: Int) -> AggregateCallbacks {
        var out = AggregateCallbacks()
        let names = (settings.value(env: "ANSIBLE_CALLBACKS_ENABLED", key: "callbacks_enabled")
            ?? settings.value(env: "ANSIBLE_CALLBACK_WHITELIST", key: "callback_whitelist") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        // Names swansible has itself need no look at ansible-core's redirects (timer to ansible.posix.timer…).
        let own: Set<String> = ["junit", "default", "minimal", "oneline", "tree"]
        for name in names {
            var fqcn = name.contains(".") || own.contains(name) ? name : library.callbackRedirect(name) ?? name
            if fqcn.hasPrefix("ansible.builtin.") { fqcn = String(fqcn.dropFirst("ansible.builtin.".count)) }
            let parts = fqcn.split(separator: ".")
            if parts.count >= 3 {
                if !library.hasCollection(of: fqcn) {
                    Output.warning("Error loading plugin '\(fqcn)': No module named '\(AggregateCallbacks.missingPackage(fqcn))'")
                    Output.warning("Skipping callback plugin '\(name)', unable to load")
                    continue
                }
            }
            switch fqcn {
            case "junit": out.junit = JUnitCallback.enabled()
            case "ansible.posix.timer": out.recaps.append(TimerCallback())
            case "ansible.posix.profile_tasks": out.recaps.append(ProfileTasksCallback(settings, verbosity: verbosity))
            case "default", "minimal", "oneline", "tree": continue
            default:
                if parts.count >= 3 { Output.warning("swansible does not run the Python callback plugin '\(fqcn)' (see docs/compatibility.md)") }
                Output.warning("Skipping callback plugin '\(name)', unable to load")
            }
        }
        return out
    }
}

extension AggregateCallbacks {
    /// The package Python fails to import for a plugin of a collection that is not installed
    /// (`ansible_collections.ansible` exists for ansible-core itself, so the collection is named).
    static func missingPackage(_ fqcn: String) -> String {
        let parts = fqcn.split(separator: ".")
        return parts.first == "ansible" ? "ansible_collections.\(parts[0]).\(parts[1])" : "ansible_collections.\(parts[0])"
    }
}

/// A callback that prints its summary after the recap.
protocol RecapCallback: Sendable {
    func recap()
}

/// When the run started, as the plugins take it when they are imported.
private let processStart = Clock.now()

/// Wall-clock time and its text, for the callbacks and the log.
enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// strftime of the time's second, local time unless `utc`.
    static func format(_ format: String, _ time: Double, utc: Bool = false) -> String {
        var t = time_t(time)
        var tmv = tm()
        if utc { gmtime_r(&t, &tmv) } else { localtime_r(&t, &tmv) }
        var buf = [CChar](repeating: 0, count: format.utf8.count * 4 + 128)
        let n = strftime(&buf, buf.count, format, &tmv)
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The time's fraction of a second in `digits` decimals (truncated, as Python's are).
    static func fraction(_ time: Double, digits: Int) -> String {
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let f = Int((time - time.rounded(.down)) * Double(scale))
        return String(String(scale + min(f, scale - 1)).dropFirst())
    }
}

/// ansible.posix.timer: how long the playbook ran.
final class TimerCallback: RecapCallback {
    private let start = processStart

    func recap() {
        let runtime = Int(Clock.now() - start)
        Output.banner("PLAYBOOK RECAP")
        // The plugin's own text ends in "\n\r", and the line gets its newline after that.
        Output.line("Playbook run took \(runtime / 86400) days, \(runtime % 86400 / 3600) hours, \(runtime % 3600 / 60) minutes, \(runtime % 60) seconds\n\r")
    }
}

/// ansible.posix.profile_tasks: a time line under each task's banner, and the slowest tasks at
/// the end (sort_order, output_limit, summary_only as its options say).
final class ProfileTasksCallback: RecapCallback {
    private struct State {
        var tasks: [(name: String, path: String?, elapsed: Double)] = []
        var current: Int?
        var started = 0.0
        var last = processStart
    }

    private let state = Mutex(State())
    private let descending: Bool?
    private let limit: Int?
    private let summaryOnly: Bool
    private let verbosePaths: Bool

    init(_ settings: Settings, verbosity: Int = 0) {
        func option(_ env: String, _ key: String) -> String? { settings.value(env: env, section: "callback_profile_tasks", key: key) }
        switch option("PROFILE_TASKS_SORT_ORDER", "sort_order") ?? "descending" {
        case "ascending": descending = false
        case "none": descending = nil
        default: descending = true
        }
        let limit = option("PROFILE_TASKS_TASK_OUTPUT_LIMIT", "task_output_limit") ?? "20"
        self.limit = limit == "all" ? nil : Int(limit) ?? 20
        summaryOnly = option("PROFILE_TASKS_SUMMARY_ONLY", "summary_only").map(Settings.truthy) ?? false
        verbosePaths = verbosity >= 2
    }

    /// `Sunday 22 November 2026  10:47:55 +0000 (0:00:00.416)       0:00:00.423 *******`
    private func tasktime(_ s: inout State) -> String {
        let now = Clock.now()
        let line = "\(Clock.format("%A %d %B %Y  %H:%M:%S %z", now)) (\(ProfileTasksCallback.duration(now - s.last)))       \(ProfileTasksCallback.duration(now - processStart))"
        s.last = now
        return ProfileTasksCallback.filled(line)
    }

    /// secondsToStr: h:mm:ss.mmm.
    static func duration(_ t: Double) -> String {
        let ms = Int(t * 1000)
        let h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, f = ms % 1000
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(h):\(two(m)):\(two(s)).\(String(String(1000 + f).dropFirst()))"
    }

    /// filled(): the text and a space, stars (or the fill) to column 79, a space.
    static func filled(_ msg: String, fill: Character = "*") -> String {
        let text = msg.isEmpty ? "" : msg + " "
        return text + String(repeating: fill, count: max(3, 79 - text.count)) + " "
    }

    /// A task starts (after its banner): the time line, and its clock.
    func taskStart(_ name: String, path: String) {
        state.withLock { s in
            if !summaryOnly { Output.line(tasktime(&s)) }
            let now = Clock.now()
            if let c = s.current { s.tasks[c].elapsed += now - s.started }
            s.tasks.append((name, verbosePaths ? path : nil, 0))
            s.current = s.tasks.count - 1
            s.started = now
        }
    }

    func recap() {
        state.withLock { s in
            Output.banner("TASKS RECAP")
            Output.line(tasktime(&s))
            Output.line(ProfileTasksCallback.filled("", fill: "="))
            if let c = s.current { s.tasks[c].elapsed += Clock.now() - s.started }
            s.current = nil
            var rows = s.tasks
            if let descending { rows = rows.enumerated().sorted { a, b in
                a.element.elapsed == b.element.elapsed ? a.offset < b.offset : (descending ? a.element.elapsed > b.element.elapsed : a.element.elapsed < b.element.elapsed)
            }.map(\.element) }
            if let limit { rows = Array(rows.prefix(limit)) }
            for r in rows {
                var name = r.name + " "
                name += String(repeating: "-", count: max(0, 70 - name.count))
                var secs = " " + String(format2: r.elapsed) + "s"
                secs = String(repeating: "-", count: max(0, 9 - secs.count)) + secs
                var msg = name + secs
                if let p = r.path { msg += "\n" + p + " " + String(repeating: "-", count: max(0, 79 - p.count - 1)) }
                Output.line(msg)
            }
        }
    }
}

extension String {
    /// `'{0:.02f}'.format(v)`: two decimals, rounded half to even as Python's float formatting is.
    init(format2 v: Double) {
        let cents = (v * 100).rounded(.toNearestOrEven)
        let whole = Int(cents) / 100, frac = abs(Int(cents)) % 100
        self = "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
