// Configuration as Ansible finds it: ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg,
// /etc/ansible/ansible.cfg (first found), with ANSIBLE_* environment variables winning.
import Inventory
import Values
import Vault
import YAMLReader

public struct Settings: Sendable {
    public var configFile: String?
    var ini: [String: [String: String]] = [:]
    /// Why the config file could not be read (every command stops on it, exit 5).
    public var problem: String?
    /// What command-line flags set (-u, -c, -T, -b…), by the environment variable of the same option.
    public var overrides: [String: String] = [:]

    public static func load() -> Settings {
        var s = Settings()
        let candidates = [Files.environment("ANSIBLE_CONFIG"), "ansible.cfg", Files.home + "/.ansible.cfg", "/etc/ansible/ansible.cfg"]
        for c in candidates.compactMap({ $0 }) {
            let path = Files.isDirectory(c) ? Files.join(c, "ansible.cfg") : c
            if Files.exists(path), let text = try? Files.read(path) {
                s.configFile = Files.absolute(path)
                do { s.ini = Settings.resolvingPaths(try ConfigINI.parse(text), from: Files.dirname(s.configFile!)) } catch {
                    s.problem = "Error reading config file (\(s.configFile!)): \(error)"
                }
                break
            }
        }
        Output.configure(s)   // before anything is printed (the config file line at -v)
        return s
    }

    enum PathKind { case path, pathspec, pathlist }

    /// base.yml's settings of a path type, by section and key.
    static let pathSettings: [String: [String: PathKind]] = [
        "defaults": [
            "become_password_file": .path, "connection_password_file": .path, "home": .path, "log_path": .path,
            "playbook_dir": .path, "plugin_filters_cfg": .path, "private_key_file": .path, "retry_files_save_path": .path,
            "vault_password_file": .path, "local_tmp": .path, "inventory": .pathlist,
            "fact_caching_connection": .path,   // the jsonfile cache plugin's _uri
            "action_plugins": .pathspec, "become_plugins": .pathspec, "cache_plugins": .pathspec, "callback_plugins": .pathspec,
            "cliconf_plugins": .pathspec, "collections_path": .pathspec, "connection_plugins": .pathspec,
            "doc_fragment_plugins": .pathspec, "filter_plugins": .pathspec, "httpapi_plugins": .pathspec,
            "inventory_plugins": .pathspec, "library": .pathspec, "lookup_plugins": .pathspec, "module_utils": .pathspec,
            "netconf_plugins": .pathspec, "roles_path": .pathspec, "strategy_plugins": .pathspec,
            "terminal_plugins": .pathspec, "test_plugins": .pathspec, "vars_plugins": .pathspec,
        ],
        "galaxy": ["cache_dir": .path, "collection_skeleton": .path, "gpg_keyring": .path, "role_skeleton": .path, "token_path": .path],
        "persistent_connection": ["ansible_connection_path": .path, "control_path_dir": .path],
    ]

    /// The config file's path settings as ConfigManager's ensure_type gives them: each path with
    /// `~` and `$VAR` expanded, made absolute against the file's directory (`{{CWD}}`: the
    /// current one) and normalized — a `localhost,` inventory included, as ansible-core does.
    static func resolvingPaths(_ ini: [String: [String: String]], from dir: String) -> [String: [String: String]] {
        var out = ini
        func resolve(_ p: String) -> String {
            let expanded = Files.expandUser(Files.expandVariables(p.replacing("{{CWD}}", with: Files.cwd())))
            return Files.normalize(expanded.hasPrefix("/") ? expanded : Files.join(dir, expanded))
        }
        for (section, keys) in pathSettings {
            for (key, kind) in keys {
                guard let v = ini[section]?[key] else { continue }
                switch kind {
                case .path: out[section]?[key] = resolve(v)
                case .pathspec: out[section]?[key] = v.split(separator: ":", omittingEmptySubsequences: false).map { resolve(String($0)) }.joined(separator: ":")
                case .pathlist:
                    out[section]?[key] = v.split(separator: ",", omittingEmptySubsequences: false)
                        .map { resolve($0.trimmingCharacters(in: " ")) }.joined(separator: ",")
                }
            }
        }
        return out
    }

