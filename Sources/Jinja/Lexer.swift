// Splits template source into text and tag tokens, applying Jinja2's whitespace control
// (`-`, `+`, trim_blocks, lstrip_blocks) here so the parser never sees it.
import Values

/// An error a filter raises while handling another (Python's implicit exception context, as
/// ansible-core's `raise … ` inside `except`): 2.19 shows it apart from "The filter plugin … failed.".
public struct ChainedError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Said after the message in its own section only (Ansible's help_text there).
    public var help: String?
    public init(_ message: String, help: String? = nil) {
        self.message = message
        self.help = help
    }
    public var description: String { message }
}

public struct TemplateError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var line: Int
    /// Raised while parsing (an included template's syntax error surfaces while rendering).
    public var isSyntax = false
    /// Raised by using a `!vault` value that does not decrypt (2.19's VaultExceptionMarker): the
    /// ciphertext, so that a container item keeps the marker instead of failing (unless `hard`).
    public var undecryptable: String?
    /// Raised by an operator using such a marker: an error for good (see UndefinedError.hard).
    public var hard = false
    /// A filter's own error that it raised while handling another (a ChainedError): the end of
    /// the message, which 2.19 shows as a section of its own (followed there by `apartHelp`).
    public var apart: String?
    public var apartHelp: String?
    public init(_ message: String, line: Int = 0, syntax: Bool = false) {
        self.message = message
        self.line = line
        isSyntax = syntax
    }
    public var description: String { message }
}

/// Options Ansible's template module exposes (and `#jinja2:` headers override).
public struct TemplateOptions: Sendable, Hashable {
    public var trimBlocks = true
    public var lstripBlocks = false
    public var keepTrailingNewline = false
    /// Ansible's escape_backslashes: string constants inside `{{ }}` keep their backslashes,
    /// because YAML already processed them once.
    public var escapeBackslashes = false
    /// Jinja2's *_start_string / *_end_string: `{{ }}`, `{% %}`, `{# #}` unless a template says otherwise.
    public var variableStart = "{{", variableEnd = "}}"
    public var blockStart = "{%", blockEnd = "%}"
    public var commentStart = "{#", commentEnd = "#}"
    /// Jinja2's newline_sequence: every line break of the template's text and string literals becomes it.
    public var newlineSequence = "\n"
    /// Jinja2's line_statement_prefix: a line starting with it is a `{% %}` statement.
    public var lineStatementPrefix: String?
    public init(trimBlocks: Bool = true, lstripBlocks: Bool = false, keepTrailingNewline: Bool = false,
                escapeBackslashes: Bool = false) {
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
        self.keepTrailingNewline = keepTrailingNewline
        self.escapeBackslashes = escapeBackslashes
    }
}

enum Token: Equatable {
    case text(String)
    case varBegin, varEnd, blockBegin, blockEnd
    case name(String)
    case string(String)
    /// An int literal: `.int`, or `.bigInt` past 64 bits.
    case int(Value)
    case float(Double)
    case op(String)
    case eof
}

struct LexedToken {
    var token: Token
    var line: Int
}

struct Lexer {
    let src: [Unicode.Scalar]
    let options: TemplateOptions
    var i = 0
    var line = 1
    var out: [LexedToken] = []

    init(_ source: String, options: TemplateOptions) {
        var s = Array(source.unicodeScalars)
        if !options.keepTrailingNewline, s.last == "\n" {
            s.removeLast()
            if s.last == "\r" { s.removeLast() }
        }
        src = s
        self.options = options
    }

    func peek(_ s: String, at j: Int) -> Bool {
        var k = j
        for u in s.unicodeScalars {
            guard k < src.count, src[k] == u else { return false }
            k += 1
        }
        return true
    }

