// What an action gets to work with, and the module call every remote action ends in.
import Playbook
import Remote
import Values

/// A task that failed in a way the user caused; its message goes into the result.
struct TaskFailure: Error {
    var message: String
    var extra: Dict = Dict()
    /// Raised the way Ansible's AnsibleActionFail is: 2.19 then prints "Task failed: msg",
    /// where a failed result reads "Task failed: Action failed: msg".
    var raised = false

    static func raise(_ message: String) -> TaskFailure { TaskFailure(message: message, raised: true) }
}

struct Unreachable: Error {
    var message: String
    /// Raised while the action ran (as interpreter discovery's, with pipelining on): 2.19 shows
    /// "Task failed." with the message as its cause.
    var chained = false
}

/// A wrong or missing become password: the task fails (Ansible does not call it unreachable).
struct BecomeFailure: Error {
    var message: String
}

final class ActionContext: @unchecked Sendable {
    let task: PlayTask
    let host: String
    var args: Dict
    let scope: VarScope
    let runner: PlaybookRunner
    let keywords: [String: Value]
    /// delegate_to: the host whose connection and variables the task uses.
    var delegation: Delegation?
    var delegateHost: String? { delegation?.host }
    /// The task's action name was a template, resolved for this host.
    var actionTemplated = false

    /// `environment:` of the play, its blocks and the task, rendered: set around the module
    /// while it runs, as Ansible exports it before the module's command.
    var environment: Dict {
        get throws { try runner.environment(task, scope) }
    }

    init(task: PlayTask, host: String, args: Dict, scope: VarScope, runner: PlaybookRunner, keywords: [String: Value]) {
        self.task = task
        self.host = host
        self.args = args
        self.scope = scope
        self.runner = runner
        self.keywords = keywords
    }

    /// check_mode / diff / no_log as they apply to this task: its own keyword (or its block's),
    /// else the run's --check / --diff.
    var checkMode: Bool { keywords["check_mode"]?.truthy ?? runner.vars.checkMode }
    var diffMode: Bool { keywords["diff"]?.truthy ?? runner.vars.diffMode }
    var noLog: Bool { keywords["no_log"]?.truthy ?? false }

    var connection: ConnectionConfig {
        get throws {
            try ConnectionConfig.build(host: delegateHost ?? host, scope: delegation?.scope ?? scope, keywords: keywords,
                                       defaults: runner.connectionDefaults)
        }
    }

    /// The whole stack for this task, following via chains through other hosts' variables.
    var stack: [Hop] {
        get throws {
            try connection.stack(resolve: { name in
                let scope = try self.runner.vars.scope(host: name, pc: self.runner.currentPlay!, task: self.task)
                return try ConnectionConfig.build(host: name, scope: scope, keywords: [:], defaults: self.runner.connectionDefaults)
            })
        }
    }

    /// Directories searched for modules: library/ next to the playbook and in the role.
    var moduleDirs: [String] { ActionContext.moduleDirs(task, runner: runner) }
    /// …and for module_utils of the user's own (module_utils/ beside them).
    var utilDirs: [String] { ActionContext.moduleDirs(task, runner: runner, kind: "module_utils") }

    static func moduleDirs(_ task: PlayTask, runner: PlaybookRunner, kind: String = "library") -> [String] {
        let playDir = runner.currentPlay?.play.baseDir ?? ""
        if kind == "library" {
            return libraryDirs(role: task.role, playDir: playDir, playbookDir: runner.vars.playbookDir,
                               roleLibraries: runner.roleLibraries.withLock { $0 }, configured: runner.settings.libraryPath)
        }
        var dirs = [Files.join(runner.vars.playbookDir, kind)]
        if !playDir.isEmpty, playDir != runner.vars.playbookDir { dirs.insert(Files.join(playDir, kind), at: 0) }
        if let role = task.role { dirs.insert(Files.join(role.path, kind), at: 0) }
        return dirs + runner.settings.moduleUtilsPath.map(Files.expandUser)
    }

    /// Where modules are looked for: library/ next to the play's playbook (an imported one
    /// elsewhere first) and the playbook, every loaded role's library/ in load order (the task's
    /// own role is among them), then the configured library paths.
    static func libraryDirs(role: Role?, playDir: String, playbookDir: String, roleLibraries: [String], configured: [String]) -> [String] {
        var dirs = [Files.join(playbookDir, "library")]
        if !playDir.isEmpty, playDir != playbookDir { dirs.insert(Files.join(playDir, "library"), at: 0) }
        dirs += roleLibraries
        if let role, !dirs.contains(Files.join(role.path, "library")) { dirs.append(Files.join(role.path, "library")) }
        return dirs + configured.map(Files.expandUser)
    }

