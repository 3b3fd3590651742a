// The default callback: Ansible's banners, per-host result lines and recap, byte for byte.
import Playbook
import Synchronization
import Values

enum Status {
    case ok, changed, failed, skipped, unreachable
}

final class DefaultCallback: @unchecked Sendable {
    let verbosity: Int
    let displaySkipped: Bool
    let displayOk: Bool
    let failedStderr: Bool
    /// show_task_path_on_failure: "task path:" before a fatal line (below -vv, where the banner has it).
    let pathOnFailure: Bool
    private var taskPath: SourceLocation?
    let lock = Mutex<Void>(())
    private var bannerPrinted = false
    private var pendingBanner: String?

    /// Under free and host_pinned a result carries its task's banner (task-local), shown when it
    /// is not the last one shown (Ansible's `_last_task_banner`).
    struct Banner: Sendable {
        let id: String
        let text: String
        let path: SourceLocation?
    }
    @TaskLocal static var banner: Banner?
    private var lastBanner: String?

    /// Set for ad-hoc runs: their failures name the ad-hoc task (Minimal.swift).
    var adhoc: AdHocTask?
    /// The `minimal` or `oneline` callback's output instead (ad-hoc runs, or stdout_callback).
    var compact: Compact?

    /// `json`: ansible.posix.json, one document at the end (JSONReport).
    enum Compact { case minimal, oneline, json }
    var jsonReport: JSONReport?

    /// A stdout_callback that cannot be loaded: what Ansible says before it stops (exit 1).
    struct Unloadable: Error {
        var warning: String?
        var name: String
    }

    /// stdout_callback (ANSIBLE_STDOUT_CALLBACK): default, minimal or oneline. Any other is a
    /// Python plugin: a name ansible-core redirects to a collection (`yaml` to community.general)
    /// gets Ansible's loading warning when that collection is missing, then the error.
    static func stdoutCallback(_ settings: Settings, library: ModuleLibrary) throws -> Compact? {
        let name = settings.value(env: "ANSIBLE_STDOUT_CALLBACK", key: "stdout_callback") ?? "default"
        switch name.hasPrefix("ansible.builtin.") ? String(name.dropFirst("ansible.builtin.".count)) : name {
        case "default": return nil
        case "minimal": return .minimal
        case "oneline":
            Output.deprecation("The oneline callback plugin is deprecated.", version: "2.23", origin: nil)
            return .oneline
        default:
            let target = name.contains(".") ? name : library.callbackRedirect(name) ?? name
            guard target.split(separator: ".").count >= 3 else { throw Unloadable(warning: nil, name: name) }
            let installed = library.hasCollection(of: target)
            if installed && target == "ansible.posix.json" { return .json }
            throw Unloadable(warning: installed ? "Error loading plugin '\(target)': swansible does not run Python callback plugins (see docs/compatibility.md)"
                                                : "Error loading plugin '\(target)': No module named '\(AggregateCallbacks.missingPackage(target))'", name: name)
        }
    }

    init(verbosity: Int, settings: Settings) {
        self.verbosity = verbosity
        displaySkipped = settings.displaySkippedHosts
        displayOk = settings.displayOkHosts
        failedStderr = settings.value(env: "ANSIBLE_DISPLAY_FAILED_STDERR", key: "display_failed_stderr").map(Settings.truthy) ?? false
        checkMarkers = settings.value(env: "ANSIBLE_CHECK_MODE_MARKERS", section: "callback_default", key: "check_mode_markers").map(Settings.truthy) ?? false
        showPerHostStart = settings.value(env: "ANSIBLE_SHOW_PER_HOST_START", section: "callback_default", key: "show_per_host_start")
            .map(Settings.truthy) ?? false
        showCustomStats = settings.value(env: "ANSIBLE_SHOW_CUSTOM_STATS", key: "show_custom_stats").map(Settings.truthy) ?? false
        pathOnFailure = settings.value(env: "ANSIBLE_SHOW_TASK_PATH_ON_FAILURE", key: "show_task_path_on_failure").map(Settings.truthy) ?? false
        displayArgs = settings.value(env: "ANSIBLE_DISPLAY_ARGS_TO_STDOUT", key: "display_args_to_stdout").map(Settings.truthy) ?? false
        resultFormat = settings.value(env: "ANSIBLE_CALLBACK_RESULT_FORMAT", section: "callback_default", key: "result_format") ?? "json"
        prettyResults = settings.value(env: "ANSIBLE_CALLBACK_FORMAT_PRETTY", section: "callback_default", key: "callback_format_pretty").map(Settings.truthy)
    }