    /// An option from the environment (`ANSIBLE_FORKS`), else ansible.cfg (`[defaults] forks`).
    public func value(env: String, section: String = "defaults", key: String) -> String? {
        if let v = overrides[env] ?? Files.environment(env) { return v }
        return ini[section]?[key]
    }

    /// A `list` setting's text: comma-separated, each item stripped (empty text: no items).
    static func list(_ v: String) -> [String] {
        v.split(separator: ",").map { String($0.trimmingCharacters(in: " ")) }.filter { !$0.isEmpty }
    }

    public static func truthy(_ v: String) -> Bool {
        ["1", "true", "yes", "on", "y", "t"].contains(v.lowercased())
    }

    public var inventorySources: [String] {
        if let v = value(env: "ANSIBLE_INVENTORY", key: "inventory") {
            return v.split(separator: ",").map { String($0.trimmingCharacters(in: " ")) }
        }
        return ["/etc/ansible/hosts"]
    }

    /// What a command reads: the `-i` sources given, else the configured ones (the default
    /// /etc/ansible/hosts only when it exists: InventoryManager says nothing of it otherwise).
    public func inventorySources(given: [String]) -> [String] {
        given.isEmpty ? inventorySources.filter { $0 != "/etc/ansible/hosts" || Files.exists($0) } : given
    }

    /// DISPLAY_TRACEBACK as 2.19's traceback_for() lists it for a module: the events whose
    /// tracebacks are kept (`always`: all, `never` wins over the rest, deprecated_value implies
    /// deprecated).
    public var tracebacksFor: [String] {
        let raw = value(env: "ANSIBLE_DISPLAY_TRACEBACK", key: "display_traceback") ?? "never"
        let given = Set(raw.split(separator: ",").map { String($0.trimmingCharacters(in: " ")) })
        let events = ["error", "warning", "deprecated", "deprecated_value"]
        if given.contains("always") { return events }
        if given.contains("never") { return [] }
        return events.filter { given.contains($0) || ($0 == "deprecated" && given.contains("deprecated_value")) }
    }

    public var forks: Int { value(env: "ANSIBLE_FORKS", key: "forks").flatMap(Settings.integer) ?? 5 }
    public var hostKeyChecking: Bool {
        option(envs: ["ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING"],
               ini: [("defaults", "host_key_checking"), ("ssh_connection", "host_key_checking")]).map(Settings.truthy) ?? true
    }
    /// The ssh plugin's port: ANSIBLE_REMOTE_PORT, [defaults] remote_port.
    var remotePort: Int? { value(env: "ANSIBLE_REMOTE_PORT", key: "remote_port").flatMap(Settings.integer) }
    /// The ssh plugin's timeout: DEFAULT_TIMEOUT's names and its own.
    var sshTimeout: Int {
        option(envs: ["ANSIBLE_TIMEOUT", "ANSIBLE_SSH_TIMEOUT"], ini: [("defaults", "timeout"), ("ssh_connection", "timeout")])
            .flatMap(Settings.integer) ?? 10
    }
    /// The ssh plugin's reconnection_retries.
    var sshRetries: Int {
        option(envs: ["ANSIBLE_SSH_RETRIES"], ini: [("connection", "retries"), ("ssh_connection", "retries")]).flatMap(Settings.integer) ?? 0
    }
    var sshExecutable: String? { value(env: "ANSIBLE_SSH_EXECUTABLE", section: "ssh_connection", key: "ssh_executable") }

