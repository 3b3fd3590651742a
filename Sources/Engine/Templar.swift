// Ansible's templating layer over Jinja: variables resolved lazily (a var that is itself a
// template is rendered when used, recursion named), native types for lone expressions,
// `!unsafe` never rendered, conditionals required to be booleans as in ansible-core 2.19.
import Jinja
#if canImport(Glibc)
import Glibc
#endif
import Playbook
import Synchronization
import Values
import Vault
import YAMLReader

public struct AnsibleError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as Ansible's exception classes tell them apart.
    public enum Kind: Sendable { case undefined, syntax, untrusted, other }
    public var message: String
    public var kind: Kind
    /// The template line a syntax error was found on, when known.
    public var line = 0
    /// Where the failing text was written, when closer than the caller knows (one item of a list).
    public var location: SourceLocation?
    /// A cause with a place of its own (a `!vault` value that did not decrypt, where it was
    /// written), which the message names after a colon: shown as its own "caused by" section.
    public var cause: (message: String, location: SourceLocation)?
    /// The end of the message that stands apart without a place (an error raised while handling
    /// another, ChainedError), shown as its own section (followed there by `apartHelp`).
    public var apart: String?
    public var apartHelp: String?
    /// What follows the origin in the [ERROR] block (Ansible's help_text).
    public var help: String?
    public init(_ message: String, kind: Kind = .other, line: Int = 0) {
        self.message = message
        self.kind = kind
        self.line = line
    }
    public var description: String { message }
}

extension AnsibleError: UndefinedReporting {
    public var isUndefined: Bool { kind == .undefined }
}

/// A conditional whose result is not a boolean (ansible-core 2.19 refuses those).
struct BrokenConditional: Error {
    var message: String
    var location: SourceLocation?
    /// What the error block adds; nil: that ALLOW_BROKEN_CONDITIONALS lets it pass.
    var help: String?

    init(message: String, location: SourceLocation? = nil, help: String? = nil) {
        self.message = message
        self.location = location
        self.help = help
    }
}

extension Templar {
    /// Where the template being rendered was written (a task argument, a conditional): where a
    /// deprecated variable it reads is reported.
    @TaskLocal static var origin: SourceLocation?
    /// The variable whose value is being rendered: a variable's template is where what it uses
    /// is reported, as 2.19 reports it (its place found only when asked).
    @TaskLocal static var variable: RenderedVariable?

    /// The place a use found while rendering is reported at: the innermost variable's template
    /// when its place is known, else the template the task wrote.
    static var usedAt: SourceLocation? { variable.flatMap { $0.scope.valueOrigin?($0.name) } ?? origin }
}

/// A variable of a scope, while its value renders.
struct RenderedVariable: Sendable {
    let scope: VarScope
    let name: String
}

/// Variables of one host for one task, rendered on first use.
/// Unchecked: a scope belongs to one task on one host and is used by one task at a time.
final class VarScope: VariableSource, @unchecked Sendable {
    var raw: [String: Value]
    var dynamic: [String: () throws -> Value] = [:]
    var cache: [String: Value] = [:]
    /// Variables 2.19 tags Deprecated: each read says so (never cached away).
    var deprecated: [String: @Sendable () -> Void] = [:]
    var resolving: [String] = []
    /// Another host's vars as a scope of their own (for `hostvars[h]`), nil for an unknown host.
    var hostScope: ((String) throws -> VarScope?)?
    private var hostScopeCache: [String: VarScope] = [:]
    let templar: Templar
    /// Where lookups search for files (the playbook's directory).
    var playbookDir = Files.cwd()
    /// Where variables' values were written, where known (play and task vars).
    var origins: [String: SourceLocation] = [:]
    /// Where the value this scope has for a variable was written (its winning layer's place).
    var valueOrigin: (@Sendable (String) -> SourceLocation?)?
    /// The first variable read directly (not from inside another's template) whose value did
    /// not render: a controller-side failure (a connection variable) is reported at its origin.
    private(set) var failedVariable: String?
    /// The connection variables PlayContext filled in for the host (it had none of its own):
    /// a delegated task gets the delegated connection's instead.
    var connectionMagic: Set<String> = []

    init(raw: [String: Value], templar: Templar) {
        self.raw = raw
        self.templar = templar
    }