    /// Ansible names an unnamed play after its hosts pattern.
    /// check_mode_markers: " [CHECK MODE]" after the banners of plays and tasks in check mode.
    let checkMarkers: Bool
    /// display_args_to_stdout: the task's arguments in its banner.
    let displayArgs: Bool
    /// show_custom_stats: set_stats' data after the recap.
    let showCustomStats: Bool
    /// show_per_host_start: ` [started TASK: name on host]` as each host begins a task.
    let showPerHostStart: Bool

    /// A play's name, or its hosts pattern when it has none (Play.get_name).
    static func playName(_ play: Play) -> String {
        if let name = play.name, !name.isEmpty { return name.trimmingCharacters(in: " ") }
        switch play.hosts {
        case .list(let l): return l.map(\.pythonStr).joined(separator: ",").trimmingCharacters(in: " ")
        default: return play.hosts.pythonStr.trimmingCharacters(in: " ")
        }
    }

    func playStart(_ play: Play, checkMode: Bool = false) {
        if let jsonReport { jsonReport.playStart(name: DefaultCallback.playName(play), path: play.location) }
        guard compact == nil else { return }
        let n = DefaultCallback.playName(play)
        let mark = checkMarkers && checkMode ? " [CHECK MODE]" : ""
        Output.banner((n.isEmpty ? "PLAY" : "PLAY [\(n)]") + mark)
    }

    func taskStart(_ name: String, prefix: String = "TASK", path: SourceLocation?, checkMode: Bool = false, args: String = "") {
        if let jsonReport { jsonReport.taskStart(name: name.trimmingCharacters(in: " "), path: path ?? .unknown) }
        guard compact == nil else { return }
        lock.withLock { _ in
            pendingBanner = bannerText(name, prefix: prefix, checkMode: checkMode, args: args)
            lastBanner = nil
            taskPath = path
            bannerPrinted = false
            if displaySkipped && displayOk { printBanner(path) }
        }
    }

    func bannerText(_ name: String, prefix: String, checkMode: Bool, args: String = "") -> String {
        "\(prefix) [\(name.trimmingCharacters(in: " "))\(args)]" + (checkMarkers && checkMode ? " [CHECK MODE]" : "")
    }

    /// display_args_to_stdout: the task's arguments as written (` k=v, k=v`) after its name in
    /// the banner, unless the task is no_log (whatever its value says before it is rendered).
    func bannerArgs(_ task: PlayTask) -> String {
        guard displayArgs, task.effective("no_log")?.truthy != true else { return "" }
        return " " + task.args.map { "\($0.key.pythonStr)=\($0.value.pythonStr)" }.joined(separator: ", ")
    }

    private func printBanner(_ path: SourceLocation? = nil) {
        if let b = DefaultCallback.banner {
            guard lastBanner != b.id else { return }
            Output.banner(b.text)
            if verbosity >= 2, let p = b.path { Output.line("task path: \(p.file):\(p.line)", .debug) }
            lastBanner = b.id
            return
        }
        guard !bannerPrinted, let b = pendingBanner else { return }
        Output.banner(b)
        if verbosity >= 2, let path { Output.line("task path: \(path.file):\(path.line)", .debug) }
        bannerPrinted = true
    }

    func noHostsMatched() { if compact == nil { Output.line("skipping: no hosts matched", .skip) } }

