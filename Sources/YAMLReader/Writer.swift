// libyaml's emitter, as PyYAML's CSafeDumper drives it (which is what ansible-core dumps YAML
// with): the caller says what each node is (tag, whether that tag can go unwritten, a style
// wish), and libyaml decides the text — quoting, folding at the width, indentation.
import CYAML

public final class YAMLWriter {
    public struct Options: Sendable {
        public var indent = 2
        public var width = 80
        public var unicode = true
        public var canonical = false
        public var explicitStart = false
        public var explicitEnd = false
        /// `%YAML major.minor` before the document.
        public var version: (Int, Int)?
        /// "\n", "\r" or "\r\n".
        public var lineBreak = "\n"
        public init() {}
    }

    public enum Style {
        case any, plain, singleQuoted, doubleQuoted, literal, folded

        var scalar: yaml_scalar_style_t {
            switch self {
            case .any: YAML_ANY_SCALAR_STYLE
            case .plain: YAML_PLAIN_SCALAR_STYLE
            case .singleQuoted: YAML_SINGLE_QUOTED_SCALAR_STYLE
            case .doubleQuoted: YAML_DOUBLE_QUOTED_SCALAR_STYLE
            case .literal: YAML_LITERAL_SCALAR_STYLE
            case .folded: YAML_FOLDED_SCALAR_STYLE
            }
        }
    }

    private let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
    private var output: [UInt8] = []
    private var failure: String?
    private let explicitEnd: Bool

    public init(_ options: Options) {
        explicitEnd = options.explicitEnd
        yaml_emitter_initialize(emitter)
        yaml_emitter_set_output(emitter, { data, buffer, size in
            let writer = Unmanaged<YAMLWriter>.fromOpaque(data!).takeUnretainedValue()
            writer.output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(self).toOpaque())
        yaml_emitter_set_indent(emitter, Int32(options.indent))
        yaml_emitter_set_width(emitter, Int32(options.width))
        yaml_emitter_set_unicode(emitter, options.unicode ? 1 : 0)
        yaml_emitter_set_canonical(emitter, options.canonical ? 1 : 0)
        yaml_emitter_set_break(emitter, options.lineBreak == "\r" ? YAML_CR_BREAK : options.lineBreak == "\r\n" ? YAML_CRLN_BREAK : YAML_LN_BREAK)
        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        emit(&event)
        if let (major, minor) = options.version {
            var directive = yaml_version_directive_t(major: Int32(major), minor: Int32(minor))
            yaml_document_start_event_initialize(&event, &directive, nil, nil, 0)
        } else {
            yaml_document_start_event_initialize(&event, nil, nil, nil, options.explicitStart ? 0 : 1)
        }
        emit(&event)
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
    }

    private func emit(_ event: inout yaml_event_t) {
        guard failure == nil else { yaml_event_delete(&event); return }
        if yaml_emitter_emit(emitter, &event) == 0 {
            failure = emitter.pointee.problem.map { String(cString: $0) } ?? "YAML emitter error"
        }
    }

    /// A scalar: `tag` in full (tag:yaml.org,2002:str); `plainImplicit` when written plain it would
    /// read back with that tag, `quotedImplicit` when quoted it would.
    public func scalar(_ text: String, tag: String, plainImplicit: Bool, quotedImplicit: Bool, style: Style = .any) {
        var value = Array(text.utf8) + [0]
        emitTagged(tag) { event, t in
            value.withUnsafeMutableBufferPointer {
                yaml_scalar_event_initialize(&event, nil, t, $0.baseAddress, Int32($0.count - 1),
                                             plainImplicit ? 1 : 0, quotedImplicit ? 1 : 0, style.scalar)
            }
        }
    }

    /// A sequence's start; `anchor` (`id001`) names it for later aliases.
    public func beginSequence(flow: Bool, tag: String = "tag:yaml.org,2002:seq", anchor: String? = nil) {
        withAnchor(anchor) { a in
            emitTagged(tag) { yaml_sequence_start_event_initialize(&$0, a, $1, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE) }
        }
    }

    /// `*anchor`: the node written earlier under that anchor, again.
    public func alias(_ anchor: String) {
        withAnchor(anchor) { a in
            var event = yaml_event_t()
            yaml_alias_event_initialize(&event, a)
            emit(&event)
        }
    }

    private func withAnchor(_ anchor: String?, _ body: (UnsafeMutablePointer<UInt8>?) -> Void) {
        guard let anchor else { return body(nil) }
        var bytes = Array(anchor.utf8) + [0]
        bytes.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }

    public func endSequence() {
        var event = yaml_event_t()
        yaml_sequence_end_event_initialize(&event)
        emit(&event)
    }

    public func beginMapping(flow: Bool, tag: String = "tag:yaml.org,2002:map", anchor: String? = nil) {
        withAnchor(anchor) { a in
            emitTagged(tag) { yaml_mapping_start_event_initialize(&$0, a, $1, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE) }
        }
    }

    /// An event made with the tag as libyaml takes it (a NUL-terminated byte string it copies).
    private func emitTagged(_ tag: String, _ initialize: (inout yaml_event_t, UnsafeMutablePointer<UInt8>) -> Int32) {
        var event = yaml_event_t()
        var bytes = Array(tag.utf8) + [0]
        _ = bytes.withUnsafeMutableBufferPointer { initialize(&event, $0.baseAddress!) }
        emit(&event)
    }

    public func endMapping() {
        var event = yaml_event_t()
        yaml_mapping_end_event_initialize(&event)
        emit(&event)
    }

    /// Ends the document and the stream; the text, or libyaml's complaint about the events.
    public func finish() throws -> String {
        var event = yaml_event_t()
        yaml_document_end_event_initialize(&event, explicitEnd ? 0 : 1)
        emit(&event)
        yaml_stream_end_event_initialize(&event)
        emit(&event)
        yaml_emitter_flush(emitter)
        if let failure { throw YAMLWriterError(message: failure) }
        return String(decoding: output, as: UTF8.self)
    }
}

public struct YAMLWriterError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