    func lookup(_ name: String) throws -> Value? {
        if !deprecated.isEmpty, let warn = deprecated[name] { warn() }
        if let v = cache[name] { return v }
        if let f = dynamic[name] {
            let v = try f()
            cache[name] = v
            return v
        }
        guard let v = raw[name] else { return nil }
        if case .vault = v { return v }   // revealed where an expression uses it
        if resolving.contains(name) {
            throw AnsibleError("Recursive loop detected in template: the variable '\(name)' refers to itself (\((resolving + [name]).joined(separator: " -> ")))")
        }
        // A variable made of another is a level of the render (a long chain is Python's RecursionError).
        let depth = RecursionGuard.counter
        try RecursionGuard.enter(depth)
        resolving.append(name)
        defer { resolving.removeLast(); depth.pointee -= 1 }
        let r: Value
        // A var whose template uses an undefined one is itself undefined (`is undefined`, `default`).
        do { r = try rendering(name) { try templar.resolve(v, self) } } catch let e as AnsibleError where e.kind == .undefined {
            if resolving.count == 1, failedVariable == nil { failedVariable = name }
            throw UndefinedError(e.message)
        }
        cache[name] = r
        return r
    }

    /// A variable as a view of them all shows it (`vars`, `hostvars[h]`, `ansible_delegated_vars`):
    /// rendered, else as written; a deprecated one is not said to be read.
    func viewed(_ name: String) -> Value {
        if deprecated[name] != nil { return raw[name] ?? .none }
        return (try? lookup(name)) ?? raw[name] ?? .none
    }

    func lookup(_ name: String, path: [Value]) throws -> Value? {
        // `vars['play_hosts']` reads a deprecated variable as surely as its name does.
        if name == "vars", !deprecated.isEmpty, raw[name] == nil, let key = path.first?.stringValue, let warn = deprecated[key] { warn() }
        if name == "hostvars", raw[name] == nil, hostScope != nil, let host = path.first?.stringValue {
            // Ansible's HostVars: an unknown host is undefined by its expression, a missing
            // variable of a known one is HostVarsVars's attribute error.
            guard let scope = try hostScopes(host) else { throw UndefinedError("hostvars[\(path[0].pythonRepr)]") }
            guard path.count > 1, let key = path[1].stringValue else {
                // The whole entry: each var rendered (one that does not render stays as written).
                var d = Dict()
                for k in scope.raw.keys.sorted() { d[.string(k)] = scope.viewed(k) }
                return getPath(.dict(d), Array(path.dropFirst()))
            }
            if let v = try scope.lookup(key, path: Array(path.dropFirst(2))) { return v }
            guard let whole = try scope.lookup(key) else { throw UndefinedError("object of type 'HostVarsVars' has no attribute \(path[1].pythonRepr)") }
            return getPath(whole, Array(path.dropFirst(2)))
        }
        guard cache[name] == nil, dynamic[name] == nil, let top = raw[name], let node = getPath(top, path) else { return nil }
        if case .vault = node { return nil }
        // The entry may use the variable's other entries (`{b: "{{ foo.a }}"}`); not itself.
        let step = name + path.map { "[\($0.pythonRepr)]" }.joined()
        if resolving.contains(step) {
            throw AnsibleError("Recursive loop detected in template: the variable '\(name)' refers to itself (\((resolving + [step]).joined(separator: " -> ")))")
        }
        let depth = RecursionGuard.counter
        try RecursionGuard.enter(depth)
        resolving.append(step)
        defer { resolving.removeLast(); depth.pointee -= 1 }
        do { return try rendering(name) { try templar.resolve(node, self) } } catch let e as AnsibleError where e.kind == .undefined { throw UndefinedError(e.message) }
    }

