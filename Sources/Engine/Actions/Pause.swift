// pause: waits on the controller, once for all hosts (Ansible's action bypasses the host loop):
// for `seconds`/`minutes`, or for Enter at a prompt when stdin is a terminal.
#if canImport(Glibc)
import Glibc
#endif
import Values

enum PauseAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        let a = c.args
        let echo = a["echo"].map { AnsibleFilters.boolean($0).truthy } ?? true
        func number(_ k: String) -> Double? { a[.string(k)].flatMap { $0.number ?? Double($0.pythonStr) } }
        var seconds: Double?
        var unit = "minutes"
        // int() of the value: one that is no integer Python could hold fails as its ValueError does.
        func whole(_ k: String, _ x: Double) throws -> Double {
            guard let i = Int(exactly: x.rounded(.towardZero)) else {
                let text = Value.string(a[.string(k)]?.pythonStr ?? "").pythonRepr
                throw AnsibleError("non-integer value given for prompt duration:\ninvalid literal for int() with base 10: \(text)")
            }
            return Double(i)
        }
        if let m = number("minutes") {
            seconds = try whole("minutes", m) * 60
        } else if let s = number("seconds") {
            seconds = try whole("seconds", s)
            unit = "seconds"
        }
        let hidden = echo ? "" : " (output is hidden)"
        let start = naiveLocal(realtime()).pythonStr
        let began = monotonic()
        var input = ""
        if var wait = seconds {
            wait = max(wait, 1)
            Output.line("Pausing for \(Int(wait)) seconds\(hidden)")
            if a["prompt"] != nil { Output.line("(ctrl+C then 'C' = continue early, ctrl+C then 'A' = abort)\r") }
            try await _Concurrency.Task.sleep(nanoseconds: Seconds.nanoseconds(wait))
        } else if isatty(0) != 0 {
            Output.write("[\(c.task.displayName.trimmingCharacters(in: " "))]\n\(a["prompt"]?.pythonStr ?? "Press enter to continue, Ctrl+C to interrupt")\(hidden):")
            input = Prompt.readLine(hidden: !echo)
        } else {
            Output.warning("Not waiting for response to prompt as stdin is not interactive")
        }
        let took = monotonic() - began
        let shown = unit == "minutes" ? (took / 60 * 100).rounded() / 100 : (took * 100).rounded() / 100
        return ["changed": false, "rc": 0, "stderr": "", "stdout": .string("Paused for \(Value.float(shown).pythonStr) \(unit)"),
                "start": .string(start), "stop": .string(naiveLocal(realtime()).pythonStr), "delta": .int(Int(took)), "echo": .bool(echo),
                "user_input": .string(input)]
    }

    static func monotonic() -> Double { clock(CLOCK_MONOTONIC) }
    static func realtime() -> Double { clock(CLOCK_REALTIME) }

    static func clock(_ id: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(id, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
