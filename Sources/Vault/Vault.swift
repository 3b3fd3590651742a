// Encrypting and decrypting with a list of vault secrets, as Ansible's VaultLib does: a vault id
// in the envelope picks its secret first, then every other secret is tried unless
// VAULT_ID_MATCH is set. `Vault.shared` is the run's keyring (Ansible's VaultSecretsContext):
// set once by the command line, read wherever a file or a `!vault` value is opened.
import Synchronization
import Values

public struct VaultSecret: Sendable {
    public var id: String
    public var bytes: [UInt8]
    public init(id: String, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }
}

public final class Vault: Sendable {
    public static let shared = Vault()

    private struct State {
        var secrets: [VaultSecret] = []
        var idMatch = false
        /// Plaintexts by envelope text: PBKDF2 is slow on purpose, and a `!vault` var is read often.
        var plaintexts: [String: [UInt8]] = [:]
        /// Why an envelope did not decrypt: a value that does not is kept and used again (2.19's marker).
        var failures: [String: VaultError] = [:]
    }
    private let state = Mutex(State())

    public init(secrets: [VaultSecret] = [], idMatch: Bool = false) {
        state.withLock { $0.secrets = secrets; $0.idMatch = idMatch }
    }

    public var secrets: [VaultSecret] { state.withLock { $0.secrets } }

    public func set(secrets: [VaultSecret], idMatch: Bool) {
        state.withLock { $0.secrets = secrets; $0.idMatch = idMatch; $0.plaintexts = [:]; $0.failures = [:] }
    }

    public func decrypt(_ text: String) throws -> [UInt8] {
        let (known, failure) = state.withLock { ($0.plaintexts[text], $0.failures[text]) }
        if let known { return known }
        if let failure { throw failure }
        do { return try attempt(text) } catch let e as VaultError {
            state.withLock { $0.failures[text] = e }
            throw e
        }
    }

    private func attempt(_ text: String) throws -> [UInt8] {
        let (secrets, idMatch) = state.withLock { ($0.secrets, $0.idMatch) }
        let envelope = try Envelope(parsing: text)
        guard envelope.cipher == "AES256" else { throw VaultError("Cipher '\(envelope.cipher)' could not be found.") }
        guard !secrets.isEmpty else { throw VaultError("Attempting to decrypt but no vault secrets found.") }
        var candidates = secrets.filter { $0.id == envelope.vaultID }
        if !idMatch { candidates += secrets.filter { $0.id != envelope.vaultID } }
        for s in candidates {
            if let plain = try AES256.decrypt(envelope.body, password: s.bytes) {
                state.withLock { $0.plaintexts[text] = plain }
                return plain
            }
        }
        throw VaultError("Decryption failed (no vault secrets were found that could decrypt).")
    }

    public func decryptText(_ text: String) throws -> String { String(decoding: try decrypt(text), as: UTF8.self) }

    /// An envelope for `plaintext`, with the secret of `vaultID` (or the first secret).
    public func encrypt(_ plaintext: [UInt8], vaultID: String? = nil, salt: [UInt8]? = nil) throws -> String {
        let secrets = self.secrets
        let secret: VaultSecret
        if let vaultID {
            guard let s = secrets.first(where: { $0.id == vaultID }) else {
                throw VaultError("Did not find a match for --encrypt-vault-id=\(vaultID) in the known vault-ids \(Value.list(secrets.map { .string($0.id) }).pythonRepr)")
            }
            secret = s
        } else {
            guard let s = secrets.first else { throw VaultError("A vault password must be specified to encrypt data") }
            secret = s
        }
        guard !Envelope.isEncrypted(plaintext) else { throw VaultError("input is already encrypted") }
        var salt = salt ?? []
        if salt.isEmpty { var rng = SystemRandomNumberGenerator(); salt = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let body = try AES256.encrypt(plaintext, password: secret.bytes, salt: salt)
        return Envelope(version: "1.1", cipher: "AES256", vaultID: secret.id, body: body).text
    }

    /// Called with a file's path when its text was not UTF-8 and was escaped (DataLoader's
    /// deprecation, which the Engine says).
    public nonisolated(unsafe) static var escaped: (String) -> Void = { _ in }

    /// A text file as DataLoader.get_text_file_contents gives it (templates, the file lookup, every
    /// YAML file): decrypted when it is a vault, bytes that are not UTF-8 escaped as Python's
    /// surrogateescape escapes them, with `Vault.escaped` told (the YAML reader then refuses
    /// them, as PyYAML's does; a template writes them back as they were).
    public func readText(_ path: String) throws -> String {
        let (text, escaped) = Surrogates.decoded(try plainBytes(path))
        if escaped { Vault.escaped(path) }
        return text
    }

    /// A file's text, decrypted when it is a vault (as Ansible's DataLoader opens every file it reads).
    public func read(_ path: String) throws -> String {
        String(decoding: try plainBytes(path), as: UTF8.self)
    }

    /// A file's bytes, decrypted when it is a vault; a vault that does not open names the file.
    private func plainBytes(_ path: String) throws -> [UInt8] {
        let bytes = try Files.readBytes(path)
        guard Envelope.isEncrypted(bytes) else { return bytes }
        do {
            return try decrypt(String(decoding: bytes, as: UTF8.self))
        } catch let e as VaultError {
            throw VaultFileError(path: path, message: e.message)
        }
    }
}

/// A vaulted file that did not open; Ansible names the file as the origin.
public struct VaultFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "\(message)\nOrigin: \(path)\n" }
}