    /// Whether an action name is one of swansible's actions or a module found in `dirs`.
    static func resolves(_ action: String, library: ModuleLibrary, dirs: @autoclosure () -> [String]) -> Bool {
        let short = PlayTask.shortName(action)
        return builtinActions[short] != nil || controllerActions.contains(short) || library.findModule(action, searchDirs: dirs()) != nil
    }

    /// How an action words a file it cannot find (2.19): a returned failure ("Action failed"),
    /// or raised — as it is (unarchive), raised again while handling it (template, script: shown
    /// apart from "Task failed."), or unexplained, the cause joined to it (copy's
    /// AnsibleActionFail without a message).
    enum NotFound { case failure, raised, caused, unexpected }

    /// A file a task names (`src:`), looked for where Ansible's _find_needle looks.
    func findFile(_ name: String, kind: String, notFound: NotFound = .failure) throws -> String {
        if name.hasPrefix("/"), Files.exists(name) { return name }
        // An absolute path is looked for as it is (AnsibleFileNotFound then lists no places).
        let candidates = name.hasPrefix("/") ? [] : searchCandidates(name, kind: kind)
        if let found = candidates.first(where: Files.exists) { return found }
        let searched = candidates.isEmpty ? "" : "\nSearched in:\n" + candidates.map { "\t\($0)" }.joined(separator: "\n")
        let m = "Could not find or access '\(name)'\(searched) on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option"
        switch notFound {
        case .failure: throw TaskFailure(message: m)
        case .raised: throw TaskError(links: [("Task failed: " + m, task.location)], flat: "Task failed: " + m)
        case .caused:
            throw TaskError(links: [("Task failed.", task.location), (m, nil)], flat: "Task failed: " + m, extra: ["msg": .unsafe(m)], apart: [1])
        case .unexpected:
            let u = "Unexpected AnsibleActionFail error: " + m
            throw TaskError(links: [("Task failed: " + u, task.location)], flat: "Task failed: " + u, extra: ["msg": .unsafe(u)])
        }
    }

    /// Task.get_search_path: the dep chain's roles (innermost first), then the task file's directory.
    var searchPaths: [String] {
        var paths: [String] = []
        if let role = task.role { paths = ([role] + role.includedFrom.reversed()).map(\.path) }
        if !task.location.file.isEmpty {
            let dir = Files.dirname(Files.absolute(task.location.file))
            if !paths.contains(dir) { paths.append(dir) }
        }
        return paths
    }

    /// DataLoader.path_dwim_relative_stack over Task.get_search_path: at each of the dep chain's
    /// roles (innermost first) and the task file's directory, `<kind>/name` then `name`; the
    /// playbook's directory last. (The playbook's directory may come twice, as in Ansible's list.)
    func searchCandidates(_ name: String, kind: String) -> [String] {
        let paths = searchPaths
        let withKind = name.split(separator: "/").first.map(String.init) != kind
        func isRole(_ p: String) -> Bool {
            ["main.yml", "main.yaml", "main"].contains { Files.exists(Files.join(p, $0)) }
                || [p, Files.dirname(p)].contains { d in
                    ["tasks/main.yml", "tasks/main.yaml", "tasks/main", "meta/main.yml", "meta/main.yaml", "meta/main"].contains { Files.exists(Files.join(d, $0)) }
                }
        }
        var search: [String] = []
        func add(_ p: String) {
            if withKind { search.append(Files.join(p, "\(kind)/\(name)")) }
            search.append(Files.join(p, name))
        }
        for p in paths {
            let base = Files.dirname(p)
            if base.hasSuffix("/tasks"), isRole(p) { search += [Files.join(Files.dirname(base), "\(kind)/\(name)"), Files.join(base, name)] }
            add(p)
        }
        add(runner.vars.playbookDir)
        return search
    }

