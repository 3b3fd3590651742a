// A task failure reported as ansible-core 2.19 reports it: a chain of messages, outermost
// first, each with the place in the playbook it is about; flattened into the result's msg.
import Playbook
import Values

struct TaskError: Error {
    var links: [(message: String, location: SourceLocation?)]
    var flat: String
    /// A hint printed after the last origin.
    var help: String?
    /// Keys of the result besides the error's own (a module's output, its own `msg`).
    var extra = Dict()
    /// Links that stand apart although they have no place of their own: an exception raised while
    /// handling another (its implicit context), which 2.19 does not fold into its effect.
    var apart: Set<Int> = []
    /// Whether the result says `changed: false` (all but a result the worker could not send do).
    var reportsChanged = true

    static func fqcn(_ action: String) -> String {
        action.contains(".") ? action : "ansible.builtin." + action
    }

    /// A cause with a place of its own (AnsibleError.cause) stands apart: the last link ends at
    /// its effect ("Error rendering template."), the cause follows with its place.
    func with(_ cause: (message: String, location: SourceLocation)?) -> TaskError {
        guard let cause, let last = links.last, last.message.hasSuffix(": " + cause.message) else { return self }
        var e = self
        e.links[links.count - 1].message = String(last.message.dropLast(cause.message.count + 2)) + "."
        e.links.append((cause.message, cause.location))
        return e
    }

    /// The error's causes: one with a place of its own, and the end of its message that stands apart.
    func with(_ e: AnsibleError) -> TaskError {
        var error = with(e.cause)
        guard let apart = e.apart, let last = error.links.last, last.message.hasSuffix(": " + apart) else { return error }
        error.links[error.links.count - 1].message = String(last.message.dropLast(apart.count + 2)) + "."
        error.links.append((apart + (e.apartHelp.map { " " + $0 } ?? ""), nil))
        error.apart.insert(error.links.count - 1)
        return error
    }

    /// An error 2.19 raises as itself rather than as the task's (a loop or label that does not
    /// render): one section at its place, with its help.
    static func standalone(_ e: AnsibleError, at: SourceLocation?) -> TaskError {
        var error = TaskError(links: [(e.message, e.location ?? at)], flat: e.message).with(e)
        error.help = e.help
        return error
    }

    static func args(_ task: PlayTask, name: String, key: String, _ inner: String) -> TaskError {
        let a = "Finalization of task args for '\(name)' failed"
        let b = "Error while resolving value for '\(key)': \(inner)"
        return TaskError(links: [("Task failed.", task.location), (a + ".", task.keywordLocations["@action"]),
                                 (b, task.argLocations[key])],
                         flat: "Task failed: \(a): \(b)")
    }

    static func broken(_ task: PlayTask, keyword: String, _ e: BrokenConditional) -> TaskError {
        broken(task, at: e.location ?? task.keywordLocations[keyword], e.message, help: e.help)
    }

    static func broken(_ task: PlayTask, at: SourceLocation?, _ message: String, help: String? = nil) -> TaskError {
        var e = TaskError(links: [("Task failed.", task.location), (message, at)], flat: "Task failed: \(message)")
        e.help = help ?? "Broken conditionals can be temporarily allowed with the `ALLOW_BROKEN_CONDITIONALS` configuration option."
        return e
    }

    /// A template file that does not parse or render: Ansible names the file, without a line;
    /// for a parse error the line the parser stopped at is added, with the lines before it.
    static func templateFile(_ task: PlayTask, file: String, line: Int, _ message: String) -> TaskError {
        TaskError(links: [("Task failed.", task.location), (message, SourceLocation(file: file, line: line, column: 0))],
                  flat: "Task failed: \(message)")
    }

    /// `at`: the place within the keyword's value, when known (one item of a `when` list).
    static func keyword(_ task: PlayTask, keyword: String, _ inner: String, at: SourceLocation? = nil) -> TaskError {
        TaskError(links: [("Task failed.", task.location), (inner, at ?? task.keywordLocations[keyword])], flat: "Task failed: \(inner)")
    }

    /// The result Ansible records for it (registered too: 2.19 gives it a traceback's place holder).
    var result: Dict {
        var chain: [Value] = []
        for (i, l) in links.enumerated() {
            var link = TaskError.link(l.message, l.location)
            if apart.contains(i), case .list(var parts) = link {
                parts.append(true)
                link = .list(parts)
            }
            chain.append(link)
        }
        var r: Dict = ["changed": false, "msg": .unsafe(flat), "_swansible_error": .list(chain), "failed": true,
                       "exception": "(traceback unavailable)"]
        if let help { r["_swansible_help"] = .string(help) }
        if !reportsChanged { r["changed"] = nil }
        if extra["msg"] != nil { r["_swansible_error_flat"] = .string(flat) }   // the block still heads with it
        for (k, v) in extra { r[k] = v }
        return r
    }

