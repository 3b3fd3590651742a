// The ansible-vault text format: a `$ANSIBLE_VAULT;1.1;AES256` header (1.2 adds the vault id),
// then the hexlified cipher text in 80-column lines. Byte for byte what ansible-vault writes.

public struct VaultError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct Envelope: Sendable, Equatable {
    public static let header = "$ANSIBLE_VAULT"

    public var version: String
    public var cipher: String
    public var vaultID: String?
    /// The hexlified vaulttext with the line breaks taken out.
    public var body: String

    /// True when the text starts with the vault header (leading bytes only, as Ansible checks).
    public static func isEncrypted<S: Sequence>(_ bytes: S) -> Bool where S.Element == UInt8 {
        var it = bytes.makeIterator()
        for h in header.utf8 { guard it.next() == h else { return false } }
        return true
    }

    public static func isEncrypted(_ text: String) -> Bool { isEncrypted(text.utf8) }

    public init(version: String, cipher: String, vaultID: String?, body: String) {
        self.version = version
        self.cipher = cipher
        self.vaultID = vaultID
        self.body = body
    }

    /// Parses an envelope; `!vault` scalars may carry indentation, which Ansible strips per line.
    public init(parsing text: String) throws {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace }
        guard let first = lines.first, Envelope.isEncrypted(first) else { throw VaultError("Input is not vault encrypted data.") }
        let parts = first.split(separator: ";", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
        guard parts.count >= 3 else { throw VaultError("Vault envelope format error.") }
        version = parts[1]
        cipher = parts[2]
        vaultID = parts.count >= 4 ? parts[3] : nil
        body = lines.dropFirst().joined()
    }

    /// The text to write: header, body in lines of 80, a final newline.
    public var text: String {
        var version = version
        if let vaultID, vaultID != "default" { version = "1.2" }
        var head = [Envelope.header, version, cipher]
        if version == "1.2", let vaultID, !vaultID.isEmpty { head.append(vaultID) }
        var lines = [head.joined(separator: ";")]
        var rest = Substring(body)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(80)))
            rest = rest.dropFirst(80)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

enum Hex {
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode<S: Collection>(_ text: S) throws -> [UInt8] where S.Element == UInt8 {
        guard text.count % 2 == 0 else { throw VaultError("Vault format unhexlify error.") }
        func nibble(_ c: UInt8) throws -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: throw VaultError("Vault format unhexlify error.")
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var it = text.makeIterator()
        while let hi = it.next(), let lo = it.next() { out.append(try nibble(hi) << 4 | nibble(lo)) }
        return out
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
