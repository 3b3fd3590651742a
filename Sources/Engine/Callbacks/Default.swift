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
    private let lock = Mutex<Void>(())
    private var bannerPrinted = false
    private var pendingBanner: String?

    init(verbosity: Int, settings: Settings) {
        self.verbosity = verbosity
        displaySkipped = settings.displaySkippedHosts
        displayOk = settings.displayOkHosts
    }

    /// Ansible names an unnamed play after its hosts pattern.
    func playStart(_ play: Play) {
        var name = play.name
        if name == nil || name!.isEmpty {
            switch play.hosts {
            case .list(let l): name = l.map(\.pythonStr).joined(separator: ",")
            default: name = play.hosts.pythonStr
            }
        }
        let n = (name ?? "").trimmingCharacters(in: " ")
        Output.banner(n.isEmpty ? "PLAY" : "PLAY [\(n)]")
    }

    func taskStart(_ name: String, prefix: String = "TASK", path: SourceLocation?) {
        lock.withLock { _ in
            pendingBanner = "\(prefix) [\(name.trimmingCharacters(in: " "))]"
            bannerPrinted = false
            if displaySkipped && displayOk { printBanner(path) }
        }
    }

    private func printBanner(_ path: SourceLocation? = nil) {
        guard !bannerPrinted, let b = pendingBanner else { return }
        Output.banner(b)
        if verbosity >= 2, let path { Output.line("task path: \(path.file):\(path.line)") }
        bannerPrinted = true
    }

    func noHostsMatched() { Output.line("skipping: no hosts matched", .skip) }

    static func dump(_ r: Dict, verbosity: Int, indent: Int? = nil) -> String {
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
        return Value.dict(stripInternal(d)).json(.init(indent: indent, sortKeys: true))
    }

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
            if verbosity > 0 { msg += "Result was: " + DefaultCallback.dump(result, verbosity: verbosity) }
            Output.line(msg, .unreachable)
        }
    }

    /// `ASYNC POLL on host: …` while an async task runs, `ASYNC OK on host: …` when it ends.
    func asyncPoll(host: String, jid: String, finished: Bool, failed: Bool = false) {
        lock.withLock { _ in
            printBanner()
            if finished {
                Output.line("ASYNC \(failed ? "FAILED" : "OK") on \(host): jid=\(jid)", .verbose)
            } else {
                Output.line("ASYNC POLL on \(host): jid=\(jid) started=True finished=False", .verbose)
            }
        }
    }

    /// One host's result (or one loop item's, when `item` is set).
    func result(host hostName: String, action: String, status: Status, result r: Dict, ignoring: Bool, item: Value? = nil) {
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
                let d = DefaultCallback.clean(r, action: action)
                var msg = "\(status == .changed ? "changed" : "ok"): [\(host)]\(itemLabel)"
                if verbose(d) { msg += " => " + DefaultCallback.dump(d, verbosity: verbosity) }
                Output.line(msg, status == .changed ? .changed : .ok)
            case .skipped:
                guard displaySkipped else { return }
                printBanner()
                // Ansible's item line ends in a space, so the verbose dump follows two of them.
                var msg = "skipping: [\(host)]\(itemLabel)" + (item == nil ? "" : " ")
                let d = DefaultCallback.clean(r, action: action)
                if verbose(d) { msg += " => " + DefaultCallback.dump(d, verbosity: verbosity) }
                Output.line(msg, .skip)
            case .failed:
                printBanner()
                warnings(r)
                if let block = TaskError.block(r), Output.firstTime(block) { Output.write(block) }   // Display says an error once per run
                let d = DefaultCallback.clean(r, action: action)
                if let item {
                    Output.line("failed: [\(host)] (item=\(item.pythonStr)) => " + DefaultCallback.dump(d, verbosity: verbosity), .error)
                } else {
                    Output.line("fatal: [\(host)]: FAILED! => " + DefaultCallback.dump(d, verbosity: verbosity), .error)
                }
                if ignoring { Output.line("...ignoring", .skip) }
            case .unreachable:
                printBanner()
                Output.line("fatal: [\(host)]: UNREACHABLE! => " + DefaultCallback.dump(r, verbosity: verbosity), .unreachable)
                if ignoring { Output.line("...ignoring", .skip) }
            }
        }
    }

    /// A failed loop whose errors are ignored ends with this line alone (its items were shown).
    func ignoredLoop() {
        lock.withLock { _ in Output.line("...ignoring", .skip) }
    }

    /// The loop's closing line for a host, when Ansible prints one (all items skipped).
    func loopSkipped(host: String, result: Dict) {
        lock.withLock { _ in
            guard displaySkipped else { return }
            printBanner()
            var d = result
            d["results"] = nil
            Output.line("skipping: [\(host)]" + (verbose(d) ? " => " + DefaultCallback.dump(d, verbosity: verbosity) : ""), .skip)
        }
    }

    func noMoreHosts() { Output.banner("NO MORE HOSTS LEFT") }

    /// `included: path for host1, host2` after an include_tasks banner.
    func included(_ path: String, hosts: [String], item: Value?) {
        lock.withLock { _ in
            printBanner()
            Output.line("included: \(path) for \(hosts.joined(separator: ", "))" + (item.map { " => (item=\($0.pythonStr))" } ?? ""), .skip)
        }
    }

    func recap(_ stats: Stats) {
        Output.banner("PLAY RECAP")
        for h in stats.hosts.sorted() {
            let t = stats.summary(h)
            func col(_ name: String, _ n: Int, _ c: Output.Color) -> String {
                let s = "\(name)=\(String(n).padding(4))"
                return Output.color && n != 0 ? "\u{1b}[\(c.rawValue)m\(s)\u{1b}[0m" : s
            }
            var hostText = h.padding(26)
            if Output.color {
                let c: Output.Color = t.failures + t.unreachable > 0 ? .error : t.changed > 0 ? .changed : .ok
                hostText = "\u{1b}[\(c.rawValue)m\(h)\u{1b}[0m".padding(37)
            }
            Output.line("\(hostText) : \(col("ok", t.ok, .ok)) \(col("changed", t.changed, .changed)) \(col("unreachable", t.unreachable, .unreachable)) \(col("failed", t.failures, .error)) \(col("skipped", t.skipped, .skip)) \(col("rescued", t.rescued, .ok)) \(col("ignored", t.ignored, .warn))")
        }
        Output.line("")
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
