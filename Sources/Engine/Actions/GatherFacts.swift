// gather_facts: the fact modules FACTS_MODULES names (`smart`: setup), each in the host's agent;
// their facts merged, the last one winning, as ansible-core's gather_facts action merges them.
import Values

enum GatherFactsAction: Action {
    static let setupNames: Set<String> = ["setup", "ansible.builtin.setup", "ansible.legacy.setup"]

    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        let parallelArg = args.removeValue(forKey: "parallel")
        var modules = try factModules(c)
        try handleSmart(&modules, c)
        // Several modules run in parallel unless told not to (`parallel`, ansible_facts_parallel).
        let parallel = try (c.scope.lookup("ansible_facts_parallel") ?? parallelArg).map { !$0.isNone && $0.truthy } ?? (modules.count > 1)
        if !parallel, modules.count == 1, setupNames.contains(modules[0]) {
            var r = try await c.runModule("ansible.builtin.setup", try moduleArgs(modules[0], args, c))
            if var facts = r["ansible_facts"]?.dictValue {
                if let python = c.runner.discoveredInterpreter(c) { facts["discovered_interpreter_python"] = .string(python) }
                facts["_ansible_facts_gathered"] = true   // what `gathering: smart` looks for
                r["ansible_facts"] = .dict(facts)
            }
            r["_ansible_verbose_override"] = true
            return r
        }
        var result: Dict = ["ansible_facts": .dict(Dict())]
        var failed = Dict(), skipped = Dict()
        var results: [(String, Dict)] = []
        if parallel { results = try await runParallel(modules, args, c) } else {
            for module in modules { results.append((module, try await c.runModule(module, try moduleArgs(module, args, c)))) }
        }
        for (module, var res) in results {
            if res["failed"]?.truthy == true {
                // Each a failed module's result, with 2.19's exception (its place holder).
                if res["exception"] == nil { res["exception"] = "(traceback unavailable)" }
                failed[.string(module)] = .dict(res)
                continue
            }
            if res["skipped"]?.truthy == true { skipped[.string(module)] = .dict(res); continue }
            // On conflict the last module wins; dicts merge deeply, lists append (append_rp).
            let part: Dict = ["ansible_facts": res["ansible_facts"] ?? .dict(Dict()), "warnings": res["warnings"] ?? .list([]),
                              "deprecations": res["deprecations"] ?? .list([])]
            result = AnsibleFilters.merge(result, part, recursive: true, listMerge: "append_rp")
        }
        for k: Value in ["warnings", "deprecations"] where result[k]?.listValue?.isEmpty == true { result[k] = nil }
        func names(_ d: Dict) -> String { d.keys.map(\.pythonStr).joined(separator: ", ") }
        if !skipped.isEmpty {
            result["msg"] = .string("The following modules were skipped: \(names(skipped)).")
            result["skipped_modules"] = .dict(skipped)
            if skipped.count == modules.count { result["skipped"] = true }
        }
        if !failed.isEmpty {
            result["failed_modules"] = .dict(failed)
            result["failed"] = true
            result["msg"] = .string("The following modules failed to execute: \(names(failed)).")
            // result_dict_from_captured_errors: each module's error a sub-event of the action's.
            result["_swansible_sub_events"] = .list(failed.values.map { .string($0["_swansible_error_msg"]?.stringValue ?? $0["msg"]?.pythonStr ?? "") })
        }
        var facts = result["ansible_facts"]?.dictValue ?? Dict()
        facts["_ansible_facts_gathered"] = true
        result["ansible_facts"] = .dict(facts)
        result["_ansible_verbose_override"] = true
        return result
    }

    /// Each module started as an async job, a module that takes no gather_timeout given it as
    /// its job's time limit ("Timeout exceeded"); results in the order the jobs finish.
    static func runParallel(_ modules: [String], _ args: Dict, _ c: ActionContext) async throws -> [(String, Dict)] {
        let timeout = args["gather_timeout"].flatMap { $0.isNone ? nil : Int($0.pythonStr) } ?? 0
        let asyncDir = try AsyncRunner.jobDir(c)
        var jobs: [(module: String, jid: String)] = []
        var done: [(String, Dict)] = []
        for module in modules {
            let moduleArgs = try moduleArgs(module, args, c)
            let jid = AsyncRunner.jobID()
            let limit = moduleArgs["gather_timeout"] == nil ? timeout : 0
            let started = try await c.runModule(module, moduleArgs, method: "run_async",
                                                extra: ["jid": .string(jid), "time_limit": .int(limit), "async_dir": .string(asyncDir)])
            if let id = started["ansible_job_id"]?.stringValue { jobs.append((module, id)) } else { done.append((module, started)) }
        }
        while !jobs.isEmpty {
            var finished: Int?
            for (i, job) in jobs.enumerated() {
                var status = try await c.runModule("ansible.builtin.async_status", ["jid": .string(job.jid), "_async_dir": .string(asyncDir)])
                guard status["finished"]?.truthy == true else { continue }
                AsyncRunner.booleans(&status, ["started", "finished", "failed"])
                _ = try? await c.runModule("ansible.builtin.async_status", ["jid": .string(job.jid), "mode": "cleanup", "_async_dir": .string(asyncDir)])
                done.append((job.module, status))
                finished = i
                break
            }
            if let i = finished { jobs.remove(at: i) } else { try await _Concurrency.Task.sleep(nanoseconds: 200_000_000) }
        }
        return done
    }

    /// FACTS_MODULES: `ansible_facts_modules`, else ANSIBLE_FACTS_MODULES / `facts_modules`, else smart.
    static func factModules(_ c: ActionContext) throws -> [String] {
        let v = try c.scope.lookup("ansible_facts_modules")
            ?? .string(c.runner.settings.value(env: "ANSIBLE_FACTS_MODULES", key: "facts_modules") ?? "smart")
        if let l = v.listValue { return l.map(\.pythonStr) }
        return v.pythonStr.split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
    }

    /// `smart`: setup, unless a network OS is set: then its fact module (CONNECTION_FACTS_MODULES).
    static func handleSmart(_ modules: inout [String], _ c: ActionContext) throws {
        guard let i = modules.firstIndex(of: "smart") else { return }
        modules.remove(at: i)
        let networkOS = try c.args["network_os"] ?? c.scope.lookup("ansible_network_os") ?? c.scope.lookup("ansible_facts")?["network_os"]
        if let os = networkOS, !os.isNone {
            if let module = c.runner.library.configDefault("CONNECTION_FACTS_MODULES")?[os.pythonStr]?.stringValue {
                modules.append(module)
            } else if modules.isEmpty {
                throw TaskFailure(message: "No fact modules available and we could not find a fact module for your network OS (\(os.pythonStr)), try setting one via the `FACTS_MODULES` configuration.")
            }
            if modules.contains(where: setupNames.contains) {
                Output.warning("Detected 'setup' module and a network OS is set, the output when running it will reflect 'localhost' and not the target when a networking connection plugin is used.")
            }
        } else if !modules.contains(where: setupNames.contains) {
            modules.append("ansible.legacy.setup")
        }
    }

    /// A fact module other than setup gets neither subset, timeout nor filter (with a warning), and
    /// its own module_defaults.
    static func moduleArgs(_ module: String, _ args: Dict, _ c: ActionContext) throws -> Dict {
        var a = args
        if !setupNames.contains(module) {
            if let subset = a.removeValue(forKey: "gather_subset"), subset != "all", subset != ["all"], !subset.isNone {
                Output.warning("Not passing subset(\(subset.pythonStr)) to \(module)")
            }
            if let t = a.removeValue(forKey: "gather_timeout"), !t.isNone { Output.warning("Not passing timeout(\(t.pythonStr)) to \(module)") }
            if let f = a.removeValue(forKey: "filter"), !f.isNone { Output.warning("Not passing filter(\(f.pythonStr)) to \(module)") }
        }
        a = a.filter { !$0.value.isNone }
        return try c.runner.withModuleDefaults(c.task, a, scope: c.scope, action: module)
    }
}
