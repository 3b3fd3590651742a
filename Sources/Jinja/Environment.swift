// The registry a template runs against: filters, tests and global functions. `Jinja` ships
// Jinja2's built-ins; the Ansible layer adds its own to a copy.
import Values

public struct Arguments: Sendable {
    public var positional: [Value]
    public var keywords: [String: Value]

    public init(_ positional: [Value] = [], _ keywords: [String: Value] = [:]) {
        self.positional = positional
        self.keywords = keywords
    }

    /// The argument at `index`, or the keyword `name`, as a Python signature would bind it.
    /// The arguments with no `deprecate_value` tag left in them (what plugins are handed).
    public var tagFree: Arguments { Arguments(positional.map(\.tagFree), keywords.mapValues(\.tagFree)) }

    public func get(_ index: Int, _ name: String) -> Value? {
        if let v = keywords[name] { return v }
        return index < positional.count ? positional[index] : nil
    }

    public func bool(_ index: Int, _ name: String, default d: Bool) -> Bool {
        get(index, name)?.truthy ?? d
    }
}

public typealias Filter = @Sendable (Value, Arguments, Environment) throws -> Value
public typealias Test = @Sendable (Value, Arguments, Environment) throws -> Bool
public typealias Function = @Sendable (Arguments, Environment) throws -> Value

/// An error of the layer above that may stand for an undefined value (a variable that is itself
/// a template using an undefined one).
public protocol UndefinedReporting: Error {
    var isUndefined: Bool { get }
}

/// Raised when an undefined value is used; carries Jinja2's message ("'x' is undefined").
public struct UndefinedError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Raised by an operator using the marker (`x ~ 'a'`): an error for good, where a filter,
    /// test or attribute given a marker gives back a marker (a container keeps it as an item).
    public var hard = false
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// What `undef()` without a hint says when used.
    public static let mandatory = "Mandatory variable has not been overridden"

    /// Uses the value: an undefined marker inside it raises its error (2.19 "trips" it).
    public static func trip(_ v: Value) throws {
        if let m = v.firstMarker { throw UndefinedError(m) }
    }

    public static func trip(_ a: Arguments) throws {
        for v in a.positional { try trip(v) }
        for v in a.keywords.values { try trip(v) }
    }

    /// The name a marker's message says is missing (`'x' is undefined`, `… has no attribute 'x'`),
    /// as 2.19 keeps it for mandatory's message; nil for undef()'s own hints.
    public static func name(_ message: String) -> String? {
        if message.hasPrefix("'"), message.hasSuffix("' is undefined"), message.count > 15 {
            return String(message.dropFirst().dropLast(14))
        }
        if message.hasSuffix("'"), let r = message.firstRange(of: "has no attribute '") {
            return String(message[r.upperBound...].dropLast())
        }
        return nil
    }
}

/// Filters and tests the registry does not hold (a user's Python plugins), asked for by name the
/// first time a template uses one.
public protocol ExternalPlugins: Sendable {
    func filter(_ name: String) -> Filter?
    func test(_ name: String) -> Test?
    /// Whether the user's own plugin of this short name (`filter` or `test`) goes before the
    /// engine's, as a playbook's filter_plugins/ does before ansible-core's.
    func shadows(_ kind: String, _ name: String) -> Bool
}

public struct Environment: Sendable {
    public var filters: [String: Filter]
    public var tests: [String: Test]
    public var globals: [String: Function]
    /// Finds a template by name for include/import/extends; nil means those are not available.
    public var loader: (@Sendable (String) throws -> String?)?
    public var options = TemplateOptions()
    /// Ansible's finalize: None renders as nothing when joined into text.
    public var noneAsEmpty = false
    /// Given, string constants that hold a template are handed to it (Ansible renders those in
    /// conditionals, the legacy "embedded templates" case).
    public var constTemplate: (@Sendable (String) throws -> Value)?
    /// Given, a lookup's constant terms that hold a template are handed to it.
    public var lookupConstTemplate: (@Sendable (String) throws -> Value)?
    /// How a filter's own failure is reported (Ansible names the plugin: "The filter plugin … failed").
    public var filterFailure: (@Sendable (String, String) -> String)?
    /// A `!vault` value becomes what it hides when an expression uses it; `vault_encrypted` sees
    /// it as it is. One that does not decrypt stays a `.vault` value: 2.19's VaultExceptionMarker,
    /// kept in containers and by the filters that take markers, an error where it is used.
    public var reveal: (@Sendable (String) throws -> Value)?
    /// Says that an expression used a value tagged deprecated (2.19 warns where the template is).
    public var tagUsed: (@Sendable (Deprecation) -> Void)?
    public var external: (any ExternalPlugins)?

    public init() {
        filters = BuiltinFilters.all
        tests = BuiltinTests.all
        globals = BuiltinFunctions.all
    }

    /// Uses a value: the first marker in it raises — an undefined one its UndefinedError, a
    /// `!vault` value that does not decrypt what `reveal` says (2.19 "trips" them).
    /// `nestedVaults: false` for operators: `'k' in d` does not touch d's values.
    public func trip(_ v: Value, deep: Bool = true, nestedVaults: Bool = true) throws {
        switch v {
        case .undefined(let m): throw UndefinedError(m)
        case .deprecated(let inner, let tag):
            tagUsed?(tag)
            try trip(inner, deep: deep, nestedVaults: nestedVaults)
        case .vault(let text): _ = try revealed(text)
        case .list(let l) where deep, .tuple(let l, _) where deep: if nestedVaults { for x in l { try trip(x) } } else { try UndefinedError.trip(v) }
        case .dict(let d) where deep: if nestedVaults { for x in d.values { try trip(x) } } else { try UndefinedError.trip(v) }
        default: break
        }
    }

