// PyYAML's yaml.dump as to_yaml and to_nice_yaml use it: keys sorted, block style (to_yaml
// puts collections of scalars in flow style), and PyYAML's rules for when a string needs quotes.
import Values
import YAMLReader

struct YAMLDump {
    var indent = 2
    /// default_flow_style=None: collections holding only scalars are written inline.
    var flowLeaves = true
    /// Multi-line strings as `|` literal blocks (the callback's dumper), made fit for one when lossy.
    var blockStrings = false
    var lossy = false

    func dump(_ v: Value) -> String {
        if isScalar(v) || isFlowLeaf(v) { return scalarOrFlow(v, level: 0) + "\n" }
        var out = ""
        block(v, level: 0, into: &out)
        return out
    }

    func isScalar(_ v: Value) -> Bool { v.listValue == nil && v.dictValue == nil }
    func isEmpty(_ v: Value) -> Bool { v.listValue?.isEmpty == true || v.dictValue?.isEmpty == true }
    func isFlowLeaf(_ v: Value) -> Bool {
        if isEmpty(v) { return true }
        guard flowLeaves else { return false }
        if let l = v.listValue { return l.allSatisfy(isScalar) }
        if let d = v.dictValue { return d.values.allSatisfy(isScalar) }
        return false
    }

    func sortedPairs(_ d: Dict) -> [(Value, Value)] {
        d.map { ($0.key, $0.value) }.sorted { a, b in
            if let x = a.0.stringValue, let y = b.0.stringValue { return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) }
            return a.0.pythonStr < b.0.pythonStr
        }
    }

    func scalarOrFlow(_ v: Value, level: Int) -> String {
        switch v {
        case .list(let l): return "[" + l.map { scalarOrFlow($0, level: level) }.joined(separator: ", ") + "]"
        case .dict(let d): return "{" + sortedPairs(d).map { "\(scalar($0.0, level: level)): \(scalarOrFlow($0.1, level: level))" }.joined(separator: ", ") + "}"
        default: return scalar(v, level: level)
        }
    }

    func pad(_ n: Int) -> String { String(repeating: " ", count: n) }

    /// Writes a block collection whose first line starts at the current position.
    func block(_ v: Value, level: Int, into out: inout String, firstInline: Bool = false) {
        var first = true
        let lead = { (isFirst: Bool) -> String in isFirst && firstInline ? "" : self.pad(level) }
        switch v {
        case .dict(let d):
            for (k, x) in sortedPairs(d) {
                out += lead(first) + scalar(k, level: level) + ":"
                first = false
                if isScalar(x) || isFlowLeaf(x) {
                    out += " " + scalarOrFlow(x, level: level + indent) + "\n"
                } else if x.listValue != nil {
                    out += "\n"
                    block(x, level: level, into: &out)
                } else {
                    out += "\n"
                    block(x, level: level + indent, into: &out)
                }
            }
        case .list(let l):
            for x in l {
                out += lead(first) + "-"
                first = false
                if isScalar(x) || isFlowLeaf(x) {
                    out += " " + scalarOrFlow(x, level: level + indent) + "\n"
                } else {
                    out += pad(indent - 1)
                    block(x, level: level + indent, into: &out, firstInline: true)
                }
            }
        default:
            out += scalar(v, level: level) + "\n"
        }
    }

    func scalar(_ v: Value, level: Int) -> String {
        switch v {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let f):
            if f.isNaN { return ".nan" }
            if f.isInfinite { return f < 0 ? "-.inf" : ".inf" }
            let r = Value.formatFloat(f)
            return r.contains(".") || r.contains("e") ? r : r + ".0"
        case .string(let s), .unsafe(let s), .vault(let s): return string(s, level: level)
        default: return scalarOrFlow(v, level: level)
        }
    }

    func string(_ s: String, level: Int) -> String {
        if blockStrings, s.contains("\n") {
            var text = s
            if lossy {
                // rstrip, tabs expanded, no spaces before a line break: what a literal block allows.
                while let l = text.last, l.isWhitespace { text.removeLast() }
                text = text.replacingOccurrences(of: "\t", with: "        ")
                while text.contains(" \n") { text = text.replacingOccurrences(of: " \n", with: "\n") }
            }
            let chomp = text.hasSuffix("\n\n") ? "+" : text.hasSuffix("\n") ? "" : "-"
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if text.hasSuffix("\n") { lines.removeLast() }
            return "|" + chomp + lines.map { "\n" + ($0.isEmpty ? "" : pad(level) + $0) }.joined()
        }
        if plainAllowed(s) { return s }
        if s.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7f }) {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 || u.value == 0x7f { out += "\\x" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16).uppercased() } else { out.unicodeScalars.append(u) }
                }
            }
            return out + "\""
        }
        // Single-quoted: quotes doubled; a line break is written as a blank line.
        let body = s.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") }
            .joined(separator: "\n\n" + pad(level + indent))
        return "'" + body + "'"
    }

    /// PyYAML's implicit timestamp: written plain it would read back as a date, so it is quoted.
    /// (A Regex literal is immutable once built; it is only matched against here.)
    nonisolated(unsafe) static let timestamp = #/[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?/#

    func plainAllowed(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        if case .string = Resolver.resolvePublic(s) {} else { return false }
        if first.isNumber, (try? YAMLDump.timestamp.wholeMatch(in: s)) != nil { return false }
        if s.contains("\n") || first == " " || last == " " || last == ":" { return false }
        if "?:-".contains(first) {
            let second = s.dropFirst().first
            if second == nil || second == " " { return false }
        } else if ",[]{}#&*!|>'\"%@`".contains(first) {
            return false
        }
        if s.contains(": ") || s.contains(" #") { return false }
        return !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
    }
}

/// PyYAML's block dump (default_flow_style=False, keys sorted), for commands that print YAML.
public enum YAMLText {
    public static func dump(_ v: Value) -> String { YAMLDump(indent: 2, flowLeaves: false).dump(v) }
}
