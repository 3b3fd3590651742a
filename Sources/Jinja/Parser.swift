// Recursive descent over the lexer's tokens, with Jinja2's operator precedence:
// if-else < or < and < not < comparisons < + - < ~ < * / // % < ** < unary < postfix/filters/tests.
import Values

struct Parser {
    var tokens: [LexedToken]
    var p = 0

    /// Parsing a bare expression (Jinja2's compile_expression): its end is the template's end.
    var expressionOnly = false

    let levels = RecursionGuard.counter
    init(tokens: [LexedToken]) { self.tokens = tokens }

    var cur: Token { tokens[p].token }
    var line: Int { tokens[p].line }

    mutating func advance() { if p < tokens.count - 1 { p += 1 } }

    func fail(_ m: String) -> TemplateError { TemplateError(m, line: line, syntax: true) }

    func isOp(_ s: String) -> Bool { cur == .op(s) }
    func isName(_ s: String) -> Bool { cur == .name(s) }

    mutating func expectOp(_ s: String) throws {
        guard isOp(s) else { throw fail("expected token '\(s)', got \(describe(cur))") }
        advance()
    }

    mutating func expectName() throws -> String {
        guard case .name(let n) = cur else { throw fail("expected token 'name', got \(describe(cur))") }
        advance()
        return n
    }

    /// A name assigned to (`for` and `set` targets): a literal there is Jinja2's "can't assign".
    mutating func expectTarget() throws -> String {
        switch cur {
        case .name: return try expectName()
        case .string, .int, .float: throw fail("can't assign to 'const'")
        default: throw fail("unexpected \(describe(cur))")
        }
    }

    /// Jinja2's parse_tuple without parentheses (`{{ 1, 2 }}`, `{% for x in 1, 2 %}`, `{% set a = 1, 2 %}`):
    /// expressions separated by commas make a tuple, a trailing comma allowed; one alone stays itself.
    mutating func parseTupleOf(_ item: (inout Parser) throws -> Expr) throws -> Expr {
        let first = try item(&self)
        guard isOp(",") else { return first }
        var items = [first]
        while isOp(",") {
            advance()
            if cur == .varEnd || cur == .blockEnd || isName("if") || isName("recursive") { break }
            items.append(try item(&self))
        }
        return .tuple(items)
    }

    /// Where Jinja2 parses a tuple (a print statement, an `if`, a `for`'s iterable): nothing there
    /// is "Expected an expression".
    func expectExpressionStart() throws {
        if cur == .varEnd || cur == .blockEnd { throw fail("Expected an expression, got \(describe(cur))") }
    }

    mutating func expectBlockEnd() throws {
        guard cur == .blockEnd else { throw fail("expected token 'end of statement block', got \(describe(cur))") }
        advance()
    }

    func describe(_ t: Token) -> String {
        switch t {
        case .name(let n): return "'\(n)'"
        case .op(let o): return "'\(o)'"
        // Jinja2's describe_token: a literal by its kind.
        case .string: return "'string'"
        case .int: return "'integer'"
        case .float: return "'float'"
        case .varEnd: return expressionOnly ? "'end of template'" : "'end of print statement'"
        case .blockEnd: return "'end of statement block'"
        case .eof: return "end of template"
        default: return "'\(t)'"
        }
    }

    // MARK: statements

    mutating func parseTemplate() throws -> [Stmt] {
        let (body, end) = try parseBody(until: [])
        if let end { throw fail("Encountered unknown tag '\(end)'.") }
        return body
    }