    /// The agent this task runs in (started if needed); `stack` when the caller has worked it out.
    func agent(_ given: [Hop]? = nil) async throws -> Context {
        let stack = try given ?? self.stack
        do { return try await ContextService.shared.get(stack) } catch let e as RemoteError {
            if case .becomeFailed(let m) = e { throw BecomeFailure(message: m) }
            if case .interpreterNotFound(_, let output) = e {
                throw TaskError.badInterpreter(task, e.description, help: "Consider overriding the configured interpreter path for this host. ",
                                               stdout: "", stderr: output, rc: 127)
            }
            if case .interpreterFailed(let rc, let stdout, let stderr, let discovered) = e {
                var error = TaskError.badInterpreter(task, e.description, help: "", stdout: stdout, stderr: stderr, rc: rc)
                // The interpreter found is still reported (with its warning), as the action's
                // discovery did before running the module; a failed result's facts are not kept,
                // so the next task discovers it again.
                if let discovered {
                    error.extra["ansible_facts"] = ["discovered_interpreter_python": .string(discovered)]
                    runner.warnDiscovered(host, discovered)
                }
                throw error
            }
            throw Unreachable(message: e.description)
        }
    }

    /// Streams `source` into the agent's temp dir and runs `body` with its path there; the copy
    /// is removed afterwards. A transfer that breaks is the host's: UNREACHABLE.
    func withUpload<T>(_ source: UploadSource, _ body: (Context, String) async throws -> T) async throws -> T {
        let ctx = try await agent()
        let remoteTmp = try remoteTmp()
        let remote: String
        do { remote = try await ctx.upload(source, remoteTmp: remoteTmp) } catch let e as RemoteError {
            throw Unreachable(message: "Failed to send the file to \(host): \(e.description)")
        }
        defer { _Concurrency.Task { _ = try? await ctx.call("remove", ["path": .string(remote)]) } }
        return try await body(ctx, remote)
    }

    /// A module Ansible runs as a program (old-style or WANT_JSON, Python or not, or compiled):
    /// how the agent runs it, given its arguments in a file. Its `#!` interpreter, or
    /// `ansible_<name>_interpreter` where the host sets one (a `python` one is the host's Python);
    /// a text one without `#!` is refused as ActionBase refuses it.
    func scriptModule(_ module: ModuleSource) throws -> Dict? {
        guard let program = module.program else { return nil }
        if !program.binary, program.interpreter == nil {
            let flat = "Task failed: module (\(module.name)) is missing interpreter line"
            throw TaskError(links: [(flat, task.location)], flat: flat)
        }
        var script: Dict = ["want_json": .bool(program.wantJSON)]
        if program.binary { script["binary"] = true }
        if let shebang = program.interpreter {
            let name = Files.basename(shebang)
            if let interpreter = try scope.lookup("ansible_\(name)_interpreter"), !name.hasPrefix("python") {
                script["interpreter"] = .string(interpreter.pythonStr)
            } else {
                script["interpreter"] = .string(name.hasPrefix("python") ? "@@PYTHON@@" : shebang)
            }
        }
        return script
    }

    /// A task variable as text; nil when unset or None.
    private func variable(_ name: String) throws -> String? {
        guard let v = try scope.lookup(name), !v.isNone else { return nil }
        return v.pythonStr
    }

    /// Where the agent makes its temporary directory: `ansible_remote_tmp`, else remote_tmp.
    func remoteTmp() throws -> String { try variable("ansible_remote_tmp") ?? runner.connectionDefaults.modules.remoteTmp }

    /// What ActionBase's _update_module_args gives every module: the task's variable where it has
    /// one, else the setting (read once per run): the shell `shell:` runs under, where a module
    /// makes its temporary files, its syslog facility and so on.
    func moduleInternals() throws -> [(String, Value)] {
        let d = runner.connectionDefaults
        let noTargetSyslog = try scope.lookup("ansible_no_target_syslog").map(AnsibleFilters.boolean)?.truthy ?? d.modules.noTargetSyslog
        return [("_ansible_no_log", .bool(noLog || noTargetSyslog)),
                ("_ansible_syslog_facility", .string(try variable("ansible_syslog_facility") ?? d.modules.syslogFacility)),
                ("_ansible_selinux_special_fs", .list(d.modules.selinuxSpecialFS.map(Value.string))),
                ("_ansible_shell_executable", .string(try variable("ansible_shell_executable") ?? d.shellExecutable.pythonStr)),
                ("_ansible_keep_remote_files", .bool(d.modules.keepRemoteFiles)),
                ("_ansible_remote_tmp", .string(try remoteTmp()))]
    }

