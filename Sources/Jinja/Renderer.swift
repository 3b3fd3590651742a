// Walks statements and evaluates expressions with Jinja2's scoping: a `set` inside a loop
// does not leak out of it; macros see the scope they were called from plus their arguments.
import Values

struct LoopControl: Error {
    var breaks: Bool
}

/// The value of `a if b` when b is false: renders as nothing, fails when used.
struct InlineUndefined: Error {}

/// What a template (or a macro, or a block) produced: its pieces, so that a single `{{ expr }}`
/// keeps its native type (Jinja2's native concat, as ansible-core 2.19 uses).
public struct Output {
    var chunks: [Value] = []

    mutating func text(_ s: String) {
        if !s.isEmpty { chunks.append(.string(s)) }
    }

    mutating func value(_ v: Value) { chunks.append(v) }

    /// The pieces joined as text; None renders as nothing when the environment says so (Ansible).
    func joined(_ env: Environment) -> String {
        var s = ""
        for c in chunks {
            if c.isNone && env.noneAsEmpty { continue }
            if case .bytes(let b) = c { s += Surrogates.decoded(b).text; continue }   // to_text, not str(): no b'…'
            s += c.tupleFree(keepingGrouped: true).pythonStr   // 2.19 finalises each piece before joining: a tuple shows as a list
        }
        return s
    }

    /// One piece keeps its type; several are joined.
    func result(_ env: Environment) -> Value {
        // 2.19: no output at all (only comments, a false `if`) is None; one value keeps its type.
        chunks.isEmpty ? .none : chunks.count == 1 ? chunks[0] : .string(joined(env))
    }
}

final class Renderer {
    let env: Environment
    let levels = RecursionGuard.counter
    let root: VariableSource
    var scopes: [[String: Value]] = [[:]]
    var macros: [[String: Macro]] = [[:]]
    var loops: [LoopState] = []
    /// joiner() and cycler() objects made during this render: their state lives here, the
    /// template holds a handle to it.
    var objects: [(kind: String, items: [Value], index: Int)] = []
    static let objectKey: Value = "__jinja_object__"
    var callers: [(body: [Stmt], params: [(String, Expr?)])] = []
    /// Block overrides from extending templates, most derived first.
    var blocks: [String: [[Stmt]]] = [:]
    /// The block being rendered and which body of its chain, for super().
    var superStack: [(name: String, chain: [[Stmt]], index: Int)] = []
    /// `{% import … as alias %}`: the macros of each imported template.
    var imports: [String: [String: Macro]] = [:]
    /// The top-level variables of each imported template, by alias.
    var importedVars: [String: [String: Value]] = [:]
    var depth = 0

    struct LoopState {
        var index0: Int
        var length: Int
        var recursive: (targets: [String], filter: Expr?, body: [Stmt], else: [Stmt])?
        var depth = 1
        var lastChanged: [Value]?
    }

    init(env: Environment, root: VariableSource) {
        self.env = env
        self.root = root
    }

    // MARK: statements

    /// Renders a whole template, following `{% extends %}` to the root template.
    func run(_ stmts: [Stmt], into out: inout Output) throws {
        guard let parent = stmts.lazy.compactMap({ s -> Expr? in if case .extends(let e) = s { return e }; return nil }).first else {
            try exec(stmts, into: &out)
            return
        }
        collectBlocks(stmts)
        var ignored = Output()
        for s in stmts {
            switch s {
            case .set, .macro, .importAll, .importNames: try exec(s, into: &ignored)
            default: continue
            }
        }
        try run(try load(try eval(parent).pythonStr), into: &out)
    }

    func collectBlocks(_ stmts: [Stmt]) {
        for s in stmts {
            if case .block(let name, let body) = s {
                blocks[name, default: []].append(body)
                collectBlocks(body)
            }
        }
    }

    func load(_ name: String) throws -> [Stmt] {
        depth += 1
        defer { depth -= 1 }
        guard depth < 32 else { throw TemplateError("template recursion too deep loading '\(name)'") }
        guard let loader = env.loader else { throw TemplateError("no loader for this environment specified") }
        guard let source = try loader(name) else { throw TemplateError("the template '\(name)' was not found") }
        return try Template(source, options: env.options).body
    }

