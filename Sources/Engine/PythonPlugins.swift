// Users' Python filter, test and lookup plugins (filter_plugins/ beside a playbook or in a role,
// the configured plugin paths, collections): they run in a helper agent on the controller,
// started the first time a template uses a name the engine does not have itself. A run that
// uses none never starts it.
import Inventory
import Jinja
import Remote
import Synchronization
import Values
import Vault

public final class PythonPlugins: ExternalPlugins {
    public static let shared = PythonPlugins()

    private struct State {
        var library: ModuleLibrary?
        var helper: LocalHelper?
        /// Why the helper could not start, said once.
        var startFailure: String?
        /// Helpers for action plugins, each lent to one task at a time (a plugin waits on its host).
        var idleActionHelpers: [LocalHelper] = []
        /// Dirs whose `*_plugins/` subdirs Ansible searches: each playbook's, each loaded role's.
        var bases: [String] = []
        /// `kind|name` → the name Ansible resolved it to, or nil when there is no such plugin
        /// (forgotten when a new dir joins the search).
        var found: [String: String?] = [:]
        /// `action|dirs` → the Python plugin that runs it, or nil (forgotten as `found` is).
        var handlers: [String: PythonActionHandler?] = [:]
        /// The short names the user's own filter and test plugins give, by kind (nil: ask again).
        var userNames: [String: Set<String>]?
    }

    /// Set once a searched dir has filter_plugins/ or test_plugins/: only then may a user's
    /// plugin take a name the engine has (checked on every filter call).
    private let mayShadow = Atomic<Bool>(false)
    /// Set once a searched dir has become_plugins/: only then may a user's plugin take the name
    /// of a become method swansible starts itself (checked for every task that becomes).
    private let mayShadowBecome = Atomic<Bool>(false)

    private let state = Mutex(State())

    /// The installed ansible-core the helper runs, for plugins of every kind (inventory ones too).
    public func configure(library: ModuleLibrary) {
        state.withLock { $0.library = library }
        Inventory.pythonPlugin = PythonInventory.parse
        ContextService.becomePlan = { [self] b, cmd in try becomePlan(b, cmd) }
    }

    /// A playbook's or role's dir joins the search.
    public func addBase(_ dir: String) {
        state.withLock {
            guard !$0.bases.contains(dir) else { return }
            $0.bases.append(dir)
            $0.found = $0.found.filter { $0.value != nil }
            $0.handlers = $0.handlers.filter { $0.value != nil }
            if ["filter_plugins", "test_plugins"].contains(where: { Files.isDirectory(Files.join(dir, $0)) }) {
                $0.userNames = nil
                mayShadow.store(true, ordering: .relaxed)
            }
            if Files.isDirectory(Files.join(dir, "become_plugins")) { mayShadowBecome.store(true, ordering: .relaxed) }
        }
    }

    public func shadows(_ kind: String, _ name: String) -> Bool {
        guard mayShadow.load(ordering: .relaxed) else { return false }
        if let known = state.withLock({ $0.userNames }) { return known[kind]?.contains(name) == true }
        guard let helper = self.helper() else { return false }
        let reply = try? helper.call("plugin_user_names", searchBody)
        PythonPlugins.showWarnings(reply)
        var names: [String: Set<String>] = [:]
        for kind in ["filter", "test"] { names[kind] = Set(reply?[kind]?.listValue?.compactMap(\.stringValue) ?? []) }
        state.withLock { $0.userNames = names }
        return names[kind]?.contains(name) == true
    }

    public func filter(_ name: String) -> Filter? {
        guard let resolved = find("filter", name) else { return nil }
        return { value, args, _ in
            PythonPlugins.markers(in: try self.call("filter", name, resolved, PythonPlugins.arguments(value, args)))
        }
    }

    public func test(_ name: String) -> Test? {
        guard let resolved = find("test", name) else { return nil }
        return { value, args, _ in
            try self.call("test", name, resolved, PythonPlugins.arguments(value, args)).truthy
        }
    }

    /// A filter's or test's value and arguments as the helper takes them.
    private static func arguments(_ value: Value, _ args: Arguments) -> Dict {
        ["value": markersOut(value), "args": markersOut(.list(args.positional)), "kwargs": markersOut(dict(args.keywords))]
    }

