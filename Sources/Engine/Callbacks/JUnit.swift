// The `junit` callback (callbacks_enabled): one JUnit XML report per playbook in
// JUNIT_OUTPUT_DIR, a test case per task and host, as ansible-core's junit plugin writes it
// (its JUNIT_* options, EXPECTED FAILURE / TOGGLE RESULT names, minidom's pretty printing).
#if canImport(Glibc)
import Glibc
#endif
import Playbook
import Synchronization
import Values

final class JUnitCallback: Sendable {
    private struct TaskData {
        var name: String
        var path: String
        var play: String
        var action: String
        var start: Double
        var hosts: [(name: String, status: String, finish: Double, result: Dict?, text: String?)] = []
    }

    private struct State {
        var play = ""
        var order: [TaskData] = []
    }

    private let state = Mutex(State())
    private let outputDir: String
    private let env: [String: String]

    /// When callbacks_enabled names `junit` (AggregateCallbacks.load).
    static func enabled() -> JUnitCallback { JUnitCallback() }

    private init() {
        var e: [String: String] = [:]
        for k in ["JUNIT_TASK_CLASS", "JUNIT_TASK_RELATIVE_PATH", "JUNIT_FAIL_ON_CHANGE", "JUNIT_FAIL_ON_IGNORE",
                  "JUNIT_INCLUDE_SETUP_TASKS_IN_REPORT", "JUNIT_HIDE_TASK_ARGUMENTS", "JUNIT_TEST_CASE_PREFIX",
                  "JUNIT_REPLACE_OUT_OF_TREE_PATH"] {
            if let v = Files.environment(k) { e[k] = v }
        }
        env = e
        outputDir = Files.environment("JUNIT_OUTPUT_DIR") ?? Files.expandUser("~/.ansible.log")
        if !Files.exists(outputDir) { try? Files.makeDirectories(outputDir) }
    }

    private func flag(_ k: String, _ d: String) -> Bool { (env[k] ?? d).lowercased() == "true" }

    func playStart(_ name: String) { state.withLock { $0.play = name } }

    /// The running task's place in the report, for the results that come under it.
    @TaskLocal static var taskID: Int?

    /// A task's banner: its name with its arguments as written (unless hidden or no_log).
    func taskStart(_ task: PlayTask, name: String) -> Int {
        state.withLock { s in
            let id = s.order.count
            var shown = name.trimmingCharacters(in: " ")
            if !flag("JUNIT_HIDE_TASK_ARGUMENTS", "False"), task["no_log"]?.truthy != true {
                // include_tasks' `file:` is its free-form argument once Ansible has normalized it.
                let normalized = ["include_tasks", "include"].contains(task.shortAction)
                let args = task.args.map { "\(normalized && $0.key == "file" ? "_raw_params" : $0.key.pythonStr)=\($0.value.pythonStr)" }
                    .joined(separator: ", ")
                if !args.isEmpty { shown += " " + args }
            }
            s.order.append(TaskData(name: shown, path: "\(task.location.file):\(task.location.line)", play: s.play,
                                    action: task.action, start: Clock.now()))
            return id
        }
    }

    func hostResult(host: String, status: Status, result: Dict, ignored: Bool) {
        var st: String
        switch status {
        case .ok, .changed: st = "ok"
        case .skipped: st = "skipped"
        case .failed, .unreachable: st = ignored && !flag("JUNIT_FAIL_ON_IGNORE", "False") ? "ok" : "failed"
        }
        if st == "ok", flag("JUNIT_FAIL_ON_CHANGE", "False"), result["changed"]?.truthy == true { st = "failed" }
        add(host: host, status: st, result: Censor.shown(result), text: nil)
    }

    /// An include: each host's result (what the include action returns, per loop item), then the
    /// included file as IncludedFile prints itself.
    func included(_ task: PlayTask, file: String, hosts: [String], item: Value?, includeArgs: Dict = [:]) {
        let one = IncludeResult.single(task, includeArgs: includeArgs)
        for h in hosts {
            if let item {
                guard let id = JUnitCallback.taskID else { continue }
                state.withLock { s in
                    var t = s.order[id]
                    if let i = t.hosts.firstIndex(where: { $0.name == h && $0.status == "ok" }) {
                        t.hosts[i].result = IncludeResult.adding(one, item: item, to: t.hosts[i].result)
                    } else {
                        t.hosts.append((h, "ok", Clock.now(), IncludeResult.adding(one, item: item, to: nil), nil))
                    }
                    s.order[id] = t
                }
            } else {
                add(host: h, status: "ok", result: one, text: nil)
            }
        }
        let vars = item.map { "{'item': \($0.pythonRepr), 'ansible_loop_var': 'item', '_ansible_item_label': \($0.pythonRepr)}" } ?? "{}"
        add(host: "include", status: "included", result: nil, text: "\(file) (args={} vars=\(vars)): [\(hosts.joined(separator: ", "))]")
    }

    private func add(host: String, status: String, result: Dict?, text: String?) {
        guard let id = JUnitCallback.taskID else { return }
        state.withLock { s in
            var t = s.order[id]
            var st = status
            if st == "failed" && t.name.contains("EXPECTED FAILURE") { st = "ok" } else if t.name.contains("TOGGLE RESULT") {
                st = st == "failed" ? "ok" : st == "ok" ? "failed" : st
            }
            guard t.name.hasPrefix(env["JUNIT_TEST_CASE_PREFIX"] ?? "") || st == "failed" else { return }
            if st == "included", let i = t.hosts.firstIndex(where: { $0.name == host }) {
                t.hosts[i].text = (t.hosts[i].text ?? "") + "\n" + (text ?? "")
            } else {
                t.hosts.append((host, st, Clock.now(), result, text))
            }
            s.order[id] = t
        }
    }