    func exec(_ stmts: [Stmt], into out: inout Output) throws {
        for s in stmts { try exec(s, into: &out) }
    }

    func exec(_ s: Stmt, into out: inout Output) throws {
        try RecursionGuard.enter(levels)
        defer { levels.pointee -= 1 }
        switch s {
        case .text(let t): out.text(t)
        case .output(let e, let line):
            do {
                let v = try eval(e)
                try env.trip(v)
                out.value(v)
            } catch is InlineUndefined {
                // `x if c` without else, used in text: renders nothing.
            } catch var err as TemplateError where err.line == 0 {
                err.line = line
                throw err
            }
        case .ifStmt(let branches, let elseBody):
            for (cond, body) in branches where try eval(cond).truthy {
                try exec(body, into: &out)
                return
            }
            try exec(elseBody, into: &out)
        case .forStmt(let targets, let iterExpr, let filter, let body, let elseBody, let recursive):
            let iterable = try eval(iterExpr)
            try runFor(targets: targets, iterable: iterable, filter: filter, body: body, elseBody: elseBody,
                       recursive: recursive, into: &out)
        case .set(let targets, let attr, let e):
            let v = try eval(e)
            if let attr {
                guard case .dict(var d) = try lookup(targets[0]) else {
                    throw TemplateError("can't set attribute on \(targets[0])")
                }
                d[.string(attr)] = v
                assign(targets[0], .dict(d), global: true)
            } else if targets.count == 1 {
                assign(targets[0], v)
            } else {
                let items = try iterate(v)
                guard items.count == targets.count else { throw TemplateError("not enough values to unpack") }
                for (t, x) in zip(targets, items) { assign(t, x) }
            }
        case .setBlock(let name, let filters, let body):
            var text = Output()
            try exec(body, into: &text)
            var v: Value = .string(text.joined(env))
            for (f, a, k) in filters { v = try env.filter(f, v, try args(a, k)) }
            assign(name, v)
        case .macro(let m):
            macros[macros.count - 1][m.name] = m
        case .callBlock(let callee, let body, let params):
            callers.append((body, params))
            defer { callers.removeLast() }
            out.value(try eval(callee))
        case .filterBlock(let filters, let body):
            var text = Output()
            try exec(body, into: &text)
            var v: Value = .string(text.joined(env))
            for (f, a, k) in filters { v = try env.filter(f, v, try args(a, k)) }
            out.value(v)
        case .with(let assigns, let body):
            var frame: [String: Value] = [:]
            for (n, e) in assigns { frame[n] = try eval(e) }
            push(frame)
            defer { pop() }
            try exec(body, into: &out)
        case .loopControl(let breaks):
            throw LoopControl(breaks: breaks)
        case .exprStmt(let e):
            _ = try eval(e)
        case .extends:
            break
        case .block(let name, let body):
            let chain = (blocks[name] ?? []) + [body]
            superStack.append((name, chain, 0))
            defer { superStack.removeLast() }
            try exec(chain[0], into: &out)
        case .include(let e, let ignoreMissing, let withContext):
            let name = try eval(e)
            let names = name.listValue?.map(\.pythonStr) ?? [name.pythonStr]
            for n in names {
                let body: [Stmt]
                do { body = try load(n) } catch let err as TemplateError where ignoreMissing && err.message.contains("not found") {
                    continue
                }
                if withContext {
                    push([:])
                    defer { pop() }
                    try exec(body, into: &out)
                } else {
                    let r = Renderer(env: env, root: root)
                    try r.exec(body, into: &out)
                }
                break
            }
        case .importAll(let e, let alias):
            let module = try moduleOf(try eval(e).pythonStr)
            imports[alias] = module.macros
            importedVars[alias] = module.vars
        case .importNames(let e, let names):
            let ms = try macrosOf(try eval(e).pythonStr)
            for (n, alias) in names {
                guard let m = ms[n] else { throw TemplateError("the template does not export the requested name '\(n)'") }
                macros[macros.count - 1][alias] = m
            }
        }
    }

    /// Runs a template's top level in a fresh renderer and keeps what it defined.
    func macrosOf(_ name: String) throws -> [String: Macro] { try moduleOf(name).macros }

