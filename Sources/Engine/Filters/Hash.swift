// Hashing filters over swift-crypto (md5, sha1, sha2 family), crypt(3) for password_hash,
// and uuid5 for to_uuid, as Ansible computes them.
import CShim
import Crypto
import Jinja
import Values

enum HashFilters {
    static func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 {
        d.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func digest(_ algo: String, _ bytes: [UInt8]) throws -> String {
        switch algo {
        case "md5": return hex(Insecure.MD5.hash(data: bytes))
        case "sha1": return hex(Insecure.SHA1.hash(data: bytes))
        case "sha256": return hex(SHA256.hash(data: bytes))
        case "sha384": return hex(SHA384.hash(data: bytes))
        case "sha512": return hex(SHA512.hash(data: bytes))
        default: throw ChainedError("unsupported hash type \(algo)")   // get_hash raises it handling hashlib's
        }
    }

    static let saltChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./")

    /// password_hash as ansible-core computes it through passlib: its algorithms, its defaults
    /// (rounds, salt sizes) and the settings it refuses, worded as passlib words them.
    static func passwordHash(_ password: String, scheme: String, salt: String?, saltSize: Value?, rounds: Int?, ident: String?) throws -> String {
        let names = ["md5": "md5_crypt", "blowfish": "bcrypt", "sha256": "sha256_crypt", "sha512": "sha512_crypt"]
        let algo = names[scheme] ?? scheme
        guard names.values.contains(algo) else {
            throw AnsibleError("\(scheme) is not in the list of supported passlib algorithms: md5, blowfish, sha256, sha512")
        }
        if let saltSize, saltSize.intValue == nil || saltSize.isBool { throw AnsibleError("salt_size must be an integer") }
        func refuse(_ why: String) -> AnsibleError { AnsibleError("Could not hash the secret: \(why)") }
        let (prefix, maxSalt, roundRange): (String, Int, ClosedRange<Int>?) = switch algo {
        case "sha512_crypt": ("$6$", 16, 1000...999_999_999)
        case "sha256_crypt": ("$5$", 16, 1000...999_999_999)
        case "md5_crypt": ("$1$", 8, nil)
        default: ("$\(ident ?? "2b")$", 22, 4...31)
        }
        if rounds != nil, roundRange == nil { throw AnsibleError("MinimalHandler.using() got an unexpected keyword argument 'rounds'") }
        if ident != nil, algo != "bcrypt" { throw AnsibleError("MinimalHandler.using() got an unexpected keyword argument 'ident'") }
        if let ident, !["2", "2a", "2b", "2y"].contains(ident) { throw refuse("invalid ident: \(Value.string(ident).pythonRepr)") }
        // passlib's defaults, which ansible-core pins so that crypt and passlib agree.
        let r = rounds ?? (algo == "sha512_crypt" ? 656_000 : algo == "sha256_crypt" ? 535_000 : algo == "bcrypt" ? 12 : nil)
        if let r, let range = roundRange {
            if r < range.lowerBound { throw refuse("\(algo): min_desired_rounds (\(r)) is too low, must be at least \(range.lowerBound)") }
            if r > range.upperBound { throw refuse("\(algo): min_desired_rounds (\(r)) is too large, cannot be more than \(range.upperBound)") }
        }
        // passlib's using(salt_size=) checks the size whether or not a salt is given.
        let minSalt = algo == "bcrypt" ? 22 : 0
        if let n = saltSize?.intValue {
            if minSalt == maxSalt, n != minSalt { throw refuse("\(algo): salt_size (\(n)) must be exactly \(minSalt)") }
            if n < minSalt { throw refuse("\(algo): salt_size (\(n)) below min_salt_size (\(minSalt))") }
            if n > maxSalt { throw refuse("\(algo): salt_size (\(n)) above max_salt_size (\(maxSalt))") }
        }
        let size = saltSize?.intValue ?? maxSalt
        let s = salt ?? String((0..<size).map { _ in saltChars.randomElement()! })
        guard s.allSatisfy(saltChars.contains) else { throw refuse("invalid characters in \(algo) salt") }
        if algo == "bcrypt", s.count != 22 { throw refuse("salt \(s.count < 22 ? "too small" : "too large") (bcrypt requires exactly 22 chars)") }
        if s.count > maxSalt { throw refuse("salt too large (\(algo) requires <= \(maxSalt) chars)") }
        var setting = prefix
        if algo == "bcrypt" { setting += String(format2: r ?? 12) + "$" }
        if let r, algo == "sha512_crypt" || algo == "sha256_crypt" { setting += "rounds=\(r)$" }
        setting += s
        var out = [CChar](repeating: 0, count: 512)
        guard cshim_crypt(password, setting, &out, 512) == 0 else { throw AnsibleError("Could not hash the secret.") }
        return String(nulTerminated: out)
    }

    /// Python's uuid.uuid5 with Ansible's namespace.
    static func uuid5(_ name: String, namespace: String = "361E6D51-FAEC-444A-9079-341386DA8E2E") throws -> String {
        // uuid.UUID(hex): braces, a urn:uuid: prefix and hyphens dropped, then 32 hex digits.
        var ns = Substring(namespace)
        if ns.hasPrefix("urn:uuid:") { ns = ns.dropFirst(9) }
        let digits = Array(ns.filter { !"{}-".contains($0) }.utf8)
        let bytes = stride(from: 0, to: digits.count - 1, by: 2).compactMap {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)
        }
        guard digits.count == 32, bytes.count == 16 else { throw AnsibleError("badly formed hexadecimal UUID string") }
        var h = Array(Insecure.SHA1.hash(data: bytes + Array(name.utf8)).prefix(16))
        h[6] = (h[6] & 0x0f) | 0x50
        h[8] = (h[8] & 0x3f) | 0x80
        let x = hex(h)
        let parts = [x.prefix(8), x.dropFirst(8).prefix(4), x.dropFirst(12).prefix(4), x.dropFirst(16).prefix(4), x.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    static let filters: [String: Filter] = [
        "md5": { v, _, _ in .string(try digest("md5", v.pythonBytes)) },
        "sha1": { v, _, _ in .string(try digest("sha1", v.pythonBytes)) },
        "checksum": { v, _, _ in .string(try digest("sha1", v.pythonBytes)) },
        "hash": { v, a, _ in .string(try digest(a.get(0, "hashtype")?.pythonStr ?? "sha1", v.pythonBytes)) },
        "password_hash": { v, a, _ in
            func given(_ i: Int, _ k: String) -> Value? { a.get(i, k).flatMap { $0.truthy ? $0 : nil } }   // `if salt:` and so on
            return .string(try passwordHash(v.pythonStr, scheme: a.get(0, "hashtype")?.pythonStr ?? "sha512", salt: given(1, "salt")?.pythonStr,
                                            saltSize: given(2, "salt_size"), rounds: given(3, "rounds")?.intValue, ident: given(4, "ident")?.pythonStr))
        },
        "to_uuid": { v, a, _ in
            let namespace = a.get(0, "namespace")?.pythonStr ?? "361E6D51-FAEC-444A-9079-341386DA8E2E"
            do { return .string(try uuid5(v.pythonStr, namespace: namespace)) } catch {
                throw ChainedError("Invalid value '\(namespace)' for 'namespace': \(error)")
            }
        },
    ]
}

extension String {
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}