    /// The report, written when the playbook ends (`<playbook>-<time>.xml`).
    func finish(playbook: String, dump: (Dict) -> String) {
        let s = state.withLock { $0 }
        var cases: [XML] = []
        var total = 0.0, errors = 0, failures = 0, skipped = 0
        let setup: Set<String> = ["gather_facts", "setup", "ansible.builtin.gather_facts", "ansible.builtin.setup",
                                  "ansible.legacy.gather_facts", "ansible.legacy.setup"]
        for t in s.order {
            if setup.contains(t.action), !flag("JUNIT_INCLUDE_SETUP_TASKS_IN_REPORT", "True") { continue }
            for h in t.hosts {
                let time = h.finish - t.start
                total += time
                let attrs = [("classname", classname(t.path)), ("name", "[\(h.name)] \(t.play): \(t.name)"), ("time", JUnitCallback.decimal(time))]
                var children: [XML] = []
                if h.status == "included" {
                    children.append(XML("system-out", text: h.text ?? ""))
                } else if let r = h.result {
                    let out = dump(r)
                    switch h.status {
                    case "ok": children.append(XML("system-out", text: out))
                    case "failed":
                        if let ex = r["exception"] {
                            errors += 1
                            children.append(XML("error", [("message", r["msg"]?.pythonStr ?? ""), ("type", "error")], text: ex.pythonStr))
                        } else {
                            failures += 1
                            let message = r["msg"].map(\.pythonStr) ?? "rc=\(r["rc"]?.pythonStr ?? "0")"
                            children.append(XML("failure", [("message", message), ("type", "failure")], text: out))
                        }
                    default:
                        skipped += 1
                        children.append(XML("skipped", text: r["skip_reason"]?.pythonStr ?? "skipped"))
                    }
                }
                cases.append(XML("testcase", attrs, children: children))
            }
        }
        let name = Files.basename(playbook).split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
        let counts = [("disabled", "0"), ("errors", String(errors)), ("failures", String(failures))]
        let suite = XML("testsuite", counts + [("name", name), ("skipped", String(skipped)), ("tests", String(cases.count)),
                                               ("time", JUnitCallback.decimal(total))], children: cases)
        let suites = XML("testsuites", counts + [("tests", String(cases.count)), ("time", JUnitCallback.decimal(total))], children: [suite])
        let t = Clock.now()
        let stamp = "\(Int(t)).\(Clock.fraction(t, digits: 6))"
        let path = Files.join(outputDir, "\(name)-\(stamp).xml")
        do { try Files.write(path, Array(("<?xml version=\"1.0\" ?>\n" + suites.pretty(depth: 0)).utf8)) } catch {
            Output.warning("the junit callback could not write \(path): \(error)")
        }
    }

    private func classname(_ path: String) -> String {
        var c = path
        if let base = env["JUNIT_TASK_RELATIVE_PATH"], !base.isEmpty { c = JUnitCallback.relative(c, to: Files.absolute(base)) }
        if let replace = env["JUNIT_REPLACE_OUT_OF_TREE_PATH"], c.hasPrefix("../") { c = replace + Files.basename(c) }
        // JUNIT_TASK_CLASS: one class per file (`.yml:<line>` dropped).
        if flag("JUNIT_TASK_CLASS", "False"), let colon = c.lastIndex(of: ":"), c[..<colon].hasSuffix(".yml"),
           c[c.index(after: colon)...].allSatisfy(\.isNumber) {
            c = String(c[..<c.index(colon, offsetBy: -4)])
        }
        return c
    }

    /// os.path.relpath for absolute paths.
    static func relative(_ path: String, to base: String) -> String {
        let p = path.split(separator: "/"), b = base.split(separator: "/")
        var i = 0
        while i < p.count, i < b.count, p[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: b.count - i) + p[i...].map(String.init)).joined(separator: "/")
    }

    /// A duration as Python prints a Decimal made from it (never in exponent form).
    static func decimal(_ d: Double) -> String {
        let micros = Int((d * 1_000_000).rounded())
        return "\(micros / 1_000_000).\(String(String(1_000_000 + micros % 1_000_000).dropFirst()))"
    }
}

/// An XML element printed as minidom's toprettyxml prints it: tab indents, a lone text child
/// inline, `<tag/>` when empty, `& < " >` escaped in text and attributes.
private struct XML {
    var tag: String
    var attrs: [(String, String)]
    var text: String?
    var children: [XML]

    init(_ tag: String, _ attrs: [(String, String)] = [], text: String? = nil, children: [XML] = []) {
        self.tag = tag
        self.attrs = attrs
        self.text = text
        self.children = children
    }

    static func escape(_ s: String) -> String { s.escaping(["&": "&amp;", "<": "&lt;", "\"": "&quot;", ">": "&gt;"]) }

    func pretty(depth: Int) -> String {
        let indent = String(repeating: "\t", count: depth)
        let head = indent + "<" + tag + attrs.map { " \($0.0)=\"\(XML.escape($0.1))\"" }.joined()
        if let text, !text.isEmpty { return head + ">" + XML.escape(text) + "</\(tag)>\n" }
        if children.isEmpty { return head + "/>\n" }
        return head + ">\n" + children.map { $0.pretty(depth: depth + 1) }.joined() + indent + "</\(tag)>\n"
    }
}
