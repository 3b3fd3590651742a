// Where vault passwords come from, as Ansible's CLI gathers them: `--vault-id [label@]source`
// (configured vault_identity_list first), `--vault-password-file` and vault_password_file as
// `default@file`, and a prompt for `--ask-vault-pass`. A source is a prompt, a file, an executable
// printing the password, or a `*-client` script asked with `--vault-id label`.
import CShim
import Values
#if canImport(Glibc)
import Glibc
#endif

public struct SecretRequest: Sendable {
    public var vaultIDs: [String] = []
    public var passwordFiles: [String] = []
    public var askVaultPass = false
    /// ansible-vault prompts when nothing else was given; ansible-playbook does not.
    public var autoPrompt = false
    /// ansible-vault's encrypt/create ask for a new password, twice.
    public var newPassword = false
    public var defaultIdentity = "default"
    public init() {}
}

public enum Secrets {
    /// The secrets in the order given; problems with some sources are warnings as long as one
    /// source gave a secret, else the last problem is the error.
    public static func load(_ r: SecretRequest, prompt: (String) -> String, warn: (String) -> Void) throws -> [VaultSecret] {
        var slugs = r.vaultIDs + r.passwordFiles.map { "\(r.defaultIdentity)@\($0)" }
        if r.askVaultPass || (slugs.isEmpty && r.autoPrompt) { slugs.append("\(r.defaultIdentity)@prompt_ask_vault_pass") }
        var secrets: [VaultSecret] = []
        var lastError: VaultError?
        for slug in slugs {
            let (name, source): (String?, String) = slug.contains("@")
                ? (String(slug.prefix { $0 != "@" }), String(slug.drop { $0 != "@" }.dropFirst())) : (nil, slug)
            let id = name ?? r.defaultIdentity
            if source == "prompt" || source == "prompt_ask_vault_pass" {
                let formats = source == "prompt"
                    ? (r.newPassword ? ["New vault password (\(id)): ", "Confirm new vault password (\(id)): "] : ["Vault password (\(id)): "])
                    : (r.newPassword ? ["New Vault password: ", "Confirm New Vault password: "] : ["Vault password: "])
                let answers = formats.map { prompt($0) }
                guard let first = answers.first, !first.isEmpty else {
                    warn("Error in vault password prompt (\(name ?? "None")): Invalid vault password was provided from prompt")
                    throw VaultError("Invalid vault password was provided from prompt")
                }
                if answers.contains(where: { $0 != first }) { throw VaultError("Passwords do not match") }
                secrets.append(VaultSecret(id: id, bytes: Array(first.utf8)))
                continue
            }
            let path = Files.absolute(Files.expandUser(source))
            let missing = !Files.exists(path) ? "The vault password file \(path) was not found"
                : Files.isDirectory(path) ? "The vault password file provided '\(path)' can not be a directory" : nil
            if let missing {
                warn("Error getting vault password file (\(name ?? "None")): \(missing)")
                lastError = VaultError(missing)
                continue
            }
            do {
                secrets.append(VaultSecret(id: id, bytes: try fromFile(path, vaultID: name, known: secrets)))
            } catch let e as VaultError {
                warn("Error in vault password file loading (\(name ?? "None")): \(e.message)")
                lastError = e
            }
        }
        if let lastError, secrets.isEmpty { throw lastError }
        return secrets
    }

    static func fromFile(_ path: String, vaultID: String?, known: [VaultSecret]) throws -> [UInt8] {
        let password: [UInt8]
        if access(path, X_OK) == 0 {
            // A script: its stdout is the password; `*-client` scripts are told the vault id.
            let base = Files.basename(path)
            let client = (base.lastIndex(of: ".").map { String(base[..<$0]) } ?? base).hasSuffix("-client")
            var argv = [path]
            if client, let vaultID { argv += ["--vault-id", vaultID] }
            let (rc, out, err) = try run(argv, captureStderr: client)
            if client, rc == 2 {
                throw VaultError("Vault password client script \(path) did not find a secret for vault-id=\(vaultID ?? "None"): \(pyBytes(err))")
            }
            if rc != 0 {
                throw VaultError(client
                    ? "Vault password client script \(path) returned non-zero (\(rc)) when getting secret for vault-id=\(vaultID ?? "None"): \(pyBytes(err))"
                    : "Vault password script \(path) returned non-zero (\(rc)): None")
            }
            password = trim(out, newlinesOnly: true)
            guard !password.isEmpty else { throw VaultError("Invalid vault password was provided from script (\(path))") }
        } else {
            var bytes = trim(try Files.readBytes(path), newlinesOnly: false)
            // A password file may itself be vaulted with a secret given before it.
            if Envelope.isEncrypted(bytes) {
                bytes = try Vault(secrets: known).decrypt(String(decoding: bytes, as: UTF8.self))
            }
            password = trim(bytes, newlinesOnly: true)
            guard !password.isEmpty else { throw VaultError("Invalid vault password was provided from file (\(path))") }
        }
        return password
    }

    /// Python's bytes.strip() (ASCII whitespace) or strip(b'\r\n').
    static func trim(_ b: [UInt8], newlinesOnly: Bool) -> [UInt8] {
        let ws: Set<UInt8> = newlinesOnly ? [10, 13] : [9, 10, 11, 12, 13, 32]
        guard let s = b.firstIndex(where: { !ws.contains($0) }), let e = b.lastIndex(where: { !ws.contains($0) }) else { return [] }
        return Array(b[s...e])
    }

    static func pyBytes(_ b: [UInt8]) -> String { "b'" + String(decoding: b, as: UTF8.self).replacingNewlines + "'" }

    /// Runs a password script; its stderr reaches the terminal unless captured, so it can prompt.
    static func run(_ argv: [String], captureStderr: Bool) throws -> (Int32, [UInt8], [UInt8]) {
        do {
            let r = try Subprocess.run(argv, captureStderr: captureStderr)
            return (r.status, r.stdout, r.stderr)
        } catch {
            throw VaultError("Problem running vault password script \(argv[0]) (\(error)). If this is not a script, remove the executable bit from the file.")
        }
    }
}

extension String {
    var replacingNewlines: String { split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n") }
}
