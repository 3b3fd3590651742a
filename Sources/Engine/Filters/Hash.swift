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
        default: throw AnsibleError("unsupported hash type \(algo)")
        }
    }

    static let saltChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./")

    static func passwordHash(_ password: String, scheme: String, salt: String?, rounds: Int?) throws -> String {
        let (prefix, saltLen): (String, Int)
        switch scheme {
        case "sha512", "sha512_crypt": (prefix, saltLen) = ("$6$", 16)
        case "sha256", "sha256_crypt": (prefix, saltLen) = ("$5$", 16)
        case "md5", "md5_crypt": (prefix, saltLen) = ("$1$", 8)
        case "blowfish", "bcrypt": (prefix, saltLen) = ("$2b$\(String(format2: rounds ?? 12))$", 22)
        default: throw AnsibleError("unsupported hash type \(scheme)")
        }
        let s = salt ?? String((0..<saltLen).map { _ in saltChars.randomElement()! })
        var setting = prefix
        // passlib's defaults, which ansible-core requires for password_hash.
        let r = rounds ?? (prefix == "$6$" ? 656000 : prefix == "$5$" ? 535000 : nil)
        if let r, prefix == "$6$" || prefix == "$5$" { setting += "rounds=\(r)$" }
        setting += s
        var out = [CChar](repeating: 0, count: 512)
        guard cshim_crypt(password, setting, &out, 512) == 0 else { throw AnsibleError("crypt failed for the \(scheme) scheme") }
        return String(cString: out)
    }

    /// Python's uuid.uuid5 with Ansible's namespace.
    static func uuid5(_ name: String, namespace: String = "361E6D51-FAEC-444A-9079-341386DA8E2E") -> String {
        let ns = namespace.filter { $0 != "-" }
        var bytes: [UInt8] = []
        var i = ns.startIndex
        while i < ns.endIndex {
            let j = ns.index(i, offsetBy: 2)
            bytes.append(UInt8(ns[i..<j], radix: 16) ?? 0)
            i = j
        }
        var h = Array(Insecure.SHA1.hash(data: bytes + Array(name.utf8)).prefix(16))
        h[6] = (h[6] & 0x0f) | 0x50
        h[8] = (h[8] & 0x3f) | 0x80
        let x = hex(h)
        let parts = [x.prefix(8), x.dropFirst(8).prefix(4), x.dropFirst(12).prefix(4), x.dropFirst(16).prefix(4), x.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    static let filters: [String: Filter] = [
        "md5": { v, _, _ in .string(try digest("md5", Array(v.pythonStr.utf8))) },
        "sha1": { v, _, _ in .string(try digest("sha1", Array(v.pythonStr.utf8))) },
        "checksum": { v, _, _ in .string(try digest("sha1", Array(v.pythonStr.utf8))) },
        "hash": { v, a, _ in .string(try digest(a.get(0, "hashtype")?.pythonStr ?? "sha1", Array(v.pythonStr.utf8))) },
        "password_hash": { v, a, _ in
            .string(try passwordHash(v.pythonStr, scheme: a.get(0, "hashtype")?.pythonStr ?? "sha512",
                                     salt: a.get(1, "salt")?.stringValue, rounds: a.get(3, "rounds")?.intValue))
        },
        "to_uuid": { v, a, _ in .string(uuid5(v.pythonStr, namespace: a.get(0, "namespace")?.pythonStr ?? "361E6D51-FAEC-444A-9079-341386DA8E2E")) },
    ]
}

extension String {
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}