    /// A plugin option as its config definition reads it: the last of its environment variables
    /// set (a command-line flag, kept under the first name, over them), else the last ini key set.
    func option(envs: [String], ini keys: [(String, String)]) -> String? {
        if let v = overrides[envs[0]] { return v }
        if let v = envs.compactMap(Files.environment).last { return v }
        return keys.compactMap { ini[$0.0]?[$0.1] }.last
    }
    /// DEFAULT_NO_LOG: `no_log` for tasks that do not set it.
    public var noLog: Bool { value(env: "ANSIBLE_NO_LOG", key: "no_log").map(Settings.truthy) ?? false }
    /// BECOME_ALLOW_SAME_USER: become even to the user already logged in as.
    var becomeAllowSameUser: Bool {
        value(env: "ANSIBLE_BECOME_ALLOW_SAME_USER", section: "privilege_escalation", key: "become_allow_same_user").map(Settings.truthy) ?? false
    }
    /// DEFAULT_MODULE_NAME: ad-hoc's module when -m is not given (ansible.cfg only).
    public var moduleName: String { ini["defaults"]?["module_name"] ?? "command" }
    /// DEFAULT_POLL_INTERVAL: how often an async task is checked on when its `poll` is not given.
    public var pollInterval: Int { value(env: "ANSIBLE_POLL_INTERVAL", key: "poll_interval").flatMap(Settings.integer) ?? 15 }
    /// MAX_FILE_SIZE_FOR_DIFF: files larger than this get no --diff.
    var maxDiffSize: Int { value(env: "ANSIBLE_MAX_DIFF_SIZE", key: "max_diff_size").flatMap(Settings.integer) ?? 104_448 }
    /// DEFAULT_VERBOSITY: where the count of -v starts.
    public var verbosity: Int { value(env: "ANSIBLE_VERBOSITY", key: "verbosity").flatMap(Settings.integer) ?? 0 }
    /// ANY_ERRORS_FATAL: the keyword's default (nil: not configured).
    var anyErrorsFatal: Bool? { value(env: "ANSIBLE_ANY_ERRORS_FATAL", key: "any_errors_fatal").map(Settings.truthy) }
    public var forceHandlers: Bool { value(env: "ANSIBLE_FORCE_HANDLERS", key: "force_handlers").map(Settings.truthy) ?? false }
    public var remoteUser: String? { value(env: "ANSIBLE_REMOTE_USER", key: "remote_user") }
    public var privateKeyFile: String? { value(env: "ANSIBLE_PRIVATE_KEY_FILE", key: "private_key_file") }
    public var transport: String { value(env: "ANSIBLE_TRANSPORT", key: "transport") ?? "ssh" }
    public var timeout: Int { value(env: "ANSIBLE_TIMEOUT", key: "timeout").flatMap(Settings.integer) ?? 10 }
    /// TASK_TIMEOUT: the `timeout` keyword's default (0: none).
    public var taskTimeout: Int { value(env: "ANSIBLE_TASK_TIMEOUT", key: "task_timeout").flatMap(Settings.integer) ?? 0 }
    public var gathering: String { value(env: "ANSIBLE_GATHERING", key: "gathering") ?? "implicit" }
    public var rolesPath: [String] {
        (value(env: "ANSIBLE_ROLES_PATH", key: "roles_path") ?? "~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles")
            .split(separator: ":").map(String.init)
    }
    public var actionPluginPaths: [String] {
        (value(env: "ANSIBLE_ACTION_PLUGINS", key: "action_plugins") ?? "~/.ansible/plugins/action:/usr/share/ansible/plugins/action")
            .split(separator: ":").map(String.init)
    }
    public var collectionsPaths: [String] {
        let v = Files.environment("ANSIBLE_COLLECTIONS_PATH") ?? Files.environment("ANSIBLE_COLLECTIONS_PATHS")
            ?? ini["defaults"]?["collections_path"] ?? ini["defaults"]?["collections_paths"]
        return v.map { $0.split(separator: ":").map(String.init) } ?? Settings.defaultCollectionsPaths
    }
    public static let defaultCollectionsPaths = ["~/.ansible/collections", "/usr/share/ansible/collections"]
    public var libraryPath: [String] {
        (value(env: "ANSIBLE_LIBRARY", key: "library") ?? "").split(separator: ":").map(String.init)
    }
    /// DEFAULT_MODULE_UTILS_PATH: module_utils of the user's own, found before ansible-core's.
    public var moduleUtilsPath: [String] {
        (value(env: "ANSIBLE_MODULE_UTILS", key: "module_utils") ?? "~/.ansible/plugins/module_utils:/usr/share/ansible/plugins/module_utils")
            .split(separator: ":").map(String.init)
    }
    public var interpreterPython: String? { value(env: "ANSIBLE_PYTHON_INTERPRETER", key: "interpreter_python") }
    public var displaySkippedHosts: Bool {
        value(env: "ANSIBLE_DISPLAY_SKIPPED_HOSTS", key: "display_skipped_hosts").map(Settings.truthy) ?? true
    }
    /// The options the layers below read from process-wide switches, set once before anything runs.
    public func applyProcessWide() throws {
        Vault.escaped = TextFiles.undecodable
        PluginFilters.rejected = try PluginFilters.load(self)
        Output.deprecationWarnings.store(deprecationWarnings, ordering: .relaxed)
        Templar.allowBrokenConditionals.store(allowBrokenConditionals, ordering: .relaxed)
        StrictUTF8.enabled.store(value(env: "ANSIBLE_MODULE_STRICT_UTF8_RESPONSE", key: "module_strict_utf8_response").map(Settings.truthy) ?? true,
                                 ordering: .relaxed)
        YAMLReader.duplicateKeys.store(duplicateYAMLKeys.rawValue, ordering: .relaxed)
        Combine.mergeHashes.store(mergeHashes, ordering: .relaxed)
        TemplateAction.managedFormat.withLock { $0 = value(env: "ANSIBLE_MANAGED_STR", key: "ansible_managed") ?? "Ansible managed" }
        let enabled = value(env: "ANSIBLE_INVENTORY_ENABLED", section: "inventory", key: "enable_plugins") ?? ""
        // HOST_PATTERN_MISMATCH: a pattern term that matches nothing warns (the default), fails or is ignored.
        switch value(env: "ANSIBLE_HOST_PATTERN_MISMATCH", section: "inventory", key: "host_pattern_mismatch")?.lowercased() {
        case "ignore": Inventory.unmatchedPattern = nil
        case "error": Inventory.unmatchedPattern = { throw AnsibleError("Could not match supplied host pattern, ignoring: \($0)") }
        default: Inventory.unmatchedPattern = { Output.warning("Could not match supplied host pattern, ignoring: \($0)") }
        }
        let untrusted = Files.environment("_ANSIBLE_TEMPLAR_UNTRUSTED_TEMPLATE_BEHAVIOR")?.lowercased()
        Templar.untrustedBehavior.store(untrusted == "warning" ? 1 : untrusted == "error" ? 2 : 0, ordering: .relaxed)
        InventoryData.invalidGroupChars = value(env: "ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS", key: "force_valid_group_names")
            .flatMap { InventoryData.InvalidGroupChars(rawValue: $0.lowercased()) } ?? .never
        if let exts = option(envs: ["ANSIBLE_INVENTORY_IGNORE"], ini: [("defaults", "inventory_ignore_extensions"), ("inventory", "ignore_extensions")]) {
            Inventory.ignoredExtensions = Settings.list(exts)
        }
        if let patterns = option(envs: ["ANSIBLE_INVENTORY_IGNORE_REGEX"], ini: [("defaults", "inventory_ignore_patterns"), ("inventory", "ignore_patterns")]) {
            Inventory.ignoredPatterns = try Settings.list(patterns).map { p in
                do { return try Regex(p) } catch { throw AnsibleError("Invalid inventory_ignore_patterns entry '\(p)': \(error)") }
            }
        }
        let cache = FactCache(self)
        Inventory.configPlugins = ["constructed": { try Constructed.parse($0, $1, $2, cache: cache) }, "generator": Generator.parse]
        Inventory.hostGroupVarsStage = option(envs: ["ANSIBLE_VARS_PLUGIN_STAGE"], ini: [("vars_host_group_vars", "stage")])
        Inventory.runVarsPlugins = value(env: "ANSIBLE_RUN_VARS_PLUGINS", key: "run_vars_plugins") ?? "demand"
        if !enabled.isEmpty { Inventory.enabledPlugins = enabled.split(separator: ",").map { Inventory.shortName(String($0)) } }
        ScriptSource.alwaysShowStderr = value(env: "ANSIBLE_INVENTORY_PLUGIN_SCRIPT_STDERR", section: "inventory_plugin_script",
                                              key: "always_show_stderr").map(Settings.truthy) ?? true
    }