    func moduleOf(_ name: String) throws -> (macros: [String: Macro], vars: [String: Value]) {
        let r = Renderer(env: env, root: root)
        var ignored = Output()
        try r.exec(try load(name), into: &ignored)
        return (r.macros[0], r.scopes[0])
    }

    func runFor(targets: [String], iterable: Value, filter: Expr?, body: [Stmt], elseBody: [Stmt], recursive: Bool,
                recursiveCall: Bool = false, into out: inout Output) throws {
        var items = try iterate(iterable)
        if let filter {
            var kept: [Value] = []
            for item in items {
                push(try bindTargets(targets, item))
                defer { pop() }
                if try eval(filter).truthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            try exec(elseBody, into: &out)
            return
        }
        let outer = loops.last
        // depth counts recursive calls of one loop, not nesting of different loops.
        let depth = recursiveCall ? (outer?.depth ?? 0) + 1 : 1
        loops.append(LoopState(index0: 0, length: items.count,
                               recursive: recursive ? (targets, filter, body, elseBody) : nil, depth: depth))
        defer { loops.removeLast() }
        for (i, item) in items.enumerated() {
            loops[loops.count - 1].index0 = i
            var frame = try bindTargets(targets, item)
            var loop: Dict = [
                "index": .int(i + 1), "index0": .int(i), "revindex": .int(items.count - i),
                "revindex0": .int(items.count - i - 1), "first": .bool(i == 0), "last": .bool(i == items.count - 1),
                "length": .int(items.count), "depth": .int(depth), "depth0": .int(depth - 1),
            ]
            if i > 0 { loop["previtem"] = items[i - 1] }
            if i + 1 < items.count { loop["nextitem"] = items[i + 1] }
            frame["loop"] = .dict(loop)
            push(frame)
            defer { pop() }
            do { try exec(body, into: &out) } catch let c as LoopControl {
                if c.breaks { break }
            }
        }
    }

    func bindTargets(_ targets: [String], _ item: Value) throws -> [String: Value] {
        if targets.count == 1 { return [targets[0]: item] }
        let parts = try iterate(item)
        guard parts.count == targets.count else {
            throw TemplateError("too many values to unpack (expected \(targets.count))")
        }
        var frame: [String: Value] = [:]
        for (t, v) in zip(targets, parts) { frame[t] = v }
        return frame
    }

    func push(_ frame: [String: Value]) {
        scopes.append(frame)
        macros.append([:])
    }

    func pop() {
        scopes.removeLast()
        macros.removeLast()
    }

    func assign(_ name: String, _ v: Value, global: Bool = false) {
        if global, let i = scopes.lastIndex(where: { $0[name] != nil }) {
            scopes[i][name] = v
        } else {
            scopes[scopes.count - 1][name] = v
        }
    }

    /// A variable as it is: a `!vault` value not yet revealed.
    func lookup(_ name: String) throws -> Value {
        for s in scopes.reversed() { if let v = s[name] { return try Renderer.used(v) } }
        if let v = try root.lookup(name) { return try Renderer.used(v) }
        throw UndefinedError("'\(name)' is undefined")
    }

    /// A value an expression produced: an undefined marker raises its error here, so markers
    /// only live inside containers (2.19: `[missing] | length` is 1, `missing` alone fails).
    static func used(_ v: Value) throws -> Value {
        if case .undefined(let m) = v { throw UndefinedError(m) }
        return v
    }

    /// A lone reference's value (`{{ x.y }}`): one tagged deprecated is said to be used and keeps
    /// its tag, as 2.19 hands on the tagged object itself.
    func reference(_ e: Expr) throws -> Value {
        try RecursionGuard.enter(levels)
        defer { levels.pointee -= 1 }
        let v = try evaluate(e)
        guard case .deprecated(let inner, let tag) = v else { return try used(v) }
        env.tagUsed?(tag)
        return .deprecated(try used(inner), tag)
    }

    /// As `Renderer.used`, and a `!vault` value is revealed (one that does not decrypt raises).
    func used(_ v: Value) throws -> Value {
        if case .deprecated(let inner, let tag) = v {
            env.tagUsed?(tag)
            return try used(inner)
        }
        if case .vault(let text) = v { return try env.revealed(text) }
        return try Renderer.used(v)
    }

    /// A container item: one that is a marker (undefined, or a vault value that does not decrypt)
    /// stays in it as one instead of failing the expression, unless an operator used it.
    func item(_ e: Expr) throws -> Value {
        do { return try reference(e) } catch let u as UndefinedError where !u.hard {
            return .undefined(u.message)
        } catch let t as TemplateError where t.undecryptable != nil && !t.hard {
            return .vault(t.undecryptable!)
        }
    }

    /// An operator's use of its operands: a marker among them raises for good (2.19 gives a
    /// marker back from filters, tests and attributes, never from `~`, `+`, `<`, `not`…).
    func operands<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch var u as UndefinedError {
            u.hard = true
            throw u
        } catch var t as TemplateError where t.undecryptable != nil {
            t.hard = true
            throw t
        }
    }

