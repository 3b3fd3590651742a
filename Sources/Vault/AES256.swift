// Vault's only cipher, AES256: PBKDF2-HMAC-SHA256 (10,000 rounds) over a 32-byte salt gives an
// AES-CTR key, an HMAC-SHA256 key and the initial counter; the plaintext is PKCS#7-padded even
// though CTR needs no padding, and the vaulttext is hexlified twice — all as ansible-vault does.
import Crypto
import _CryptoExtras

enum AES256 {
    struct Keys { var cipher: SymmetricKey; var mac: SymmetricKey; var counter: [UInt8] }

    static func keys(password: [UInt8], salt: [UInt8]) throws -> Keys {
        let derived = try KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: .sha256,
                                                        outputByteCount: 80, unsafeUncheckedRounds: 10_000)
        let b = derived.withUnsafeBytes { Array($0) }
        return Keys(cipher: SymmetricKey(data: b[0..<32]), mac: SymmetricKey(data: b[32..<64]), counter: Array(b[64..<80]))
    }

    /// The hexlified vaulttext (salt, HMAC and cipher text, each hexlified, joined by newlines).
    static func encrypt(_ plaintext: [UInt8], password: [UInt8], salt: [UInt8]) throws -> String {
        let k = try keys(password: password, salt: salt)
        let pad = 16 - plaintext.count % 16
        let padded = plaintext + [UInt8](repeating: UInt8(pad), count: pad)
        let ciphertext = Array(try AES._CTR.encrypt(padded, using: k.cipher, nonce: AES._CTR.Nonce(nonceBytes: k.counter)))
        let mac = HMAC<SHA256>.authenticationCode(for: ciphertext, using: k.mac)
        let inner = [Hex.encode(salt), Hex.encode(mac), Hex.encode(ciphertext)].joined(separator: "\n")
        return Hex.encode(inner.utf8)
    }

    /// The plaintext, or nil when the password does not match (the HMAC disagrees).
    static func decrypt(_ vaulttext: String, password: [UInt8]) throws -> [UInt8]? {
        let inner = try Hex.decode(Array(vaulttext.utf8))
        let parts = inner.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw VaultError("Vault vaulttext format error.") }
        let salt = try Hex.decode(parts[0]), mac = try Hex.decode(parts[1]), ciphertext = try Hex.decode(parts[2])
        let k = try keys(password: password, salt: salt)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: ciphertext, using: k.mac) else { return nil }
        let padded = Array(try AES._CTR.decrypt(ciphertext, using: k.cipher, nonce: AES._CTR.Nonce(nonceBytes: k.counter)))
        guard let pad = padded.last, pad >= 1, pad <= 16, Int(pad) <= padded.count,
              padded.suffix(Int(pad)).allSatisfy({ $0 == pad }) else { throw VaultError("Invalid padding bytes.") }
        return Array(padded.dropLast(Int(pad)))
    }
}
