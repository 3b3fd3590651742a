// Users' Python action plugins (action_plugins/ beside a playbook or in a role, ACTION_PLUGINS,
// a collection's plugins/action): each run is ansible-core's own plugin class in a helper agent on
// the controller, as Ansible's controller runs it. What it does on the target (a module, a
// command, a file) comes back here as asks, done through the host's agent like any task's work.
import Playbook
import Remote
import Synchronization
import Values

/// The Python plugin class that runs an action, as the helper found it.
struct PythonActionHandler: Sendable {
    let name: String
    /// Its class's `supports_raw_params`: free-form text besides k=v words is its to take.
    let rawParams: Bool
}

enum PythonAction {
    /// Whether a plugin file or routing could handle an action, by action and task dirs: file
    /// checks only, so most tasks never ask the helper.
    private static let candidates = Mutex<[String: Bool]>([:])

    /// The Python plugin that handles this task's action, if one does (as Ansible picks it).
    static func handler(_ task: PlayTask, runner: PlaybookRunner) -> PythonActionHandler? {
        let dirs = actionDirs(task, runner: runner)
        let key = task.action + "|" + dirs.joined(separator: ":")
        let known = candidates.withLock { $0[key] }
        let candidate = known ?? mayHandle(task.action, dirs: dirs, library: runner.library)
        if known == nil { candidates.withLock { $0[key] = candidate } }
        return candidate ? PythonPlugins.shared.actionHandler(task.action, actionDirs: dirs) : nil
    }

    /// The task's role's action_plugins/, the play's and playbook's, then ACTION_PLUGINS.
    static func actionDirs(_ task: PlayTask, runner: PlaybookRunner) -> [String] {
        let playDir = runner.currentPlay?.play.baseDir ?? ""
        return ActionPlugins.dirs(role: task.role, baseDir: playDir.isEmpty ? runner.vars.playbookDir : playDir,
                                  configured: runner.settings.actionPluginPaths)
    }

    /// A plugin file of the name (or of its network platform prefix), or a collection's routing to one.
    static func mayHandle(_ action: String, dirs: [String], library: ModuleLibrary) -> Bool {
        let parts = action.split(separator: ".").map(String.init)
        let name = parts.count >= 3 ? parts[2...].joined(separator: ".") : action
        let prefix = String(name.split(separator: "_").first ?? "")
        if parts.count >= 3, parts[0] == "ansible" {
            return parts[1] == "legacy" && [name, prefix].contains { ActionPlugins.file($0, dirs: dirs) != nil }
        }
        guard parts.count >= 3 else { return [name, prefix].contains { ActionPlugins.file($0, dirs: dirs) != nil } }
        let collection = parts[0] + "." + parts[1]
        return [name, prefix].contains { library.collectionPlugin(collection + "." + $0, kind: "action") != nil }
            || library.routing(action, kind: "action") != nil || library.routing(action, kind: "modules")?["action_plugin"] != nil
    }

    static func run(_ c: ActionContext, handler: String, async seconds: Int, poll: Int) async throws -> Dict {
        let cfg = try c.connection
        var task: Dict = ["action": .string(c.task.action), "async_val": .int(seconds), "poll": .int(poll),
                          "check_mode": .bool(c.checkMode), "diff": .bool(c.diffMode), "no_log": .bool(c.noLog),
                          "become": .bool(cfg.become != nil), "name": .string(c.task.name ?? "")]
        if let b = cfg.become { (task["become_user"], task["become_method"]) = (.string(b.user), .string(b.method)) }
        if let d = c.delegateHost { task["delegate_to"] = .string(d) }
        var playContext: Dict = ["check_mode": .bool(c.checkMode), "diff": .bool(c.diffMode), "remote_addr": .string(cfg.host),
                                 "connection": .string(cfg.connection), "verbosity": .int(c.runner.vars.verbosity),
                                 "become": task["become"]!, "executable": "/bin/sh"]
        if let u = cfg.user { playContext["remote_user"] = .string(u) }
        if let p = cfg.port { playContext["port"] = .int(p) }
        if let b = cfg.become { (playContext["become_user"], playContext["become_method"]) = (.string(b.user), .string(b.method)) }
        var body = PythonPlugins.shared.searchBody
        body["handler"] = .string(handler)
        body["action_dirs"] = .list(actionDirs(c.task, runner: c.runner).map(Value.string))
        body["args"] = PythonPlugins.markersOut(.dict(c.args))
        body["task"] = .dict(task)
        body["play_context"] = .dict(playContext)
        body["connection"] = ["transport": .string(cfg.connection), "remote_user": playContext["remote_user"] ?? .none,
                              "host": .string(cfg.host), "port": playContext["port"] ?? .none]
        body["variables"] = PythonPlugins.variables(c.scope)
        body["basedir"] = .string(c.runner.vars.playbookDir)
        body["search_path"] = .list(c.searchPaths.map(Value.string))
        body["vault_secrets"] = PythonPlugins.vaultSecrets
        let reply: Value
        do {
            reply = try await PythonPlugins.shared.withActionHelper { helper in
                try await helper.exchange("action_run", body) { await answer($0, c, async: seconds) }
            }
        } catch let e as RemoteError {
            throw AnsibleError("the helper agent for the action plugin '\(handler)' stopped: \(e.description)")
        }
        PythonPlugins.showWarnings(reply)
        if let m = reply["unreachable"]?.stringValue { throw Unreachable(message: m) }
        if let m = reply["omitted"]?.stringValue {
            // Ansible's worker reports it as itself: no task, no place, no `changed`.
            var e = TaskError(links: [(m, nil)], flat: m)
            e.reportsChanged = false
            throw e
        }
        if let m = reply["raised"]?.stringValue {
            // An exception that is no AnsibleActionFail is the task's error, its message "Task failed: …".
            if reply["contributes"]?.truthy == false { throw AnsibleError(m) }
            var extra = reply["result"]?.dictValue ?? Dict()
            (extra["msg"], extra["failed"]) = (nil, nil)
            throw TaskFailure(message: m, extra: extra, raised: true)
        }
        guard var result = reply["result"]?.dictValue else {
            // The helper itself failed (its own error, not the plugin's).
            throw AnsibleError((reply["msg"]?.pythonStr ?? "the action plugin '\(handler)' gave no result")
                               + (reply["exception"].map { "\n" + $0.pythonStr } ?? ""))
        }
        if poll > 0, seconds > 0, result["ansible_job_id"] != nil, result["failed"]?.truthy != true, result["skipped"]?.truthy != true {
            result = try await AsyncRunner.wait(c, started: result, poll: poll)
        }
        return PythonPlugins.markers(in: .dict(result)).dictValue ?? result
    }