    mutating func tokenize() throws -> [LexedToken] {
        var text: [Unicode.Scalar] = []
        var lstripNext = false  // a `-}}` asks the next text to lose its leading whitespace
        var trimNewline = false  // trim_blocks after `%}`
        let newline = options.newlineSequence
        func flush(_ t: inout [Unicode.Scalar], into out: inout [LexedToken], line: Int) {
            if !t.isEmpty {
                var s = ""
                s.unicodeScalars.append(contentsOf: t)
                s = Lexer.normalizeNewlines(s, newline)
                out.append(LexedToken(token: .text(s), line: line))
                t = []
            }
        }
        // Jinja2 tries the longest opener first (a `{%` block start wins over `{` of another).
        let openers = [(Character("{"), options.variableStart), ("%", options.blockStart), ("#", options.commentStart)]
            .sorted { $0.1.unicodeScalars.count > $1.1.unicodeScalars.count }
        while i < src.count {
            let c = src[i]
            if let prefix = options.lineStatementPrefix, i == 0 || src[i - 1] == "\n" {
                var j = i
                while j < src.count, src[j] == " " || src[j] == "\t" { j += 1 }
                if peek(prefix, at: j) {
                    flush(&text, into: &out, line: line)
                    i = j + prefix.unicodeScalars.count
                    out.append(LexedToken(token: .blockBegin, line: line))
                    _ = try lexExpression(until: "\n", variable: false)   // the line's newline goes with it
                    out.append(LexedToken(token: .blockEnd, line: line))
                    line += 1
                    continue
                }
            }
            if let (kind, opener) = openers.first(where: { peek($0.1, at: i) }) {
                var j = i + opener.unicodeScalars.count
                var stripBefore = false
                var keepBefore = false
                if j < src.count, src[j] == "-" { stripBefore = true; j += 1 } else if j < src.count, src[j] == "+" { keepBefore = true; j += 1 }
                if stripBefore {
                    while let l = text.last, l == " " || l == "\t" || l == "\n" || l == "\r" { text.removeLast() }
                } else if kind != "{", options.lstripBlocks, !keepBefore {
                    // Strip spaces back to the start of the line when only spaces precede the tag.
                    var k = i
                    while k > 0, src[k - 1] == " " || src[k - 1] == "\t" { k -= 1 }
                    if k == 0 || src[k - 1] == "\n", i - k <= text.count { text.removeLast(i - k) }
                }
                flush(&text, into: &out, line: line)
                i = j
                if kind == "#" {
                    guard let end = find(options.commentEnd, from: i) else { throw TemplateError("Missing end of comment tag", line: line, syntax: true) }
                    countLines(i, end)
                    let dash = end > i && src[end - 1] == "-"
                    i = end + options.commentEnd.unicodeScalars.count
                    lstripNext = dash
                    trimNewline = options.trimBlocks && !dash
                    applyStrip(&lstripNext, &trimNewline)
                    continue
                }
                if kind == "%", let raw = rawBlock() {
                    text.append(contentsOf: raw)
                    // `{% endraw %}` is a block tag: trim_blocks and `-%}` apply after it.
                    let endLength = options.blockEnd.unicodeScalars.count
                    lstripNext = i > endLength && src[i - endLength - 1] == "-"
                    trimNewline = options.trimBlocks && !lstripNext
                    applyStrip(&lstripNext, &trimNewline)
                    continue
                }
                out.append(LexedToken(token: kind == "{" ? .varBegin : .blockBegin, line: line))
                let dash = try lexExpression(until: kind == "{" ? options.variableEnd : options.blockEnd, variable: kind == "{")
                out.append(LexedToken(token: kind == "{" ? .varEnd : .blockEnd, line: line))
                lstripNext = dash
                trimNewline = kind == "%" && options.trimBlocks && !dash
                applyStrip(&lstripNext, &trimNewline)
                continue
            }
            if c == "\n" { line += 1 }
            text.append(c)
            i += 1
        }
        flush(&text, into: &out, line: line)
        out.append(LexedToken(token: .eof, line: line))
        return out
    }

