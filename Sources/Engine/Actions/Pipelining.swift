// The words of Ansible's ssh plugin when a host cannot be reached depend on whether the module
// was pipelined: its data goes with the ssh command ("Data could not be sent to remote host …"),
// else a temporary directory is made first ("Failed to connect to the host via ssh: …").
import Remote
import Values

extension ActionContext {
    /// Actions whose ActionBase makes the temporary directory before anything else (TRANSFERS_FILES).
    static let transfersFiles: Set<String> = ["copy", "template", "assemble", "script", "unarchive", "uri"]

    /// Whether ansible-playbook would pipeline this module call over `stack`: a new-style Python
    /// module, not async, over the ssh connection with its `pipelining` option on, no
    /// `keep_remote_files`, and no become plugin that cannot pipeline (su).
    func pipelines(_ module: ModuleSource, method: String, over stack: [Hop]) throws -> Bool {
        guard method == "run_module", module.program == nil, !ActionContext.transfersFiles.contains(task.shortAction),
              !runner.connectionDefaults.modules.keepRemoteFiles, case .ssh? = stack.first else { return false }
        for hop in stack.dropFirst() {
            switch hop {
            case .become(let b) where b.method == "su": return false
            case .become: continue
            default: return false
            }
        }
        let v = try (delegation?.scope ?? scope).lookup("ansible_pipelining")
        return v.map(AnsibleFilters.boolean)?.truthy ?? false
    }

    /// An ssh login that failed, as ansible-playbook reports it when it pipelines the module: the
    /// module's data "could not be sent"; when the interpreter is still to be discovered, the
    /// discovery's command (not pipelined) failed first, inside the module's execution.
    func pipelinedFailure(_ u: Unreachable, over stack: [Hop]) -> Unreachable {
        guard case .ssh(let o, let interpreter)? = stack.first, u.message.hasPrefix(RemoteError.sshConnectFailure) else { return u }
        if interpreter == nil, runner.discoveredInterpreter(self) == nil { return Unreachable(message: u.message, chained: true) }
        let stderr = u.message.dropFirst(RemoteError.sshConnectFailure.count)
        return Unreachable(message: "Data could not be sent to remote host \"\(o.host)\". Make sure this host can be reached over ssh: \(stderr)")
    }
}
