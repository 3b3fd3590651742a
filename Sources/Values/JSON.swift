// JSON in and out with Python's json module formatting (", " and ": " separators, optional
// indent and sort_keys), because callbacks print results exactly as Ansible's json.dumps does.
import BigInt

public struct JSONError: Error, CustomStringConvertible {
    public var message: String
    public var offset: Int
    /// Where `offset` is, counted as Python's json counts (1-based line and column).
    public var line = 1, column = 1
    public var description: String { "\(message) at offset \(offset)" }
    /// Python's json.JSONDecodeError text: `Expecting value: line 1 column 1 (char 0)`.
    public var pythonDescription: String { "\(message): line \(line) column \(column) (char \(offset))" }

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    mutating func locate(in bytes: [UInt8]) {
        let before = bytes.prefix(offset)
        line = before.count(where: { $0 == 10 }) + 1
        column = offset - (before.lastIndex(of: 10) ?? -1)
    }
}

extension Value {
    public struct JSONOptions: Sendable {
        public var indent: Int?
        public var sortKeys: Bool
        public var ensureASCII: Bool
        /// json.dumps' `indent` given as text (`"\t"`), over `indent`.
        public var indentText: String?
        /// json.dumps' `separators`: between items and between a key and its value.
        public var separators: (item: String, key: String)?
        /// A lone surrogate written as it is (for display, which replaces it), not as `\\udcXX`.
        public var rawSurrogates = false
        public init(indent: Int? = nil, sortKeys: Bool = false, ensureASCII: Bool = false, rawSurrogates: Bool = false) {
            self.indent = indent
            self.sortKeys = sortKeys
            self.ensureASCII = ensureASCII
            self.rawSurrogates = rawSurrogates
        }
        var itemSeparator: String { separators?.item ?? (indentText == nil && indent == nil ? ", " : ",") }
        var keySeparator: String { separators?.key ?? ": " }
    }

    public func json(_ o: JSONOptions = JSONOptions()) -> String {
        var out = ""
        writeJSON(into: &out, o, level: 0)
        return out
    }

    private func writeJSON(into out: inout String, _ o: JSONOptions, level: Int) {
        switch self {
        case .none, .undefined: out += "null"   // markers are tripped before data leaves the templar
        case .deprecated(let v, _): v.writeJSON(into: &out, o, level: level)
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .bigInt(let b): out += String(b)
        case .float(let f):
            if f.isNaN { out += "NaN" } else if f.isInfinite { out += f < 0 ? "-Infinity" : "Infinity" } else {
                out += Value.formatFloat(f)
            }
        case .string(let s), .unsafe(let s): Value.writeJSONString(s, into: &out, ascii: o.ensureASCII, rawSurrogates: o.rawSurrogates)
        case .vault(let s): Value.writeJSONString(s, into: &out, ascii: o.ensureASCII)
        case .bytes(let b):   // as the callbacks' encoder writes bytes: decoded, bytes that are no UTF-8 escaped
            Value.writeJSONString(Surrogates.decoded(b).text, into: &out, ascii: o.ensureASCII, rawSurrogates: o.rawSurrogates)
        case .datetime, .date, .time, .zonedDatetime:
            Value.writeJSONString(isoformat ?? "", into: &out, ascii: o.ensureASCII)   // Ansible's encoder writes ISO 8601
        case .timedelta(let t): Value.writeJSONString(DateParts.deltaDescription(t), into: &out, ascii: o.ensureASCII)
        case .omit: Value.writeJSONString("<<Omit>>", into: &out, ascii: o.ensureASCII)   // dropped before data leaves the templar
        case .list(let l), .tuple(let l, _):
            if l.isEmpty { out += "[]"; return }
            out += "["
            for (i, v) in l.enumerated() {
                if i > 0 { out += o.itemSeparator }
                Value.newline(&out, o, level + 1)
                v.writeJSON(into: &out, o, level: level + 1)
            }
            Value.newline(&out, o, level)
            out += "]"
        case .dict(let d):
            if d.isEmpty { out += "{}"; return }
            out += "{"
            var pairs = Array(d)
            if o.sortKeys { pairs.sort { $0.key.jsonKey < $1.key.jsonKey } }
            for (i, kv) in pairs.enumerated() {
                if i > 0 { out += o.itemSeparator }
                Value.newline(&out, o, level + 1)
                Value.writeJSONString(kv.key.jsonKey, into: &out, ascii: o.ensureASCII, rawSurrogates: o.rawSurrogates)
                out += o.keySeparator
                kv.value.writeJSON(into: &out, o, level: level + 1)
            }
            Value.newline(&out, o, level)
            out += "}"
        }
    }

    /// Python's json turns non-string keys into strings: True → "true", 1 → "1", None → "null".
    var jsonKey: String {
        switch self {
        case .string(let s), .unsafe(let s): return s
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        default: return pythonStr
        }
    }

    private static func newline(_ out: inout String, _ o: JSONOptions, _ level: Int) {
        if let unit = o.indentText {
            out += "\n" + String(repeating: unit, count: level)
        } else if let n = o.indent {
            out += "\n" + String(repeating: " ", count: n * level)
        }
    }

