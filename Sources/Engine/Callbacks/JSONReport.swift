// stdout_callback = json (ansible.posix.json): nothing while the run goes, then one JSON document
// with every play, task and host result, the recap's figures and the custom stats.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Values

final class JSONReport: Sendable {
    private struct State {
        var plays: [Dict] = []
        var ids = 0
        var prefix = ""
    }

    private let state = Mutex(State())
    private let indent: Int?
    private let showCustomStats: Bool

    init(_ settings: Settings) {
        let i = settings.value(env: "ANSIBLE_JSON_INDENT", section: "callback_json", key: "json_indent").flatMap { Int($0) } ?? 4
        indent = i > 0 ? i : nil
        showCustomStats = settings.value(env: "ANSIBLE_SHOW_CUSTOM_STATS", key: "show_custom_stats").map(Settings.truthy) ?? false
        var r = SystemRandomNumberGenerator()
        let hex = String(r.next() & 0xffff_ffff_ffff, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        state.withLock { $0.prefix = "\(padded.prefix(8))-\(padded.dropFirst(8).prefix(4))-\(String(r.next() & 0xffff, radix: 16))" }
    }

    /// `2026-11-22T10:49:35.488523Z`: UTC, microseconds.
    static func now() -> String {
        let t = Clock.now()
        return Clock.format("%Y-%m-%dT%H:%M:%S", t, utc: true) + "." + Clock.fraction(t, digits: 6) + "Z"
    }

    /// An id in the shape of Ansible's object uuids, unique in the run.
    private func nextID(_ s: inout State) -> String {
        s.ids += 1
        let n = String(s.ids)
        return "\(s.prefix)-" + String(repeating: "0", count: max(0, 12 - n.count)) + n
    }

    func playStart(name: String, path: SourceLocation) {
        state.withLock { s in
            let play: Dict = ["name": .string(name), "id": .string(nextID(&s)), "path": .string("\(path.file):\(path.line)"),
                              "duration": ["start": .string(JSONReport.now())]]
            s.plays.append(["play": .dict(play), "tasks": .list([])])
        }
    }

    func taskStart(name: String, path: SourceLocation) {
        state.withLock { s in
            guard var play = s.plays.popLast() else { return }
            let task: Dict = ["name": .string(name), "id": .string(nextID(&s)), "path": .string("\(path.file):\(path.line)"),
                              "duration": ["start": .string(JSONReport.now())]]
            play["tasks"] = .list((play["tasks"]?.listValue ?? []) + [.dict(["task": .dict(task), "hosts": .dict([:])])])
            s.plays.append(play)
        }
    }

    /// A host's result under the running task, as the plugin records it: the raw result with
    /// `failed`/`skipped` said, and the action.
    func result(host: String, action: String, status: Status, result r: Dict) {
        var copy = Dict()
        // 2.19 hands callbacks results without `failed`/`skipped`; the plugin says them again.
        for (k, v) in r where !k.pythonStr.hasPrefix("_swansible_") && k != "failed" && k != "skipped" { copy[k] = JSONReport.ours(v) }
        if copy["_ansible_no_log"] == nil, copy["results"] == nil { copy["_ansible_no_log"] = false }
        if status == .failed { copy["failed"] = true }
        if status == .skipped { copy["skipped"] = true }
        copy["action"] = .string(action)
        let end = JSONReport.now()
        state.withLock { s in
            guard var play = s.plays.popLast() else { return }
            var tasks = play["tasks"]?.listValue ?? []
            if var last = tasks.popLast()?.dictValue {
                var hosts = last["hosts"]?.dictValue ?? Dict()
                hosts[.string(host)] = .dict(copy)
                last["hosts"] = .dict(hosts)
                JSONReport.setEnd(&last, "task", end)
                tasks.append(.dict(last))
            }
            play["tasks"] = .list(tasks)
            JSONReport.setEnd(&play, "play", end)
            s.plays.append(play)
        }
    }

    /// `entry[key].duration.end`: when the task (or play) last reported.
    static func setEnd(_ entry: inout Dict, _ key: Value, _ end: String) {
        guard case .dict(var d)? = entry[key] else { return }
        var duration = d["duration"]?.dictValue ?? Dict()
        duration["end"] = .string(end)
        d["duration"] = .dict(duration)
        entry[key] = .dict(d)
    }

    /// swansible's own bookkeeping keys left out at every depth (loop items carry them too).
    static func ours(_ v: Value) -> Value {
        switch v {
        case .dict(let d):
            var out = Dict()
            for (k, x) in d where !k.pythonStr.hasPrefix("_swansible_") { out[k] = ours(x) }
            return .dict(out)
        case .list(let l): return .list(l.map(ours))
        default: return v
        }
    }

    /// An include's result for each host (what the include action returns; per item in a loop).
    func included(_ task: PlayTask, hosts: [String], item: Value?, includeArgs: Dict = [:]) {
        let one = IncludeResult.single(task, includeArgs: includeArgs)
        for h in hosts {
            guard let item else {
                result(host: h, action: task.action, status: .ok, result: one)
                continue
            }
            var existing: Dict? = state.withLock { s in s.plays.last?["tasks"]?.listValue?.last?["hosts"]?[h]?.dictValue }
            existing?["action"] = nil
            result(host: h, action: task.action, status: .ok, result: IncludeResult.adding(one, item: item, to: existing))
        }
    }


    /// The document, printed where the recap would be.
    func finish(_ stats: Stats) {
        var summary = Dict()
        for h in stats.hosts.sorted() {
            let t = stats.summary(h)
            summary[.string(h)] = ["changed": .int(t.changed), "failures": .int(t.failures), "ignored": .int(t.ignored), "ok": .int(t.ok),
                                   "rescued": .int(t.rescued), "skipped": .int(t.skipped), "unreachable": .int(t.unreachable)]
        }
        var custom = Dict(), global = Dict()
        if showCustomStats {
            for (h, d) in stats.custom { if h == "_run" { global = d } else { custom[.string(h)] = .dict(d) } }
        }
        let doc: Value = ["plays": .list(state.withLock { $0.plays.map(Value.dict) }), "stats": .dict(summary),
                          "custom_stats": .dict(custom), "global_custom_stats": .dict(global)]
        Output.line(doc.json(.init(indent: indent, sortKeys: true)))
    }
}

/// What the include action returns for a host, as the aggregate callbacks record it: one result,
/// or in a loop one entry per item gathered under the host's "All items completed".
enum IncludeResult {
    static func single(_ task: PlayTask, includeArgs: Dict) -> Dict {
        var one: Dict = ["changed": false]
        if let name = (task.args["file"] ?? task.args["_raw_params"])?.pythonStr { one["include"] = .string(name) }
        one["include_args"] = .dict(includeArgs)
        return one
    }

    static func adding(_ one: Dict, item: Value, to existing: Dict?) -> Dict {
        var entry: Dict = ["_ansible_item_label": item, "_ansible_no_log": false, "ansible_loop_var": "item"]
        for (k, v) in one where k != "changed" { entry[k] = v }
        entry["item"] = item
        var r = existing ?? ["changed": false, "msg": "All items completed", "results": []]
        r["results"] = .list((r["results"]?.listValue ?? []) + [.dict(entry)])
        return r
    }
}
