// A compiled template and its entry points: render to text, or evaluate natively (a template
// that is one `{{ expr }}` keeps its type, as ansible-core 2.19 does).
import Values

/// Where root names come from: the Ansible layer resolves variables lazily through this.
public protocol VariableSource {
    func lookup(_ name: String) throws -> Value?
    /// Functions the caller provides for this render (Ansible's lookup/query/now).
    func function(_ name: String) -> Function?
    /// `name.a[0]…` with only the value at the end of the path resolved (ansible-core 2.19's lazy
    /// containers: a dict's other entries may not render); nil to resolve the whole variable.
    func lookup(_ name: String, path: [Value]) throws -> Value?
}

extension VariableSource {
    public func function(_ name: String) -> Function? { nil }
    public func lookup(_ name: String, path: [Value]) throws -> Value? { nil }
}

public struct DictSource: VariableSource {
    public var vars: [String: Value]
    public init(_ vars: [String: Value]) { self.vars = vars }
    public func lookup(_ name: String) throws -> Value? { vars[name] }
}

public struct Template: Sendable {
    let body: [Stmt]
    public let source: String

    public init(_ source: String, options: TemplateOptions = TemplateOptions()) throws {
        self.source = source
        var lexer = Lexer(source, options: options)
        var parser = Parser(tokens: try lexer.tokenize())
        body = try parser.parseTemplate()
    }

    /// True when the source has no `{{`, `{%` or `{#`: nothing to render.
    public static func isPlain(_ s: String) -> Bool {
        var prev: Unicode.Scalar = " "
        for u in s.unicodeScalars {
            if prev == "{", u == "{" || u == "%" || u == "#" { return false }
            prev = u
        }
        return true
    }

    /// True when the template is one `{{ name.attr[key] }}`: its value is a variable's own and
    /// keeps that value's trust, where anything computed is new text (ansible-core 2.19 tags).
    public var isReference: Bool {
        guard body.count == 1, case .output(let e, _) = body[0] else { return false }
        func reference(_ e: Expr) -> Bool {
            switch e {
            case .name: return true
            case .attr(let base, _), .item(let base, _): return reference(base)
            default: return false
            }
        }
        return reference(e)
    }

    public func render(_ env: Environment, _ vars: VariableSource) throws -> String {
        let r = Renderer(env: env, root: vars)
        var out = Output()
        try r.run(body, into: &out)
        return out.joined(env)
    }

    /// Native evaluation: output made of one value keeps that value's type; anything else is text.
    public func evaluate(_ env: Environment, _ vars: VariableSource) throws -> Value {
        let r = Renderer(env: env, root: vars)
        if body.count == 1, case .output(let e, _) = body[0] {
            do { return try isReference ? r.reference(e) : r.eval(e) } catch is InlineUndefined {
                throw TemplateError("the inline if-expression evaluated to false and no else section was defined")
            } catch let t as TemplateError where t.undecryptable != nil && !t.hard {
                return .vault(t.undecryptable!)   // the value is the marker, until used
            }
        }
        var out = Output()
        try r.run(body, into: &out)
        return out.result(env)
    }

    /// A bare expression, as `when:` and `that:` are written.
    public static func evaluateExpression(_ source: String, _ env: Environment, _ vars: VariableSource,
                                          escapeBackslashes: Bool = false) throws -> Value {
        var lexer = Lexer("{{" + source + "}}", options: TemplateOptions(trimBlocks: false, escapeBackslashes: escapeBackslashes))
        let tokens = try lexer.tokenize()
        var parser = Parser(tokens: tokens)
        parser.expressionOnly = true
        guard case .varBegin = parser.cur else { throw TemplateError("expected an expression", syntax: true) }
        parser.advance()
        let e = try parser.parseExpression()
        guard parser.cur == .varEnd else { throw TemplateError("unexpected \(parser.describe(parser.cur))", syntax: true) }
        parser.advance()
        guard parser.cur == .eof else { throw TemplateError("unexpected text after the expression", syntax: true) }
        // Compiled first, as Jinja2 compiles an expression: an unknown filter or test is a syntax error.
        var check = CallableCheck(env: env)
        check.expr(e, soft: false)
        if let unknown = check.error { throw TemplateError(unknown, syntax: true) }
        return try Renderer(env: env, root: vars).eval(e)
    }
}