    func str(_ v: Value) throws -> String {
        try env.trip(v)
        return v.pythonStr
    }

    /// `var.a['b'][0]` on a variable of the caller's, asked of it as a path so that only the value
    /// at its end is resolved. Keys are names or literals (evaluated again, harmlessly, when the
    /// caller says no).
    func lazyPath(_ e: Expr) throws -> Value? {
        var keys: [Expr] = []
        var cur = e
        while true {
            switch cur {
            case .attr(let base, let name): keys.append(.literal(.string(name))); cur = base
            case .item(let base, let key):
                switch key {
                case .literal, .name: keys.append(key)
                default: return nil
                }
                cur = base
            case .name(let n):
                guard scopes.allSatisfy({ $0[n] == nil }), imports[n] == nil, n != "loop" || loops.isEmpty else { return nil }
                return try root.lookup(n, path: keys.reversed().map(eval))
            default: return nil
            }
        }
    }

    // MARK: expressions

    func eval(_ e: Expr) throws -> Value {
        try RecursionGuard.enter(levels)
        defer { levels.pointee -= 1 }
        return try used(try evaluate(e))
    }

    private func evaluate(_ e: Expr) throws -> Value {
        switch e {
        case .literal(let v):
            if let render = env.constTemplate, case .string(let s) = v, !Template.isPlain(s) { return try render(s) }
            return v
        case .name(let n):
            return try lookup(n)
        case .list(let items): return .list(try items.map(item))
        case .tuple(let items): return .tuple(try items.map(item))
        case .dict(let pairs):
            var d = Dict()
            for (k, v) in pairs { d[try eval(k)] = try item(v) }
            return .dict(d)
        case .attr(let base, let name):
            // `{% import 'x' as m %}`: m.name is a variable the template set at its top level.
            if case .name(let alias) = base, imports[alias] != nil, scopes.allSatisfy({ $0[alias] == nil }) {
                guard let v = importedVars[alias]?[name] else { throw UndefinedError("'\(alias)' has no attribute '\(name)'") }
                return v
            }
            if let v = try lazyPath(e) { return v }
            return try getAttr(try eval(base), name)
        case .item(let base, let key):
            if let v = try lazyPath(e) { return v }
            let container = try eval(base), k = try eval(key)
            do { return try getItem(container, k) } catch let e as UndefinedError {
                // A variable's own list or dict is 2.19's lazy container, which words a missing index its way.
                guard case .name = base, k.stringValue == nil else { throw e }
                switch container {
                case .list: throw UndefinedError("ansible._internal._templating._lazy_containers._AnsibleLazyTemplateList object has no element \(k.pythonRepr)")
                case .dict: throw UndefinedError("ansible._internal._templating._lazy_containers._AnsibleLazyTemplateDict object has no element \(k.pythonRepr)")
                default: throw e
                }
            }
        case .slice(let base, let a, let b, let c):
            return try slice(try eval(base), try a.map(eval), try b.map(eval), try c.map(eval))
        case .call(let callee, let a, let k, let star, let dstar):
            var arguments: Arguments
            let isLookup: Bool
            if case .name(let n) = callee, ["lookup", "query", "q"].contains(n) { isLookup = true } else { isLookup = false }
            if isLookup {
                // lookup('x', '{{ template }}'): constant terms holding a template are rendered first
                // (2.19's backward-compatible embedded templates, with its warning). A term that is
                // undefined reaches the lookup as a marker: the lookup decides (2.19's accept_args_markers).
                arguments = Arguments([], [:])
                for (name, e) in k { arguments.keywords[name] = try item(e) }
                for (i, e) in a.enumerated() {
                    guard i > 0, case .literal(.string(let s)) = e, !Template.isPlain(s),
                          let render = env.lookupConstTemplate ?? env.constTemplate else {   // the plugin's name stays as written
                        arguments.positional.append(i > 0 ? try item(e) : try eval(e))
                        continue
                    }
                    do { arguments.positional.append(try render(s)) } catch let u as UndefinedReporting where u.isUndefined {
                        arguments.positional.append(.undefined("\(u)"))
                    } catch let u as UndefinedError {
                        arguments.positional.append(.undefined(u.message))
                    }
                }
            } else {
                arguments = try args(a, k)
            }
            if let star { arguments.positional += try iterate(try eval(star)) }
            if let dstar, case .dict(let d) = try eval(dstar) {
                for (kk, vv) in d { arguments.keywords[kk.pythonStr] = vv }
            }
            if isLookup {
                // A lookup decides about undefined terms, not about a vault marker.
                for v in arguments.positional + Array(arguments.keywords.values) {
                    if case .vault = v { try env.trip(v) }
                    env.noteTags(v)
                }
            } else {
                try env.trip(arguments)
            }
            return try call(callee, arguments.tagFree)
        case .filter(let base, let name, let a, let k):
            // Filters that take markers (default, mandatory, ternary) are given an undefined input
            // or argument as one; for the others it raises.
            guard Environment.markerTakingFilters.contains(Environment.shortName(name)) else {
                return try env.filter(name, try eval(base), try args(a, k))
            }
            var kw: [String: Value] = [:]
            for (n, e) in k { kw[n] = try item(e) }
            return try env.filter(name, try item(base), Arguments(try a.map(item), kw))
        case .test(let base, let name, let a, let k, let negated):
            if name == "defined" || name == "undefined" {
                var defined = true
                if case .name(let n) = base, env.globals[n] != nil || root.function(n) != nil || macros.contains(where: { $0[n] != nil }) {
                    return .bool((name == "defined") != negated)
                }
                do { _ = try eval(base) } catch let u as UndefinedError where !u.hard { defined = false }
                return .bool(((name == "defined") == defined) != negated)
            }
            // vault_encrypted sees a variable's `!vault` value as it is, and takes a marker.
            var operand: Value
            if Environment.shortName(name) != "vault_encrypted" {
                operand = try eval(base)
            } else if case .name(let n) = base {
                operand = try lookup(n)
            } else {
                operand = try item(base)
            }
            let r = try env.test(name, operand, try args(a, k))
            return .bool(r != negated)
        case .unary(let op, let x):
            let v = try operands { try eval(x) }
            if op == "+" { return v }
            switch v {
            case .int(let i): return Ops.negate(i)
            case .bigInt: return v.negatedInt!
            case .bool(let b): return .int(b ? -1 : 0)
            case .float(let f): return .float(-f)
            default: throw TemplateError("bad operand type for unary -: '\(v.typeName)'")
            }
        case .binary(let op, let a, let b):
            return try operands {
                let l = try eval(a), r = try eval(b)
                if op != "+" || l.listValue == nil {   // list + list only moves items
                    try env.trip(l, nestedVaults: false)
                    try env.trip(r, nestedVaults: false)
                }
                return try Ops.binary(op, l, r)
            }
        case .compare(let first, let ops):
            return try operands {
                var left = try eval(first)
                try env.trip(left, nestedVaults: false)
                for (op, re) in ops {
                    let right = try eval(re)
                    try env.trip(right, nestedVaults: false)
                    if try !Ops.compare(op, left, right) { return .bool(false) }
                    left = right
                }
                return .bool(true)
            }
        case .and(let a, let b):
            let l = try operands { try eval(a) }
            return l.truthy ? try eval(b) : l
        case .or(let a, let b):
            let l = try operands { try eval(a) }
            return l.truthy ? l : try eval(b)
        case .not(let x):
            return .bool(!(try operands { try eval(x) }.truthy))
        case .condition(let test, let then, let otherwise):
            if try operands({ try eval(test) }).truthy { return try eval(then) }
            // Without an else, Jinja yields an undefined value: nothing in text, an error as a value.
            guard let otherwise else { throw InlineUndefined() }
            return try eval(otherwise)
        case .concat(let parts):
            return .string(try operands { try parts.map { try str(eval($0)) }.joined() })
        }
    }

