// TOML text as tomli_w writes it, the library ansible-inventory's `--toml` uses: tables in the
// mapping's order, a blank line before each, arrays one item per line, small lists of mappings
// inline. The same text, byte for byte, so a job that diffs or parses the output sees no change.
import Values

public enum TOMLWriter {
    /// What tomli_w refuses (a None, a key that is not a string), worded as its TypeError.
    public struct Unserializable: Error, CustomStringConvertible {
        public var description: String
    }

    static let indent = "    "
    static let maxLineLength = 100

    public static func dump(_ table: Dict) throws -> String {
        var out = ""
        try chunks(table, name: "", insideArrayOfTables: false, into: &out)
        return out
    }

    static func chunks(_ table: Dict, name: String, insideArrayOfTables: Bool, into out: inout String) throws {
        var literals: [(String, Value)] = [], tables: [(String, Dict, Bool)] = []
        for (k, v) in table {
            let key = try keyText(k)
            if case .dict(let d) = v {
                tables.append((key, d, false))
            } else if let aot = arrayOfTables(v), !aot.allSatisfy({ (try? inlineFits($0)) == true }) {
                tables += aot.map { (key, $0, true) }
            } else {
                literals.append((key, v))
            }
        }
        var yielded = false
        if insideArrayOfTables || (!name.isEmpty && (!literals.isEmpty || tables.isEmpty)) {
            yielded = true
            out += insideArrayOfTables ? "[[\(name)]]\n" : "[\(name)]\n"
        }
        for (k, v) in literals {
            yielded = true
            out += "\(k) = \(try literal(v, nest: 0))\n"
        }
        for (k, d, aot) in tables {
            if yielded { out += "\n" } else { yielded = true }
            try chunks(d, name: name.isEmpty ? k : "\(name).\(k)", insideArrayOfTables: aot, into: &out)
        }
    }

    static func literal(_ v: Value, nest: Int) throws -> String {
        switch v {
        case .bool(let b): return b ? "true" : "false"
        case .int, .bigInt, .float, .datetime, .date, .time, .zonedDatetime: return v.pythonStr   // tomli_w writes str()
        case .string(let s), .unsafe(let s): return string(s)
        case .list(let items):
            guard !items.isEmpty else { return "[]" }
            let inner = String(repeating: indent, count: nest + 1)
            return "[\n" + (try items.map { inner + (try literal($0, nest: nest + 1)) }).joined(separator: ",\n")
                + ",\n" + String(repeating: indent, count: nest) + "]"
        case .dict(let d): return try inline(d)
        default: throw Unserializable(description: "Object of type '\(typeName(v))' is not TOML serializable")
        }
    }

    static func inline(_ d: Dict) throws -> String {
        guard !d.isEmpty else { return "{}" }
        return "{ " + (try d.map { "\(try keyText($0.key)) = \(try literal($0.value, nest: 0))" }).joined(separator: ", ") + " }"
    }

    /// A non-empty list of mappings: written as `[[name]]` tables unless each fits on a line.
    static func arrayOfTables(_ v: Value) -> [Dict]? {
        guard case .list(let items) = v, !items.isEmpty else { return nil }
        let tables = items.compactMap(\.dictValue)
        return tables.count == items.count ? tables : nil
    }

    static func inlineFits(_ d: Dict) throws -> Bool {
        let text = indent + (try inline(d)) + ","
        return text.unicodeScalars.count <= maxLineLength && !text.contains("\n")
    }

    static func keyText(_ k: Value) throws -> String {
        guard let s = k.stringValue else {
            throw Unserializable(description: "Invalid mapping key '\(k.pythonStr)' of type '\(typeName(k))'. A string is required.")
        }
        let bare = !s.isEmpty && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        return bare ? s : string(s)
    }

    /// A basic string: quotes, backslashes and control characters (but tab) escaped.
    static func string(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\u{08}": out += "\\b"
            case "\n": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\t": out.unicodeScalars.append(c)
            case _ where c.value < 32 || c.value == 127: out += "\\u" + Value.hex(Int(c.value), width: 4)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    static func typeName(_ v: Value) -> String {
        switch v {
        case .none: return "NoneType"
        case .vault: return "EncryptedString"
        case .timedelta: return "timedelta"
        case .bytes: return "_AnsibleTaggedBytes"   // as YAML's loader tags them
        case .undefined: return "AnsibleUndefined"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        default: return "str"
        }
    }
}