    /// A lookup by a name the engine does not have; nil when there is no such plugin either.
    func lookup(_ name: String, terms: [Value], options: [String: Value], context c: LookupContext) throws -> [Value]? {
        guard find("lookup", name) != nil else { return nil }
        let value = PythonPlugins.markers(in: try call("lookup", name, name, [
            "terms": PythonPlugins.markersOut(.list(terms)), "kwargs": PythonPlugins.markersOut(PythonPlugins.dict(options)),
            "variables": PythonPlugins.variables(c.scope), "basedir": .string(c.playbookDir), "vault_secrets": PythonPlugins.vaultSecrets]))
        if case .undefined(let m) = value { throw UndefinedError(m) }   // the plugin gave back a marker
        return value.listValue ?? [value]
    }

    /// How an undefined marker and bytes travel to the helper and back (JSON has no type for them).
    static let markerKey: Value = "__swansible_undefined__"
    static let bytesKey: Value = "__swansible_bytes__"

    static func markersOut(_ v: Value) -> Value {
        guard v.firstMarker != nil || v.holdsBytes else { return v }
        switch v {
        case .undefined(let m): return .dict([markerKey: .string(m)])
        case .bytes(let b): return .dict([bytesKey: .string(Base64.encode(b))])
        case .list(let l), .tuple(let l, _): return .list(l.map(markersOut))   // JSON has no tuples
        case .dict(let d): return .dict(d.mapValues(markersOut))
        default: return v
        }
    }

    static func markers(in v: Value) -> Value {
        switch v {
        case .dict(let d) where d.count == 1 && d[markerKey] != nil: return .undefined(d[markerKey]!.pythonStr)
        case .dict(let d) where d.count == 1 && d[bytesKey] != nil: return .bytes(Base64.decode(d[bytesKey]!.pythonStr) ?? [])
        case .list(let l): return .list(l.map(markers(in:)))
        case .dict(let d): return .dict(d.mapValues(markers(in:)))
        default: return v
        }
    }

    /// Variables a lookup or action plugin is not handed (each host's whole set again).
    private static let heavy: Set<String> = ["hostvars", "vars", "ansible_delegated_vars"]

    /// The host's variables as a plugin gets them (without the heavy ones), markers made JSON.
    static func variables(_ scope: VarScope) -> Value {
        var variables = Dict()
        for (k, v) in scope.raw where !heavy.contains(k) { variables[.string(k)] = decrypted(v) }
        return markersOut(.dict(variables))
    }

    /// `!vault` values as their text, where the vault opens (ansible-core hands a plugin an
    /// EncryptedString, which is its text wherever it is used); one that does not stays.
    static func decrypted(_ v: Value) -> Value {
        switch v {
        case .vault(let text): return (try? Templar.decrypt(text)).map(Value.string) ?? v
        case .list(let l) where l.contains(where: holdsVault): return .list(l.map(decrypted))
        case .dict(let d) where d.values.contains(where: holdsVault): return .dict(d.mapValues(decrypted))
        default: return v
        }
    }

    private static func holdsVault(_ v: Value) -> Bool {
        switch v {
        case .vault: return true
        case .list(let l): return l.contains(where: holdsVault)
        case .dict(let d): return d.values.contains(where: holdsVault)
        default: return false
        }
    }

    /// The run's vault secrets, so a plugin reading a vaulted file (ini, csvfile…) opens it.
    static var vaultSecrets: Value { .list(Vault.shared.secrets.map { .list([.string($0.id), .string(Base64.encode($0.bytes))]) }) }

    private static func dict(_ d: [String: Value]) -> Value {
        var out = Dict()
        for (k, v) in d { out[.string(k)] = v }
        return .dict(out)
    }

    /// The resolved name of a plugin, asking the helper the first time.
    private func find(_ kind: String, _ name: String) -> String? {
        let key = kind + "|" + name
        let (cached, bases) = state.withLock { ($0.found[key], $0.bases) }
        if let cached { return cached }
        guard let helper = self.helper() else { return nil }
        let reply = try? helper.call("plugin_find", ["kind": .string(kind), "name": .string(name), "dirs": .list(bases.map(Value.string)),
                                                     "collections": .list(collectionRoots.map(Value.string))])
        PythonPlugins.showWarnings(reply)
        let resolved: String? = reply?["found"]?.truthy == true ? (reply?["name"]?.stringValue ?? name) : nil
        state.withLock { $0.found[key] = .some(resolved) }
        return resolved
    }

