// wait_for_connection: the host's agent started again (a new connection each try) and asked to
// ping, every `sleep` seconds until it answers or `timeout` passes, as Ansible's action retries
// its ping module test.
#if canImport(Glibc)
import Glibc
#endif
import Remote
import Values

enum WaitForConnectionAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        func seconds(_ k: String, _ d: Int) throws -> Int {
            guard let v = c.args[.string(k)] else { return d }
            guard let n = v.intValue ?? Int(v.pythonStr) else {
                throw TaskFailure.raise("invalid literal for int() with base 10: \(Value.string(v.pythonStr).pythonRepr)")
            }
            return n
        }
        let delay = try seconds("delay", 0), sleep = try seconds("sleep", 1), timeout = try seconds("timeout", 600)
        _ = try seconds("connect_timeout", 5)
        if c.checkMode { return ["skipped": true] }
        let start = now()
        if delay > 0 { try await Task.sleep(nanoseconds: Seconds.nanoseconds(Double(delay))) }
        var lastError = ""
        var answered = false
        while now() < start + Double(delay) + Double(timeout) {
            // Each try on a fresh connection: the one from before the wait may be long gone.
            if let first = (try? c.stack)?.first { ContextService.shared.dropAll(from: first) }
            do {
                let r = try await c.runModule("ansible.builtin.ping", [:])
                if r["ping"]?.stringValue == "pong" {
                    answered = true
                    break
                }
                lastError = "ping test failed"
            } catch let e as Unreachable {
                lastError = e.message
            } catch let e as TaskFailure {
                lastError = e.message
            }
            try await Task.sleep(nanoseconds: Seconds.nanoseconds(Double(sleep)))
        }
        var r: Dict = ["changed": false, "elapsed": .int(Int(now() - start))]
        if !answered {
            r["failed"] = true
            r["msg"] = .unsafe("timed out waiting for ping module test: \(lastError)")
        }
        return r
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
