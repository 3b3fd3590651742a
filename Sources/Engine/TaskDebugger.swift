// The task debugger, as ansible-core's (the `debugger` keyword, ENABLE_TASK_DEBUGGER): after a
// result is shown, `[host] TASK: name (debug)> ` reads commands as its cmd.Cmd does. `p EXPR` and
// Python statements act on `task`, `task_vars`, `host` and `result`, run by the helper agent so
// they are Python's own; `r` runs the task again with what was changed, `c` goes on, `q` (or the
// end of the input) ends the run as Ctrl-C does (exit 99). One prompt at a time.
import Dispatch
import Values
#if canImport(Glibc)
import Glibc
#endif

enum TaskDebugger {
    /// What a debugged result leads to: going on, or the task again with these arguments and
    /// these variables over the host's.
    enum Next {
        case proceed
        case redo(args: Dict, vars: Dict)
    }

    static let gate = ThrottleGate()
    static let commands: [String: String] = [
        "EOF": "Quit", "q": "Quit", "quit": "Quit", "c": "Continue to next result", "continue": "Continue to next result",
        "r": "Schedule task for re-execution. The re-execution may not be the next result",
        "redo": "Schedule task for re-execution. The re-execution may not be the next result",
        "u": "Recreate the task from ``task._ds``, and template with updated ``task_vars``",
        "update_task": "Recreate the task from ``task._ds``, and template with updated ``task_vars``",
        "h": "List available commands with \"help\" or detailed help with \"help cmd\".",
        "help": "List available commands with \"help\" or detailed help with \"help cmd\".",
        "p": "Pretty Print", "pprint": "Pretty Print",
    ]

    /// TaskResult.needs_debugger: the keyword's value, else (ENABLE_TASK_DEBUGGER, the `debug`
    /// strategy) a failure or an unreachable host; an ignored failure only when
    /// TASK_DEBUGGER_IGNORE_ERRORS is off.
    static func needed(_ keyword: String?, _ status: Status, ignoreErrors: Bool, settings: Settings, strategy: Bool) -> Bool {
        let failed = status == .failed && !(ignoreErrors && settings.taskDebuggerIgnoresErrors)
        switch keyword {
        case "always": return true
        case "never": return false
        case "on_failed" where failed, "on_unreachable" where status == .unreachable, "on_skipped" where status == .skipped: return true
        default: return (settings.enableTaskDebugger || strategy) && (failed || status == .unreachable)
        }
    }

    /// The prompt's session for one result. `args`: the task's arguments; `update`: the task's
    /// arguments as written, rendered with the changed variables (`u`).
    static func session(host: String, task: String, args: Dict, variables: Dict, result: Dict,
                        update: @escaping (Dict) -> Dict) async -> Next {
        await gate.acquire("debugger", limit: 1)
        defer { _Concurrency.Task { await gate.release("debugger") } }
        var args = args, variables = variables, result = result
        let sent = variables
        var last = ""
        while true {
            Output.write("[\(host)] TASK: \(task) (debug)> ", logged: false)
            var line: String
            if let typed = await nextLine() { line = typed.trimmingCharacters(in: " \t\r\n") } else { line = "EOF" }
            if line.isEmpty { line = last } else { last = line }   // cmd.Cmd's emptyline: the last command again
            if line.isEmpty { continue }
            if line.hasPrefix("?") { line = "help " + line.dropFirst() }
            let word = String(line.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            let rest = line.dropFirst(word.count).trimmingCharacters(in: " \t")
            switch word {
            case "EOF", "q", "quit":
                Output.line("User interrupted execution")
                Interrupt.stop(SIGINT, saying: false)
                await Interrupt.settle()
                return .proceed
            case "c", "continue": return .proceed
            case "r", "redo": return .redo(args: args, vars: changed(variables, from: sent))
            case "u", "update_task": args = update(changed(variables, from: sent))
            case "h", "help":
                if rest.isEmpty {
                    Output.line("\nDocumented commands (type help <topic>):\n========================================\n"
                                + "EOF  c  continue  h  help  p  pprint  q  quit  r  redo  u  update_task\n")
                } else {
                    Output.line(commands[rest] ?? "*** No help on \(rest)")
                }
            default:
                let printing = word == "p" || word == "pprint"
                let body: Dict = ["line": .string(printing ? rest : line), "print": .bool(printing), "host": .string(host), "name": .string(task),
                                  "args": PythonPlugins.markersOut(.dict(args)), "task_vars": PythonPlugins.markersOut(.dict(variables)),
                                  "result": PythonPlugins.markersOut(.dict(result))]
                do {
                    let reply = try PythonPlugins.shared.debuggerLine(body)
                    Output.write(reply["output"]?.pythonStr ?? "", logged: false)
                    let typedArgs = PythonPlugins.markers(in: reply["args"] ?? .dict(args)).dictValue ?? args
                    args = typedArgs.reduce(into: Dict()) { $0[$1.key] = args[$1.key] == $1.value ? args[$1.key] : $1.value.untrusted }
                    variables = PythonPlugins.markers(in: reply["task_vars"] ?? .dict(variables)).dictValue ?? variables
                    result = PythonPlugins.markers(in: reply["result"] ?? .dict(result)).dictValue ?? result
                } catch {
                    Output.line("***\(error)")
                }
            }
        }
    }

    /// The variables typed at the prompt (what a person types is no trusted template).
    static func changed(_ variables: Dict, from sent: Dict) -> Dict {
        variables.filter { sent[$0.key] != $0.value }.mapValues(\.untrusted)
    }

    /// A line of standard input, nil at its end; read off the task pool (it may wait for a person).
    static func nextLine() async -> String? {
        await withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: Prompt.line()) }
        }
    }
}
