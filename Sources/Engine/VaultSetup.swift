// The vault options of ansible.cfg and the environment, and the step every command takes before it
// reads a file: gather the secrets (Ansible's setup_vault_secrets) into the run's keyring.
import Values
import Vault

extension Settings {
    public var vaultIdentityList: [String] {
        (value(env: "ANSIBLE_VAULT_IDENTITY_LIST", key: "vault_identity_list") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
    }
    public var vaultPasswordFile: String? { value(env: "ANSIBLE_VAULT_PASSWORD_FILE", key: "vault_password_file") }
    public var vaultIdentity: String { value(env: "ANSIBLE_VAULT_IDENTITY", key: "vault_identity") ?? "default" }
    public var vaultIDMatch: Bool { value(env: "ANSIBLE_VAULT_ID_MATCH", key: "vault_id_match").map(Settings.truthy) ?? false }
    public var askVaultPass: Bool { value(env: "ANSIBLE_ASK_VAULT_PASS", key: "ask_vault_pass").map(Settings.truthy) ?? false }
    public var vaultEncryptIdentity: String? { value(env: "ANSIBLE_VAULT_ENCRYPT_IDENTITY", key: "vault_encrypt_identity") }
    public var vaultEncryptSalt: String? { value(env: "ANSIBLE_VAULT_ENCRYPT_SALT", key: "vault_encrypt_salt") }
}

public enum VaultSetup {
    /// Loads the secrets the command line and config name into `Vault.shared`; a source that
    /// fails is a warning while another one works, else the error.
    public static func load(_ settings: Settings, vaultIDs: [String], passwordFiles: [String], ask: Bool,
                            autoPrompt: Bool = false, newPassword: Bool = false) throws -> [VaultSecret] {
        var r = SecretRequest()
        r.vaultIDs = settings.vaultIdentityList + vaultIDs
        r.passwordFiles = passwordFiles + (settings.vaultPasswordFile.map { [$0] } ?? [])
        r.askVaultPass = ask || settings.askVaultPass
        r.autoPrompt = autoPrompt
        r.newPassword = newPassword
        r.defaultIdentity = settings.vaultIdentity
        let secrets = try Secrets.load(r, prompt: { question in
            Output.write(question, logged: false)
            return Prompt.read(hidden: true)
        }, warn: { Output.warning($0) })
        Vault.shared.set(secrets: secrets, idMatch: settings.vaultIDMatch)
        return secrets
    }
}
