// The seam between Ansible's names and the connection layer's: the connection variables of a
// host (and the play's keywords) become the Hop that reaches its agent.
import Inventory
import Jinja
import Remote
import Values

struct ConnectionConfig {
    var connection: String
    var host: String
    var port: Int?
    var user: String?
    var password: String?
    var privateKeyFile: String?
    /// 2.19's private_key (the key's text) and its passphrase: put in the run's ssh-agent.
    var privateKey: String?
    var privateKeyPassphrase: String?
    var hostKeyChecking: Bool
    var timeout: Int
    var interpreter: String?
    var configFile: String?
    var sshOptions_: [String: String] = [:]
    /// Set when the task runs as another user (a child agent of the login agent).
    var become: BecomeOptions?
    /// The inventory host the connection is for.
    var inventoryName: String?
    /// For container connections: the command that reaches the target.
    var containerArgv: [String]?
    /// swansible_via / mitogen_via: `host` or `user@host`, the inventory host to go through.
    var via: String?
    var sshExecutable: String?
    var retries = 0

    /// Applies the OpenSSH command-line options users put in ssh_args / ansible_ssh_common_args /
    /// ansible_ssh_extra_args: -F, -o, -i, -p, -l, -J. Ansible puts them before the host on ssh's
    /// command line, so a word that is not an option is where ssh connects to, as with OpenSSH.
    mutating func applySSHArgs(_ text: String) throws {
        var words = try Shlex.split(text)[...]
        while let w = words.popFirst() {
            func arg(_ flag: String) -> String? {
                if w.count > 2 { return String(w.dropFirst(2)) }
                return words.popFirst()
            }
            guard w.hasPrefix("-"), w.count > 1 else {
                host = w
                return
            }
            switch String(w.prefix(2)) {
            case "-F": configFile = arg("-F").map(Files.expandUser)
            case "-i": if let k = arg("-i") { privateKeyFile = Files.expandUser(k) }
            case "-p": if let p = arg("-p") { port = Int(p) }
            case "-l": if let u = arg("-l") { user = u }
            case "-J": if let j = arg("-J") { sshOptions_["proxyjump"] = j }
            case "-o":
                guard let o = arg("-o") else { continue }
                let parts = o.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == " " })
                guard parts.count == 2 else { continue }
                let key = parts[0].lowercased(), value = String(parts[1]).trimmingCharacters(in: " ")
                if key == "stricthostkeychecking" {
                    hostKeyChecking = !["no", "off", "false", "accept-new"].contains(value.lowercased())
                } else {
                    sshOptions_[key] = value
                }
            default:
                // ssh's other options that take a value: the value is not the destination.
                if w.count == 2, "BbcDEeIiLmOQRSWw".contains(w.last!) { _ = words.popFirst() }
            }
        }
    }

    /// The connection's variables as Ansible's PlayContext.update_vars adds them to every task's
    /// vars where the host has none of its own (`ansible_host` is the inventory name, …).
    static func addMagicVariables(_ scope: VarScope, address: String, connection: Value?, remoteUser: Value?, defaults d: ConnectionDefaults) {
        func given(_ names: String...) -> Value? { names.lazy.compactMap { scope.raw[$0] }.first }
        func add(_ names: [String], _ value: Value?) {
            guard let value else { return }
            for n in names where scope.raw[n] == nil {
                scope.raw[n] = value
                scope.connectionMagic.insert(n)
            }
        }
        add(["ansible_connection"], connection ?? d.transport)
        add(["ansible_module_compression"], "ZIP_DEFLATED")
        add(["ansible_shell_executable"], d.shellExecutable)
        add(["ansible_ssh_host", "ansible_host"], given("ansible_host", "ansible_ssh_host") ?? .string(address))
        add(["ansible_ssh_user", "ansible_user"], given("ansible_user", "ansible_ssh_user") ?? remoteUser ?? d.magicRemoteUser)
        add(["ansible_ssh_port", "ansible_port"], given("ansible_port", "ansible_ssh_port") ?? d.magicPort)
        let ssh = ["ssh", "smart"].contains((given("ansible_connection") ?? connection ?? d.transport).pythonStr)
        add(["ansible_ssh_pipelining", "ansible_pipelining"], given("ansible_pipelining", "ansible_ssh_pipelining") ?? (ssh ? d.sshPipelining : d.pipelining))
        add(["ansible_ssh_timeout", "ansible_timeout"], given("ansible_timeout", "ansible_ssh_timeout") ?? d.magicTimeout)
        add(["ansible_ssh_private_key_file", "ansible_private_key_file"],
            given("ansible_ssh_private_key_file", "ansible_private_key_file") ?? d.magicPrivateKeyFile)
        add(["ansible_ssh_pass", "ansible_password"], given("ansible_password", "ansible_ssh_pass") ?? d.magicPassword)
    }

    /// su's prompt_l10n (ansible_su_prompt_l10n, ANSIBLE_SU_PROMPT_L10N, [su_become_plugin]
    /// localized_prompts), else the ones it knows.
    static func suPrompts(_ scope: VarScope, _ d: ConnectionDefaults) throws -> [String] {
        if let v = try scope.lookup("ansible_su_prompt_l10n") {
            return v.listValue?.map(\.pythonStr) ?? v.pythonStr.split(separator: ",").map { String($0) }
        }
        return d.suPrompts ?? suLocalizations
    }

    static let suLocalizations = [
        "Password", "암호", "パスワード", "Adgangskode", "Contraseña", "Contrasenya", "Hasło", "Heslo", "Jelszó", "Lösenord",
        "Mật khẩu", "Mot de passe", "Parola", "Parool", "Pasahitza", "Passord", "Passwort", "Salasana", "Sandi", "Senha",
        "Wachtwoord", "ססמה", "Лозинка", "Парола", "Пароль", "गुप्तशब्द", "शब्दकूट", "సంకేతపదము", "හස්පදය", "密码", "密碼", "口令",
    ]

    static func first(_ scope: VarScope, _ names: [String]) throws -> Value? {
        for n in names { if let v = try scope.lookup(n), !v.isNone { return try revealed(v) } }
        return nil
    }

    /// A `!vault` value decrypted (a vaulted ansible_become_password or ansible_password is the
    /// usual way to keep one): the variable lookup leaves it for an expression to reveal.
    static func revealed(_ v: Value) throws -> Value {
        guard case .vault(let text) = v else { return v }
        do { return .string(try Templar.decrypt(text)) } catch let e as TemplateError { throw AnsibleError(e.message) }
    }

    /// The become plugins swansible's agents start themselves (by short name); any other a
    /// become_method names is a Python plugin (community.general's dzdo, pbrun, machinectl…, or
    /// one in become_plugins/), which builds its own command in the helper.
    static let becomeMethods: Set<String> = ["sudo", "su", "doas"]

    /// A become_method as the plugin loader resolves it: the short name of one swansible starts
    /// itself, or (nil) a Python plugin the loader has; else Ansible's error.
    static func becomeMethod(_ name: String) throws -> String? {
        var short = name
        for prefix in ["ansible.builtin.", "ansible.legacy.", "community.general."] where name.hasPrefix(prefix) {
            short = String(name.dropFirst(prefix.count))
        }
        if becomeMethods.contains(short), !PythonPlugins.shared.shadowsBecome(name) { return short }
        if PythonPlugins.shared.hasPlugin("become", name) { return nil }
        throw AnsibleError("Invalid become method specified, could not find matching plugin: '\(name)'. Use `ansible-doc -t become -l` to list available plugins.")
    }

    /// A Python become plugin's options, as TaskExecutor hands them: the task's become keywords
    /// (and -K's password), the host's become variables (`ansible_become_*`, `ansible_<name>_*`),
    /// which the plugin reads by its own documentation. The user is worked out here only to key
    /// the agent (ansible_become_user, the keyword, root).
    static func pluginBecome(_ name: String, scope: VarScope, keywords: [String: Value], defaults d: ConnectionDefaults,
                             timeout: Int) throws -> BecomeOptions {
        var taskKeys: [String: String] = [:]
        for k in ["become_user", "become_exe", "become_flags"] { if let v = keywords[k], !v.isNone { taskKeys[k] = v.pythonStr } }
        if let p = d.askedBecomePassword { taskKeys["become_pass"] = p }
        let short = String(name.split(separator: ".").last ?? Substring(name))
        var variables: [String: Value] = [:]
        for name in scope.raw.keys where name.hasPrefix("ansible_become_") || name.hasPrefix("ansible_\(short)_") {
            if let v = try scope.lookup(name), !v.isNone { variables[name] = try revealed(v) }
        }
        let user = try first(scope, ["ansible_become_user", "ansible_\(short)_user"])?.pythonStr ?? taskKeys["become_user"] ?? "root"
        let executable = try first(scope, ["ansible_shell_executable"])?.pythonStr ?? d.shellExecutable.pythonStr
        var b = BecomeOptions(method: name, user: user, password: nil, flags: taskKeys["become_flags"], exe: taskKeys["become_exe"], timeout: timeout)
        b.plugin = PluginBecome(taskKeys: taskKeys, variables: variables, executable: executable)
        return b
    }

    static func build(host: String, scope: VarScope, keywords: [String: Value], defaults d: ConnectionDefaults) throws -> ConnectionConfig {
        let connection = try first(scope, ["ansible_connection"])?.pythonStr ?? keywords["connection"]?.pythonStr ?? d.connection
        let user = try first(scope, ["ansible_user", "ansible_ssh_user"])?.pythonStr ?? keywords["remote_user"]?.pythonStr ?? d.remoteUser
        var interpreter = try first(scope, ["ansible_python_interpreter"])?.pythonStr ?? d.interpreter
        if let i = interpreter, i.hasPrefix("auto") { interpreter = nil }
        let checking = try first(scope, ["ansible_host_key_checking", "ansible_ssh_host_key_checking"]).map {
            $0.isBool ? $0.truthy : Settings.truthy($0.pythonStr)
        } ?? d.hostKeyChecking
        var config = ConnectionConfig(
            connection: connection,
            host: try first(scope, ["ansible_host", "ansible_ssh_host"])?.pythonStr ?? host,
            port: try first(scope, ["ansible_port", "ansible_ssh_port"]).flatMap { $0.intValue ?? Int($0.pythonStr) } ?? d.port,
            user: user,
            password: try first(scope, ["ansible_password", "ansible_ssh_pass", "ansible_ssh_password"])?.pythonStr ?? d.password,
            privateKeyFile: (try first(scope, ["ansible_ssh_private_key_file", "ansible_private_key_file"])?.pythonStr ?? d.privateKeyFile).map(Files.expandUser),
            hostKeyChecking: checking,
            timeout: try first(scope, ["ansible_ssh_timeout", "ansible_timeout"])?.intValue ?? d.sshTimeout,
            interpreter: interpreter)
        config.inventoryName = host
        config.privateKey = try first(scope, ["ansible_private_key", "ansible_ssh_private_key"])?.pythonStr ?? d.privateKey
        config.privateKeyPassphrase = try first(scope, ["ansible_private_key_passphrase", "ansible_ssh_private_key_passphrase"])?.pythonStr
            ?? d.privateKeyPassphrase
        config.via = try first(scope, ["swansible_via", "mitogen_via"])?.pythonStr
        if let kind = ContainerConnections.kinds[connection] {
            config.containerArgv = try ContainerConnections.argv(kind: kind, target: config.host, user: config.user, scope: scope)
        }
        config.sshExecutable = try first(scope, ["ansible_ssh_executable"])?.pythonStr ?? d.sshExecutable
        config.retries = try first(scope, ["ansible_ssh_retries"]).flatMap { $0.intValue ?? Settings.integer($0.pythonStr) } ?? d.sshRetries
        // Become: keywords (task over play), then ansible_become_* variables, which win over them.
        let becomeOn = try first(scope, ["ansible_become"]).map { AnsibleFilters.boolean($0).truthy }
            ?? keywords["become"].map { AnsibleFilters.boolean($0).truthy } ?? d.become
        if becomeOn {
            let name = try first(scope, ["ansible_become_method"])?.pythonStr ?? keywords["become_method"]?.pythonStr ?? d.becomeMethod
            // Over ssh Ansible waits for the become prompt 2 s longer than the connection timeout.
            let timeout = config.timeout + (sshConnections.contains(connection) ? 2 : 0)
            if let method = try becomeMethod(name) {
                let configured = d.becomeOptions[method]!
                let user = try first(scope, ["ansible_become_user", "ansible_\(method)_user"])?.pythonStr
                    ?? keywords["become_user"]?.pythonStr ?? configured.user
                let password = try first(scope, ["ansible_become_password", "ansible_become_pass", "ansible_\(method)_password", "ansible_\(method)_pass"])?.pythonStr
                    ?? configured.password
                let flags = try first(scope, ["ansible_become_flags", "ansible_\(method)_flags"])?.pythonStr ?? keywords["become_flags"]?.pythonStr
                    ?? configured.flags
                let exe = try first(scope, ["ansible_become_exe", "ansible_\(method)_exe"])?.pythonStr ?? keywords["become_exe"]?.pythonStr ?? configured.exe
                config.become = BecomeOptions(method: method, user: user, password: password, flags: flags, exe: exe, timeout: timeout,
                                              prompts: method == "su" ? try suPrompts(scope, d) : [])
            } else {
                config.become = try pluginBecome(name, scope: scope, keywords: keywords, defaults: d, timeout: timeout)
            }
            // BECOME_ALLOW_SAME_USER off (the default): no become to the user the connection
            // already is (the ssh plugin's remote_user, or who runs a local connection).
            let loginUser = ["local", "ansible.builtin.local"].contains(connection) ? Output.user
                : sshConnections.contains(connection) ? config.user : nil
            if loginUser == config.become?.user, !d.becomeAllowSameUser { config.become = nil }
        }
        // ssh_args, ssh_common_args, ssh_extra_args: the host's variables, else the configuration
        // (and --ssh-common-args / --ssh-extra-args).
        var sshArgs = ""
        for (name, configured) in [("ansible_ssh_args", d.sshArgs), ("ansible_ssh_common_args", d.sshCommonArgs),
                                   ("ansible_ssh_extra_args", d.sshExtraArgs)] {
            if let v = try scope.lookup(name), !v.isNone {
                sshArgs += v.pythonStr + " "
            } else if let configured {
                sshArgs += configured + " "
            }
        }
        if !sshArgs.isEmpty, sshConnections.contains(connection) { try config.applySSHArgs(sshArgs) }
        return config
    }

    /// The hops from the controller to the agent that runs the task: the via chain (each host
    /// reached from the agent before it), the login, then become.
    func stack(resolve: (String) throws -> ConnectionConfig, depth: Int = 0) throws -> [Hop] {
        try loginStack(resolve: resolve, depth: depth) + (become.map { [Hop.become($0)] } ?? [])
    }

    func loginStack(resolve: (String) throws -> ConnectionConfig, depth: Int) throws -> [Hop] {
        guard let via else { return [try hop] }
        guard depth < 10 else { throw AnsibleError("swansible_via chain is too long (a loop?) at '\(via)'") }
        var name = via
        var user: String? = nil
        if let at = via.firstIndex(of: "@") {
            user = String(via[..<at])
            name = String(via[via.index(after: at)...])
        }
        var next = try resolve(name)
        if let user { next.user = user }
        // The host before runs OpenSSH's client itself; a key given as text stays on the controller.
        if privateKey?.isEmpty == false {
            throw Unreachable(message: "Failed to authenticate: Failed to add configured private key into ssh-agent: a private_key is not supported for a host reached through '\(via)' (give it a private_key_file there)")
        }
        return try next.loginStack(resolve: resolve, depth: depth + 1) + [.sshFromAgent(sshOptions, interpreter: interpreter)]
    }

    var sshOptions: SSHOptions {
        var o = SSHOptions(host: host, port: port, user: user, password: password, privateKeyFile: privateKeyFile,
                           hostKeyChecking: hostKeyChecking, timeout: timeout)
        o.inventoryName = inventoryName
        o.configFile = configFile
        o.options = sshOptions_
        o.executable = sshExecutable
        o.retries = retries
        return o
    }

    /// The connection types that reach the host over SSH (paramiko's too: libssh does its part).
    static let sshConnections: Set<String> = ["ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.ssh"]

    var hop: Hop {
        get throws {
            if let argv = containerArgv, let kind = ContainerConnections.kinds[connection] {
                return .command(kind: kind, argv: argv, interpreter: interpreter)
            }
            switch connection {
            case "local", "ansible.builtin.local": return .local(interpreter: interpreter, name: inventoryName)
            case let c where ConnectionConfig.sshConnections.contains(c):
                var o = sshOptions
                if let key = privateKey, !key.isEmpty {
                    o.privateKey = try SSHAgent.populate(key: key, passphrase: privateKeyPassphrase, address: host)
                }
                return .ssh(o, interpreter: interpreter)
            default:
                throw AnsibleError("the connection plugin '\(connection)' was not found")
            }
        }
    }
}

extension Value {
    var isBool: Bool { if case .bool = self { return true }; return false }
}