    /// Renders the value of `name`, with its place known to what reports a use inside it.
    private func rendering<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard valueOrigin != nil else { return try body() }
        return try Templar.$variable.withValue(RenderedVariable(scope: self, name: name), operation: body)
    }

    private func hostScopes(_ host: String) throws -> VarScope? {
        if let s = hostScopeCache[host] { return s }
        guard let s = try hostScope?(host) else { return nil }
        hostScopeCache[host] = s
        return s
    }

    /// A value's dict entries and list items along `path`, nil when one is missing (the caller
    /// then resolves the whole variable and words the error).
    private func getPath(_ v: Value, _ path: [Value]) -> Value? {
        var node = v
        for key in path {
            switch (node, key) {
            case (.dict(let d), _):
                guard let next = d[key] else { return nil }
                node = next
            case (.list(let l), .int(let i)):
                guard i >= -l.count, i < l.count else { return nil }
                node = l[i < 0 ? i + l.count : i]
            default: return nil
            }
        }
        return node
    }

    func function(_ name: String) -> Function? {
        switch name {
        case "lookup", "query", "q":
            return { [self] a, _ in
                guard let plugin = a.positional.first?.stringValue else { throw AnsibleError("lookup needs a plugin name") }
                let c = LookupContext(scope: self, playbookDir: playbookDir, templar: templar)
                return try Lookups.invoke(plugin, Arguments(Array(a.positional.dropFirst()), a.keywords), c, forceList: name != "lookup")
            }
        case "now":
            // A naive datetime (local time unless utc=True); with fmt, that time formatted.
            return { a, _ in
                var ts = timespec()
                clock_gettime(CLOCK_REALTIME, &ts)
                var t = ts.tv_sec
                var tmv = tm()
                if a.get(0, "utc")?.truthy == true { gmtime_r(&t, &tmv) } else { localtime_r(&t, &tmv) }
                if var fmt = a.get(1, "fmt")?.stringValue {
                    // Python's %f (microseconds), which C's strftime lacks; %% stays as it is.
                    let micro = String(String(ts.tv_nsec / 1000 + 1_000_000).dropFirst())
                    fmt = fmt.replacingOccurrences(of: "%%", with: "\u{0}").replacingOccurrences(of: "%f", with: micro)
                        .replacingOccurrences(of: "\u{0}", with: "%%")
                    var buf = [CChar](repeating: 0, count: 256)
                    _ = strftime(&buf, 256, fmt, &tmv)
                    return .string(String(nulTerminated: buf))
                }
                return naiveDatetime(tmv)
            }
        case "undef":
            // 2.19's undef(hint): a value that raises its hint when used (a required variable's placeholder).
            return { a, _ in
                let hint = a.get(0, "hint") ?? .none
                guard hint.isNone || hint.stringValue != nil else {
                    throw AnsibleError("The 'hint' argument must be of type 'str' or 'NoneType', not '\(hint.typeName)'.")
                }
                return .undefined(hint.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? UndefinedError.mandatory)
            }
        default: return nil
        }
    }

    /// A child scope with extra names (loop items) layered on top.
    func with(_ extra: [String: Value]) -> VarScope {
        let s = VarScope(raw: raw, templar: templar)
        s.playbookDir = playbookDir
        s.origins = origins
        s.dynamic = dynamic
        s.hostScope = hostScope
        s.connectionMagic = connectionMagic
        for (k, v) in extra { s.raw[k] = v }
        return s
    }
}

public struct Templar: Sendable {
    let env: Environment
    /// ALLOW_BROKEN_CONDITIONALS: a non-boolean conditional counts by its truth, with a deprecation.
    public static let allowBrokenConditionals = Atomic<Bool>(false)
    static let brokenAllowedHelp = "Broken conditionals are currently allowed because the `ALLOW_BROKEN_CONDITIONALS` configuration option is enabled."
    static let compiled = Mutex<[String: Template]>([:])
    /// _TEMPLAR_UNTRUSTED_TEMPLATE_BEHAVIOR (an experimental diagnostic of 2.19): 0 ignore, 1 warning, 2 error.
    public static let untrustedBehavior = Atomic<Int>(0)

    init() {
        var e = Environment()
        AnsibleFilters.register(&e)
        e.noneAsEmpty = true
        e.filterFailure = { name, message in
            "The filter plugin 'ansible.builtin.\(name)' failed" + (message.isEmpty ? "." : ": \(message)")
        }
        e.reveal = { text in .string(try Templar.decrypt(text)) }
        e.tagUsed = DeprecatedValues.used
        e.external = PythonPlugins.shared
        env = e
    }

    static let dataOptions = TemplateOptions(escapeBackslashes: true)