    /// Parses statements until a block tag whose name is in `until`; returns that name (the
    /// parser then sits on the tag's first token after the name).
    mutating func parseBody(until: Set<String>) throws -> ([Stmt], String?) {
        var body: [Stmt] = []
        while true {
            switch cur {
            case .eof:
                if !until.isEmpty {
                    throw fail("Unexpected end of template. Jinja was looking for the following tags: \(until.sorted().map { "'\($0)'" }.joined(separator: " or ")).")
                }
                return (body, nil)
            case .text(let t):
                body.append(.text(t))
                advance()
            case .varBegin:
                let l = line
                advance()
                try expectExpressionStart()
                let e = try parseTupleOf { try $0.parseExpression() }
                guard cur == .varEnd else { throw fail("expected token 'end of print statement', got \(describe(cur))") }
                advance()
                body.append(.output(e, line: l))
            case .blockBegin:
                advance()
                guard case .name(let tag) = cur else { throw fail("tag name expected") }
                if until.contains(tag) {
                    advance()
                    return (body, tag)
                }
                advance()
                body.append(try parseStatement(tag))
            default:
                throw fail("unexpected \(describe(cur))")
            }
        }
    }

    mutating func parseStatement(_ tag: String) throws -> Stmt {
        try RecursionGuard.enter(levels)
        defer { levels.pointee -= 1 }
        switch tag {
        case "if":
            var branches: [(Expr, [Stmt])] = []
            try expectExpressionStart()
            var cond = try parseExpression()
            while true {
                try expectBlockEnd()
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((cond, body))
                if end == "elif" { try expectExpressionStart(); cond = try parseExpression(); continue }
                if end == "else" {
                    try expectBlockEnd()
                    let (elseBody, _) = try parseBody(until: ["endif"])
                    try expectBlockEnd()
                    return .ifStmt(branches, else: elseBody)
                }
                try expectBlockEnd()
                return .ifStmt(branches, else: [])
            }
        case "for":
            var targets: [String]
            if isOp("(") {   // `for (k, v) in …`
                advance()
                targets = [try expectTarget()]
                while isOp(",") {
                    advance()
                    if isOp(")") { break }
                    targets.append(try expectTarget())
                }
                try expectOp(")")
            } else {
                targets = [try expectTarget()]
                while isOp(",") {
                    advance()
                    targets.append(try expectTarget())
                }
            }
            guard isName("in") else { throw fail("expected token 'in', got \(describe(cur))") }
            advance()
            try expectExpressionStart()
            let iter = try parseTupleOf { try $0.parseExpression(allowCondition: false) }
            var filter: Expr? = nil
            if isName("if") {
                advance()
                filter = try parseExpression()
            }
            var recursive = false
            if isName("recursive") { recursive = true; advance() }
            try expectBlockEnd()
            let (body, end) = try parseBody(until: ["else", "endfor"])
            var elseBody: [Stmt] = []
            if end == "else" {
                try expectBlockEnd()
                (elseBody, _) = try parseBody(until: ["endfor"])
            }
            try expectBlockEnd()
            return .forStmt(targets: targets, iter: iter, filter: filter, body: body, else: elseBody, recursive: recursive)
        case "set":
            var targets = [try expectTarget()]
            var attr: String? = nil
            if isOp(".") {
                advance()
                attr = try expectName()
            }
            while isOp(",") {
                advance()
                targets.append(try expectName())
            }
            if isOp("=") {
                advance()
                try expectExpressionStart()
                let e = try parseTupleOf { try $0.parseExpression() }
                try expectBlockEnd()
                return .set(targets: targets, attr: attr, e)
            }
            let filters = try parseFilterChain()
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endset"])
            try expectBlockEnd()
            return .setBlock(targets[0], filters: filters, body)
        case "macro":
            let name = try expectName()
            let params = try parseParams()
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endmacro"])
            if case .name = cur { advance() }
            try expectBlockEnd()
            return .macro(Macro(name: name, params: params, body: body))
        case "call":
            var params: [(String, Expr?)] = []
            if isOp("(") { params = try parseParams() }
            let callee = try parseExpression()
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endcall"])
            try expectBlockEnd()
            return .callBlock(callee, body, params: params)
        case "filter":
            let filters = try parseFilterChain(leadingPipe: false)
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endfilter"])
            try expectBlockEnd()
            return .filterBlock(filters, body)
        case "with":
            var assigns: [(String, Expr)] = []
            while cur != .blockEnd {
                let n = try expectName()
                try expectOp("=")
                assigns.append((n, try parseExpression()))
                if isOp(",") { advance() }
            }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endwith"])
            try expectBlockEnd()
            return .with(assigns, body)
        case "include":
            let e = try parseExpression()
            var ignoreMissing = false, withContext = true
            while case .name(let w) = cur {
                advance()
                if w == "ignore", isName("missing") { advance(); ignoreMissing = true }
                if w == "without", isName("context") { advance(); withContext = false }
                if w == "with", isName("context") { advance() }
            }
            try expectBlockEnd()
            return .include(e, ignoreMissing: ignoreMissing, withContext: withContext)
        case "import":
            let e = try parseExpression()
            guard isName("as") else { throw fail("expected 'as' in import") }
            advance()
            let alias = try expectName()
            while case .name = cur { advance() }
            try expectBlockEnd()
            return .importAll(e, alias: alias)
        case "from":
            let e = try parseExpression()
            guard isName("import") else { throw fail("expected 'import'") }
            advance()
            var names: [(String, String)] = []
            while case .name(let n) = cur, n != "with", n != "without" {
                advance()
                var alias = n
                if isName("as") { advance(); alias = try expectName() }
                names.append((n, alias))
                if isOp(",") { advance() } else { break }
            }
            while case .name = cur { advance() }
            try expectBlockEnd()
            return .importNames(e, names: names)
        case "extends":
            let e = try parseExpression()
            try expectBlockEnd()
            return .extends(e)
        case "block":
            let name = try expectName()
            while case .name = cur { advance() }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endblock"])
            if case .name = cur { advance() }
            try expectBlockEnd()
            return .block(name, body)
        default:
            throw fail("Encountered unknown tag '\(tag)'.")
        }
    }

