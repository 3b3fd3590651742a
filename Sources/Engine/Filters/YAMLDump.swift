// yaml.dump as ansible-core calls it (to_yaml, to_nice_yaml, the callback's result_format=yaml):
// PyYAML's SafeRepresenter decides each node's tag, whether the tag can go unwritten and the
// collection style; libyaml's emitter (ansible-core's CSafeDumper) writes the text.
import Jinja
import Values
import YAMLReader

struct YAMLDump {
    var options = YAMLWriter.Options()
    /// default_flow_style: nil writes collections of plain scalars inline, others in block style.
    var flowStyle: Bool? = nil
    var sortKeys = true
    /// default_style: the style every scalar asks for (`'|'`, `'"'`…).
    var defaultStyle: YAMLWriter.Style? = nil
    /// The callback's dumper: strings with line breaks as `|` blocks, made fit for one when lossy.
    var blockStrings = false
    var lossy = false
    /// Values that are one Python object in several places (a group's variable under each of
    /// its hosts), by their path from the root: a name for that object. Such a value is written
    /// once with an anchor and aliased after (`&id001`, `*id001`), as PyYAML writes it.
    var shared: [[Value]: String] = [:]

    init(indent: Int, flowStyle: Bool?) {
        options.indent = indent
        self.flowStyle = flowStyle
    }

    func dump(_ v: Value) throws -> String {
        let w = YAMLWriter(options)
        let root = try node(v, at: shared.isEmpty ? nil : [])
        var aliases = Aliases()
        if !shared.isEmpty { aliases.anchor(root) }
        emit(root, w, &aliases)
        return try w.finish()
    }

    /// Serializer.anchor_node: an object met a second time gets the next anchor (`id001`…), in
    /// the order of those second meetings; what is written once is aliased from then on.
    private struct Aliases {
        var seen: Set<String> = [], anchors: [String: String] = [:], written: Set<String> = []

        mutating func anchor(_ n: Node) {
            switch n {
            case .scalar: break
            case .sequence(let items): for i in items { anchor(i) }
            case .mapping(let pairs): for (k, v) in pairs { anchor(k); anchor(v) }
            case .shared(let token, let inner):
                if seen.insert(token).inserted { anchor(inner) } else if anchors[token] == nil {
                    let n = String(anchors.count + 1)
                    anchors[token] = "id" + String(repeating: "0", count: max(0, 3 - n.count)) + n
                }
            }
        }
    }

    /// A node as the representer makes it, before it is emitted: scalars carry the style they
    /// ask for, which decides whether a collection holding them can be written inline.
    private indirect enum Node {
        case scalar(String, tag: String, style: YAMLWriter.Style?)
        case sequence([Node])
        case mapping([(Node, Node)])
        /// A value that is one object in several places, by its name in `shared`.
        case shared(String, Node)

        var plainScalar: Bool { if case .scalar(_, _, nil) = self { return true }; return false }
    }

    /// `path`: where the value is from the root, when some values are shared.
    private func node(_ v: Value, at path: [Value]? = nil) throws -> Node {
        if let path, let token = shared[path] {
            switch v {
            case .list, .tuple, .dict: return .shared(token, try node(v))
            default: break
            }
        }
        let t = "tag:yaml.org,2002:"
        switch v {
        case .deprecated(let inner, _): return try node(inner, at: path)
        case .none: return .scalar("null", tag: t + "null", style: defaultStyle)
        case .bool(let b): return .scalar(b ? "true" : "false", tag: t + "bool", style: defaultStyle)
        case .int, .bigInt: return .scalar(v.pythonRepr, tag: t + "int", style: defaultStyle)
        case .float(let f): return .scalar(YAMLDump.floatText(f), tag: t + "float", style: defaultStyle)
        case .string(let s), .unsafe(let s):
            if blockStrings, s.unicodeScalars.contains(where: YAMLDump.breaks.contains) {
                return .scalar(lossy ? YAMLDump.fitForBlock(s) : s, tag: t + "str", style: .literal)
            }
            return .scalar(s, tag: t + "str", style: defaultStyle)
        case .vault(let ciphertext): return .scalar(ciphertext, tag: "!vault", style: .literal)
        case .bytes(let b):
            // represent_binary: base64.encodebytes (lines of 76), a `|` block.
            let text = Base64.encode(b)
            let lines = stride(from: 0, to: text.count, by: 76).map { i in
                String(text.dropFirst(i).prefix(76)) + "\n"
            }
            return .scalar(lines.joined(), tag: t + "binary", style: .literal)
        case .datetime(let seconds):
            // represent_datetime: isoformat(' '), which is str().
            return .scalar(DateParts(seconds).description, tag: t + "timestamp", style: defaultStyle)
        case .date, .zonedDatetime:
            // represent_date: isoformat(); represent_datetime: isoformat(' '), both str().
            return .scalar(v.pythonStr, tag: t + "timestamp", style: defaultStyle)
        case .time, .timedelta, .omit, .tuple(_, grouped: true): throw YAMLText.Unrepresentable(value: v)
        case .undefined(let why): throw UndefinedError(why)
        case .list(let l), .tuple(let l, _): return .sequence(try l.enumerated().map { i, x in try node(x, at: path.map { $0 + [.int(i)] }) })
        case .dict(let d): return .mapping(try pairs(d).map { k, x in (try node(k), try node(x, at: path.map { $0 + [k] })) })
        }
    }