    /// The interpreter a module was to run on is not on the host, or ran and said nothing the
    /// controller could read: the task fails with its output as Ansible's _parse_returned_data
    /// words it, and the host stays reachable.
    static func badInterpreter(_ task: PlayTask, _ message: String, help: String, stdout: String, stderr: String, rc: Int) -> TaskError {
        var e = TaskError(links: [("Task failed.", task.location), ("Action failed.", task.location), (message, nil)],
                          flat: "Task failed: Action failed: \(message)")
        e.help = help + "See stdout/stderr for the returned output."
        e.extra = ["msg": .string(message), "module_stderr": .string(stderr), "module_stdout": .string(stdout), "rc": .int(rc)]
        return e
    }

    /// MODULE_STRICT_UTF8_RESPONSE: a module result holding a string Python cannot encode (a
    /// lone surrogate, from bytes that were not UTF-8) is refused, as 2.19's decoder refuses it.
    static func undecodable(_ task: PlayTask, _ refusal: String) -> TaskError {
        var e = TaskError(links: [("Task failed.", task.location), (refusal + " " + StrictUTF8.help, nil)], flat: "Task failed: " + refusal)
        e.apart = [1]
        return e
    }

    /// One link of a recorded chain: the message, where, and what stands for a source without a file.
    static func link(_ message: String, _ location: SourceLocation?) -> Value {
        .list([.string(message), location.map { .string($0.description) } ?? .none, location?.snippet.map(Value.string) ?? .none])
    }

    /// 2.19's deduplicate_message_parts: each cause after its effect ("a: b"), unless the effect
    /// already ends with it.
    static func joined(_ parts: [String]) -> String {
        guard var message = parts.last else { return "" }
        for part in parts.dropLast().reversed() {
            var left = part
            while let last = left.last, last == "." || last == " " { left.removeLast() }
            message = part.hasSuffix(message) ? part : "\(left): \(message)"
        }
        return message
    }

    /// The `[ERROR]:` block printed before the fatal line, from a result's recorded chain: as
    /// 2.19's format_event_verbose_message, a cause at the same place (or at none) joins its
    /// effect's message; the brief message heads the block when more than one place is shown.
    static func block(_ r: Dict) -> String? {
        guard case .list(let chain)? = r["_swansible_error"],
              let flat = r["_swansible_error_flat"]?.stringValue ?? r["msg"]?.stringValue else { return nil }
        let help = r["_swansible_help"]?.stringValue
        typealias Link = (message: String, location: String?, help: String?, snippet: String?, apart: Bool, events: [String])
        let links: [Link] = chain.enumerated().compactMap { i, link in
            guard case .list(let l) = link, let m = l.first?.stringValue else { return nil }
            return (m, l.count > 1 ? l[1].stringValue : nil, i == chain.count - 1 ? help : nil, l.count > 2 ? l[2].stringValue : nil,
                    l.count > 3 && l[3].truthy, l.count > 4 ? (l[4].listValue ?? []).map(\.pythonStr) : [])
        }
        var segments: [String] = [], placed: [Bool] = []
        var i = 0
        while i < links.count {
            var parts = [links[i].message]
            var j = i + 1
            // A cause with sub-events is never folded into its effect (they would be lost).
            while j < links.count, !links[j].apart, links[j].events.isEmpty, links[j].location == nil && links[j].help == nil
                || (links[j].location == links[i].location && links[j].help == links[i].help) {
                parts.append(links[j].message)
                j += 1
            }
            var at = links[i].location.flatMap(SourceLocation.parse)
            at?.snippet = links[i].snippet
            var segment = Origin.report(joined(parts), at, help: links[i].help)
            if !links[i].events.isEmpty { segment += "\n\n" + boxed("Sub-Event", links[i].events).dropLast() }
            segments.append(segment)
            placed.append(at != nil)
            i = j
        }
        if segments.count == 1 { return "[ERROR]: " + segments[0] + "\n" }
        // Among several, a part without a place still ends with a blank line, as 2.19 prints it.
        for (i, p) in placed.enumerated() where !p { segments[i] += "\n" }
        return "[ERROR]: \(flat)\n\n" + segments.joined(separator: "\n<<< caused by >>>\n\n") + "\n"
    }
}

extension TaskError {
    /// 2.19's _format_event_children: each child's text boxed and numbered under a label.
    static func boxed(_ label: String, _ children: [String]) -> String {
        var out = ""
        for (i, child) in children.enumerated() {
            out += "+--[ \(label) \(i + 1) of \(children.count) ]---\n"
            let text = "\n" + (child.hasSuffix("\n") ? child : child + "\n") + "\n"
            out += text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "| " + $0 + "\n" }.joined()
        }
        return out + "+--[ End \(label) ]---\n"
    }
}

extension SourceLocation {
    /// Reads back `file:line:column`.
    static func parse(_ s: String) -> SourceLocation? {
        if !s.contains(":") { return SourceLocation(file: s, line: 0, column: 0) }
        let parts = s.split(separator: ":")
        if parts.count == 2, let line = Int(parts[1]) { return SourceLocation(file: String(parts[0]), line: line, column: 0) }
        guard parts.count >= 3, let col = Int(parts[parts.count - 1]), let line = Int(parts[parts.count - 2]) else { return nil }
        return SourceLocation(file: parts.dropLast(2).joined(separator: ":"), line: line, column: col)
    }
}
