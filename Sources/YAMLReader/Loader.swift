// libyaml events → Node, with PyYAML's constructor rules: tags (!unsafe, !vault, !!str…),
// merge keys, aliases, duplicate keys (warn, last value wins at the first key's place).
import CYAML
import Synchronization
import Values

public struct YAMLError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var location: SourceLocation
    /// What follows the source context (Ansible's help text for a common mistake).
    public var help: String?
    public init(message: String, location: SourceLocation, help: String? = nil) {
        self.message = message
        self.location = location
        self.help = help
    }
    public var description: String { "\(location): \(message)" }
}

public struct YAMLWarning: Sendable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation
    /// What follows the source context (Ansible's help text).
    public var help: String?
    public var description: String { "\(message)\nOrigin: \(location)" }
}

/// DUPLICATE_YAML_DICT_KEY: what a mapping's repeated key does (the last value wins unless error).
public enum DuplicateKeys: Int, Sendable {
    case warn, error, ignore
}

public enum YAMLReader {
    /// Set once from the configuration before anything is read.
    public static let duplicateKeys = Atomic<Int>(DuplicateKeys.warn.rawValue)

    /// Loads the first document (None for an empty stream).
    public static func load(_ text: String, file: String) throws -> Node {
        try loadAll(text, file: file).first ?? Node(.scalar(.none), location: SourceLocation(file: file, line: 1, column: 1))
    }

    public static func loadAll(_ text: String, file: String) throws -> [Node] {
        var warnings: [YAMLWarning] = []
        return try loadAll(text, file: file, warnings: &warnings)
    }

    public static func loadAll(_ text: String, file: String, warnings: inout [YAMLWarning]) throws -> [Node] {
        // Text that was not UTF-8 holds lone surrogates (escaped as DataLoader escapes it):
        // PyYAML's libyaml parser cannot encode them, and the file fails without a line.
        if let refusal = Surrogates.encodeError(text) {
            throw YAMLError(message: refusal, location: SourceLocation(file: file, line: 0, column: 0))
        }
        let composer = Composer(file: file)
        let docs = try composer.compose(Array(text.utf8))
        warnings += composer.warnings
        return docs
    }

    public static func loadValue(_ text: String, file: String) throws -> Value {
        try load(text, file: file).value
    }
}

final class Composer {
    let file: String
    var parser = yaml_parser_t()
    var event = yaml_event_t()
    var anchors: [String: Node] = [:]
    /// Inside an `!unsafe` sequence or mapping: strings are read as unsafe.
    var unsafeDepth = 0
    /// Collections open around the current node. PyYAML's composer recurses per level and stops
    /// at Python's recursion limit; a bound here keeps every later walk of the tree off the
    /// end of the stack too.
    var depth = 0
    static let maxDepth = 500
    var warnings: [YAMLWarning] = []
    /// The text being read, for the line a syntax error points at.
    var source: [UInt8] = []

    init(file: String) { self.file = file }

    func compose(_ bytes: [UInt8]) throws -> [Node] {
        source = bytes
        guard yaml_parser_initialize(&parser) != 0 else { throw YAMLError(message: "out of memory", location: .unknown) }
        defer {
            yaml_event_delete(&event)
            yaml_parser_delete(&parser)
        }
        return try bytes.withUnsafeBufferPointer { buf -> [Node] in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var docs: [Node] = []
            try next()  // STREAM_START
            try next()
            while event.type == YAML_DOCUMENT_START_EVENT {
                anchors = [:]
                try next()
                docs.append(try node())
                try next()  // DOCUMENT_END
                try next()
            }
            return docs
        }
    }

    /// A MarkedYAMLError as Ansible words it, the line it points at examined for common mistakes.
    func syntaxError(_ context: String?, _ problem: String, at location: SourceLocation) -> YAMLError {
        let lines = source.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let line = location.line >= 1 && location.line <= lines.count ? String(decoding: lines[location.line - 1], as: UTF8.self) : ""
        return ParseErrorHints.error(context: context, problem: problem, at: location, line: line)
    }