    static func writeJSONString(_ s: String, into out: inout String, ascii: Bool, rawSurrogates: Bool = false) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if let unit = Surrogates.unit(u), ascii || !rawSurrogates {
                    out += "\\u" + hex(Int(unit), width: 4)   // as Python writes a lone surrogate
                } else if u.value < 0x20 || (ascii && u.value > 0x7e) {
                    if u.value > 0xFFFF {
                        let v = u.value - 0x10000
                        out += "\\u" + hex(Int(0xD800 + (v >> 10)), width: 4) + "\\u" + hex(Int(0xDC00 + (v & 0x3FF)), width: 4)
                    } else {
                        out += "\\u" + hex(Int(u.value), width: 4)
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Parses JSON text, keeping object key order.
    public static func parseJSON(_ text: String) throws -> Value {
        try parseJSON(bytes: Array(text.utf8))
    }

    public static func parseJSON(bytes: [UInt8]) throws -> Value {
        var p = JSONParser(bytes: bytes)
        do {
            p.skipSpace()
            let v = try p.value(depth: 0)
            p.skipSpace()
            guard p.i == p.bytes.count else { throw JSONError(message: "Extra data", offset: p.i) }
            return v
        } catch var e as JSONError {
            e.locate(in: bytes)
            throw e
        }
    }

    /// The legacy JSON forms Ansible still reads (extra vars, inventory scripts):
    /// `{"__ansible_unsafe": text}` is text never rendered, `{"__ansible_vault": ciphertext}` a
    /// vaulted value.
    public var legacyTagged: Value {
        switch self {
        case .list(let l): return .list(l.map(\.legacyTagged))
        case .dict(let d):
            if d.count == 1, let text = d["__ansible_unsafe"]?.stringValue { return .unsafe(text) }
            if d.count == 1, let text = d["__ansible_vault"]?.stringValue { return .vault(text) }
            return .dict(d.mapValues(\.legacyTagged))
        default: return self
        }
    }

    /// The inverse, as the inventory_legacy encoder writes what is not plain text.
    public var legacyEncoded: Value {
        switch self {
        case .unsafe(let text): return ["__ansible_unsafe": .string(text)]
        case .vault(let text): return ["__ansible_vault": .string(text)]
        case .list(let l): return .list(l.map(\.legacyEncoded))
        case .dict(let d): return .dict(d.mapValues(\.legacyEncoded))
        default: return self
        }
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    func fail(_ m: String) -> JSONError { JSONError(message: m, offset: i) }

    mutating func value(depth: Int) throws -> Value {
        guard depth < 512 else { throw fail("nesting too deep") }
        guard i < bytes.count else { throw fail("Expecting value") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var d = Dict()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .dict(d) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("Expecting property name enclosed in double quotes") }
                let k = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("Expecting ':' delimiter") }
                i += 1
                skipSpace()
                d[.string(k)] = try value(depth: depth + 1)
                skipSpace()
                guard i < bytes.count else { throw fail("Unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .dict(d) }
                throw fail("Expecting ',' delimiter")
            }
        case UInt8(ascii: "["):
            i += 1
            var l: [Value] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .list(l) }
            while true {
                skipSpace()
                l.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("Unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .list(l) }
                throw fail("Expecting ',' delimiter")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .none
        case UInt8(ascii: "N"): try literal("NaN"); return .float(.nan)
        case UInt8(ascii: "I"): try literal("Infinity"); return .float(.infinity)
        default: return try number()
        }
    }

    mutating func literal(_ s: String) throws {
        let u = Array(s.utf8)
        guard i + u.count <= bytes.count, Array(bytes[i..<i + u.count]) == u else { throw fail("Expecting value") }
        i += u.count
    }

    mutating func number() throws -> Value {
        let start = i
        var isFloat = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
            i += 1
            if i + 8 <= bytes.count, String(decoding: bytes[i..<i + 8], as: UTF8.self) == "Infinity" {
                i += 8
                return .float(-.infinity)
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if c >= 0x30 && c <= 0x39 { i += 1 } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
            {
                isFloat = true
                i += 1
            } else { break }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard !text.isEmpty, text != "-" else { throw fail("Expecting value") }
        if !isFloat, let n = Int(text).map(Value.int) ?? BigInt(text).map(Value.integer) { return n }
        guard let f = Double(text) else { throw fail("Expecting value") }
        return .float(f)
    }

    mutating func string() throws -> String {
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    // A high surrogate pairs with a low one right after it; any other stays lone.
                    if code >= 0xD800 && code < 0xDC00, i + 5 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if low >= 0xDC00 && low < 0xE000 { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) } else { i = save }
                    }
                    let scalar = Unicode.Scalar(code) ?? Surrogates.scalar(code)
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: out.append(e)
                }
            } else {
                out.append(c)
                i += 1
            }
        }
        throw fail("Unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw fail("Invalid \\uXXXX escape")
        }
        i += 4
        return v
    }
}

extension String {
    var replacingFirstSpace: String {
        guard let i = firstIndex(of: " ") else { return self }
        var s = self
        s.replaceSubrange(i...i, with: "T")
        return s
    }
}