    /// `\r\n`, `\r` and `\n` as the newline sequence (Jinja2 normalizes even with the default).
    static func normalizeNewlines(_ s: String, _ newline: String) -> String {
        guard newline != "\n" || s.unicodeScalars.contains("\r") else { return s }
        var out = ""
        var scalars = s.unicodeScalars[...]
        while let c = scalars.popFirst() {
            if c == "\r" {
                if scalars.first == "\n" { scalars.removeFirst() }
                out += newline
            } else if c == "\n" {
                out += newline
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    mutating func applyStrip(_ lstrip: inout Bool, _ trimNewline: inout Bool) {
        if lstrip {
            while i < src.count, src[i] == " " || src[i] == "\t" || src[i] == "\n" || src[i] == "\r" {
                if src[i] == "\n" { line += 1 }
                i += 1
            }
        } else if trimNewline {
            if i < src.count, src[i] == "\n" { i += 1; line += 1 } else if i + 1 < src.count, src[i] == "\r", src[i + 1] == "\n" { i += 2; line += 1 }
        }
        lstrip = false
        trimNewline = false
    }

    func find(_ s: String, from j: Int) -> Int? {
        var k = j
        while k < src.count {
            if peek(s, at: k) { return k }
            k += 1
        }
        return nil
    }

    mutating func countLines(_ a: Int, _ b: Int) {
        for k in a..<min(b, src.count) where src[k] == "\n" { line += 1 }
    }

    /// `{% raw %}…{% endraw %}`: returns the verbatim body and moves past the end tag.
    mutating func rawBlock() -> [Unicode.Scalar]? {
        var j = i
        while j < src.count, src[j] == " " || src[j] == "-" || src[j] == "+" { j += 1 }
        guard peek("raw", at: j) else { return nil }
        j += 3
        while j < src.count, src[j] == " " || src[j] == "-" { j += 1 }
        guard peek(options.blockEnd, at: j) else { return nil }
        let bodyStart = j + options.blockEnd.unicodeScalars.count
        var k = bodyStart
        while k < src.count {
            if peek(options.blockStart, at: k) {
                var m = k + options.blockStart.unicodeScalars.count
                while m < src.count, src[m] == " " || src[m] == "-" || src[m] == "+" { m += 1 }
                if peek("endraw", at: m) {
                    var e = m + 6
                    while e < src.count, src[e] == " " || src[e] == "-" { e += 1 }
                    if peek(options.blockEnd, at: e) {
                        let body = Array(src[bodyStart..<k])
                        let end = e + options.blockEnd.unicodeScalars.count
                        countLines(i, end)
                        i = end
                        return body
                    }
                }
            }
            k += 1
        }
        return nil
    }

    /// Lexes the inside of a tag; returns whether it ended with `-` (strip following whitespace).
    mutating func lexExpression(until closer: String, variable: Bool) throws -> Bool {
        var open: [String] = []   // the closing brackets awaited, innermost last
        let n = closer.unicodeScalars.count
        while i < src.count {
            let c = src[i]
            if open.isEmpty {
                if c == "-", peek(closer, at: i + 1) { i += n + 1; return true }
                if c == "+", !variable, peek(closer, at: i + 1) { i += n + 1; return false }   // `+%}`; `+}}` is an operator
                if peek(closer, at: i) { i += n; return false }
            }
            switch c {
            case " ", "\t", "\r": i += 1
            case "\n": i += 1; line += 1
            case "'", "\"":
                let raw = options.escapeBackslashes && variable
                out.append(LexedToken(token: .string(try lexString(quote: c, raw: raw)), line: line))
            case "0"..."9": out.append(LexedToken(token: lexNumber(), line: line))
            case "a"..."z", "A"..."Z", "_":
                let start = i
                while i < src.count, isNameChar(src[i]) { i += 1 }
                var s = ""
                s.unicodeScalars.append(contentsOf: src[start..<i])
                out.append(LexedToken(token: .name(s), line: line))
            default:
                let ops = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"]
                guard let op = ops.first(where: { peek($0, at: i) }) else {
                    throw TemplateError("unexpected char '\(Character(c))'", line: line, syntax: true)
                }
                switch op {
                case "(": open.append(")")
                case "[": open.append("]")
                case "{": open.append("}")
                default: break
                }
                if op == ")" || op == "]" || op == "}" {
                    guard let expected = open.popLast() else { throw TemplateError("unexpected '\(op)'", line: line, syntax: true) }
                    if op != expected { throw TemplateError("unexpected '\(op)', expected '\(expected)'", line: line, syntax: true) }
                }
                i += op.unicodeScalars.count
                out.append(LexedToken(token: .op(op), line: line))
            }
        }
        if closer == "\n" { return false }   // a line statement on the last line
        throw TemplateError("unexpected end of template, expected '\(closer)'", line: line, syntax: true)
    }

    func isNameChar(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
    }

    mutating func lexNumber() -> Token {
        let start = i
        var isFloat = false
        while i < src.count, (src[i] >= "0" && src[i] <= "9") || src[i] == "_" { i += 1 }
        if i + 1 < src.count, src[i] == ".", src[i + 1] >= "0" && src[i + 1] <= "9" {
            isFloat = true
            i += 1
            while i < src.count, (src[i] >= "0" && src[i] <= "9") || src[i] == "_" { i += 1 }
        }
        if i < src.count, src[i] == "e" || src[i] == "E" {
            var j = i + 1
            if j < src.count, src[j] == "+" || src[j] == "-" { j += 1 }
            if j < src.count, src[j] >= "0" && src[j] <= "9" {
                isFloat = true
                i = j
                while i < src.count, src[i] >= "0" && src[i] <= "9" { i += 1 }
            }
        }
        var s = ""
        s.unicodeScalars.append(contentsOf: src[start..<i].filter { $0 != "_" })
        return isFloat ? .float(Double(s) ?? 0) : .int(Value.integer(s) ?? 0)
    }

    mutating func lexString(quote: Unicode.Scalar, raw: Bool = false) throws -> String {
        i += 1
        var s = ""
        while i < src.count {
            let c = src[i]
            if c == quote { i += 1; return s }
            if raw, c == "\\", i + 1 < src.count {
                s.unicodeScalars.append(c)
                s.unicodeScalars.append(src[i + 1])
                i += 2
                continue
            }
            if c == "\\", i + 1 < src.count {
                let e = src[i + 1]
                i += 2
                switch e {
                case "n": s += "\n"
                case "t": s += "\t"
                case "r": s += "\r"
                case "\\": s += "\\"
                case "'": s += "'"
                case "\"": s += "\""
                case "0": s += "\0"
                case "x", "u", "U":
                    let n = e == "x" ? 2 : e == "u" ? 4 : 8
                    var hex = ""
                    for _ in 0..<n where i < src.count { hex.unicodeScalars.append(src[i]); i += 1 }
                    if let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) { s.unicodeScalars.append(u) }
                case "\n": line += 1
                default: s += "\\"; s.unicodeScalars.append(e)
                }
                continue
            }
            // Jinja normalizes the source's own line breaks, before escapes make any (`\r` stays).
            if c == "\r" || c == "\n" {
                if c == "\n" { line += 1 }
                if c == "\r", i + 1 < src.count, src[i + 1] == "\n" { i += 1; line += 1 }
                s += options.newlineSequence
                i += 1
                continue
            }
            s.unicodeScalars.append(c)
            i += 1
        }
        throw TemplateError("unexpected end of string", line: line, syntax: true)
    }
}