    func mark(_ m: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    func next() throws {
        yaml_event_delete(&event)
        if yaml_parser_parse(&parser, &event) == 0 {
            if parser.error == YAML_READER_ERROR {
                // PyYAML's ReaderError for the text Ansible hands it, the place a byte offset.
                let problem = parser.problem.map { String(cString: $0) } ?? "invalid character"
                let character = String(UInt32(bitPattern: parser.problem_value), radix: 16)
                throw YAMLError(message: "unacceptable character #x\(String(repeating: "0", count: max(0, 4 - character.count)) + character): \(problem) in \"<unicode string>\", position \(parser.problem_offset)",
                                location: SourceLocation(file: file, line: 0, column: 0))
            }
            throw syntaxError(parser.context.map { String(cString: $0) }, parser.problem.map { String(cString: $0) } ?? "unknown YAML error",
                              at: mark(parser.problem_mark))
        }
    }

    static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    func node() throws -> Node {
        let loc = mark(event.start_mark)
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Composer.string(event.data.alias.anchor) ?? ""
            guard let n = anchors[name] else {
                throw syntaxError("found undefined alias", "", at: loc)   // libyaml's composer names no anchor
            }
            return n
        case YAML_SCALAR_EVENT:
            let sc = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: sc.value, count: Int(sc.length)), as: UTF8.self)
            let tag = Composer.string(sc.tag)
            let plain = sc.style == YAML_PLAIN_SCALAR_STYLE
            var value = try construct(text, tag: tag, plain: plain, at: loc)
            if unsafeDepth > 0, case .string(let s) = value { value = .unsafe(s) }
            let n = Node(.scalar(value), location: loc)
            if let a = Composer.string(sc.anchor) { anchors[a] = n }
            return n
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            depth += 1
            defer { depth -= 1 }
            guard depth <= Composer.maxDepth else { throw YAMLError(message: "maximum recursion depth exceeded", location: loc) }
            return try collection(at: loc)
        default:
            throw YAMLError(message: "unexpected YAML event", location: loc)
        }
    }

    func collection(at loc: SourceLocation) throws -> Node {
        switch event.type {
        case YAML_SEQUENCE_START_EVENT:
            let anchor = Composer.string(event.data.sequence_start.anchor)
            let unsafe = try checkCollectionTag(Composer.string(event.data.sequence_start.tag), expected: "tag:yaml.org,2002:seq", at: loc)
            if unsafe { unsafeDepth += 1 }
            defer { if unsafe { unsafeDepth -= 1 } }
            var items: [Node] = []
            try next()
            while event.type != YAML_SEQUENCE_END_EVENT {
                items.append(try node())
                try next()
            }
            let n = Node(.sequence(items), location: loc)
            if let a = anchor { anchors[a] = n }
            return n
        case YAML_MAPPING_START_EVENT:
            let anchor = Composer.string(event.data.mapping_start.anchor)
            let unsafe = try checkCollectionTag(Composer.string(event.data.mapping_start.tag), expected: "tag:yaml.org,2002:map", at: loc)
            if unsafe { unsafeDepth += 1 }
            defer { if unsafe { unsafeDepth -= 1 } }
            var pairs: [Node.Pair] = []
            var merges: [Node] = []
            try next()
            while event.type != YAML_MAPPING_END_EVENT {
                let isMergeKey = event.type == YAML_SCALAR_EVENT && event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE
                    && event.data.scalar.tag == nil && event.data.scalar.length == 2
                    && event.data.scalar.value[0] == UInt8(ascii: "<") && event.data.scalar.value[1] == UInt8(ascii: "<")
                let k = try node()
                try next()
                let v = try node()
                if isMergeKey { merges.append(v) } else { pairs.append(Node.Pair(key: k, value: v)) }
                try next()
            }
            let merged = try flatten(pairs: pairs, merges: merges, at: loc)
            let n = Node(.mapping(merged), location: loc)
            if let a = anchor { anchors[a] = n }
            return n
        default:
            throw YAMLError(message: "unexpected YAML event", location: loc)
        }
    }

    /// A collection's tag: its own, none, or `!unsafe` (true: every string inside is unsafe).
    func checkCollectionTag(_ tag: String?, expected: String, at loc: SourceLocation) throws -> Bool {
        guard let tag, tag != expected, tag != "!" else { return false }
        if tag == "!unsafe" { return true }
        throw syntaxError(nil, "could not determine a constructor for the tag '\(tag)'", at: loc)
    }

    /// PyYAML's flatten_mapping: merged pairs come first (a list of merges applied last-first),
    /// explicit keys override them; duplicate keys warn and the last value wins.
    func flatten(pairs: [Node.Pair], merges: [Node], at loc: SourceLocation) throws -> [Node.Pair] {
        var mergedPairs: [Node.Pair] = []
        for m in merges {
            switch m.kind {
            case .mapping(let p): mergedPairs += p
            case .sequence(let items):
                for sub in items.reversed() {
                    guard case .mapping(let p) = sub.kind else {
                        throw syntaxError("while constructing a mapping", "expected a mapping for merging, but found \(kindName(sub))", at: sub.location)
                    }
                    mergedPairs += p
                }
            default:
                throw syntaxError("while constructing a mapping", "expected a mapping or list of mappings for merging, but found \(kindName(m))", at: m.location)
            }
        }
        var out: [Node.Pair] = []
        var index: [Value: Int] = [:]
        for p in mergedPairs + pairs {
            switch p.key.kind {
            case .mapping, .sequence:   // PyYAML refuses keys Python cannot hash (`msg: {{ x }}` is one)
                throw syntaxError("while constructing a mapping", "found unhashable key", at: p.key.location)
            default: break
            }
            let key = p.key.value
            if let i = index[key] {
                let message = "Found duplicate mapping key \(key.pythonRepr)."
                switch DuplicateKeys(rawValue: YAMLReader.duplicateKeys.load(ordering: .relaxed)) {
                case .error: throw YAMLError(message: message, location: p.key.location)
                case .ignore: break
                default: warnings.append(YAMLWarning(message: message, location: p.key.location, help: "Using last defined value only."))
                }
                out[i].value = p.value
            } else {
                index[key] = out.count
                out.append(p)
            }
        }
        return out
    }

    func kindName(_ n: Node) -> String {
        switch n.kind {
        case .scalar: return "scalar"
        case .sequence: return "sequence"
        case .mapping: return "mapping"
        }
    }

    func construct(_ text: String, tag: String?, plain: Bool, at loc: SourceLocation) throws -> Value {
        guard let tag else {
            guard plain else { return .string(text) }
            let v = Resolver.resolve(plain: text)
            // PyYAML takes it for a timestamp and datetime() refuses it: the file fails, without a line.
            if case .string = v, let why = Resolver.timestampError(text) {
                throw YAMLError(message: why, location: SourceLocation(file: loc.file, line: 0, column: 0))
            }
            return v
        }
        switch tag {
        case "!", "tag:yaml.org,2002:str": return .string(text)
        case "!unsafe": return .unsafe(text)
        case "!vault", "!vault-encrypted":
            VaultOrigins.note(text, at: loc)
            return .vault(text)
        case "tag:yaml.org,2002:null": return .none
        case "tag:yaml.org,2002:bool":
            if let b = Resolver.bool(text) { return .bool(b) }
            throw conversionError(Value.string(text.lowercased()).pythonRepr, at: loc)   // the KeyError of its table
        case "tag:yaml.org,2002:int":
            if let i = Resolver.int(text) { return i }
            throw conversionError(Composer.intError(text), at: loc)
        case "tag:yaml.org,2002:float":
            if let f = Resolver.float(text) ?? Resolver.int(text)?.number { return .float(f) }
            var digits = Substring(text.replacingOccurrences(of: "_", with: "").lowercased())
            if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
            throw conversionError("could not convert string to float: \(Value.string(String(digits)).pythonRepr)", at: loc)
        case "tag:yaml.org,2002:binary":
            // construct_yaml_binary: the text as ASCII, then base64.decodebytes.
            if let bad = text.unicodeScalars.enumerated().first(where: { !$0.element.isASCII }) {
                throw syntaxError(nil, "failed to convert base64 data into ascii: 'ascii' codec can't encode character '\(TextCodec.escaped(bad.element))' in position \(bad.offset): ordinal not in range(128)", at: loc)
            }
            do { return .bytes(try Base64.pythonDecode(Array(text.utf8))) } catch let e as Base64.Failure {
                throw syntaxError(nil, "failed to decode base64 data: \(e.message)", at: loc)
            }
        default:
            throw syntaxError(nil, "could not determine a constructor for the tag '\(tag)'", at: loc)
        }
    }

    /// A value its tag's constructor refuses: Python's own error, which is no MarkedYAMLError, so
    /// Ansible names the file without a line.
    func conversionError(_ message: String, at loc: SourceLocation) -> YAMLError {
        YAMLError(message: message, location: SourceLocation(file: loc.file, line: 0, column: 0))
    }

    /// construct_yaml_int's int() error: the base its prefix chose, the digits it was given.
    static func intError(_ text: String) -> String {
        var v = Substring(text.replacingOccurrences(of: "_", with: ""))
        if v.first == "-" || v.first == "+" { v = v.dropFirst() }
        func invalid(_ digits: Substring, _ base: Int) -> String {
            "invalid literal for int() with base \(base): \(Value.string(String(digits)).pythonRepr)"
        }
        if v.hasPrefix("0b") { return invalid(v.dropFirst(2), 2) }
        if v.hasPrefix("0x") { return invalid(v.dropFirst(2), 16) }
        if v.hasPrefix("0") { return invalid(v, 8) }
        if v.contains(":") {
            let bad = v.split(separator: ":", omittingEmptySubsequences: false).first { Int($0) == nil } ?? v
            return invalid(bad, 10)
        }
        return invalid(v, 10)
    }
}