    /// LOCALHOST_WARNING: whether a run with no inventory hosts says only localhost is there.
    public var localhostWarning: Bool { value(env: "ANSIBLE_LOCALHOST_WARNING", key: "localhost_warning").map(Settings.truthy) ?? true }

    /// DEFAULT_HASH_BEHAVIOUR: `merge` combines dict variables across levels instead of replacing.
    public var mergeHashes: Bool {
        value(env: "ANSIBLE_HASH_BEHAVIOUR", key: "hash_behaviour")?.lowercased() == "merge"
    }
    public var duplicateYAMLKeys: DuplicateKeys {
        switch value(env: "ANSIBLE_DUPLICATE_YAML_DICT_KEY", key: "duplicate_dict_key")?.lowercased() {
        case "error": return .error
        case "ignore": return .ignore
        default: return .warn
        }
    }
    public var allowBrokenConditionals: Bool {
        value(env: "ANSIBLE_ALLOW_BROKEN_CONDITIONALS", key: "allow_broken_conditionals").map(Settings.truthy) ?? false
    }
    /// The task debugger on failed and unreachable results, where no `debugger` keyword says otherwise.
    public var enableTaskDebugger: Bool {
        value(env: "ANSIBLE_ENABLE_TASK_DEBUGGER", key: "enable_task_debugger").map(Settings.truthy) ?? false
    }
    /// Whether an ignored failure leaves the debugger out.
    public var taskDebuggerIgnoresErrors: Bool {
        value(env: "ANSIBLE_TASK_DEBUGGER_IGNORE_ERRORS", key: "task_debugger_ignore_errors").map(Settings.truthy) ?? true
    }
    public var deprecationWarnings: Bool {
        value(env: "ANSIBLE_DEPRECATION_WARNINGS", key: "deprecation_warnings").map(Settings.truthy) ?? true
    }
    public var privateRoleVars: Bool { value(env: "ANSIBLE_PRIVATE_ROLE_VARS", key: "private_role_vars").map(Settings.truthy) ?? false }
    public var displayOkHosts: Bool { value(env: "ANSIBLE_DISPLAY_OK_HOSTS", key: "display_ok_hosts").map(Settings.truthy) ?? true }
    public var becomeMethod: String { value(env: "ANSIBLE_BECOME_METHOD", section: "privilege_escalation", key: "become_method") ?? "sudo" }
    public var become: Bool { value(env: "ANSIBLE_BECOME", section: "privilege_escalation", key: "become").map(Settings.truthy) ?? false }
    /// The become plugin's user (`root` by default).
    func becomeUser(_ method: String) -> String { becomeOption(method, "USER", ini: "become_user", pluginKey: "user") ?? "root" }
    /// The password typed at -K, or ANSIBLE_BECOME_PASSWORD_FILE's contents.
    public var becomePassword: String? { passwordFile("ANSIBLE_BECOME_PASSWORD_FILE", "become_password_file") ?? askedBecomePassword }
    public var askedBecomePassword: String?
    /// The password typed at -k, or CONNECTION_PASSWORD_FILE's contents: a connection password
    /// for hosts that set none.
    public var connectionPassword: String? { passwordFile("ANSIBLE_CONNECTION_PASSWORD_FILE", "connection_password_file") ?? askedConnectionPassword }