    /// PYTHON_MODULE_RLIMIT_NOFILE: the soft limit of open files a Python module runs with (0:
    /// the host's own); the variable is templated, omitted is 0.
    func rlimitNofile() throws -> Int? {
        let v = try scope.lookup("ansible_python_module_rlimit_nofile")
            ?? runner.settings.value(env: "ANSIBLE_PYTHON_MODULE_RLIMIT_NOFILE", key: "python_module_rlimit_nofile").map(Value.string)
        guard let v, !v.isOmit else { return nil }
        if let n = v.intValue { return n }
        let text = v.pythonStr.trimmingCharacters(in: " \t\n")
        guard let n = Int(text) else {
            let flat = "Task failed: invalid literal for int() with base 10: \(Value.string(v.pythonStr).pythonRepr)"
            throw TaskError(links: [(flat, task.location)], flat: flat)
        }
        return n
    }

    /// Runs a module in the host's agent: module source and missing module_utils go with the call.
    /// `ignoreUnknownOptions`: options the module does not take are dropped (2.17+), as
    /// ActionBase asks for its own stat calls.
    func runModule(_ name: String, _ args: Dict, files: [String: [UInt8]] = [:], method: String = "run_module",
                   extra: Dict = Dict(), ignoreUnknownOptions: Bool = false) async throws -> Dict {
        guard let module = try runner.library.module(name, searchDirs: moduleDirs, utilDirs: utilDirs) else {
            throw TaskFailure(message: "The module \(name) was not found in configured module paths")
        }
        Output.verbose("Using module file \(module.path)", caplevel: 2)
        let stack = try self.stack
        // Ansible's become ends with its task; an agent of ours may still run as a user the task
        // deletes, which userdel refuses ("user … is currently used by process").
        if module.name == "user", args["state"]?.stringValue == "absent", let user = (args["name"] ?? args["user"])?.stringValue,
           let first = stack.first {
            await ContextService.shared.endAgents(of: user, from: first, keep: stack)
        }
        let ctx: Context
        do { ctx = try await agent(stack) } catch let u as Unreachable {
            throw try pipelines(module, method: method, over: stack) ? pipelinedFailure(u, over: stack) : u
        }
        // 2.19's experimental module metadata: a `modern` module gets and gives dates as such.
        let modern = module.profile == "modern" && ModuleProfiles.enabled
        if Value.dict(args).holdsBytes {   // neither profile has a form for bytes
            let flat = "Task failed: Failed to serialize arguments for the '\(name)' module: Object of type 'bytes' is not JSON serializable by the 'module_\(modern ? "modern" : "legacy")_c2m' profile."
            throw TaskError(links: [(flat, task.location)], flat: flat)
        }
        let moduleArgs = modern ? ModuleProfiles.encode(.dict(args)).dictValue ?? args : args
        let v = runner.vars
        var internalArgs: [(String, Value)] = [
            ("_ansible_check_mode", .bool(checkMode)), ("_ansible_debug", false), ("_ansible_diff", .bool(diffMode)),
            ("_ansible_verbosity", .int(v.verbosity)), ("_ansible_version", .string(runner.library.version)),
            ("_ansible_module_name", .string(name)),
        ] + (try moduleInternals())
        // Each ansible-core line's AnsibleModule accepts exactly its own set (PASS_VARS); an
        // unknown `_ansible_` key is an "Unsupported parameters" failure.
        let line = runner.library.line
        if line >= (2, 17) {
            internalArgs += [("_ansible_ignore_unknown_opts", .bool(ignoreUnknownOptions)),
                             ("_ansible_target_log_info", try variable("ansible_target_log_info").map(Value.string)
                                ?? runner.connectionDefaults.modules.targetLogInfo.map(Value.string) ?? .none)]
        }
        if line >= (2, 19) { internalArgs.append(("_ansible_tracebacks_for", .list(runner.tracebacksFor.map(Value.string)))) } else {
            internalArgs.append(("_ansible_string_conversion_action", "warn"))
        }
        // Ansible's internal arguments rarely change within a run: each variant goes to an agent
        // once, under a short digest, and later calls name it (the agent merges it into args).
        var constants = Dict()
        for (k, x) in internalArgs { constants[.string(k)] = x }
        let internalKey = String(ModuleLibrary.digest(Value.dict(constants).json()).prefix(16)) + ".i"
        var body: Dict = ["name": .string(module.name), "hash": .string(module.hash), "args": .dict(moduleArgs),
                          "package": .string(module.package), "internal_key": .string(internalKey),
                          "file": .string(module.payloadPath(ansibleDir: runner.library.ansibleDir))]
        if !ctx.missing([internalKey]).isEmpty { body["internal"] = .dict(constants) }
        if modern { body["profile"] = "modern" }
        if !files.isEmpty {
            var f = Dict()
            for (k, bytes) in files { f[.string(k)] = .string(Base64.encode(bytes)) }
            body["files"] = .dict(f)
        }
        let environment = try self.environment
        if !environment.isEmpty { body["environment"] = .dict(environment) }
        // Content-addressed: the module, its module_utils closure (a manifest of name → digest) and
        // each source go only if the agent (or its user's cache on the target) lacks them.
        let moduleKey = module.hash + ".m", closureKey = module.closure + ".x"
        let utilKeys = module.manifest.map { $0.digest + ".u" }
        let useCache = runner.moduleCache(scope)
        body["closure"] = .string(module.closure)
        if !useCache { body["cache"] = false }
        if !ctx.missing([moduleKey], cache: useCache).isEmpty { body["source"] = .string(module.source) }
        if !ctx.missing([closureKey], cache: useCache).isEmpty { body["manifest"] = .dict(module.manifestValue) }
        let missingUtils = ctx.missing(utilKeys, cache: useCache)
        var sources = Dict()
        for m in module.manifest where missingUtils.contains(m.digest + ".u") { sources[.string(m.digest)] = .string(m.source) }
        if !sources.isEmpty { body["sources"] = .dict(sources) }
        if let script = try scriptModule(module) { body["script"] = .dict(script) } else if let n = try rlimitNofile(), n != 0 {
            body["rlimit_nofile"] = .int(n)
        }
        for (k, v) in extra { body[k] = v }
        var reply: Value
        var extraUtils: Set<String> = []
        var needRounds = 0
        while true {
            do { reply = try await ctx.call(method, body) } catch let e as RemoteError {
                ContextService.shared.drop(stack, context: ctx)
                throw Unreachable(message: "Failed to reach the agent on \(host): \(e.description)")
            }
            // The agent's cache lacked something it was thought to hold: send what it names.
            if let need = reply["need"] {
                if need["module"]?.truthy == true { body["source"] = .string(module.source) }
                if need["manifest"]?.truthy == true { body["manifest"] = .dict(module.manifestValue) }
                if case .list(let digests)? = need["digests"] {
                    var s = body["sources"]?.dictValue ?? Dict()
                    for d in digests { if let m = module.manifest.first(where: { $0.digest == d.pythonStr }) { s[d] = .string(m.source) } }
                    body["sources"] = .dict(s)
                }
                // A closure manifest fetched late can name sources in a second round; no more.
                needRounds += 1
                if needRounds <= 2 { continue }
                break
            }
            // A dynamic import the scan could not see: send it and try again.
            if let missingName = reply["missing"]?.stringValue, !extraUtils.contains(missingName),
                let (file, isPkg) = runner.library.resolveUtil(missingName, utilDirs: utilDirs)
            {
                extraUtils.insert(missingName)
                var u = body["utils"]?.dictValue ?? Dict()
                u[.string(missingName)] = .list([.string(try Files.read(file)), .bool(isPkg)])
                body["utils"] = .dict(u)
                continue
            }
            break
        }
        if reply["need"] != nil {
            return ["failed": true, "msg": .string("MODULE FAILURE: the agent on \(host) could not load \(module.name) from the sources sent"), "rc": 1]
        }
        ctx.markSent([moduleKey, closureKey, internalKey] + utilKeys)
        if method == "run_async", reply["ansible_job_id"] != nil { return reply.dictValue ?? Dict() }
        if line >= (2, 19), reply["result"] == nil, reply["missing"] == nil {
            // 2.19's _parse_returned_data: output without a JSON result fails the action.
            throw TaskError.badInterpreter(task, "Module result deserialization failed: No start of json char found", help: "",
                                           stdout: reply["raw_stdout"]?.pythonStr ?? "", stderr: reply["stderr"]?.pythonStr ?? "",
                                           rc: reply["rc"]?.intValue ?? 1)
        }
        if let result = reply["result"], let refusal = StrictUTF8.refusal(in: result) { throw TaskError.undecodable(task, refusal) }
        var result = ActionContext.moduleResult(reply, tracebacks: runner.tracebacksFor.contains("error"))
        if reply["tagged"]?.truthy == true { result = DeprecatedValues.decode(.dict(result), module: module.name).dictValue ?? result }
        if modern { result = ModuleProfiles.decode(.dict(result)).dictValue ?? result }
        if let discovered = ctx.info["discovered"]?.stringValue { runner.noteDiscovered(host, discovered, into: &result) }
        return result
    }

