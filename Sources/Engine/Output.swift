// Writes what the user sees: stdout for results, stderr for warnings and errors, colored as
// Ansible colors them when on a terminal (ANSIBLE_FORCE_COLOR forces, NO_COLOR disables).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import Synchronization
import Values

/// Deprecations said while one task runs on one host, for its result (DeferredWarningContext).
final class DeprecationCollector: @unchecked Sendable {
    @TaskLocal static var current: DeprecationCollector?
    private let items = Mutex<[Value]>([])
    private let warned = Mutex<[(String, SourceLocation?)]>([])
    func add(_ v: Value) { items.withLock { $0.append(v) } }
    var all: [Value] { items.withLock { $0 } }
    /// A warning about the task itself (not from its module), kept in its result with its origin.
    func warn(_ message: String, at: SourceLocation?) { warned.withLock { $0.append((message, at)) } }
    var warnings: [(String, SourceLocation?)] { warned.withLock { $0 } }
}

public enum Output {
    static let lock = Mutex<Void>(())
    /// Set once the run is interrupted: Ansible prints nothing after "User interrupted execution".
    static let muted = Atomic<Bool>(false)

    /// Whether the last text written ended its line (read and written under `lock`).
    nonisolated(unsafe) static var atLineStart = true

    public static func mute() {
        muted.store(true, ordering: .sequentiallyConsistent)
        lock.withLock { _ in LiveStatus.erase() }
    }

    public static let color: Bool = {
        if let v = Files.environment("ANSIBLE_NOCOLOR"), Settings.truthy(v) { return false }
        if Files.environment("NO_COLOR") != nil { return false }
        if let v = Files.environment("ANSIBLE_FORCE_COLOR"), Settings.truthy(v) { return true }
        return isatty(1) != 0
    }()

    /// The colors Ansible's settings name (COLOR_OK…), each with its default.
    public enum Color: CaseIterable, Sendable {
        case ok, changed, error, skip, unreachable, warn, verbose, included, diffAdd, diffRemove, diffLines
        /// COLOR_DEBUG (dark gray): task paths at -vv, the retry lines between `until` attempts.
        case debug
        /// COLOR_DEPRECATE (purple), where warnings are bright purple.
        case deprecate

        /// The setting's default.
        var defaultName: String {
            switch self {
            case .ok, .diffAdd: return "green"
            case .changed: return "yellow"
            case .error, .diffRemove: return "red"
            case .skip, .included, .diffLines: return "cyan"
            case .unreachable: return "bright red"
            case .warn: return "bright purple"
            case .verbose: return "blue"
            case .debug: return "dark gray"
            case .deprecate: return "purple"
            }
        }

        /// The setting's name after COLOR_ (ANSIBLE_COLOR_DIFF_ADD, `[colors] diff_add`).
        var setting: String {
            switch self {
            case .diffAdd: return "diff_add"
            case .diffRemove: return "diff_remove"
            case .diffLines: return "diff_lines"
            default: return "\(self)"
            }
        }

        /// Its SGR parameters, as the configuration names the color.
        public var code: String { Output.palette[self] ?? Output.sgr(defaultName) ?? "0" }
    }

    nonisolated(unsafe) static var palette: [Color: String] = [:]

    /// The colors the configuration sets (ANSIBLE_COLOR_X, `[colors] x`; a name Ansible does not
    /// know keeps the default), and where verbose lines go.
    public static func configure(_ settings: Settings) {
        var p: [Color: String] = [:]
        for c in Color.allCases {
            let name = settings.value(env: "ANSIBLE_COLOR_\(c.setting.uppercased())", section: "colors", key: c.setting) ?? c.defaultName
            p[c] = sgr(name) ?? sgr(c.defaultName)
        }
        palette = p
        verboseToStderr = settings.value(env: "ANSIBLE_VERBOSE_TO_STDERR", key: "verbose_to_stderr").map(Settings.truthy) ?? false
        Cowsay.settings = settings
    }

