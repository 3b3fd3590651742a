// RFC 4648 base64: b64encode/b64decode, YAML's `!!binary`, file contents on the wire.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let lookup: [UInt8] = {
        var t = [UInt8](repeating: 255, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// binascii's error, worded as Python words it.
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 61]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The URL-safe alphabet's text (`-` and `_` for `+` and `/`).
    public static func urlsafe(_ text: String) -> String {
        String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// binascii.a2b_base64 without strict mode (b64decode, base64.decodebytes): bytes outside the
    /// alphabet are skipped, a full group of padding ends the data, and a last group left short
    /// is an error.
    public static func pythonDecode(_ data: [UInt8], urlsafe: Bool = false) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count / 4 * 3)
        var quad = 0, pads = 0, left: UInt8 = 0
        for var c in data {
            if urlsafe { c = c == UInt8(ascii: "-") ? UInt8(ascii: "+") : c == UInt8(ascii: "_") ? UInt8(ascii: "/") : c }
            if c == UInt8(ascii: "=") {
                pads += 1
                if quad >= 2, quad + pads >= 4 { return out }
                continue
            }
            let v = lookup[Int(c)]
            guard v < 64 else { continue }
            pads = 0
            switch quad {
            case 0: left = v
            case 1: out.append(left << 2 | v >> 4); left = v & 0x0F
            case 2: out.append(left << 4 | v >> 2); left = v & 0x03
            default: out.append(left << 6 | v); left = 0
            }
            quad = (quad + 1) % 4
        }
        if quad == 1 {
            throw Failure(message: "Invalid base64-encoded string: number of data characters (\(out.count / 3 * 4 + 1)) cannot be 1 more than a multiple of 4")
        }
        if quad != 0 { throw Failure(message: "Incorrect padding") }
        return out
    }

    /// Strict decoding of what swansible itself encoded (line breaks allowed): nil when it is not base64.
    public static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0, bits = 0
        for c in s.utf8 where c != 61 && c != 10 && c != 13 {
            let v = lookup[Int(c)]
            guard v != 255 else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(acc >> UInt32(bits) & 0xff))
            }
        }
        return out
    }
}