    /// Turns the agent's raw reply into Ansible's module result (or MODULE FAILURE).
    static func moduleResult(_ reply: Value, tracebacks: Bool = false) -> Dict {
        var r = rawModuleResult(reply)
        r["_swansible_module"] = true   // a failure here is the module's, as 2.19 reports it
        // 2.19's module_utils send warnings and deprecations as summaries; results keep their text
        // (the controller's _apply_task_result_compat).
        if case .list(let ws)? = r["warnings"] { r["warnings"] = .list(ws.map { $0["event"]?["msg"] ?? $0 }) }
        if case .list(let ds)? = r["deprecations"] {
            // deprecation_summary: msg, the collection its deprecator belongs to, date or version, the deprecator.
            r["deprecations"] = .list(ds.map { d in
                guard let event = d["event"] else { return d }
                let deprecator = DeprecatedValues.pluginInfo(d["deprecator"] ?? .none)
                let resolved = deprecator["resolved_name"]?.stringValue
                var m: Dict = ["msg": .string(briefMessage(event)),
                               "collection_name": resolved.map { .string($0.split(separator: ".").prefix(2).joined(separator: ".")) } ?? .none]
                if let date = d["date"], !date.isNone { m["date"] = date } else { m["version"] = d["version"] ?? Value.none }
                m["deprecator"] = deprecator
                return .dict(m)
            })
        }
        if let event = r["exception"]?["event"], r["exception"]?["__ansible_type"]?.stringValue == "ErrorSummary" {
            // fail_json(exception=ex): the error names the causes too; the result keeps the
            // traceback (2.19's error_summary projection), or its place holder when DISPLAY_TRACEBACK
            // does not name errors.
            r["_swansible_error_msg"] = .string(briefMessage(event))
            r["exception"] = tracebacks ? .string(eventTraceback(event)) : "(traceback unavailable)"
        }
        return r
    }

