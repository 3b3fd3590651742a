// no_log: what the callbacks (and so the screen, the log and the JSON/JUnit reports) are given
// of a result its task hid, as ansible-core's TaskResult.as_callback_task_result makes it. The
// registered variable keeps the whole result.
import Values

enum Censor {
    static let message = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
    /// The loop item's label in place of the item.
    static let itemLabel: Value = "(censored due to no_log)"
    /// What a hidden result still tells (censor_result's _PRESERVE).
    static let preserved: [Value] = ["attempts", "changed", "retries", "_ansible_no_log", "exception", "warnings", "deprecations"]
    /// Of the delegation, only where it went (_SUB_PRESERVE; the delegated host names the line).
    static let delegation: Set<Value> = ["ansible_host", "ansible_port", "ansible_user", "ansible_connection", "ansible_delegated_host"]

    static func hidden(_ r: Dict) -> Bool { r["_ansible_no_log"]?.truthy == true }

    /// The result as callbacks see it: a hidden one keeps only how it went; a loop keeps its
    /// shape, each item hidden by its own no_log.
    static func shown(_ r: Dict) -> Dict {
        guard hidden(r) else { return r }
        var out = censored(r)
        if let items = r["results"]?.listValue {
            out["results"] = .list(items.map { item in
                guard case .dict(let d) = item, hidden(d) else { return item }
                return .dict(censored(d))
            })
        }
        if case .dict(let d)? = r["_ansible_delegated_vars"] {
            out["_ansible_delegated_vars"] = .dict(d.filter { delegation.contains($0.key) })
        }
        return out
    }

    private static func censored(_ r: Dict) -> Dict {
        var out = Dict()
        for k in preserved { if let v = r[k] { out[k] = v } }
        out["censored"] = .string(message)
        return out
    }
}
