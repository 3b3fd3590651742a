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

struct Macro: Sendable {
    var name: String
    var params: [(String, Expr?)]
    var body: [Stmt]
}