    /// What the plugin asked done on the target, done: `value`, or `error` (raised there as
    /// AnsibleError) or `unreachable` (AnsibleConnectionFailure).
    static func answer(_ ask: Value, _ c: ActionContext, async seconds: Int) async -> Dict {
        do {
            switch ask["ask"]?.stringValue {
            case "module":
                let name = ask["name"]?.stringValue ?? c.task.action
                let args = ask["args"]?.dictValue ?? Dict()
                if ask["wrap_async"]?.truthy == true {
                    return ["value": .dict(try await AsyncRunner.start(c, name, args, timeLimit: seconds))]
                }
                return ["value": .dict(try await c.runModule(name, args, ignoreUnknownOptions: ask["ignore_unknown_opts"]?.truthy == true))]
            case "command":
                if let input = ask["in_data"], !input.isNone {
                    return ["error": "swansible runs an action plugin's commands without input data"]
                }
                var cmd = ask["cmd"]?.pythonStr ?? ""
                if let dir = ask["chdir"]?.stringValue, !dir.isEmpty { cmd = "cd \(dir) && " + cmd }   // the shell's append_command
                let (rc, out, err) = try await RawAction.execute(c, cmd, executable: ask["executable"]?.stringValue,
                                                                 sudoable: ask["sudoable"]?.truthy ?? true)
                return ["value": ["rc": .int(rc), "stdout": .string(out), "stderr": .string(err)]]
            case "put_file":
                let (src, dest) = (ask["src"]?.pythonStr ?? "", ask["dest"]?.pythonStr ?? "")
                let placed = try await c.withUpload(.file(src)) { ctx, remote in
                    try await ctx.call("place", ["src": .string(remote), "dest": .string(dest)])
                }
                if let e = placed["error"]?.stringValue { return ["error": .string("failed to transfer file to \(dest): \(e)")] }
                return ["value": .none]
            case "fetch_file":
                let (src, dest) = (ask["src"]?.pythonStr ?? "", ask["dest"]?.pythonStr ?? "")
                let st = try await c.runModule("ansible.builtin.stat", ["path": .string(src), "get_checksum": false])
                guard st["stat"]?["exists"]?.truthy == true, let size = st["stat"]?["size"]?.intValue else {
                    return ["error": .string("file or module does not exist: \(src)")]
                }
                try await FetchAction.download(c.agent(), src, size: size, to: dest, host: c.host)
                return ["value": .none]
            default:
                return ["error": .string("swansible cannot do '\(ask["ask"]?.pythonStr ?? "")' for an action plugin")]
            }
        } catch let u as Unreachable {
            return ["unreachable": .string(u.message)]
        } catch let f as TaskFailure {
            return ["error": .string(f.message)]
        } catch let e as TaskError {
            return ["error": .string(e.flat)]
        } catch let b as BecomeFailure {
            return ["error": .string(b.message)]
        } catch let e as AnsibleError {
            return ["error": .string(e.message)]
        } catch {
            return ["error": .string("\(error)")]
        }
    }
}