    mutating func parseParams() throws -> [(String, Expr?)] {
        try expectOp("(")
        var params: [(String, Expr?)] = []
        while !isOp(")") {
            let n = try expectName()
            var def: Expr? = nil
            if isOp("=") {
                advance()
                def = try parseExpression()
            }
            params.append((n, def))
            if isOp(",") { advance() } else { break }
        }
        try expectOp(")")
        return params
    }

    mutating func parseFilterChain(leadingPipe: Bool = true) throws -> [(String, [Expr], [(String, Expr)])] {
        var out: [(String, [Expr], [(String, Expr)])] = []
        var first = true
        while (first && !leadingPipe) || isOp("|") {
            if !(first && !leadingPipe) { advance() }
            first = false
            let name = try parseDottedName()
            var args: [Expr] = []
            var kwargs: [(String, Expr)] = []
            if isOp("(") { (args, kwargs, _, _) = try parseCallArgs() }
            out.append((name, args, kwargs))
        }
        return out
    }

    mutating func parseDottedName() throws -> String {
        var name = try expectName()
        while isOp(".") {
            advance()
            name += "." + (try expectName())
        }
        return name
    }

    // MARK: expressions

    /// A node wrapping `l` (and `r`) once more, as a chain `1 + 1 + …` or `x | f | f …` builds
    /// without the parser recursing: its depth (measured once, then counted) stays within the
    /// recursion limit, which the renderer and every walk of the tree rely on.
    func deeper(_ depth: inout Int?, _ l: Expr, _ r: Expr?) throws {
        let d = max(depth ?? l.depth, r?.depth ?? 0) + 1
        guard d <= RecursionGuard.limit else { throw RecursionLimitError() }
        depth = d
    }

    mutating func parseExpression(allowCondition: Bool = true) throws -> Expr {
        try RecursionGuard.enter(levels)
        defer { levels.pointee -= 1 }
        let e = try parseOr()
        guard allowCondition, isName("if") else { return e }
        advance()
        let test = try parseOr()
        var otherwise: Expr? = nil
        if isName("else") {
            advance()
            otherwise = try parseExpression()
        }
        return .condition(test: test, then: e, else: otherwise)
    }

