// The vault options every command takes, as Ansible's add_vault_options defines them.
import ArgumentParser
import Engine

public struct VaultOptions: ParsableArguments {
    @Option(name: .customLong("vault-id"), help: "The vault identity to use ([label@]source, repeatable).")
    public var vaultIDs: [String] = []
    @Option(name: [.customLong("vault-password-file"), .customLong("vault-pass-file")], help: "Vault password file (repeatable).")
    public var passwordFiles: [String] = []
    @Flag(name: [.customShort("J"), .customLong("ask-vault-password"), .customLong("ask-vault-pass")], help: "Ask for the vault password.")
    public var ask = false

    public init() {}

    /// Loads the secrets into the run's keyring; a failure is printed and exits 1, as Ansible's does.
    public func load(_ settings: Settings, autoPrompt: Bool = false, newPassword: Bool = false) throws {
        do {
            _ = try VaultSetup.load(settings, vaultIDs: vaultIDs, passwordFiles: passwordFiles, ask: ask,
                                    autoPrompt: autoPrompt, newPassword: newPassword)
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
    }
}