    /// The first line of a password file the configuration names.
    private func passwordFile(_ env: String, _ key: String) -> String? {
        guard let f = value(env: env, key: key), let text = try? Files.read(Files.expandUser(f)) else { return nil }
        return String(text.split(separator: "\n").first ?? "")
    }
    public var askedConnectionPassword: String?
    func becomeFlags(_ method: String) -> String? { becomeOption(method, "FLAGS", ini: "become_flags", pluginKey: "flags") }
    func becomeExe(_ method: String) -> String? { becomeOption(method, "EXE", ini: "become_exe", pluginKey: "executable") }
    /// A become password the configuration gives the plugin: -K or become_password_file, else
    /// ANSIBLE_BECOME_PASS / ANSIBLE_SUDO_PASS / [sudo_become_plugin] password (and su's, doas').
    func becomePassword(_ method: String) -> String? { becomePassword ?? becomeOption(method, "PASS", ini: nil, pluginKey: "password") }

    /// A become plugin's option: ANSIBLE_BECOME_X, ANSIBLE_<METHOD>_X, `[privilege_escalation]`,
    /// `[<method>_become_plugin]`, read as `option` reads them.
    private func becomeOption(_ method: String, _ suffix: String, ini: String?, pluginKey: String) -> String? {
        option(envs: ["ANSIBLE_BECOME_\(suffix)", "ANSIBLE_\(method.uppercased())_\(suffix)"],
               ini: (ini.map { [("privilege_escalation", $0)] } ?? []) + [("\(method)_become_plugin", pluginKey)])
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }

    /// Python's str.strip(): whitespace off both ends ("\r\n" included, one Character in Swift).
    func strip() -> String {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