    func args(_ a: [Expr], _ k: [(String, Expr)]) throws -> Arguments {
        var kw: [String: Value] = [:]
        for (n, e) in k { kw[n] = try eval(e) }
        return Arguments(try a.map(eval), kw)
    }

    func getAttr(_ base: Value, _ name: String) throws -> Value {
        if case .dict(let d) = base, let v = d[.string(name)] { return v }
        if let v = Renderer.objectAttribute(base, name) { return v }
        throw Renderer.noAttribute(base, .string(name))
    }

    /// An attribute of the Python object a value stands for (a date's `year`, a groupby pair's `grouper`).
    static func objectAttribute(_ base: Value, _ name: String) -> Value? {
        DateAttributes.attribute(base, name) ?? GroupTuple.field(base, name) ?? Methods.numberAttribute(base, name)
    }

    static func noAttribute(_ v: Value, _ key: Value) -> UndefinedError { UndefinedError.noAttribute(v, key) }

    func getItem(_ base: Value, _ key: Value) throws -> Value {
        switch base {
        case .dict(let d):
            if let v = d[key] { return v }
            throw Renderer.noAttribute(base, key)
        case .list(let l), .tuple(let l, _):
            guard let i = key.intValue else {
                if let s = key.stringValue { return try getAttr(base, s) }
                throw TemplateError("\(base.typeName) indices must be integers or slices, not \(key.typeName)")
            }
            let j = i < 0 ? l.count + i : i
            guard j >= 0, j < l.count else { throw Renderer.noAttribute(base, key) }
            return l[j]
        case .string(let s), .unsafe(let s):
            guard let i = key.intValue else { throw Renderer.noAttribute(base, key) }
            let u = Array(s.unicodeScalars)
            let j = i < 0 ? u.count + i : i
            guard j >= 0, j < u.count else { throw Renderer.noAttribute(base, key) }
            return .string(String(Character(u[j])))
        case .bytes(let b):
            guard let i = key.intValue else { throw Renderer.noAttribute(base, key) }
            let j = i < 0 ? b.count + i : i
            guard j >= 0, j < b.count else { throw Renderer.noAttribute(base, key) }
            return .int(Int(b[j]))
        default:
            throw Renderer.noAttribute(base, key)
        }
    }