    private func call(_ kind: String, _ name: String, _ resolved: String, _ body: Dict) throws -> Value {
        var b = body
        b["kind"] = .string(kind)
        b["name"] = .string(name)
        guard let helper = helper() else { throw TemplateError("No \(kind) named '\(name)' found.") }
        let reply: Value
        do { reply = try helper.call("plugin_call", b) } catch {
            throw TemplateError("The \(kind) plugin '\(resolved)' failed: \(error)")
        }
        PythonPlugins.showWarnings(reply)
        if let message = reply["error"]?.stringValue {
            // A lookup's failure is worded by the lookup layer, which names the plugin itself.
            throw TemplateError(kind == "lookup" ? message : "The \(kind) plugin '\(resolved)' failed: \(message)")
        }
        return reply["value"] ?? .none
    }

    /// What ansible-core's Display warned about in the helper, shown as the run's own warnings.
    static func showWarnings(_ reply: Value?) {
        for w in reply?["warnings"]?.listValue ?? [] { Output.warning(w.pythonStr) }
        for d in reply?["deprecations"]?.listValue ?? [] { Output.deprecation(worded: d.pythonStr) }
    }

    /// Whether a become plugin of the user's (become_plugins/ beside a playbook or in a role, a
    /// configured path) takes the name of one swansible starts itself, as the loader lets it.
    func shadowsBecome(_ name: String) -> Bool {
        guard mayShadowBecome.load(ordering: .relaxed) else { return false }
        return hasPlugin("become", name) && find("become", name).map { !$0.hasPrefix("ansible.builtin.") } == true
    }

    /// Whether ansible-core's loader finds a plugin of that kind by that name.
    func hasPlugin(_ kind: String, _ name: String) -> Bool { find(kind, name) != nil }

    /// The stages (`inventory`, `task`, `all`) at which any Python vars plugin the loader has
    /// (host_group_vars aside) runs.
    func varsPluginStages() throws -> Set<String> {
        let reply = try searching("vars_plugin_stages", [:])
        PythonPlugins.showWarnings(reply)
        return Set((reply["stages"]?.dictValue ?? [:]).filter { $0.value.truthy }.compactMap(\.key.stringValue))
    }

    /// What the Python vars plugins give for some entities at a path (VarsPlugins says how).
    func varsGet(_ body: Dict) throws -> Dict {
        let reply = try searching("vars_get", body)
        PythonPlugins.showWarnings(reply)
        if let message = reply["error"]?.stringValue { throw AnsibleError(message) }
        guard let text = reply["vars"]?.stringValue, case .dict(let vars) = try Value.parseJSON(text).legacyTagged else { return [:] }
        return vars
    }

    /// An inventory plugin written in Python reads a source (PythonInventory says how).
    func inventoryParse(_ body: Dict) throws -> Value { try searching("inventory_parse", body) }

    /// A helper call with the plugin dirs and collections to search added to its body.
    private func searching(_ method: String, _ body: Dict) throws -> Value {
        guard let helper = helper() else { throw AnsibleError("the controller's Python helper is not available") }
        return try helper.call(method, body.merging(searchBody) { a, _ in a })
    }

    /// A Python become plugin's command for `cmd`, built by the plugin itself (TaskExecutor's
    /// options: the task's keywords, the host's variables).
    func becomePlan(_ b: BecomeOptions, _ cmd: String) throws -> BecomePlan {
        guard let p = b.plugin else { throw RemoteError.becomeFailed("'\(b.method)' is no become plugin") }
        func dict(_ d: [String: Value]) -> Value { .dict(Dict(uniqueKeysWithValues: d.sorted { $0.key < $1.key }.map { (Value.string($0.key), $0.value) })) }
        let reply: Value
        do {
            reply = try searching("become_plan", ["name": .string(b.method), "cmd": .string(cmd), "task_keys": dict(p.taskKeys.mapValues(Value.string)),
                                                  "variables": PythonPlugins.markersOut(dict(p.variables)), "executable": .string(p.executable)])
        } catch { throw RemoteError.becomeFailed("\(error)") }
        PythonPlugins.showWarnings(reply)
        if let message = reply["error"]?.stringValue { throw RemoteError.becomeFailed(message) }
        func strings(_ k: String) -> [String] { reply[k]?.listValue?.map(\.pythonStr) ?? [] }
        return BecomePlan(command: reply["command"]?.pythonStr ?? "", prompt: reply["prompt"]?.pythonStr ?? "",
                          password: reply["password"]?.stringValue ?? b.password, success: reply["success"]?.pythonStr ?? "",
                          name: reply["name"]?.stringValue ?? b.method, fail: strings("fail"), missing: strings("missing"),
                          tty: reply["tty"]?.truthy == true)
    }