    private func emit(_ n: Node, _ w: YAMLWriter, _ aliases: inout Aliases, anchor: String? = nil) {
        switch n {
        case .shared(let token, let inner):
            guard let name = aliases.anchors[token] else { return emit(inner, w, &aliases) }
            if aliases.written.insert(token).inserted { emit(inner, w, &aliases, anchor: name) } else { w.alias(name) }
        case .scalar(let text, let tag, let style):
            // The tag goes unwritten when the text reads back as it: plain for what the resolver
            // finds in it, quoted for strings.
            let isString = tag.hasSuffix(":str")
            let implicit = tag.hasPrefix("tag:yaml.org,2002:") && !tag.hasSuffix(":binary")   // no text resolves to binary
            w.scalar(text, tag: tag, plainImplicit: isString ? YAMLDump.readsAsString(text) : implicit,
                     quotedImplicit: isString, style: style ?? .any)
        case .sequence(let items):
            w.beginSequence(flow: flowStyle ?? items.allSatisfy(\.plainScalar), anchor: anchor)
            for i in items { emit(i, w, &aliases) }
            w.endSequence()
        case .mapping(let pairs):
            w.beginMapping(flow: flowStyle ?? pairs.allSatisfy { $0.0.plainScalar && $0.1.plainScalar }, anchor: anchor)
            for (k, v) in pairs { emit(k, w, &aliases); emit(v, w, &aliases) }
            w.endMapping()
        }
    }

    /// sort_keys: sorted() of the items, which Python refuses for keys of mixed types (kept in order).
    private func pairs(_ d: Dict) -> [(Value, Value)] {
        let items = d.map { ($0.key, $0.value) }
        guard sortKeys, items.count > 1 else { return items }
        if items.allSatisfy({ $0.0.stringValue != nil }) {
            return items.sorted { $0.0.stringValue!.unicodeScalars.lexicographicallyPrecedes($1.0.stringValue!.unicodeScalars) }
        }
        if items.allSatisfy({ $0.0.number != nil }) { return items.sorted { $0.0.number! < $1.0.number! } }
        return items
    }

    /// SafeRepresenter.represent_float: repr() in lower case, `.0` before an exponent without a point.
    static func floatText(_ f: Double) -> String {
        if f.isNaN { return ".nan" }
        if f.isInfinite { return f < 0 ? "-.inf" : ".inf" }
        let r = Value.formatFloat(f).lowercased()
        guard !r.contains("."), let e = r.firstIndex(of: "e") else { return r }
        return r[..<e] + ".0" + r[e...]
    }

    /// Whether PyYAML's resolver would read this text, written plain, as a string (not a number,
    /// bool, null, timestamp, merge key or `=`).
    static func readsAsString(_ s: String) -> Bool {
        if s == "=" || s == "<<" { return false }
        guard case .string = Resolver.resolvePublic(s) else { return false }
        if let first = s.first, first.isNumber, (try? timestamp.wholeMatch(in: s)) != nil { return false }
        return true
    }

    /// PyYAML's implicit timestamp. (A Regex literal is immutable once built; it is only matched against here.)
    nonisolated(unsafe) static let timestamp = #/[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?/#

    /// Line breaks YAML knows (NL, NEL, LS, PS): a string holding one is written as a block.
    static let breaks: Set<Unicode.Scalar> = ["\n", "\u{85}", "\u{2028}", "\u{2029}"]

    /// _munge_data_for_lossy_yaml: what a literal block cannot hold is dropped — trailing
    /// whitespace, tabs (expanded), characters libyaml calls special, spaces before a break.
    static func fitForBlock(_ s: String) -> String {
        var scalars = s.unicodeScalars
        while let last = scalars.last, last.properties.isWhitespace || (0x1C...0x1F).contains(last.value) { scalars.removeLast() }
        var text = String(scalars)
        var expanded = String.UnicodeScalarView(), column = 0
        for u in text.unicodeScalars {
            if u == "\t" {
                let n = 8 - column % 8
                expanded.append(contentsOf: repeatElement(" ", count: n))
                column += n
                continue
            }
            let v = u.value
            let allowed = v == 10 || (32...126).contains(v) || v == 0x85 || (0xA0...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v)
                || (0x10000..<0x10FFFF).contains(v)
            guard allowed, v != 0xFEFF else { continue }
            expanded.append(u)
            column = v == 10 || v == 13 ? 0 : column + 1
        }
        text = String(expanded)
        var out = String.UnicodeScalarView(), spaces = 0
        for u in text.unicodeScalars {
            if u == " " { spaces += 1; continue }
            if !breaks.contains(u) { out.append(contentsOf: repeatElement(" ", count: spaces)) }
            spaces = 0
            out.append(u)
        }
        out.append(contentsOf: repeatElement(" ", count: spaces))
        return String(out)
    }
}

/// PyYAML's block dump (default_flow_style=False, keys sorted), for commands that print YAML.
public enum YAMLText {
    /// PyYAML's RepresenterError for a value SafeDumper has no representer for (its args).
    public struct Unrepresentable: Error, CustomStringConvertible {
        let value: Value
        public var description: String { "('cannot represent an object', \(value.pythonRepr))" }
    }

    /// `shared`: values that are one object in several places, by path, as `YAMLDump.shared`.
    public static func dump(_ v: Value, shared: [[Value]: String] = [:]) throws -> String {
        var d = YAMLDump(indent: 2, flowStyle: false)
        d.shared = shared
        return try d.dump(v)
    }
}