    func slice(_ base: Value, _ a: Value?, _ b: Value?, _ c: Value?) throws -> Value {
        func indices(_ n: Int) -> [Int] {
            let step = c?.intValue ?? 1
            func clamp(_ v: Value?, _ def: Int) -> Int {
                guard let v, let i = v.intValue else { return def }
                var x = i < 0 ? i + n : i
                x = step > 0 ? min(max(x, 0), n) : min(max(x, -1), n - 1)
                return x
            }
            var out: [Int] = []
            if step > 0 {
                var i = clamp(a, 0)
                let end = clamp(b, n)
                while i < end { out.append(i); i += step }
            } else if step < 0 {
                var i = clamp(a, n - 1)
                let end = clamp(b, -1)
                while i > end { out.append(i); i += step }
            }
            return out
        }
        switch base {
        case .list(let l): return .list(indices(l.count).map { l[$0] })
        case .tuple(let l, _): return .tuple(indices(l.count).map { l[$0] })
        case .string(let s), .unsafe(let s):
            let u = Array(s.unicodeScalars)
            var r = ""
            r.unicodeScalars.append(contentsOf: indices(u.count).map { u[$0] })
            return .string(r)
        case .bytes(let b): return .bytes(indices(b.count).map { b[$0] })
        default: throw TemplateError("'\(base.typeName)' object is not subscriptable")
        }
    }

    func iterate(_ v: Value) throws -> [Value] {
        switch v {
        case .list(let l), .tuple(let l, _): return l
        case .dict(let d): return Array(d.keys)
        case .string(let s), .unsafe(let s): return s.unicodeScalars.map { .string(String(Character($0))) }
        case .bytes(let b): return b.map { .int(Int($0)) }
        default: throw TemplateError("'\(v.typeName)' object is not iterable")
        }
    }

    // MARK: calls

