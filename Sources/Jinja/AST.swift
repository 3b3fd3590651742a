// The parsed form of a template: statements over expressions, as Jinja2's nodes.
import Values

indirect enum Expr: Sendable {
    case literal(Value)
    case name(String)
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case attr(Expr, String)
    case item(Expr, Expr)
    case slice(Expr, Expr?, Expr?, Expr?)
    case call(Expr, [Expr], [(String, Expr)], Expr?, Expr?)
    case filter(Expr, String, [Expr], [(String, Expr)])
    case test(Expr, String, [Expr], [(String, Expr)], negated: Bool)
    case unary(String, Expr)
    case binary(String, Expr, Expr)
    case compare(Expr, [(String, Expr)])
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
    case condition(test: Expr, then: Expr, else: Expr?)
    case concat([Expr])
}

indirect enum Stmt: Sendable {
    case text(String)
    case output(Expr, line: Int)
    case ifStmt([(Expr, [Stmt])], else: [Stmt])
    case forStmt(targets: [String], iter: Expr, filter: Expr?, body: [Stmt], else: [Stmt], recursive: Bool)
    case set(targets: [String], attr: String?, Expr)
    case setBlock(String, filters: [(String, [Expr], [(String, Expr)])], [Stmt])
    case macro(Macro)
    case callBlock(Expr, [Stmt], params: [(String, Expr?)])
    case filterBlock([(String, [Expr], [(String, Expr)])], [Stmt])
    case with([(String, Expr)], [Stmt])
    case loopControl(breaks: Bool)
    case exprStmt(Expr)
    case include(Expr, ignoreMissing: Bool, withContext: Bool)
    case importAll(Expr, alias: String)
    case importNames(Expr, names: [(String, String)])
    case extends(Expr)
    case block(String, [Stmt])
}

extension Expr {
    /// The expressions directly inside this one.
    var children: [Expr] {
        switch self {
        case .literal, .name: return []
        case .list(let l), .tuple(let l), .concat(let l): return l
        case .dict(let pairs): return pairs.flatMap { [$0.0, $0.1] }
        case .attr(let e, _), .unary(_, let e), .not(let e): return [e]
        case .item(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): return [a, b]
        case .slice(let e, let a, let b, let c): return [e] + [a, b, c].compactMap { $0 }
        case .call(let f, let args, let kwargs, let star, let dstar): return [f] + args + kwargs.map(\.1) + [star, dstar].compactMap { $0 }
        case .filter(let e, _, let args, let kwargs), .test(let e, _, let args, let kwargs, _): return [e] + args + kwargs.map(\.1)
        case .compare(let e, let ops): return [e] + ops.map(\.1)
        case .condition(let t, let a, let b): return [t, a] + [b].compactMap { $0 }
        }
    }

    /// How deep the tree goes, measured without recursion (the tree may be too deep for it).
    var depth: Int {
        var deepest = 0
        var stack: [(Expr, Int)] = [(self, 1)]
        while let (e, d) = stack.popLast() {
            deepest = max(deepest, d)
            for c in e.children { stack.append((c, d + 1)) }
        }
        return deepest
    }
}

struct Macro: Sendable {
    var name: String
    var params: [(String, Expr?)]
    var body: [Stmt]
}