    /// 2.19's format_event_traceback: each event's traceback, causes first, with their
    /// sub-events' boxed under it and the chain's reason between.
    static func eventTraceback(_ event: Value) -> String {
        var segments: [String] = []
        var e: Value? = event
        while let cur = e {
            var segment = cur["formatted_traceback"]?.stringValue ?? "(traceback missing)\n"
            if case .list(let children)? = cur["events"], !children.isEmpty {
                segment += "\n" + TaskError.boxed("Sub-Traceback", children.map(eventTraceback))
            }
            segments.append(segment)
            guard let chain = cur["chain"], let next = chain["event"], !next.isNone else { break }
            segments.append("\n\(chain["traceback_reason"]?.pythonStr ?? "")\n\n")
            e = next
        }
        return segments.reversed().joined()
    }

    /// 2.19's format_event_brief_message: the message and its followed causes, a cause already
    /// at the end of its effect's message not repeated.
    static func briefMessage(_ event: Value) -> String {
        var parts: [String] = []
        var e = event
        while true {
            parts.append(e["msg"]?.pythonStr ?? "")
            guard let chain = e["chain"], chain["follow"]?.truthy == true, let next = chain["event"] else { break }
            e = next
        }
        return TaskError.joined(parts)
    }

    static func rawModuleResult(_ reply: Value) -> Dict {
        if let missing = reply["missing"]?.stringValue {
            return ["failed": true, "msg": .string("MODULE FAILURE: No module named '\(missing)'"), "rc": 1]
        }
        let stderr = reply["stderr"]?.pythonStr ?? ""
        let rc = reply["rc"]?.intValue ?? 1
        if var result = reply["result"]?.dictValue {
            for k in result.keys where k.pythonStr.hasPrefix("_ansible_") && k.pythonStr != "_ansible_no_log" { result[k] = nil }
            if !stderr.isEmpty, result["failed"]?.truthy == true, result["module_stderr"] == nil { result["module_stderr"] = .string(stderr) }
            return result
        }
        return [
            "failed": true, "msg": "MODULE FAILURE: No start of json char found\nSee stdout/stderr for the exact error",
            "module_stdout": reply["raw_stdout"] ?? "", "module_stderr": .string(stderr), "rc": .int(rc),
        ]
    }
}

protocol Action: SendableMetatype {   // used as its type only (the registry)
    static func run(_ c: ActionContext) async throws -> Dict
}

/// Any module without an action of its own.
enum NormalAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        try await c.runModule(c.task.action, c.args)
    }
}