    /// Text rendered as 2.19 renders what only displays (a task's name in its banner): an
    /// expression that fails shows in place as `<< error N - message >>`, and the messages come back
    /// for the warning. An undefined value, a vault marker or a plugin's failure is replaced and
    /// the rest rendered; any other error stops the text there, "template potentially truncated" (2.19's
    /// TruncationMarker). A syntax error, or a failing `{% %}` statement, marks the whole text.
    /// `place`: where the first error's own value was written (a `!vault` value's), if known.
    func renderMarking(_ text: String, _ scope: VarScope) -> (text: String, errors: [String], place: SourceLocation?) {
        func message(_ e: any Error) -> String { (e as? AnsibleError)?.message ?? "\(e)" }
        do { return (try template(.string(text), scope).pythonStr, [], nil) } catch {
            guard let e = error as? AnsibleError, e.kind == .undefined || e.kind == .other, !text.contains("{%") else {
                return ("<< error 1 - \(message(error)) >>", [message(error)], nil)
            }
        }
        var out = "", errors: [String] = [], place: SourceLocation?
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            out += rest[..<open.lowerBound]
            let expr = String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
            do { out += try template(.string(expr), scope).pythonStr } catch {
                let e = error as? AnsibleError
                // A vault marker is shown by its own message, at its own place.
                let shown = e?.cause?.message ?? message(error)
                if errors.isEmpty { place = e?.cause?.location }
                errors.append(shown)
                out += "<< error \(errors.count) - \(shown) >>"
                // A plugin's failure is a marker in place, as an undefined value is.
                if e?.kind != .undefined, e?.cause == nil, !Templar.isPluginFailure(shown) {
                    errors.append("template potentially truncated")
                    return (out + "<< error \(errors.count) - template potentially truncated >>", errors, place)
                }
            }
        }
        return (out + rest, errors, place)
    }

    /// A filter, test or lookup plugin's own failure, which 2.19 words on its own (no "Error
    /// rendering template") and captures in place like an undefined value.
    static func isPluginFailure(_ message: String) -> Bool {
        ["The filter plugin '", "The test plugin '", "The lookup plugin '"].contains(where: message.hasPrefix)
    }

    /// A template's runtime error as 2.19 words it: a plugin's failure on its own, any other
    /// through `wording` ("Error rendering template…"); the part a filter raised while handling
    /// another kept apart.
    static func runtimeError(_ e: TemplateError, _ wording: (String) -> String) -> AnsibleError {
        var error = AnsibleError(isPluginFailure(e.message) ? e.message : wording(e.message), kind: e.isSyntax ? .syntax : .other)
        error.apart = e.apart
        error.apartHelp = e.apartHelp
        return error
    }

    /// "<what>: <why>" for a template or expression that used a `!vault` value that does not
    /// decrypt; the why stands apart at the value's place when known, as 2.19 shows it.
    static func undecryptable(_ what: String, _ e: TemplateError) -> AnsibleError {
        var error = AnsibleError("\(what): \(e.message)")
        if let text = e.undecryptable, let at = VaultOrigins.place(of: text) { error.cause = (e.message, at) }
        return error
    }

    /// A `!vault` value's plaintext, with the run's vault secrets.
    static func decrypt(_ text: String) throws -> String {
        do { return try Vault.shared.decryptText(text) } catch let e as VaultError {
            throw TemplateError("Attempt to use undecryptable variable: \(e.message)")
        }
    }

    /// A name rendered while playbooks load (import_playbook's): only the given vars and the extra vars are known.
    public static func renderStatic(_ text: String, vars: Dict, extraVars: Dict) throws -> String {
        let templar = Templar()
        return try templar.template(.string(text), templar.staticScope(vars, extraVars: extraVars)).pythonStr
    }

    /// What a template sees where no host is involved (play names, tags, serial, import names):
    /// the given vars with the extra vars over them, and `omit`.
    func staticScope(_ vars: Dict, extraVars: Dict) -> VarScope {
        var raw: [String: Value] = ["omit": .omit]
        for (k, v) in vars { raw[k.pythonStr] = v }
        for (k, v) in extraVars { raw[k.pythonStr] = v }
        return VarScope(raw: raw, templar: self)
    }

    /// Jinja2 drops the source's final newlines; Ansible puts back as many as went missing.
    static func preserveTrailingNewlines(_ source: String, _ result: Value, newline: String = "\n") -> Value {
        func count(_ s: String) -> Int { s.unicodeScalars.reversed().prefix { $0 == "\n" }.count }
        switch result {
        case .string(let r) where count(source) > count(r): return .string(r + String(repeating: newline, count: count(source) - count(r)))
        case .unsafe(let r) where count(source) > count(r): return .unsafe(r + String(repeating: newline, count: count(source) - count(r)))
        default: return result
        }
    }

    static func compile(_ s: String, options: TemplateOptions = dataOptions) throws -> Template {
        let key = options == dataOptions ? s : "\(options.trimBlocks)\(options.lstripBlocks)\(options.keepTrailingNewline)|" + s
        if let t = compiled.withLock({ $0[key] }) { return t }
        let t = try Template(s, options: options)
        if let unknown = t.unknownCallable(in: known) { throw TemplateError(unknown) }
        compiled.withLock { $0[key] = t }
        return t
    }

    /// The filters and tests every template may use, for Jinja2's compile-time check.
    static let known: Environment = {
        var e = Environment()
        AnsibleFilters.register(&e)
        e.external = PythonPlugins.shared
        return e
    }()

    /// Renders every string in `v` that holds a template; containers are walked. The result is
    /// final: an undefined value anywhere in it is an error (2.19's top-level finalisation).
    /// `keepingTag`: a value tagged deprecated stays so (what set_fact stores); else what takes
    /// the result gets the value itself (its items keep their tags). Either way it was used.
    func template(_ v: Value, _ scope: VarScope, keepingTag: Bool = false) throws -> Value {
        try DeprecatedValues.audited { try finalTemplate(v, scope, keepingTag: keepingTag) }
    }

    private func finalTemplate(_ v: Value, _ scope: VarScope, keepingTag: Bool) throws -> Value {
        let r = try resolve(v, scope)
        do {
            let final = try finalised(r) ?? r
            return keepingTag ? final : final.untagged
        } catch let u as UndefinedError {
            throw AnsibleError(u.message, kind: .undefined)
        } catch let e as TemplateError where e.undecryptable != nil {
            throw Templar.undecryptable("Error rendering template", e)
        }
    }

    /// A value rendered as 2.19's resolve_to_container does: a template to what it gives, a
    /// mapping or list as it is (its values are templated when used).
    func container(_ v: Value, _ scope: VarScope) throws -> Value {
        switch v {
        case .string, .unsafe: return try template(v, scope)
        default: return v
        }
    }

    /// 2.19's finalisation, in one walk: the first marker raises (an undefined value, or what
    /// `resolve` left as `.vault`: one that does not decrypt), Omit values in lists and dicts
    /// are dropped (one at the top stays: the caller leaves its argument out), and tuples become
    /// lists (a `groupby` result with a warning; one that is a dict's key fails, as a list cannot
    /// be one). Nil: unchanged.
    func finalised(_ v: Value) throws -> Value? {
        switch v {
        case .list(let l): return try finalised(items: l).map(Value.list)
        case .tuple(let l, let grouped):
            if grouped {
                Output.warning(Origin.report("Type 'GroupTuple' is unsupported in variable storage, converting to 'list'.", Templar.usedAt))
            }
            return .list(try finalised(items: l) ?? l)
        case .dict(let d):
            var out: Dict?
            for (i, (k, x)) in d.enumerated() {
                if case .tuple = k { throw AnsibleError(Templar.renderingError("unhashable type: 'list'")) }
                let y = x.isOmit ? Value.omit : try finalised(x)
                if y != nil, out == nil { out = Dict(uniqueKeysWithValues: d.elements[..<i].map { ($0.key, $0.value) }) }
                if !x.isOmit { out?[k] = y ?? x }
            }
            return out.map(Value.dict)
        case .timedelta: throw Templar.unstorable(v)
        case .deprecated(let inner, let tag):
            env.tagUsed?(tag)
            return try finalised(inner).map { .deprecated($0, tag) }
        default:
            try env.trip(v, deep: false)
            return nil
        }
    }

    private func finalised(items l: [Value]) throws -> [Value]? {
        var out: [Value]?
        for (i, x) in l.enumerated() {
            let y = x.isOmit ? Value.omit : try finalised(x)
            if y != nil, out == nil { out = Array(l[..<i]) }
            if !x.isOmit { out?.append(y ?? x) }
        }
        return out
    }

    /// A value no variable can hold (a timedelta): 2.19 says so in a section of its own, the
    /// value shown under `<unknown>`.
    static func unstorable(_ v: Value) -> AnsibleError {
        let message = "Type '\(v.typeName)' is unsupported for variable storage."
        var error = AnsibleError("Error rendering template: \(message)")
        error.cause = (message, SourceLocation.unknown(showing: v.pythonStr))
        return error
    }

    /// The vault markers `resolve` left, alone (`debug: var=` shows undefined items in place).
    static func tripVaults(_ v: Value) throws {
        switch v {
        case .vault(let text):
            do { _ = try Templar.decrypt(text) } catch var e as TemplateError {
                e.undecryptable = text
                throw undecryptable("Error rendering template", e)
            }
        case .list(let l): for x in l { try tripVaults(x) }
        case .dict(let d): for x in d.values { try tripVaults(x) }
        case .deprecated(let inner, let tag):
            DeprecatedValues.used(tag)   // the value is shown, so used
            try tripVaults(inner)
        default: break
        }
    }

    /// `template` short of finalising: an item of a container that is undefined stays in it as a
    /// marker, for a variable's value (lazy in 2.19) and for terms `with_first_found` may drop.
    func resolve(_ v: Value, _ scope: VarScope) throws -> Value {
        try DeprecatedValues.audited { try resolving(v, scope) }
    }

    private func resolving(_ v: Value, _ scope: VarScope) throws -> Value {
        func item(_ x: Value) throws -> Value {
            do { return try resolving(x, scope) } catch let e as AnsibleError where e.kind == .undefined {
                return .undefined(e.message)
            }
        }
        switch v {
        case .string(let s):
            guard !Template.isPlain(s) else { return v }
            let t: Template
            do { t = try Templar.compile(s) } catch let e as TemplateError {
                throw AnsibleError("Syntax error in template: \(e.message)", kind: .syntax)
            } catch is RecursionLimitError {
                throw Templar.recursionLimit
            }
            do {
                var r = try t.evaluate(Templar.embedsLookupTemplates(s) ? lookupEnv(scope) : env, scope)
                if case .timedelta = r { throw Templar.unstorable(r) }
                // Text a template made is not itself trusted as a template; a variable's own value keeps its trust.
                if case .string(let text) = r, !t.isReference { r = .unsafe(text) }
                return Templar.preserveTrailingNewlines(s, r)
            } catch let e as UndefinedError {
                throw AnsibleError(e.message, kind: .undefined)
            } catch is RecursionLimitError {
                throw Templar.recursionLimit
            } catch let e as TemplateError where e.undecryptable != nil {
                throw Templar.undecryptable("Error rendering template", e)
            } catch let e as TemplateError {
                throw Templar.runtimeError(e, Templar.renderingError)
            }
        case .unsafe(let s) where Templar.untrustedBehavior.load(ordering: .relaxed) != 0 && !Template.isPlain(s):
            // _TEMPLAR_UNTRUSTED_TEMPLATE_BEHAVIOR: a template skipped for want of trust is said.
            // What the target sent carries no origin: 2.19 shows the value itself under `<unknown>`.
            let message = Origin.report(Templar.untrustedMessage, SourceLocation.unknown(showing: s), help: Templar.untrustedHelp)
            guard Templar.untrustedBehavior.load(ordering: .relaxed) == 1 else { throw AnsibleError(message, kind: .untrusted) }
            Output.warning(message)
            return v
        case .vault(let text):
            // One that does not decrypt stays, a marker until used (`template` finalises).
            guard let plain = try? Templar.decrypt(text) else { return v }
            return try resolving(.string(plain), scope)
        case .list(let l): return .list(try l.map(item).filter { !$0.isOmit })
        case .dict(let d):
            var out = Dict(minimumCapacity: d.count)
            for (k, x) in d {
                let r = try item(x)
                if r.isOmit { continue }
                out[k] = r   // 2.19 templates values only (set_fact templates its own keys)
            }
            return .dict(out)
        default: return v
        }
    }

    /// Renders a whole file (the template module, `lookup('template')`); include/import/extends
    /// look in each search dir's templates/ and then the dir itself, as Ansible's template action.
    func render(_ source: String, _ scope: VarScope, options: TemplateOptions, searchDirs: [String] = []) throws -> String {
        try render(source, scope, options: options, searchDirs: searchDirs, native: false).pythonStr
    }

    /// `native`: a lone expression keeps its type (the template lookup renders as 2.19's engine does).
    func render(_ source: String, _ scope: VarScope, options: TemplateOptions, searchDirs: [String] = [], native: Bool) throws -> Value {
        try DeprecatedValues.audited { try rendering(source, scope, options: options, searchDirs: searchDirs, native: native) }
    }

    private func rendering(_ source: String, _ scope: VarScope, options: TemplateOptions, searchDirs: [String], native: Bool) throws -> Value {
        var e = env
        e.options = options
        let dirs = searchDirs.flatMap { [Files.join($0, "templates"), $0] }
        e.loader = { name in
            for d in dirs {
                let p = Files.join(d, name)
                if Files.exists(p), !Files.isDirectory(p) { return try Files.read(p) }
            }
            return nil
        }
        let t: Template
        do {
            t = try Template(source, options: options)
            if let unknown = t.unknownCallable(in: e) { throw TemplateError(unknown) }
        } catch let e as TemplateError {
            throw AnsibleError("Syntax error in template: \(e.message)", kind: .syntax, line: e.line)
        } catch is RecursionLimitError {
            throw Templar.recursionLimit
        }
        do {
            let out: Value = native ? try t.evaluate(e, scope) : .string(try t.render(e, scope))
            return options.keepTrailingNewline ? out : Templar.preserveTrailingNewlines(source, out, newline: options.newlineSequence)
        } catch let e as UndefinedError {
            throw AnsibleError(e.message, kind: .undefined)
        } catch is RecursionLimitError {
            throw Templar.recursionLimit
        } catch let e as TemplateError where e.undecryptable != nil {
            throw Templar.undecryptable("Error rendering template", e)
        } catch let e as TemplateError {
            throw Templar.runtimeError(e, Templar.renderingError)
        }
    }

    /// Python's RecursionError inside a template, as 2.19 reports it.
    static let recursionLimit = AnsibleError("Recursive loop detected in template: maximum recursion depth exceeded")

    /// 2.19's AnsibleTemplateError, its cause's words after a colon when there are any (a
    /// MemoryError has none).
    static func renderingError(_ cause: String) -> String {
        cause.isEmpty ? "Error rendering template." : "Error rendering template: \(cause)"
    }

    /// `when:` and friends: each entry a bare expression, all must be true. As 2.19's
    /// evaluate_conditional: a conditional wholly inside `{{ }}` is rendered first (a boolean
    /// then stands, with a deprecation; text is the expression), and an expression must be trusted.
    /// `itemOrigins`: where each item of a list was written; an error names its item's place.
    func conditional(_ v: Value, _ scope: VarScope, origin: SourceLocation? = nil, itemOrigins: [SourceLocation] = []) throws -> (Bool, Value?) {
        let items: [Value]
        if case .list(let l) = v { items = l } else { items = [v] }
        for (i, item) in items.enumerated() {
            let at = i < itemOrigins.count ? itemOrigins[i] : origin
            do {
                if try !holds(item, scope, origin: at) { return (false, item) }   // as written: Ansible reports `false`, not "False"
            } catch var e as AnsibleError {
                // Only an undefined value is said to be the conditional's error; others speak for themselves.
                if e.kind == .undefined { e.message = "Error while evaluating conditional: \(e.message)" }
                e.location = e.location ?? at
                throw e
            } catch var e as BrokenConditional {
                e.location = e.location ?? at
                throw e
            }
        }
        return (true, nil)
    }

    private func holds(_ item: Value, _ scope: VarScope, origin: SourceLocation?) throws -> Bool {
        let r: Value
        switch item {
        case .bool: r = item
        case .none: r = try Templar.empty(origin)
        case .string(let s), .unsafe(let s):
            var expression = Templar.stripped(item, s)
            if case .string(let text) = expression, Keywords.isAllTemplate(text) {
                let rendered = try template(expression, scope)
                expression = rendered.stringValue.map { Templar.stripped(rendered, $0) } ?? rendered
                if rendered.stringValue == nil {
                    Output.deprecation("Conditionals should not be surrounded by templating delimiters such as {{ }} or {% %}.",
                                       version: "2.23", origin: origin)
                }
            }
            r = try Templar.$origin.withValue(origin) { try evaluate(expression, scope, origin: origin) }
        default:
            guard Templar.allowBrokenConditionals.load(ordering: .relaxed) else {
                throw BrokenConditional(message: "Conditional expressions must be strings.", location: origin)
            }
            r = try template(item, scope)
        }
        if r.isOmit {
            throw BrokenConditional(message: "A template was resolved to an Omit scalar.",
                                    help: "Callers must be prepared to handle this value. This is most likely a bug in the code requesting templating.")
        }
        let ok: Bool
        if case .bool(let b) = r { ok = b } else {
            // A bare variable name lets the message say where its value was written.
            let name = item.stringValue?.trimmingCharacters(in: " \n\t") ?? ""
            let at = scope.origins[name] ?? origin
            let where_ = at.map { " at '\($0)'" } ?? ""
            let message = "Conditional result (\(r.truthy ? "True" : "False")) was derived from value of type '\(r.typeName)'\(where_). Conditionals must have a boolean result."
            guard Templar.allowBrokenConditionals.load(ordering: .relaxed) else { throw BrokenConditional(message: message) }
            Output.deprecation(message, version: "2.23", origin: origin, help: Templar.brokenAllowedHelp)
            ok = r.truthy
        }
        return ok
    }

    /// An empty conditional: refused, or true with a deprecation under ALLOW_BROKEN_CONDITIONALS.
    static func empty(_ origin: SourceLocation?) throws -> Value {
        guard allowBrokenConditionals.load(ordering: .relaxed) else {
            throw BrokenConditional(message: "Empty conditional expressions are not allowed.")
        }
        Output.deprecation("Empty conditional expression was evaluated as True.", version: "2.23", origin: origin, help: brokenAllowedHelp)
        return true
    }

    /// A conditional's text without surrounding whitespace, keeping its trust; empty is refused.
    static func stripped(_ v: Value, _ s: String) -> Value {
        let t = s.trimmingCharacters(in: " \n\t\r")
        if case .unsafe = v { return .unsafe(t) }
        return .string(t)
    }

    /// A conditional's expression: only trusted text is evaluated (2.19's evaluate_expression).
    func evaluate(_ expression: Value, _ scope: VarScope, origin: SourceLocation? = nil) throws -> Value {
        try DeprecatedValues.audited { try evaluating(expression, scope, origin: origin) }
    }

    private func evaluating(_ expression: Value, _ scope: VarScope, origin: SourceLocation?) throws -> Value {
        if expression.stringValue?.isEmpty == true { return try Templar.empty(origin) }
        switch expression {
        case .unsafe: throw AnsibleError(Templar.untrustedMessage, kind: .untrusted)
        case .string(let s):
            // String constants holding a template are rendered, with 2.19's warning (embedded templates).
            var e = env
            e.constTemplate = { [self] text in
                Output.warning(Origin.report("Jinja constant strings should not contain embedded templates. This feature will be disabled by default in ansible-core 2.23.",
                                             origin, help: "Use inline expressions, for example: `when: \"{{ a_var }}\" == 42` becomes `when: a_var == 42`"))
                return try resolve(.string(text), scope)
            }
            do { return try Template.evaluateExpression(s, e, scope, escapeBackslashes: false) } catch let e as UndefinedError {
                throw AnsibleError(e.message, kind: .undefined)
            } catch is RecursionLimitError {
                throw Templar.recursionLimit
            } catch let e as TemplateError where e.undecryptable != nil {
                throw Templar.undecryptable("Error rendering expression", e)
            } catch let e as TemplateError {
                // As 2.19 words them: a parse error, a plugin's own failure, or any other runtime error.
                if e.isSyntax { throw AnsibleError("Syntax error in expression: \(e.message)", kind: .syntax) }
                throw Templar.runtimeError(e) { "Error rendering expression: \($0)" }
            }
        default: return expression
        }
    }

    /// A template whose lookup terms may hold templates themselves (cheap text test first).
    static func embedsLookupTemplates(_ s: String) -> Bool {
        guard s.contains("lookup(") || s.contains("query(") || s.contains("q(") else { return false }
        var opens = 0, prev: Character = " "
        for c in s {
            if prev == "{", c == "{" { opens += 1; prev = " "; continue }
            prev = c
        }
        return opens > 1
    }

    /// The environment for such a template: constant lookup terms are rendered, with 2.19's warning.
    func lookupEnv(_ scope: VarScope) -> Environment {
        var e = env
        e.lookupConstTemplate = { [self] text in
            Output.warning("Jinja constant strings should not contain embedded templates. This feature will be disabled by default in ansible-core 2.23.\n\n"
                           + "Use inline expressions, for example: `msg: \"{{ lookup('env', '{{ a_var }}') }}\"` becomes `msg: \"{{ lookup('env', a_var) }}\"`")
            return try resolve(.string(text), scope)
        }
        return e
    }

    static let untrustedMessage = "Encountered untrusted template or expression."
    static let untrustedHelp = "Templates and expressions must be defined by trusted sources such as playbooks or roles, not untrusted sources such as module results."
}
