// delegate_to for one host (or loop item): whose variables and connection the task uses, and
// how results name it. Worked out before the task's `when`, as ansible-core's TaskExecutor does:
// the condition and the arguments can use `ansible_delegated_vars`.
import Inventory
import Playbook
import Values

struct Delegation {
    /// What delegate_to rendered to: results show `host -> name`.
    let name: String
    /// The host whose variables apply: `name`, or the inventory host whose address it is.
    let host: String
    let scope: VarScope
    /// What the default callback shows after the name, in parentheses, when it differs.
    let address: String

    /// The result's `_ansible_delegated_vars`, which callbacks label the host with.
    var resultVars: Value { ["ansible_host": .string(address), "ansible_delegated_host": .string(name)] }
}

extension PlaybookRunner {
    /// The task's delegation on `host`; nil without delegate_to, when it renders to omit, or to
    /// the host itself. An empty name fails the task, as Ansible's VariableManager does.
    func delegation(_ task: PlayTask, host: String, scope: VarScope) throws -> Delegation? {
        guard let raw = task.effective("delegate_to") else { return nil }
        let rendered: Value
        do { rendered = try vars.templar.template(raw, scope) } catch let e as AnsibleError {
            throw TaskError.keyword(task, keyword: "delegate_to", e.message)
        }
        if rendered.isOmit { return nil }
        let name = rendered.isNone ? "" : rendered.pythonStr
        guard !name.isEmpty else {
            let flat = "Task failed: Empty hostname produced from delegate_to: \"\(raw.pythonStr)\""
            throw TaskError(links: [(flat, task.location)], flat: flat)
        }
        guard name != host else { return nil }
        let target = delegatedHost(name)
        let dscope = try vars.scope(host: target, pc: currentPlay!, task: task)
        // Where the delegated host has no address, port or user of its own, PlayContext gives it
        // the name, no port and the task's remote user (not the delegating host's).
        let transport = dscope.raw["ansible_connection"]?.pythonStr ?? "ssh"
        func lacks(_ what: String) -> Bool {
            ["ansible_\(transport)_\(what)", "ansible_ssh_\(what)", "ansible_\(what)"].allSatisfy { dscope.raw[$0] == nil }
        }
        var filled = Dict()
        if lacks("host") { filled["ansible_host"] = .string(name) }
        if lacks("port") { filled["ansible_port"] = Value.none }
        if lacks("user") {
            let user = try keyword(task, "remote_user").map { try vars.templar.template($0, scope) }
            filled["ansible_user"] = user ?? connectionDefaults.magicRemoteUser ?? Value.none
        }
        // ansible_delegated_vars: the delegated host's variables as this task sees them, rendered when asked for.
        scope.dynamic["ansible_delegated_vars"] = {
            var d = Dict()
            for k in dscope.raw.keys.sorted() { d[.string(k)] = dscope.viewed(k) }
            for (k, v) in filled { d[k] = v }
            d["inventory_hostname"] = .string(host)
            return .dict([.string(name): .dict(d)])
        }
        takeConnectionMagic(scope, from: dscope, name: name, task: task)
        return Delegation(name: name, host: target, scope: dscope, address: delegatedAddress(name, dscope, hasAddress: !lacks("host"), task: task))
    }

    /// The connection variables the task's host did not set itself (`ansible_host`,
    /// `ansible_user`…) are the delegated connection's while the task runs, rendered as that
    /// host's: what the connection's update_vars gives ansible-core's task variables.
    private func takeConnectionMagic(_ scope: VarScope, from dscope: VarScope, name: String, task: PlayTask) {
        guard !scope.connectionMagic.isEmpty else { return }
        let delegated = VarScope(raw: dscope.raw, templar: dscope.templar)
        delegated.dynamic = dscope.dynamic
        ConnectionConfig.addMagicVariables(delegated, address: name, connection: keyword(task, "connection"),
                                           remoteUser: keyword(task, "remote_user"), defaults: connectionDefaults)
        for k in scope.connectionMagic {
            scope.raw[k] = ((try? delegated.lookup(k)) ?? nil) ?? delegated.raw[k]
            scope.cache[k] = nil
        }
    }

    /// An inventory host by name (a localhost name the inventory's localhost-like host, or the
    /// implicit localhost), else the first whose own `ansible_host` is that name, else the name
    /// itself: a host outside the inventory, which gets `all`'s variables. The inventory is only
    /// read: other hosts' tasks run meanwhile.
    private func delegatedHost(_ name: String) -> String {
        if inventory.data.hosts[name] != nil || Inventory.localhostNames.contains(name) { return inventory.resolvedHost(name) }
        return inventory.hostNames.first { inventory.data.hosts[$0]?.vars["ansible_host"]?.pythonStr == name } ?? name
    }

    /// The callback's `(address)`: the delegated host's `ansible_host` as written (not rendered);
    /// when only another address variable (`ansible_ssh_host`) gives it, "None" for the ssh
    /// connections, whose options include `ansible_host` (ansible-core copies the unset value),
    /// and the name otherwise, as PlayContext falls back to it.
    private func delegatedAddress(_ name: String, _ dscope: VarScope, hasAddress: Bool, task: PlayTask) -> String {
        if let a = dscope.raw["ansible_host"] { return a.isNone ? "None" : a.pythonStr }
        guard hasAddress else { return name }
        let connection = ((try? dscope.lookup("ansible_connection")) ?? nil)?.pythonStr ?? keyword(task, "connection")?.pythonStr ?? "ssh"
        return ["ssh", "paramiko", "paramiko_ssh"].contains(Task.shortName(connection)) ? "None" : name
    }
}