    public func trip(_ a: Arguments) throws {
        for v in a.positional { try trip(v) }
        for v in a.keywords.values { try trip(v) }
    }

    /// Says each deprecated value in `v` was used, for what reads it whole without tripping it.
    public func noteTags(_ v: Value) {
        guard tagUsed != nil else { return }
        switch v {
        case .deprecated(let inner, let tag): tagUsed?(tag); noteTags(inner)
        case .list(let l), .tuple(let l, _): l.forEach(noteTags)
        case .dict(let d): d.values.forEach(noteTags)
        default: break
        }
    }

    /// What a `!vault` value hides; one that does not decrypt raises, marked as such.
    public func revealed(_ text: String) throws -> Value {
        guard let reveal else { return .vault(text) }
        do { return try reveal(text) } catch var e as TemplateError {
            e.undecryptable = text
            throw e
        }
    }

    /// Filters that pass undefined markers through untouched (they move items, or ask whether
    /// they are defined), and those that only touch their input's items; any other filter uses
    /// all of its input and arguments, and a marker anywhere in them raises (as measured on 2.19).
    static let markerSafeFilters: Set<String> = markerTakingFilters.union(["first", "last", "length", "count", "map", "reverse", "select", "reject"])
    /// Filters given an undefined input or argument as a marker (2.19's accept_args_markers).
    static let markerTakingFilters: Set<String> = ["default", "d", "mandatory", "ternary", "type_debug", "unvault"]
    static let itemUsingFilters: Set<String> = ["list", "zip", "zip_longest"]
    /// YAML dumps that write a vault marker as its ciphertext (2.19's represent_vault_exception_marker).
    static let vaultDumpingFilters: Set<String> = ["to_yaml", "to_nice_yaml"]

    public func filter(_ name: String, _ value: Value, _ args: Arguments) throws -> Value {
        let short = Environment.shortName(name)
        if Environment.itemUsingFilters.contains(short) {
            for v in [value] + args.positional { for x in v.listValue ?? [] { try trip(x, deep: false) } }
        } else if Environment.vaultDumpingFilters.contains(short) {
            try UndefinedError.trip(value)   // a vault marker is written as its `!vault` text
            try UndefinedError.trip(args)
            noteTags(value)
        } else if !Environment.markerSafeFilters.contains(short) {
            try trip(value)
            try trip(args)
        }
        // Filters that only move items keep their tags; the others are given plain data.
        let moving = Environment.markerSafeFilters.contains(short) || Environment.itemUsingFilters.contains(short)
        let (value, args) = moving ? (value, args) : (value.tagFree, args.tagFree)
        if short == "default" || short == "d" {   // an undefined input comes as a marker
            let fallback = args.get(0, "default_value") ?? .string("")
            if case .undefined = value { return fallback }
            return args.bool(1, "boolean", default: false) && !value.truthy ? fallback : value
        }
        if let legacy = Environment.legacyName(name), let external, external.shadows("filter", legacy), let f = external.filter(legacy) {
            return try f(value, args, self)
        }
        guard let f = filters[name] ?? filters[Environment.shortName(name)] else {
            // An external plugin words its own failures.
            if let f = external?.filter(name) { return try f(value, args, self) }
            throw TemplateError("No filter named '\(name)' found.")   // compile-time misses are caught before
        }
        do { return try f(value, args, self) } catch let e as UndefinedError { throw e } catch let e as TemplateError where e.undecryptable != nil {
            throw e   // a marker the filter used: its own error, not the filter's
        } catch {
            guard let wrap = filterFailure else { throw error }
            var failure = TemplateError(wrap(Environment.shortName(name), "\(error)"))
            failure.apart = (error as? ChainedError)?.message
            failure.apartHelp = (error as? ChainedError)?.help
            throw failure
        }
    }

    public func test(_ name: String, _ value: Value, _ args: Arguments) throws -> Bool {
        let short = Environment.shortName(name)
        if short == "defined" || short == "undefined" {   // as `select('defined')` calls it
            if case .undefined = value { return short == "undefined" }
            return short == "defined"
        }
        if short != "vault_encrypted" { try trip(value) }   // it takes a vault marker as it is
        try trip(args)
        let (value, args) = (value.tagFree, args.tagFree)
        if let legacy = Environment.legacyName(name), let external, external.shadows("test", legacy), let t = external.test(legacy) {
            return try t(value, args, self)
        }
        guard let t = tests[name] ?? tests[Environment.shortName(name)] else {
            if let t = external?.test(name) { return try t(value, args, self) }
            throw TemplateError("No test named '\(name)' found.")
        }
        return try t(value, args, self)
    }

    /// A short or `ansible.legacy.` name as its short name (the names a user's plugin may take).
    static func legacyName(_ name: String) -> String? {
        if !name.contains(".") { return name }
        return name.hasPrefix("ansible.legacy.") ? String(name.dropFirst(15)) : nil
    }

    /// `ansible.builtin.upper` and `upper` name the same plugin.
    static func shortName(_ name: String) -> String {
        for prefix in ["ansible.builtin.", "ansible.legacy."] where name.hasPrefix(prefix) {
            return String(name.dropFirst(prefix.count))
        }
        return name
    }
}
