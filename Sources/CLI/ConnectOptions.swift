// The connection and privilege escalation flags of ansible and ansible-playbook (Ansible's
// add_connect_options / add_become_options). They set the configuration's defaults, so inventory
// variables and play keywords still win over them, as in Ansible.
import ArgumentParser
import Engine

public struct ConnectOptions: ParsableArguments {
    @Option(name: [.short, .customLong("user")], help: "Connect as this user.") public var user: String?
    @Option(name: [.customShort("c"), .customLong("connection")], help: "Connection type to use.") public var connection: String?
    @Option(name: [.customShort("T"), .customLong("timeout")], help: "Override the connection timeout in seconds.") public var timeout: Int?
    @Option(name: [.customLong("private-key"), .customLong("key-file")], help: "Use this file to authenticate the connection.")
    public var privateKey: String?
    @Flag(name: [.short, .customLong("become")], help: "Run operations with become.") public var become = false
    @Option(name: .customLong("become-user"), help: "Run operations as this user.") public var becomeUser: String?
    @Option(name: .customLong("become-method"), help: "Privilege escalation method to use.") public var becomeMethod: String?
    @Flag(name: [.customShort("K"), .customLong("ask-become-pass")], help: "Ask for the privilege escalation password.")
    public var askBecomePass = false
    @Flag(name: [.customShort("k"), .customLong("ask-pass")], help: "Ask for the connection password.") public var askPass = false
    @Option(name: .customLong("connection-password-file"), help: "Connection password file.") public var connectionPasswordFile: String?
    @Option(name: .customLong("become-password-file"), help: "Become password file.") public var becomePasswordFile: String?
    @Option(name: .customLong("ssh-common-args"), help: "Arguments for ssh (e.g. ProxyCommand), as ssh_common_args.") public var sshCommonArgs: String?
    @Option(name: .customLong("ssh-extra-args"), help: "Arguments for ssh only, as ssh_extra_args.") public var sshExtraArgs: String?
    @Option(name: .customLong("sftp-extra-args"), help: "Accepted; swansible moves files over its agent, not sftp.") public var sftpExtraArgs: String?
    @Option(name: .customLong("scp-extra-args"), help: "Accepted; swansible moves files over its agent, not scp.") public var scpExtraArgs: String?
    @Option(name: [.customShort("M"), .customLong("module-path")], help: "Prepend these paths to the module library path.")
    public var modulePath: [String] = []

    public init() {}

    public func apply(to settings: inout Settings) {
        if let user { settings.overrides["ANSIBLE_REMOTE_USER"] = user }
        if let connection { settings.overrides["ANSIBLE_TRANSPORT"] = connection }
        if let timeout { settings.overrides["ANSIBLE_TIMEOUT"] = String(timeout) }
        if let privateKey { settings.overrides["ANSIBLE_PRIVATE_KEY_FILE"] = privateKey }
        if become { settings.overrides["ANSIBLE_BECOME"] = "true" }
        if let becomeUser { settings.overrides["ANSIBLE_BECOME_USER"] = becomeUser }
        if let becomeMethod { settings.overrides["ANSIBLE_BECOME_METHOD"] = becomeMethod }
        if let connectionPasswordFile { settings.overrides["ANSIBLE_CONNECTION_PASSWORD_FILE"] = connectionPasswordFile }
        if let becomePasswordFile { settings.overrides["ANSIBLE_BECOME_PASSWORD_FILE"] = becomePasswordFile }
        if let sshCommonArgs { settings.overrides["ANSIBLE_SSH_COMMON_ARGS"] = sshCommonArgs }
        if let sshExtraArgs { settings.overrides["ANSIBLE_SSH_EXTRA_ARGS"] = sshExtraArgs }
        if !modulePath.isEmpty {
            let configured = settings.value(env: "ANSIBLE_LIBRARY", key: "library").map { [$0] } ?? []
            settings.overrides["ANSIBLE_LIBRARY"] = (modulePath + configured).joined(separator: ":")
        }
    }

    /// -k and -K (or ask_pass / become_ask_pass in the configuration, their defaults): asked
    /// once, before anything runs (the become password defaults to the SSH one).
    public func askPassword(into settings: inout Settings) {
        let askPass = self.askPass || settings.value(env: "ANSIBLE_ASK_PASS", key: "ask_pass").map(Settings.truthy) == true
        let askBecomePass = self.askBecomePass
            || settings.value(env: "ANSIBLE_BECOME_ASK_PASS", section: "privilege_escalation", key: "become_ask_pass").map(Settings.truthy) == true
        if askPass { settings.askedConnectionPassword = Prompt.password("SSH password: ") }
        guard askBecomePass else { return }
        // AGNOSTIC_BECOME_PROMPT off: the prompt names the method ("SUDO password: ").
        let agnostic = settings.value(env: "ANSIBLE_AGNOSTIC_BECOME_PROMPT", section: "privilege_escalation", key: "agnostic_become_prompt")
            .map(Settings.truthy) ?? true
        let method = agnostic ? "BECOME" : settings.becomeMethod.uppercased()
        let typed = Prompt.password(askPass ? "\(method) password[defaults to SSH password]: " : "\(method) password: ")
        settings.askedBecomePassword = typed.isEmpty && askPass ? settings.askedConnectionPassword : typed
    }
}