    /// utils.color.parsecolor: a named color, `colorN`, `rgbRGB` (0-5 each) or `grayN`.
    static func sgr(_ name: String) -> String? {
        let codes = ["black": "0;30", "bright gray": "0;37", "blue": "0;34", "white": "1;37", "green": "0;32", "bright blue": "1;34",
                     "cyan": "0;36", "bright green": "1;32", "red": "0;31", "bright cyan": "1;36", "purple": "0;35", "bright red": "1;31",
                     "yellow": "0;33", "bright purple": "1;35", "dark gray": "1;30", "bright yellow": "1;33", "magenta": "0;35",
                     "bright magenta": "1;35", "normal": "0"]
        func digits(_ s: Substring) -> Int? { s.isEmpty || !s.allSatisfy(\.isASCII) ? nil : Int(s.prefix(while: \.isNumber)) }
        if name.hasPrefix("color"), let n = digits(name.dropFirst(5)) { return "38;5;\(n)" }
        if name.hasPrefix("rgb"), name.count >= 6 {
            let d = name.dropFirst(3).prefix(3).compactMap { $0.wholeNumberValue }
            if d.count == 3, d.allSatisfy({ $0 <= 5 }) { return "38;5;\(16 + 36 * d[0] + 6 * d[1] + d[2])" }
        }
        if name.hasPrefix("gray"), let n = digits(name.dropFirst(4)) { return "38;5;\(232 + n)" }
        return codes[name]
    }

    /// Text in a color when colors are on, as stringc colors it: each line on its own.
    static func colored(_ s: String, _ c: Color) -> String {
        guard color else { return s }
        return s.split(separator: "\n", omittingEmptySubsequences: false).map { "\u{1b}[\(c.code)m\($0)\u{1b}[0m" }
            .joined(separator: "\n")
    }