    mutating func parseOr() throws -> Expr {
        var l = try parseAnd()
        var depth: Int? = nil
        while isName("or") {
            advance()
            let r = try parseAnd()
            try deeper(&depth, l, r)
            l = .or(l, r)
        }
        return l
    }

    mutating func parseAnd() throws -> Expr {
        var l = try parseNot()
        var depth: Int? = nil
        while isName("and") {
            advance()
            let r = try parseNot()
            try deeper(&depth, l, r)
            l = .and(l, r)
        }
        return l
    }

    mutating func parseNot() throws -> Expr {
        if isName("not") {
            advance()
            try RecursionGuard.enter(levels)
            defer { levels.pointee -= 1 }
            return .not(try parseNot())
        }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> Expr {
        let first = try parseMath1()
        var ops: [(String, Expr)] = []
        while true {
            if case .op(let o) = cur, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                advance()
                ops.append((o, try parseMath1()))
            } else if isName("in") {
                advance()
                ops.append(("in", try parseMath1()))
            } else if isName("not"), p + 1 < tokens.count, tokens[p + 1].token == .name("in") {
                advance()
                advance()
                ops.append(("notin", try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? first : .compare(first, ops)
    }

    mutating func parseMath1() throws -> Expr {
        var l = try parseConcat()
        var depth: Int? = nil
        while case .op(let o) = cur, o == "+" || o == "-" {
            advance()
            let r = try parseConcat()
            try deeper(&depth, l, r)
            l = .binary(o, l, r)
        }
        return l
    }

    mutating func parseConcat() throws -> Expr {
        var parts = [try parseMath2()]
        while isOp("~") {
            advance()
            parts.append(try parseMath2())
        }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    mutating func parseMath2() throws -> Expr {
        var l = try parsePow()
        var depth: Int? = nil
        while case .op(let o) = cur, ["*", "/", "//", "%"].contains(o) {
            advance()
            let r = try parsePow()
            try deeper(&depth, l, r)
            l = .binary(o, l, r)
        }
        return l
    }

    mutating func parsePow() throws -> Expr {
        var l = try parseUnary()
        var depth: Int? = nil
        while isOp("**") {
            advance()
            let r = try parseUnary()
            try deeper(&depth, l, r)
            l = .binary("**", l, r)
        }
        return l
    }

    mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        var node: Expr
        if case .op(let o) = cur, o == "-" || o == "+" {
            advance()
            try RecursionGuard.enter(levels)
            defer { levels.pointee -= 1 }
            node = .unary(o, try parseUnary(withFilter: false))
        } else {
            node = try parsePostfix(try parsePrimary())
        }
        if withFilter { node = try parseFilterExpr(node) }
        return node
    }

    mutating func parsePrimary() throws -> Expr {
        let t = cur
        switch t {
        case .name(let n):
            advance()
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .string(var s):
            advance()
            while case .string(let more) = cur { s += more; advance() }
            return .literal(.string(s))
        case .int(let i):
            advance()
            return .literal(i)
        case .float(let f):
            advance()
            return .literal(.float(f))
        case .op("("):
            advance()
            if isOp(")") { advance(); return .tuple([]) }
            let e = try parseExpression()
            if isOp(",") {
                var items = [e]
                while isOp(",") {
                    advance()
                    if isOp(")") { break }
                    items.append(try parseExpression())
                }
                try expectOp(")")
                return .tuple(items)
            }
            try expectOp(")")
            return e
        case .op("["):
            advance()
            var items: [Expr] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(","); if isOp("]") { break } }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return .list(items)
        case .op("{"):
            advance()
            var pairs: [(Expr, Expr)] = []
            while !isOp("}") {
                if !pairs.isEmpty { try expectOp(","); if isOp("}") { break } }
                let k = try parseExpression()
                try expectOp(":")
                pairs.append((k, try parseExpression()))
            }
            try expectOp("}")
            return .dict(pairs)
        default:
            throw fail("unexpected \(describe(t))")
        }
    }

    mutating func parsePostfix(_ start: Expr) throws -> Expr {
        var node = start
        var depth: Int? = nil
        while true {
            if isOp(".") {
                advance()
                switch cur {
                case .name(let n):
                    advance()
                    try deeper(&depth, node, nil)
                    node = .attr(node, n)
                case .int(let i):
                    advance()
                    try deeper(&depth, node, nil)
                    node = .item(node, .literal(i))
                default: throw fail("expected name or number")
                }
            } else if isOp("[") {
                advance()
                try deeper(&depth, node, nil)
                node = try parseSubscript(node)
            } else if isOp("(") {
                let (a, k, star, dstar) = try parseCallArgs()
                try deeper(&depth, node, nil)
                node = .call(node, a, k, star, dstar)
            } else {
                return node
            }
        }
    }

    mutating func parseSubscript(_ node: Expr) throws -> Expr {
        var parts: [Expr?] = []
        var current: Expr? = nil
        var isSlice = false
        while !isOp("]") {
            if isOp(":") {
                isSlice = true
                parts.append(current)
                current = nil
                advance()
            } else {
                current = try parseExpression()
            }
        }
        advance()
        if !isSlice {
            guard let current else { throw fail("expected subscript expression") }
            return .item(node, current)
        }
        parts.append(current)
        while parts.count < 3 { parts.append(nil) }
        return .slice(node, parts[0], parts[1], parts[2])
    }

    mutating func parseCallArgs() throws -> ([Expr], [(String, Expr)], Expr?, Expr?) {
        try expectOp("(")
        var args: [Expr] = []
        var kwargs: [(String, Expr)] = []
        var star: Expr? = nil
        var dstar: Expr? = nil
        var first = true
        while !isOp(")") {
            if !first { try expectOp(","); if isOp(")") { break } }
            first = false
            if isOp("**") {
                advance()
                dstar = try parseExpression()
            } else if isOp("*") {
                advance()
                star = try parseExpression()
            } else if case .name(let n) = cur, p + 1 < tokens.count, tokens[p + 1].token == .op("=") {
                advance()
                advance()
                kwargs.append((n, try parseExpression()))
            } else {
                args.append(try parseExpression())
            }
        }
        try expectOp(")")
        return (args, kwargs, star, dstar)
    }

    mutating func parseFilterExpr(_ start: Expr) throws -> Expr {
        var node = start
        var depth: Int? = nil
        while true {
            if isOp("|") {
                advance()
                let name = try parseDottedName()
                var args: [Expr] = []
                var kwargs: [(String, Expr)] = []
                if isOp("(") { (args, kwargs, _, _) = try parseCallArgs() }
                try deeper(&depth, node, nil)
                node = .filter(node, name, args, kwargs)
            } else if isName("is") {
                advance()
                var negated = false
                if isName("not") { negated = true; advance() }
                let name = try parseDottedName()
                var args: [Expr] = []
                var kwargs: [(String, Expr)] = []
                if isOp("(") {
                    (args, kwargs, _, _) = try parseCallArgs()
                } else {
                    switch cur {
                    case .string, .int, .float, .op("["), .op("{"), .op("("):
                        args = [try parsePostfix(try parsePrimary())]
                    case .name(let n) where !["and", "or", "else", "if", "is", "in", "not"].contains(n):
                        args = [try parsePostfix(try parsePrimary())]
                    default: break
                    }
                }
                try deeper(&depth, node, nil)
                node = .test(node, name, args, kwargs, negated: negated)
            } else if isOp("(") {
                let (a, k, star, dstar) = try parseCallArgs()
                try deeper(&depth, node, nil)
                node = .call(node, a, k, star, dstar)
            } else {
                return node
            }
        }
    }
}
