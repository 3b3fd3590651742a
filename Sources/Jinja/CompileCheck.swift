// Jinja2's compiler refuses a template that uses a filter or test it does not know — unless the
// use sits inside an `if` statement or an inline if-expression (a "soft frame"), where the error
// waits until the call runs ("No filter named 'x' found.").

extension Template {
    /// The compile-time error Jinja2 would raise for this template in `env`, if any.
    public func unknownCallable(in env: Environment) -> String? {
        var check = CallableCheck(env: env)
        check.stmts(body, soft: false)
        return check.error
    }
}

struct CallableCheck {
    let env: Environment
    var error: String?

    init(env: Environment) { self.env = env }

    func known(_ name: String, filter: Bool) -> Bool {
        let short = Environment.shortName(name)
        // `default`/`d` are evaluated by the renderer itself (they must see an undefined operand).
        if filter {
            return short == "default" || short == "d" || env.filters[name] != nil || env.filters[short] != nil
                || env.external?.filter(name) != nil
        }
        return name == "defined" || name == "undefined" || env.tests[name] != nil || env.tests[short] != nil
            || env.external?.test(name) != nil
    }

    mutating func note(_ name: String, filter: Bool, soft: Bool) {
        guard error == nil, !soft, !known(name, filter: filter) else { return }
        error = "No \(filter ? "filter" : "test") named '\(name)'."
    }

    mutating func stmts(_ list: [Stmt], soft: Bool) { for s in list { stmt(s, soft: soft) } }

    mutating func filters(_ list: [(String, [Expr], [(String, Expr)])], soft: Bool) {
        for (name, args, kwargs) in list {
            note(name, filter: true, soft: soft)
            exprs(args, soft: soft)
            exprs(kwargs.map(\.1), soft: soft)
        }
    }

    mutating func stmt(_ s: Stmt, soft: Bool) {
        switch s {
        case .text, .loopControl: break
        case .output(let e, _), .exprStmt(let e), .extends(let e), .importAll(let e, _), .importNames(let e, _):
            expr(e, soft: soft)
        case .include(let e, _, _): expr(e, soft: soft)
        case .ifStmt(let branches, let otherwise):
            for (test, body) in branches {
                expr(test, soft: true)
                stmts(body, soft: true)
            }
            stmts(otherwise, soft: true)
        case .forStmt(_, let iter, let filter, let body, let otherwise, _):
            expr(iter, soft: soft)
            if let filter { expr(filter, soft: soft) }
            stmts(body, soft: soft)
            stmts(otherwise, soft: soft)
        case .set(_, _, let e): expr(e, soft: soft)
        case .setBlock(_, let fs, let body):
            filters(fs, soft: soft)
            stmts(body, soft: soft)
        case .macro(let m):
            exprs(m.params.compactMap(\.1), soft: false)
            stmts(m.body, soft: false)
        case .callBlock(let e, let body, let params):
            expr(e, soft: soft)
            exprs(params.compactMap(\.1), soft: soft)
            stmts(body, soft: soft)
        case .filterBlock(let fs, let body):
            filters(fs, soft: soft)
            stmts(body, soft: soft)
        case .with(let assigns, let body):
            exprs(assigns.map(\.1), soft: soft)
            stmts(body, soft: soft)
        case .block(_, let body): stmts(body, soft: soft)
        }
    }

    mutating func exprs(_ list: [Expr], soft: Bool) { for e in list { expr(e, soft: soft) } }

    mutating func expr(_ e: Expr, soft: Bool) {
        switch e {
        case .literal, .name: break
        case .list(let l), .tuple(let l), .concat(let l): exprs(l, soft: soft)
        case .dict(let pairs): for (k, v) in pairs { expr(k, soft: soft); expr(v, soft: soft) }
        case .attr(let b, _), .unary(_, let b), .not(let b): expr(b, soft: soft)
        case .item(let b, let i): expr(b, soft: soft); expr(i, soft: soft)
        case .slice(let b, let x, let y, let z): exprs([b] + [x, y, z].compactMap { $0 }, soft: soft)
        case .call(let f, let args, let kwargs, let star, let starstar):
            exprs([f] + args + kwargs.map(\.1) + [star, starstar].compactMap { $0 }, soft: soft)
        case .filter(let b, let name, let args, let kwargs):
            note(name, filter: true, soft: soft)
            exprs([b] + args + kwargs.map(\.1), soft: soft)
        case .test(let b, let name, let args, let kwargs, _):
            note(name, filter: false, soft: soft)
            exprs([b] + args + kwargs.map(\.1), soft: soft)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): expr(a, soft: soft); expr(b, soft: soft)
        case .compare(let a, let rest): expr(a, soft: soft); exprs(rest.map(\.1), soft: soft)
        case .condition(let test, let then, let otherwise):
            expr(test, soft: true)
            expr(then, soft: true)
            if let otherwise { expr(otherwise, soft: true) }
        }
    }
}
