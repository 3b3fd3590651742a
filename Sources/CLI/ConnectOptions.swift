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

    public init() {}

    public func apply(to settings: inout Settings) {
        if let user { settings.overrides["ANSIBLE_REMOTE_USER"] = user }
        if let connection { settings.overrides["ANSIBLE_TRANSPORT"] = connection }
        if let timeout { settings.overrides["ANSIBLE_TIMEOUT"] = String(timeout) }
        if let privateKey { settings.overrides["ANSIBLE_PRIVATE_KEY_FILE"] = privateKey }
        if become { settings.overrides["ANSIBLE_BECOME"] = "true" }
        if let becomeUser { settings.overrides["ANSIBLE_BECOME_USER"] = becomeUser }
        if let becomeMethod { settings.overrides["ANSIBLE_BECOME_METHOD"] = becomeMethod }
    }

    /// -K: asked once, before anything runs.
    public func askPassword(into settings: inout Settings) {
        guard askBecomePass else { return }
        Output.write("BECOME password: ")
        settings.askedBecomePassword = Prompt.read(hidden: true)
    }
}