    /// The text without the color sequences stringc put in it (what the log gets).
    static func uncolored(_ s: String) -> String {
        guard s.contains("\u{1b}[") else { return s }
        var out = "", rest = Substring(s)
        while let start = rest.range(of: "\u{1b}[") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            if let m = after.firstIndex(where: { !($0.isNumber || $0 == ";") }), after[m] == "m" {
                rest = after[after.index(after: m)...]
            } else {
                out += "\u{1b}["
                rest = after
            }
        }
        return out + rest
    }

    /// VERBOSE_TO_STDERR: Display.verbose's lines (-v…-vvvvv, in COLOR_VERBOSE) go to stderr.
    nonisolated(unsafe) static var verboseToStderr = false

    /// `once`: shown once a run, under that key (a warning's text).
    public static func line(_ s: String, _ c: Color? = nil, stderr: Bool = false, once: String? = nil, logged: Bool = true) {
        write((c.map { colored(s, $0) } ?? s) + "\n", fd: stderr || (c == .verbose && verboseToStderr) ? 2 : 1, logged: logged, once: once)
    }

    /// Display's verbosity (-v's) and the log's (LOG_VERBOSITY, never below the first).
    nonisolated(unsafe) public private(set) static var verbosity = 0, logVerbosity = 0

    /// Set once, before any verbose line.
    public static func setVerbosity(_ v: Int, _ settings: Settings) {
        verbosity = v
        logVerbosity = settings.value(env: "ANSIBLE_LOG_VERBOSITY", key: "log_verbosity").flatMap { Int($0) }.map { max(v, $0) } ?? v
    }

    /// Display.verbose (`caplevel` 0 for -v, 1 for -vv…): shown past its level, and logged alone
    /// when only LOG_VERBOSITY reaches it.
    public static func verbose(_ s: String, caplevel: Int) {
        if verbosity > caplevel { return line(s, .verbose) }
        guard logVerbosity > caplevel, logFD >= 0 else { return }
        write(s + "\n", fd: logOnly)   // in its host's turn, as what the screen gets
    }

    /// The descriptor that means the log alone.
    static let logOnly: Int32 = -1

    /// A block of lines that ends with a newline (an `[ERROR]` block), colored line by line as
    /// Display colors the message it is.
    static func block(_ s: String, _ c: Color, fd: Int32 = 1) {
        line(s.hasSuffix("\n") ? String(s.dropLast()) : s, c, stderr: fd == 2)
    }

    /// `logged: false` for what Display writes to the screen only (prompts, input()'s text).
    public static func write(_ s: String, fd: Int32 = 1, logged: Bool = true, once: String? = nil) {
        if let slot = HostOrder.slot { return slot.order.write(slot.index, s, fd: fd, logged: logged, once: once) }
        emit(s, fd: fd, logged: logged, once: once)
    }

    /// Writes now, whatever task is writing (HostOrder decides when a host's text comes).
    static func emit(_ s: String, fd: Int32, logged: Bool, once: String? = nil) {
        if let once, !firstTime(once) { return }
        var s = s
        if Surrogates.held(in: s) {
            // Display's stdout and stderr replace what cannot be encoded (a lone surrogate), warning first.
            s = Surrogates.replaced(in: s)
            let warning = "Non UTF-8 encoded data replaced with \"?\" while displaying text to stdout/stderr."
            emit(colored("[WARNING]: \(warning)", .warn) + "\n", fd: 2, logged: true, once: "[WARNING]: \(warning)")
        }
        lock.withLock { _ in
            if muted.load(ordering: .sequentiallyConsistent) { return }
            if fd == logOnly { if logFD >= 0 && logged { log(s) }; return }
            LiveStatus.erase()   // the status line gives way to what is written
            if let last = s.utf8.last { atLineStart = last == 10 }
            if logFD >= 0 && logged { log(s) }
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

    // MARK: log_path

    /// The open log file (DEFAULT_LOG_PATH), -1 when there is none. Set once before anything runs.
    nonisolated(unsafe) static var logFD: Int32 = -1
    /// getpass.getuser(): who runs the controller (the log's user, the local connection's user):
    /// LOGNAME, USER, LNAME, USERNAME, then the password database.
    static let user: String = {
        for name in ["LOGNAME", "USER", "LNAME", "USERNAME"] { if let v = Files.environment(name), !v.isEmpty { return v } }
        if let pw = getpwuid(getuid()), let n = pw.pointee.pw_name { return String(cString: n) }
        return "uid=\(getuid())"
    }()

    /// Opens log_path as Display does (append; a warning when it cannot be written).
    public static func openLog(_ settings: Settings) {
        guard let raw = settings.value(env: "ANSIBLE_LOG_PATH", key: "log_path"), !raw.isEmpty else { return }
        let path = Files.expandUser(raw)
        if Files.isDirectory(path) {
            write("[WARNING]: DEFAULT_LOG_PATH can not be a directory '\(path)', aborting\n", fd: 2)
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            write("[WARNING]: log file at '\(path)' is not writeable and we cannot create it, aborting\n\n", fd: 2)
            return
        }
        logFD = fd
    }

    /// One record per displayed message, in Ansible's logging format: time, pid, user, level
    /// (warnings and errors by their own level, everything else INFO), the text without colors.
    private static func log(_ text: String) {
        var s = uncolored(text)
        while s.hasPrefix("\n") { s.removeFirst() }
        if s.hasSuffix("\n") { s.removeLast() }
        guard !s.isEmpty else { return }   // the blank line after the recap is for the screen only
        // A deprecation is logged at INFO (Display prints it as ordinary text), yet like warnings
        // and errors its text ends with a newline of its own.
        let level = s.hasPrefix("[ERROR]") ? "ERROR" : s.hasPrefix("[WARNING]") ? "WARNING" : "INFO"
        if level != "INFO" || s.hasPrefix("[DEPRECATION WARNING]") { s += "\n" }
        let now = Clock.now()
        let record = Array("\(Clock.format("%Y-%m-%d %H:%M:%S", now)),\(Clock.fraction(now, digits: 3)) p=\(getpid()) u=\(user) n=ansible \(level)| \(s)\n".utf8)
        var off = 0
        while off < record.count {
            let w = record[off...].withUnsafeBytes { Glibc.write(logFD, $0.baseAddress, $0.count) }
            if w <= 0 { if errno == EINTR { continue }; break }
            off += w
        }
    }

    static let shown = Mutex<Set<String>>([])

    /// True the first time `message` is shown: Display prints each warning once per run.
    static func firstTime(_ message: String) -> Bool { shown.withLock { $0.insert(message).inserted } }

    /// `[WARNING]: …` on stderr, as Display.warning prints it (once).
    public static func warning(_ s: String) {
        // Display keeps a lone CR or LF of the text, and makes CRLF one LF.
        let s = s.contains("\r\n") ? s.replacing("\r\n", with: "\n") : s
        line("[WARNING]: \(blockEnd(s))", .warn, stderr: true, once: "[WARNING]: \(s)")
    }

    /// Off when ansible.cfg's `deprecation_warnings` (ANSIBLE_DEPRECATION_WARNINGS) is false.
    public static let deprecationWarnings = Atomic<Bool>(true)

    /// A deprecation the controller itself finds (the templating layer's): kept in the running
    /// task's result when there is one, as 2.19 does, else shown at once.
    /// `plugin`: the builtin plugin that deprecates (type and name), as 2.19 names it in the text.
    public static func deprecation(_ message: String, version: String?, origin: SourceLocation?, help: String? = nil,
                                   plugin: (type: String, name: String)? = nil) {
        let deprecator: Value = plugin.map { ["resolved_name": .string("ansible.builtin." + $0.name), "type": .string($0.type)] }
            ?? ["resolved_name": "ansible.builtin", "type": .none]
        var d: Dict = ["collection_name": "ansible.builtin", "deprecator": deprecator,
                       "msg": .unsafe(message)]
        if let version { d["version"] = .string(version) }
        if let help { d["_swansible_help"] = .unsafe(help) }
        deprecation(d, origin: origin)
    }

    /// A deprecation summary (msg, version or date, deprecator, `_swansible_help`) found where `origin` is.
    static func deprecation(_ summary: Dict, origin: SourceLocation?) {
        var d = summary
        if let origin {
            d["_swansible_origin"] = .string(origin.description)
            if let snippet = origin.snippet { d["_swansible_origin_snippet"] = .unsafe(snippet) }
            if origin.column == SourceLocation.wholeLine { d["_swansible_origin_line"] = true }
        }
        if let collector = DeprecationCollector.current { collector.add(.dict(d)) } else { show(deprecation: .dict(d)) }
    }

    /// `[DEPRECATION WARNING]: …` with when it goes away and where it was found, after the hint
    /// how to turn them off; each once.
    static func show(deprecation d: Value) {
        var origin = d["_swansible_origin"]?.stringValue.flatMap(SourceLocation.parse)
        origin?.snippet = d["_swansible_origin_snippet"]?.stringValue
        if d["_swansible_origin_line"] != nil { origin?.column = SourceLocation.wholeLine }
        deprecation(worded: Origin.report(deprecationText(d), origin, help: d["_swansible_help"]?.stringValue))
    }

    /// A deprecation already worded (by ansible-core's Display, in the helper), shown as any other.
    static func deprecation(worded text: String) {
        guard deprecationWarnings.load(ordering: .relaxed) else { return }
        warning("Deprecation warnings can be disabled by setting `deprecation_warnings=False` in ansible.cfg.")
        let text = "[DEPRECATION WARNING]: " + text
        line(text, .deprecate, stderr: true, once: text)
    }

    /// 2.19's get_deprecation_message_with_plugin_info: the message, then what is removed from where and when.
    static func deprecationText(_ d: Value) -> String {
        let msg = d["msg"]?.pythonStr ?? d.pythonStr
        let resolved = d["deprecator"]?["resolved_name"]?.stringValue ?? d["collection_name"]?.stringValue
        let type = d["deprecator"]?["type"]?.stringValue
        var plugin = "", collection = resolved
        if let resolved, let type {
            let parts = resolved.split(separator: ".").map(String.init)
            if resolved == "ansible.builtin" {
                plugin = "the \(type == "module" ? type : type + " plugin") API"
            } else {
                plugin = "\(type == "module" ? type : type + " plugin") '\(parts.last ?? resolved)'"
                collection = parts.count > 2 ? parts.prefix(2).joined(separator: ".") : nil
            }
        }
        if collection != nil, !plugin.isEmpty { plugin += " in" }
        let from = collection == "ansible.builtin" ? "ansible-core" : collection.map { "collection '\($0)'" } ?? ""
        let when: String
        if collection == nil { when = "in the future" } else if let date = d["date"]?.stringValue {
            when = "in a release after \(date)"
        } else if let version = d["version"]?.stringValue { when = "version \(version)" } else { when = "in a future release" }
        let sentence = ["This feature will be removed", plugin.isEmpty && from.isEmpty ? "" : "from", plugin, from, when]
            .filter { !$0.isEmpty }.joined(separator: " ") + "."
        var first = msg.trimmingCharacters(in: " \n\t")
        if let last = first.last, !"!?.".contains(last) { first += "." }
        return first.isEmpty ? sentence : first + " " + sentence
    }

    /// ANSIBLE_DEBUG's lines (the few the runner writes: handler flushes), as Display.debug
    /// prints them: the pid in 6 columns and the time to 5 decimals before the message.
    static let debugging = Files.environment("ANSIBLE_DEBUG").map(Settings.truthy) ?? false

    public static func debug(_ s: String) {
        guard debugging else { return }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let pid = String(getpid()), frac = String(100_000 + ts.tv_nsec / 10_000).dropFirst()
        line(String(repeating: " ", count: max(0, 6 - pid.count)) + pid + " \(ts.tv_sec).\(frac): \(s)")
    }

    /// `[ERROR]: …` on stderr, as ansible-core 2.19 prints fatal errors.
    /// `stderr: false`: where a callback shows a result's error (display_failed_stderr off).
    public static func error(_ s: String, stderr: Bool = true) {
        line("[ERROR]: \(blockEnd(s))", .error, stderr: stderr)
    }

    /// Display's format_message: a message of several lines is followed by a blank one.
    static func blockEnd(_ s: String) -> String { s.contains("\n") && !s.hasSuffix("\n") ? s + "\n" : s }

    /// Display's get_text_width: the columns a text takes on a terminal as the C library counts
    /// them in a UTF-8 locale (wide characters 2), a control character 0 and BS, DEL, CCH, ESC -1;
    /// its length when nothing in it is printable.
    static func textWidth(_ text: String) -> Int {
        let scalars = Array(text.unicodeScalars)
        let widths = scalars.map { cshim_wcwidth($0.value) }
        if !widths.contains(where: { $0 < 0 }) { return widths.reduce(0) { $0 + Int($1) } }
        var width = 0, counted = 0
        for (u, w) in zip(scalars, widths) {
            if [0x08, 0x7f, 0x94, 0x1b].contains(u.value) {
                width -= 1
                continue
            }
            counted += 1
            width += max(0, Int(w))
        }
        return width == 0 && counted > 0 ? scalars.count : width
    }

    /// A banner: the text, a space and stars up to column 79 (at least 3), after a blank line;
    /// cowsay's drawing of it, uncolored, where cowsay is installed.
    public static func banner(_ text: String, _ c: Color? = nil) {
        if let cow = Cowsay.current {
            do { return line(try cow.draw(text)) } catch {
                warning("somebody cleverly deleted cowsay or something during the PB run.  heh.")
            }
        }
        let msg = text.trimmingCharacters(in: " \t\n")   // Display.banner strips the message
        let stars = max(3, 79 - textWidth(msg))
        line("\n\(msg) " + String(repeating: "*", count: stars), c)
    }
}