    /// A line typed at the task debugger, run by the helper's Python: what it printed, and the
    /// task's arguments, variables and result after it.
    func debuggerLine(_ body: Dict) throws -> Value {
        guard let helper = helper() else { throw AnsibleError("the controller's Python helper is not available to the debugger") }
        return try helper.call("debugger_line", body)
    }

    /// module_utils' ArgumentSpecValidator on the given parameters: its error messages.
    func validateArgumentSpec(_ spec: Dict, _ params: Dict) throws -> [String] {
        guard let helper = helper() else { throw AnsibleError("the controller's Python helper is not available to validate an argument spec") }
        let reply = try helper.call("validate_argument_spec", ["argument_spec": .dict(spec), "params": PythonPlugins.markersOut(.dict(params))])
        if let failure = reply["msg"]?.stringValue, reply["failed"]?.truthy == true {
            throw AnsibleError(failure + (reply["exception"].map { "\n" + $0.pythonStr } ?? ""))
        }
        return (reply["errors"]?.listValue ?? []).map(\.pythonStr)
    }

    /// ansible-core's ssh-agent client adds a key given as text to the agent at `socket` (when
    /// it is not there): the key unencrypted, its fingerprint, and whether it was added.
    func addToSSHAgent(_ body: Dict) throws -> (key: String, fingerprint: String, added: Bool) {
        guard let helper = helper() else { throw AnsibleError("the controller's Python helper is not available to load a private key") }
        let reply = try helper.call("ssh_agent_add", body)
        if let message = reply["error"]?.stringValue { throw AnsibleError(message) }
        guard let key = reply["key"]?.stringValue, let fingerprint = reply["fingerprint"]?.stringValue else {
            throw AnsibleError(reply["msg"]?.stringValue ?? "the helper gave no key")
        }
        return (key, fingerprint, reply["added"]?.truthy ?? false)
    }

    /// The Python action plugin that handles `action` as Ansible's task executor picks it (the
    /// module's `action_plugin`, an action plugin of that name, a network platform's), or nil
    /// when that is one of ansible-core's own actions or there is none.
    func actionHandler(_ action: String, actionDirs: [String]) -> PythonActionHandler? {
        let key = action + "|" + actionDirs.joined(separator: ":")
        if let cached = state.withLock({ $0.handlers[key] }) { return cached }
        guard let helper = self.helper() else { return nil }
        var body = searchBody
        (body["action"], body["action_dirs"]) = (.string(action), .list(actionDirs.map(Value.string)))
        let reply = try? helper.call("action_find", body)
        PythonPlugins.showWarnings(reply)
        let handler = (reply?["found"]?.truthy == true ? reply?["handler"]?.stringValue : nil)
            .map { PythonActionHandler(name: $0, rawParams: reply?["raw_params"]?.truthy == true) }
        state.withLock { $0.handlers[key] = .some(handler) }
        return handler
    }

    /// Runs `body` with a helper of its own for one action plugin's run: an idle one, or a new
    /// one (as many as tasks run plugins at once); one that broke is not kept.
    func withActionHelper<T>(_ body: (LocalHelper) async throws -> T) async throws -> T {
        let idle = state.withLock { $0.idleActionHelpers.popLast() }
        let helper: LocalHelper
        if let idle { helper = idle } else {
            guard let library = state.withLock({ $0.library }) else { throw AnsibleError("the controller's Python helper is not available") }
            helper = try LocalHelper(interpreter: library.python)
        }
        do {
            let result = try await body(helper)
            state.withLock { $0.idleActionHelpers.append(helper) }
            return result
        } catch let e as RemoteError { throw e } catch {
            state.withLock { $0.idleActionHelpers.append(helper) }
            throw error
        }
    }

    /// The dirs and collections a helper searches, for a plugin run.
    var searchBody: Dict {
        let bases = state.withLock { $0.bases }
        return ["dirs": .list(bases.map(Value.string)), "collections_paths": .list(collectionRoots.map(Value.string))]
    }

    private var collectionRoots: [String] { state.withLock { $0.library?.allCollectionRoots ?? [] } }

    /// The helper agent, started on first use with the Python of the installed ansible-core.
    private func helper() -> LocalHelper? {
        state.withLock { s in
            if let h = s.helper { return h }
            guard s.startFailure == nil, let library = s.library else { return nil }
            do {
                s.helper = try LocalHelper(interpreter: library.python)
            } catch {
                s.startFailure = "\(error)"
                Output.warning("Python plugins are not available: the helper agent did not start (\(error))")
            }
            return s.helper
        }
    }
}