    /// joiner(): "" the first time, then the separator; cycler: next() / reset().
    func callObject(_ id: Int, _ method: String) throws -> Value {
        guard id < objects.count else { throw TemplateError("object is not callable") }
        let o = objects[id]
        switch (o.kind, method) {
        case ("joiner", "__call__"):
            objects[id].index = 1
            return o.index == 0 ? "" : o.items[0]
        case ("cycler", "next"):
            guard !o.items.isEmpty else { throw TemplateError("no items for cycling given") }
            objects[id].index = (o.index + 1) % o.items.count
            return o.items[o.index]
        case ("cycler", "reset"):
            objects[id].index = 0
            return .none
        default: throw TemplateError("'\(o.kind)' object has no attribute '\(method)'")
        }
    }

    func call(_ callee: Expr, _ a: Arguments) throws -> Value {
        switch callee {
        case .name(let n):
            for m in macros.reversed() { if let macro = m[n] { return try callMacro(macro, a) } }
            if n == "super", let top = superStack.last {
                guard top.index + 1 < top.chain.count else { throw TemplateError("there is no parent block called '\(top.name)'.") }
                superStack.append((top.name, top.chain, top.index + 1))
                defer { superStack.removeLast() }
                var out = Output()
                try exec(top.chain[top.index + 1], into: &out)
                return .string(out.joined(env))
            }
            if n == "caller", let c = callers.last {
                return try callMacro(Macro(name: "caller", params: c.params, body: c.body), a)
            }
            if n == "loop", let l = loops.last, let rec = l.recursive {
                var out = Output()
                try runFor(targets: rec.targets, iterable: a.positional.first ?? .list([]), filter: rec.filter,
                           body: rec.body, elseBody: rec.else, recursive: true, recursiveCall: true, into: &out)
                return .string(out.joined(env))
            }
            if n == "joiner" || n == "cycler", root.function(n) == nil, (try? lookup(n)) == nil {
                let items = n == "joiner" ? [a.get(0, "sep") ?? ", "] : a.positional
                objects.append((n, items, 0))
                return .dict([Renderer.objectKey: .int(objects.count - 1)])
            }
            if let f = root.function(n) ?? env.globals[n] { return try f(a, env) }
            if let id = try lookup(n)[Renderer.objectKey.pythonStr]?.intValue { return try callObject(id, "__call__") }
            throw TemplateError("'\(n)' is not callable")
        case .attr(let baseExpr, let name):
            if case .name(let alias) = baseExpr, let ms = imports[alias] {
                guard let m = ms[name] else { throw UndefinedError("'\(alias)' has no attribute '\(name)'") }
                return try callMacro(m, a)
            }
            if case .name("loop") = baseExpr, !loops.isEmpty {
                if name == "cycle" {
                    guard !a.positional.isEmpty else { throw TemplateError("no items for cycling given") }
                    return a.positional[loops[loops.count - 1].index0 % a.positional.count]
                }
                if name == "changed" {
                    let now = a.positional
                    defer { loops[loops.count - 1].lastChanged = now }
                    return .bool(loops[loops.count - 1].lastChanged != now)
                }
            }
            let base = try eval(baseExpr)
            if let id = base[Renderer.objectKey.pythonStr]?.intValue { return try callObject(id, name) }
            return try Methods.call(base, name, a, env)
        default:
            throw TemplateError("object is not callable")
        }
    }

    func callMacro(_ m: Macro, _ a: Arguments) throws -> Value {
        var frame: [String: Value] = [:]
        for (i, (name, def)) in m.params.enumerated() {
            if let v = a.keywords[name] { frame[name] = v } else if i < a.positional.count { frame[name] = a.positional[i] } else if let def {
                frame[name] = try eval(def)
            }
        }
        frame["varargs"] = .tuple(Array(a.positional.dropFirst(m.params.count)))
        push(frame)
        defer { pop() }
        var out = Output()
        try exec(m.body, into: &out)
        return out.result(env)
    }
}

extension UndefinedError {
    /// ansible-core 2.19's wording for a missing attribute or item (its Marker hint).
    public static func noAttribute(_ v: Value, _ key: Value) -> UndefinedError {
        UndefinedError("object of type '\(v.typeName)' has no attribute \(key.pythonRepr)")
    }
}