    /// `json`: JSON whatever result_format says (what aggregate callbacks such as junit dump).
    func dump(_ r: Dict, indent: Int? = nil, json: Bool = false) -> String {
        var d = r
        var indent = indent
        if r["_ansible_verbose_always"]?.truthy == true || verbosity > 2 { indent = 4 }
        for k in d.keys where k.pythonStr.hasPrefix("_ansible_") || k.pythonStr.hasPrefix("_swansible_") { d[k] = nil }
        if verbosity < 3 {
            d["invocation"] = nil
            d["diff"] = nil
        }
        // 2.19 hands callbacks results without `failed` and `skipped`: the event says it.
        for k in ["exception", "warnings", "deprecations", "failed", "skipped"] { d[.string(k)] = nil }
        if resultFormat == "yaml" && !json {
            // result_format=yaml: block YAML indented by 4 after the arrow; pretty (the default)
            // drops the *_lines twins and writes multi-line strings as `|` blocks.
            let lossy = prettyResults ?? true
            if lossy {
                for k in ["stdout", "stderr"] where d[.string(k)] != nil && d[.string(k + "_lines")] != nil { d[.string(k + "_lines")] = "<omitted>" }
            }
            var y = YAMLDump(indent: 4, flowStyle: false)
            y.blockStrings = true
            y.lossy = lossy
            var text = (try? y.dump(.dict(DefaultCallback.stripInternal(d)))) ?? Value.dict(DefaultCallback.stripInternal(d)).json(.init(indent: 4, sortKeys: true, rawSurrogates: true))
            if text.hasSuffix("\n") { text.removeLast() }   // the line's own newline ends it, as Display's does
            return "\n" + text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.allSatisfy(\.isWhitespace) ? String($0) : "    " + $0 }.joined(separator: "\n")
        }
        if prettyResults == false { indent = nil }
        return Value.dict(DefaultCallback.stripInternal(d)).json(.init(indent: indent, sortKeys: true, rawSurrogates: true))
    }

    /// result_format (json, yaml) and pretty_results (callback_format_pretty) of the default callback.
    let resultFormat: String
    let prettyResults: Bool?

    static func stripInternal(_ d: Dict) -> Dict {
        var out = Dict()
        for (k, v) in d where !k.pythonStr.hasPrefix("_ansible_") && !k.pythonStr.hasPrefix("_swansible_") {
            if case .dict(let inner) = v { out[k] = .dict(stripInternal(inner)) } else if case .list(let l) = v {
                out[k] = .list(l.map { if case .dict(let x) = $0 { return .dict(stripInternal(x)) }; return $0 })
            } else { out[k] = v }
        }
        return out
    }

    /// Debug prints only what it was asked for.
    static func clean(_ r: Dict, action: String) -> Dict {
        guard action == "debug" || action == "ansible.builtin.debug" || action == "ansible.legacy.debug" else { return r }
        var d = r
        if d["msg"] != nil {
            for k in d.keys where !["msg", "exception", "warnings", "deprecations"].contains(k.pythonStr) && !k.pythonStr.hasPrefix("_") { d[k] = nil }
        } else {
            for k in ["changed", "failed", "skipped", "invocation", "skip_reason", "ansible_loop_var", "ansible_index_var", "ansible_loop"] {
                d[.string(k)] = nil
            }
        }
        return d
    }

    func verbose(_ r: Dict) -> Bool {
        (verbosity > 0 || r["_ansible_verbose_always"]?.truthy == true) && r["_ansible_verbose_override"]?.truthy != true
    }

    func warnings(_ r: Dict) {
        let origins = r["_swansible_warning_origins"]?.listValue ?? []
        for (i, w) in (r["warnings"]?.listValue ?? []).enumerated() {
            Output.warning(Origin.report(w.pythonStr, i < origins.count ? origins[i].stringValue.flatMap(SourceLocation.parse) : nil))
        }
        for d in r["deprecations"]?.listValue ?? [] { Output.show(deprecation: d) }
    }

    /// `FAILED - RETRYING: [host]: task (N retries left).` between until attempts.
    func retrying(host: String, task: PlayTask, left: Int, result: Dict) {
        lock.withLock { _ in
            printBanner()
            var msg = "FAILED - RETRYING: [\(host)]: \(task.displayName) (\(left) retries left)."
            // _run_is_verbose(result, verbosity=2): from -vvv, or when the result asks for it.
            if (verbosity > 2 || result["_ansible_verbose_always"]?.truthy == true) && result["_ansible_verbose_override"]?.truthy != true {
                msg += "Result was: " + dump(result)
            }
            Output.line(msg, .debug)
        }
    }

    /// `ASYNC POLL on host: …` while an async task runs, `ASYNC OK on host: …` when it ends.
    func asyncPoll(host: String, jid: String, finished: Bool, failed: Bool = false) {
        guard compact == nil else { return }   // minimal and oneline do not show the polls
        lock.withLock { _ in
            printBanner()
            if finished {
                Output.line("ASYNC \(failed ? "FAILED" : "OK") on \(host): jid=\(jid)", .debug)
            } else {
                Output.line("ASYNC POLL on \(host): jid=\(jid) started=True finished=False", .debug)
            }
        }
    }

    /// v2_on_file_diff: in diff mode, a changed result's `diff` (each loop item's) before its line.
    func fileDiff(_ full: Dict) {
        let r = Censor.shown(full)
        let entries = r["results"]?.listValue.map { $0.compactMap(\.dictValue) } ?? [r]
        for e in entries {
            guard let diff = e["diff"], diff.truthy, e["changed"]?.truthy == true else { continue }
            let text = UnifiedDiff.text(diff)
            guard !text.isEmpty else { continue }
            lock.withLock { _ in
                printBanner()
                Output.write(text.hasSuffix("\n") ? text : text + "\n")
            }
        }
    }

    /// v2_runner_on_start: with show_per_host_start, a line as each host begins the task.
    func hostStart(_ host: String, task name: String, handler: Bool) {
        guard showPerHostStart, compact == nil else { return }
        lock.withLock { _ in
            printBanner()
            Output.line(" [started \(handler ? "HANDLER" : "TASK"): \(name) on \(host)]", .ok)
        }
    }

    /// Set (task-local) around a call the run has given up on (a task past its `timeout`): what it
    /// still reports is not shown.
    final class Silence: @unchecked Sendable { var on = false }
    @TaskLocal static var silence: Silence?

    /// One host's result (or one loop item's, when `item` is set).
    func result(host hostName: String, action: String, status: Status, result full: Dict, ignoring: Bool, item: Value? = nil) {
        if DefaultCallback.silence?.on == true { return }
        let r = Censor.shown(full)
        let item = item.map { Censor.hidden(full) ? Censor.itemLabel : $0 }
        if let compact {
            guard item == nil else { return }   // a loop shows its final result alone
            if let jsonReport { return jsonReport.result(host: hostName, action: action, status: status, result: r) }
            if let dir = adhoc?.tree, status != .skipped { writeTree(dir, host: hostName, result: r) }
            if compact == .oneline { oneLineResult(host: hostName, action: action, status: status, result: r) } else {
                minimalResult(host: hostName, action: action, status: status, result: r)
            }
            return
        }
        // A delegated task is shown as `host -> delegate`, plus `(address)` when that differs.
        var host = hostName
        if let d = r["_ansible_delegated_vars"]?["ansible_delegated_host"]?.stringValue, d != hostName {
            host = "\(hostName) -> \(d)"
            if let a = r["_ansible_delegated_vars"]?["ansible_host"]?.stringValue, a != d { host += "(\(a))" }
        }
        lock.withLock { _ in
            let itemLabel = item.map { " => (item=\(($0).pythonStr))" } ?? ""
            switch status {
            case .ok, .changed:
                if status == .ok && !displayOk { return }
                printBanner()
                warnings(r)
                // A result that did not fail but gives an exception: the callback shows its error.
                if r["exception"]?.truthy == true { Output.error(r["msg"]?.pythonStr ?? "Unknown error.", stderr: failedStderr) }
                let d = DefaultCallback.clean(r, action: action)
                var msg = "\(status == .changed ? "changed" : "ok"): [\(host)]\(itemLabel)"
                if verbose(d) { msg += " => " + dump(d) }
                Output.line(msg, status == .changed ? .changed : .ok)
            case .skipped:
                // The controller's own warnings (a `when:` in `{{ }}`) are shown for a skip too.
                guard displaySkipped else { warnings(r); return }
                printBanner()
                warnings(r)
                // Ansible's item line ends in a space, so the verbose dump follows two of them.
                var msg = "skipping: [\(host)]\(itemLabel)" + (item == nil ? "" : " ")
                var d = DefaultCallback.clean(r, action: action)
                if d["results"]?.listValue?.isEmpty == true { d["results"] = nil }   // an empty loop's, as the callback strips it
                if verbose(d) { msg += " => " + dump(d) }
                Output.line(msg, .skip)
            case .failed:
                printBanner()
                warnings(r)
                // display_failed_stderr: the failure (its error block too) goes to stderr.
                if let block = TaskError.block(full), Output.firstTime(block) { Output.block(block, .error, fd: failedStderr ? 2 : 1) }   // once per run
                let d = DefaultCallback.clean(r, action: action)
                if let item {
                    Output.line("failed: [\(host)] (item=\(item.pythonStr)) => " + dump(d), .error, stderr: failedStderr)
                } else {
                    if pathOnFailure, verbosity < 2, let p = taskPath { Output.line("task path: \(p.file):\(p.line)", .debug) }
                    Output.line("fatal: [\(host)]: FAILED! => " + dump(d), .error, stderr: failedStderr)
                }
                if ignoring { Output.line("...ignoring", .skip) }
            case .unreachable:
                printBanner()
                if let block = TaskError.block(full), Output.firstTime(block) { Output.block(block, .error, fd: failedStderr ? 2 : 1) }
                Output.line("fatal: [\(host)]: UNREACHABLE! => " + dump(r), .unreachable, stderr: failedStderr)
                if ignoring { Output.line("...ignoring", .skip) }
            }
        }
    }

    /// A loop's final result: only the compact callbacks show it (the default showed its items).
    func loopResult(host: String, action: String, status: Status, result: Dict) {
        guard compact != nil else { return }
        self.result(host: host, action: action, status: status, result: result, ignoring: false)
    }

    /// A failed loop whose errors are ignored ends with this line alone (its items were shown).
    func ignoredLoop() {
        guard compact == nil else { return }
        lock.withLock { _ in Output.line("...ignoring", .skip) }
    }

    /// The loop's closing line for a host, when Ansible prints one (all items skipped).
    func loopSkipped(host: String, action: String, result full: Dict) {
        let result = Censor.shown(full)
        guard compact == nil else { return }
        lock.withLock { _ in
            guard displaySkipped else { return }
            printBanner()
            var d = DefaultCallback.clean(result, action: action)
            d["results"] = nil
            Output.line("skipping: [\(host)]" + (verbose(d) ? " => " + dump(d) : ""), .skip)
        }
    }

    func noMoreHosts() { if compact == nil { Output.banner("NO MORE HOSTS LEFT") } }

    /// `included: path for host1, host2` after an include_tasks banner.
    func included(_ path: String, hosts: [String], item: Value?) {
        guard compact == nil else { return }
        lock.withLock { _ in
            printBanner()
            Output.line("included: \(path) for \(hosts.joined(separator: ", "))" + (item.map { " => (item=\($0.pythonStr))" } ?? ""), .included)
        }
    }

    func recap(_ stats: Stats) {
        if let jsonReport { jsonReport.finish(stats) }
        guard compact == nil else { return }
        Output.banner("PLAY RECAP")
        for h in stats.hosts.sorted() {
            let t = stats.summary(h)
            func col(_ name: String, _ n: Int, _ c: Output.Color) -> String {
                let s = "\(name)=\(String(n).padding(4))"
                return Output.color && n != 0 ? "\u{1b}[\(c.code)m\(s)\u{1b}[0m" : s
            }
            var hostText = h.padding(26)
            if Output.color {
                let c: Output.Color = t.failures + t.unreachable > 0 ? .error : t.changed > 0 ? .changed : .ok
                hostText = "\u{1b}[\(c.code)m\(h)\u{1b}[0m".padding(37)
            }
            Output.line("\(hostText) : \(col("ok", t.ok, .ok)) \(col("changed", t.changed, .changed)) \(col("unreachable", t.unreachable, .unreachable)) \(col("failed", t.failures, .error)) \(col("skipped", t.skipped, .skip)) \(col("rescued", t.rescued, .ok)) \(col("ignored", t.ignored, .warn))")
        }
        Output.line("")
        // show_custom_stats: set_stats' data, per host, then the run's.
        let custom = stats.custom
        if !custom.isEmpty && showCustomStats {
            Output.banner("CUSTOM STATS: ")
            for h in custom.keys.sorted() where h != "_run" {
                Output.line("\t\(h): " + dump(custom[h]!, indent: 1, json: true).replacingOccurrences(of: "\n", with: ""))
            }
            if let run = custom["_run"] {
                Output.line("")
                Output.line("\tRUN: " + dump(run, indent: 1, json: true).replacingOccurrences(of: "\n", with: ""))
            }
            Output.line("")
        }
    }
}

