// Python's text codecs as the b64encode/b64decode filters and str.encode/bytes.decode name
// them (`encoding='utf-16-le'`): the Unicode forms, latin-1 and ascii.
public enum TextCodec {
    /// The codec's error, worded as Python words it.
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        init(_ message: String) { self.message = message }
    }

    /// The codec a Python name stands for, separators and case aside (utf_8, UTF-8 and utf8 alike).
    public static func canonical(_ name: String) throws -> String {
        let key = String(name.lowercased().filter { $0.isLetter || $0.isNumber })
        switch key {
        case "utf8", "u8", "utf", "utf8ucs2", "utf8ucs4", "cp65001": return "utf-8"
        case "utf16", "u16": return "utf-16"
        case "utf16le", "unicodelittleunmarked": return "utf-16-le"
        case "utf16be", "unicodebigunmarked": return "utf-16-be"
        case "utf32", "u32": return "utf-32"
        case "utf32le": return "utf-32-le"
        case "utf32be": return "utf-32-be"
        case "latin1", "latin", "l1", "iso88591", "88591", "cp819", "iso885911987": return "latin-1"
        case "ascii", "usascii", "646", "us", "ansix341968", "iso646us": return "ascii"
        default: throw Failure("unknown encoding: \(name)")
        }
    }

    public static func encode(_ s: String, _ name: String) throws -> [UInt8] {
        let codec = try canonical(name)
        switch codec {
        case "utf-8": return Surrogates.escapedBytes(s)   // to_bytes: surrogate_or_strict
        case "utf-16", "utf-16-le", "utf-16-be":
            let be = codec == "utf-16-be"
            var out: [UInt8] = codec == "utf-16" ? [0xFF, 0xFE] : []
            for u in s.utf16 { out += be ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
            return out
        case "utf-32", "utf-32-le", "utf-32-be":
            let be = codec == "utf-32-be"
            var out: [UInt8] = codec == "utf-32" ? [0xFF, 0xFE, 0, 0] : []
            for u in s.unicodeScalars {
                let b = (0..<4).map { UInt8(u.value >> (8 * $0) & 0xFF) }
                out += be ? b.reversed() : b
            }
            return out
        default:
            let limit: UInt32 = codec == "ascii" ? 128 : 256
            var out: [UInt8] = []
            for (i, u) in s.unicodeScalars.enumerated() {
                guard u.value < limit else {
                    throw Failure("'\(codec)' codec can't encode character '\(escaped(u))' in position \(i): ordinal not in range(\(limit))")
                }
                out.append(UInt8(u.value))
            }
            return out
        }
    }

    public static func decode(_ b: [UInt8], _ name: String) throws -> String {
        let codec = try canonical(name)
        switch codec {
        case "utf-8": return Surrogates.decoded(b).text   // to_text: surrogate_or_strict
        case "utf-16", "utf-16-le", "utf-16-be":
            var bytes = b[...], be = codec == "utf-16-be"
            if codec == "utf-16", bytes.count >= 2 {   // a BOM says the order; none is little-endian
                if bytes.starts(with: [0xFF, 0xFE]) { bytes = bytes.dropFirst(2) } else if bytes.starts(with: [0xFE, 0xFF]) { bytes = bytes.dropFirst(2); be = true }
            }
            let units = stride(from: bytes.startIndex, to: bytes.endIndex - 1, by: 2).map { i -> UInt16 in
                let (hi, lo) = be ? (bytes[i], bytes[i + 1]) : (bytes[i + 1], bytes[i])
                return UInt16(hi) << 8 | UInt16(lo)
            }
            guard bytes.count % 2 == 0 else { throw Failure("'utf-16-le' codec can't decode byte 0x\(String(bytes.last!, radix: 16)) in position \(bytes.count - 1): truncated data") }
            return String(decoding: units, as: UTF16.self)
        case "utf-32", "utf-32-le", "utf-32-be":
            var bytes = b[...], be = codec == "utf-32-be"
            if codec == "utf-32", bytes.count >= 4 {
                if bytes.starts(with: [0xFF, 0xFE, 0, 0]) { bytes = bytes.dropFirst(4) } else if bytes.starts(with: [0, 0, 0xFE, 0xFF]) { bytes = bytes.dropFirst(4); be = true }
            }
            var out = String.UnicodeScalarView()
            for i in stride(from: bytes.startIndex, to: bytes.endIndex - 3, by: 4) {
                let q = (0..<4).map { UInt32(bytes[i + $0]) }
                let ordered: [UInt32] = be ? q : q.reversed()
                let v = ordered.reduce(0) { $0 << 8 | $1 }
                out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            }
            return String(out)
        default:
            if codec == "ascii", let i = b.firstIndex(where: { $0 >= 128 }) {
                throw Failure("'ascii' codec can't decode byte 0x\(String(b[i], radix: 16)) in position \(i): ordinal not in range(128)")
            }
            return String(String.UnicodeScalarView(b.map { Unicode.Scalar($0) }))
        }
    }

    /// Python's repr escape of a character: \\xe9, \\u0101, \\U0001f600.
    public static func escaped(_ u: Unicode.Scalar) -> String {
        let h = String(u.value, radix: 16)
        let (mark, width) = u.value < 0x100 ? ("x", 2) : u.value < 0x10000 ? ("u", 4) : ("U", 8)
        return "\\" + mark + String(repeating: "0", count: max(0, width - h.count)) + h
    }
}
