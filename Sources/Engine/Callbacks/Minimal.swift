// The `minimal` callback, ad-hoc's output: one block per host (`host | CHANGED | rc=0 >>` and the
// command's output for command-like modules, `host | SUCCESS => {…}` for the others), no
// banners and no recap; a failure's [ERROR] block names the ad-hoc task as Ansible's does.
import Values

/// What the ad-hoc command ran, as 2.19 shows it under a failure's `Origin: <adhoc '…' task>`.
public struct AdHocTask: Sendable {
    public var action: String
    public var args: Dict
    public var async: Int
    public var poll: Int
    public var timeout = 0
    /// -o: the `oneline` callback's format, each result on one line.
    public var oneLine = false
    /// -t DIR: the `tree` callback as well, each host's result as JSON in DIR/<host>.
    public var tree: String?
    public init(action: String, args: Dict, async: Int = 0, poll: Int = 15) {
        self.action = action
        self.args = args
        self.async = async
        self.poll = poll
    }

    var origin: String {
        let data: Value = ["action": .string(action), "args": .dict(args), "timeout": .int(timeout), "async_val": .int(async), "poll": .int(poll)]
        // Shortened to 120 columns as 2.19 shows data without a file (textwrap.shorten).
        let shown = SourceLocation.unknown(showing: data.pythonRepr).snippet ?? data.pythonRepr
        return "Origin: <adhoc '\(action)' task>\n\n\(shown)\n"
    }
}

extension DefaultCallback {
    /// Modules whose output is text, shown as it is (MODULE_NO_JSON).
    static let noJSON: Set<String> = ["command", "shell", "raw", "win_command", "win_shell"]

    func minimalResult(host: String, action: String, status: Status, result r: Dict) {
        lock.withLock { _ in
            warnings(r)
            let textual = DefaultCallback.noJSON.contains(PlayTask.shortName(action))
            func generic(_ caption: String) -> String {
                "\(host) | \(caption) | rc=\(r["rc"]?.pythonStr ?? "-1") >>\n"
                    + ["stdout", "stderr", "msg"].map { r[.string($0)]?.pythonStr ?? "" }.joined()
            }
            switch status {
            case .ok, .changed:
                let changed = r["changed"]?.truthy == true
                let (state, color): (String, Output.Color) = changed ? ("CHANGED", .changed) : ("SUCCESS", .ok)
                if textual && r["ansible_job_id"] == nil { Output.line(generic(state), color) } else {
                    let d = DefaultCallback.clean(r, action: action)
                    Output.line("\(host) | \(state) => " + dump(d, indent: 4, json: true), color)
                }
            case .skipped:
                Output.line("\(host) | SKIPPED", .skip)
            case .failed:
                if let adhoc {
                    errorBlock(adhoc, r["_swansible_error_flat"]?.stringValue ?? TaskError.block(r).flatMap(briefLine) ?? "Task failed: \(r["msg"]?.pythonStr ?? "")")
                } else if let block = TaskError.block(r), Output.firstTime(block) {
                    Output.block(block, .error)
                }
                if textual && r["module_stderr"] == nil { Output.line(generic("FAILED"), .error) } else {
                    Output.line("\(host) | FAILED! => " + dump(r, indent: 4, json: true), .error)
                }
            case .unreachable:
                var d = r
                let msg = r["msg"]?.pythonStr ?? ""
                if !msg.hasPrefix("Task failed: ") { d["msg"] = .unsafe("Task failed: " + msg) }
                if let adhoc { errorBlock(adhoc, d["msg"]?.pythonStr ?? msg) } else if let block = TaskError.block(r), Output.firstTime(block) {
                    Output.block(block, .error)
                }
                Output.line("\(host) | UNREACHABLE! => " + dump(d, indent: 4, json: true), .unreachable)
            }
        }
    }

    /// The `oneline` callback: `host | CHANGED | rc=0 | (stdout) …` for command-like modules,
    /// `host | SUCCESS => {…}` (json.dumps with indent=0, its newlines dropped) for the rest.
    func oneLineResult(host: String, action: String, status: Status, result r: Dict) {
        lock.withLock { _ in
            warnings(r)
            let textual = DefaultCallback.noJSON.contains(PlayTask.shortName(action))
            func flat(_ key: String) -> String {
                (r[.string(key)]?.pythonStr ?? "").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
            }
            func generic(_ caption: String) -> String {
                let stderr = r["stderr"].map { $0.truthy ? " (stderr) \(flat("stderr"))" : "" } ?? ""
                return "\(host) | \(caption) | rc=\(r["rc"]?.pythonStr ?? "-1") | (stdout) \(flat("stdout"))" + stderr
            }
            func json(_ d: Dict) -> String { dump(d, indent: 0, json: true).replacingOccurrences(of: "\n", with: "") }
            switch status {
            case .ok, .changed:
                let state = r["changed"]?.truthy == true ? "CHANGED" : "SUCCESS"
                let color: Output.Color = state == "CHANGED" ? .changed : .ok
                if textual && r["ansible_job_id"] == nil { Output.line(generic(state), color) } else {
                    Output.line("\(host) | \(state) => " + json(r), color)   // the oneline callback does not clean debug's result
                }
            case .skipped:
                Output.line("\(host) | SKIPPED", .skip)
            case .failed:
                if let exception = r["exception"] {
                    if textual && r["module_stderr"] == nil { Output.line(generic("FAILED"), .error) } else {
                        let last = exception.pythonStr.trimmingCharacters(in: " \n").split(separator: "\n").last.map(String.init) ?? ""
                        Output.line(verbosity < 3 ? "An exception occurred during task execution. To see the full traceback, use -vvv. The error was: \(last)"
                                    : "An exception occurred during task execution. The full traceback is:\n" + exception.pythonStr.replacingOccurrences(of: "\n", with: ""), .error)
                    }
                }
                Output.line("\(host) | FAILED! => " + json(r), .error)
            case .unreachable:
                let msg = r["msg"]?.pythonStr ?? ""
                Output.line("\(host) | UNREACHABLE!: \(msg.hasPrefix("Task failed: ") ? msg : "Task failed: " + msg)", .unreachable)
            }
        }
    }

    /// The tree callback: a host's last result, as compact JSON, in the tree directory.
    func writeTree(_ dir: String, host: String, result r: Dict) {
        do {
            try Files.makeDirectories(dir)
        } catch {
            Output.warning("Unable to access or create the configured directory '\(dir)'.")
        }
        do { try Files.write(Files.join(dir, host), Array(dump(r, json: true).utf8)) } catch {
            Output.warning("Unable to write to '\(host)''s file.")
        }
    }

    /// The first line of a playbook error block, without its `[ERROR]: `.
    func briefLine(_ block: String) -> String? {
        block.split(separator: "\n").first.map { String($0.dropFirst("[ERROR]: ".count)) }
    }

    func errorBlock(_ adhoc: AdHocTask, _ message: String) {
        var block = "[ERROR]: \(message)\n\(adhoc.origin)"
        // A module that does not resolve: the task's failure caused by the -m option.
        let failed = "Task failed: ", cannot = "Cannot resolve '\(adhoc.action)' to an action or module."
        if message == failed + cannot {
            block = "[ERROR]: \(message)\n\nTask failed.\n\(adhoc.origin)\n<<< caused by >>>\n\n\(cannot)\nOrigin: <CLI option '-m'>\n\n\(adhoc.action)\n"
        }
        if Output.firstTime(block) { Output.block(block + "\n", .error) }   // with the result, on stdout
    }
}