extension String {
    func padding(_ n: Int) -> String {
        let c = unicodeScalars.count
        return c >= n ? self : self + String(repeating: " ", count: n - c)
    }
}

/// Per-host counters for PLAY RECAP.
final class Stats: @unchecked Sendable {
    struct Summary {
        var ok = 0, changed = 0, unreachable = 0, failures = 0, skipped = 0, rescued = 0, ignored = 0
    }

    private let lock = Mutex<Void>(())
    private var data: [String: Summary] = [:]
    /// set_stats' data: per host, or under `_run` for the whole run.
    private(set) var custom: [String: Dict] = [:]

    /// AggregateStats.update_custom_stats (aggregate) or set_custom_stats: mappings merge, other
    /// values of the same type add up (numbers, text, lists); a value of another type is ignored.
    func setCustom(_ key: Value, _ value: Value, host: String?, aggregate: Bool) {
        lock.withLock { _ in
            let h = host ?? "_run"
            var d = custom[h] ?? Dict()
            defer { custom[h] = d }
            guard aggregate, let old = d[key] else { d[key] = value; return }
            switch (old, value) {
            case (.dict(let a), .dict(let b)): d[key] = .dict(AnsibleFilters.merge(a, b, recursive: true))
            case (.int(let a), .int(let b)): d[key] = .int(a + b)
            case (.float(let a), .float(let b)): d[key] = .float(a + b)
            case (.float(let a), .int(let b)): d[key] = .float(a + Double(b))
            case (.list(let a), .list(let b)): d[key] = .list(a + b)
            case (.string(let a), .string(let b)), (.string(let a), .unsafe(let b)), (.unsafe(let a), .string(let b)), (.unsafe(let a), .unsafe(let b)):
                d[key] = .string(a + b)
            default: break
            }
        }
    }

    var hosts: [String] { lock.withLock { _ in Array(data.keys) } }
    func summary(_ h: String) -> Summary { lock.withLock { _ in data[h] ?? Summary() } }
    func update(_ h: String, _ f: (inout Summary) -> Void) {
        lock.withLock { _ in
            var s = data[h] ?? Summary()
            f(&s)
            data[h] = s
        }
    }
}
