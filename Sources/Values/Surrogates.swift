// Python strings can hold lone surrogates (json's "\udce9", the bytes surrogateescape could not
// decode); Swift strings cannot. Such a code unit is kept as a scalar of plane 16's private use
// area, U+10D800 + (unit - 0xD800), which no real text uses, and given back as the unit where
// Python would see it again (JSON).

public enum Surrogates {
    static let offset: UInt32 = 0x10_0000

    /// The scalar that stands for the lone surrogate `unit` (0xD800...0xDFFF).
    public static func scalar(_ unit: UInt32) -> Unicode.Scalar {
        Unicode.Scalar(offset + unit)!
    }

    /// The surrogate `s` stands for, if it stands for one.
    public static func unit(_ s: Unicode.Scalar) -> UInt32? {
        (0x10D800...0x10DFFF).contains(s.value) ? s.value - offset : nil
    }

    /// Whether `s` holds a lone surrogate (only text with plane 16's UTF-8 lead byte, 0xF4, is looked into).
    public static func held(in s: String) -> Bool {
        s.utf8.contains(0xF4) && s.unicodeScalars.contains { unit($0) != nil }
    }

    /// `s` with each lone surrogate replaced, as Python's errors='replace' encodes it.
    public static func replaced(in s: String, by replacement: Unicode.Scalar = "?") -> String {
        guard held(in: s) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars { out.append(unit(u) == nil ? u : replacement) }
        return String(out)
    }

    /// Python's UnicodeEncodeError for `s.encode()`, which stops at its first run of surrogates:
    /// "'utf-8' codec can't encode character '\udce9' in position 3: surrogates not allowed".
    public static func encodeError(_ s: String) -> String? {
        guard held(in: s) else { return nil }
        let scalars = Array(s.unicodeScalars)
        guard let start = scalars.firstIndex(where: { unit($0) != nil }) else { return nil }
        var end = start
        while end + 1 < scalars.count, unit(scalars[end + 1]) != nil { end += 1 }
        let what = start == end
            ? "character '\\u\(String(unit(scalars[start])!, radix: 16))' in position \(start)"
            : "characters in position \(start)-\(end)"
        return "'utf-8' codec can't encode \(what): surrogates not allowed"
    }
}

extension Surrogates {
    /// The first error 2.19's strict JSON decoder meets in `document`: each object is checked as
    /// it closes (its keys, then its values and the lists in them), so an inner object before
    /// the one around it; the strings and lists of the top level last.
    public static func decodeError(in document: Value) -> String? {
        func shallow(_ v: Value) -> String? {
            switch v {
            case .string(let s), .unsafe(let s): return encodeError(s)
            case .list(let items): for x in items { if let e = shallow(x) { return e } }
            default: break
            }
            return nil
        }
        func closing(_ v: Value) -> String? {
            switch v {
            case .list(let items):
                for x in items { if let e = closing(x) { return e } }
            case .dict(let d):
                for (_, x) in d { if let e = closing(x) { return e } }
                for (k, x) in d {
                    if let e = shallow(k) ?? (x.dictValue == nil ? shallow(x) : nil) { return e }
                }
            default: break
            }
            return nil
        }
        return closing(document) ?? (document.dictValue == nil ? shallow(document) : nil)
    }
}

extension Surrogates {
    /// `s` as UTF-8 where each lone surrogate of U+DC80...U+DCFF is the byte it escapes, as
    /// Ansible's to_bytes (surrogate_or_strict) writes a file's content; any other is U+FFFD.
    public static func escapedBytes(_ s: String) -> [UInt8] {
        guard held(in: s) else { return Array(s.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            if let unit = unit(u) {
                if (0xDC80...0xDCFF).contains(unit) { out.append(UInt8(unit - 0xDC00)) } else { out += Array("\u{FFFD}".utf8) }
            } else {
                out += Array(String(u).utf8)
            }
        }
        return out
    }
}

extension Surrogates {
    /// `bytes` as UTF-8 text, each byte of a sequence that is not UTF-8 kept as the lone
    /// surrogate Python's surrogateescape makes of it (U+DC80 + the byte's low bits).
    public static func decoded(_ bytes: [UInt8]) -> (text: String, escaped: Bool) {
        if let s = String(validating: bytes, as: UTF8.self) { return (s, false) }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            if let (scalar, length) = sequence(bytes, at: i) {
                out.append(scalar)
                i += length
            } else {
                out.append(self.scalar(0xDC00 + UInt32(bytes[i])))
                i += 1
            }
        }
        return (String(out), true)
    }

    /// The well-formed UTF-8 sequence at `i` (RFC 3629's table: no overlongs, no surrogates).
    private static func sequence(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = b[i]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int, low: UInt8, high: UInt8
        switch lead {
        case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
        case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, low, high) = (3, 0x80, 0xBF)
        case 0xED: (length, low, high) = (3, 0x80, 0x9F)
        case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
        case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
        case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
        default: return nil
        }
        guard i + length <= b.count, (low...high).contains(b[i + 1]) else { return nil }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for k in 1..<length {
            guard k == 1 || (0x80...0xBF).contains(b[i + k]) else { return nil }
            value = value << 6 | UInt32(b[i + k] & 0x3F)
        }
        return Unicode.Scalar(value).map { ($0, length) }
    }
}
