// Python-like data as playbooks see it: None, bool, int, float, str, list, ordered dict.
// Equality and hashing follow Python (1 == 1.0 == True), so dict keys behave as in Ansible.
import BigInt
import OrderedCollections
import Synchronization

public typealias Dict = OrderedDictionary<Value, Value>

public enum Value: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An int past 64 bits (Python's ints have no bound): never one `.int` can hold, as
    /// `Value.integer` makes the one or the other.
    indirect case bigInt(BigInt)
    case float(Double)
    case string(String)
    case list([Value])
    /// Python's tuple: what a Jinja2 expression makes of `(a, b)`, `zip`, `dict.items()` or
    /// `dictsort`; `grouped`: Jinja2's `_GroupTuple` (`groupby`'s items, with `grouper` and `list`
    /// fields). Finalising a result turns it into a list (`tupleFree`), as 2.19 does: one is held
    /// only inside a template's evaluation and by a variable's value read from another template.
    case tuple([Value], grouped: Bool = false)
    case dict(Dict)
    /// A string not trusted as a template (`!unsafe`, module results, rendered text): never
    /// rendered, and refused as an expression, as ansible-core 2.19's trust model has it.
    case unsafe(String)
    /// A `!vault` ciphertext, decrypted only when used.
    case vault(String)
    /// Python's bytes: what YAML's `!!binary` holds (2.19 keeps it as bytes in variables; modules
    /// refuse it, output shows it as text).
    case bytes([UInt8])
    /// Python's naive datetime (what `to_datetime` returns), as seconds since the epoch, UTC.
    case datetime(Double)
    /// Python's timedelta (a difference of datetimes), in seconds.
    case timedelta(Double)
    /// Python's date (a YAML or TOML date), as days since the epoch.
    case date(Int)
    /// Python's naive time (a TOML local time, `datetime.time()`), as seconds since midnight.
    case time(Double)
    /// Python's datetime with a fixed UTC offset (a YAML or TOML timestamp with a zone): the
    /// instant, in seconds since the epoch, and the offset east of UTC, in seconds.
    case zonedDatetime(Double, offset: Int)
    /// 2.19's undefined marker: a value that could not be resolved (its message says why), kept
    /// inside data until something uses it — a filter, an operator, or the finalised result.
    case undefined(String)
    /// 2.19's Omit: what `omit` names. A task argument or keyword that is it is left out, and
    /// finalising a template drops it from lists and dicts; inside an expression it is a value
    /// of its own (`_OmitType`, `<<Omit>>` as text).
    case omit
    /// A value a module tagged Deprecated (2.19's `deprecate_value`): the value itself wherever it
    /// is read as data, and a deprecation warning wherever a template uses it.
    indirect case deprecated(Value, Deprecation)
}

/// What a `deprecate_value` tag says (msg, help_text, version or date, deprecator), as the
/// deprecation Output shows; one object per tag, so a template that uses it twice warns once.
public final class Deprecation: Sendable {
    public let info: Value
    public init(_ info: Value) {
        self.info = info
        Deprecation.made.store(true, ordering: .relaxed)
    }
    /// Whether any value was tagged in this run: until then no data is searched for tags.
    static let made = Atomic<Bool>(false)
    public static var anyMade: Bool { made.load(ordering: .relaxed) }
}

extension Value: Hashable {
    /// Numeric view used by Python-style equality (bool and int and float compare as numbers).
    public var number: Double? {
        switch self {
        case .deprecated(let v, _): return v.number
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .bigInt(let b): return Value.double(b)
        case .float(let f): return f
        default: return nil
        }
    }

    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.deprecated(let x, _), _): return x == b
        case (_, .deprecated(let y, _)): return a == y
        case (.none, .none): return true
        case (.int(let x), .int(let y)): return x == y
        case (.bigInt(let x), .bigInt(let y)): return x == y
        case (.bigInt, .int), (.int, .bigInt), (.bigInt, .bool), (.bool, .bigInt): return false
        case (.bool(let x), .bool(let y)): return x == y
        case (.list(let x), .list(let y)), (.tuple(let x, _), .tuple(let y, _)): return x == y   // a named tuple is a tuple
        case (.list, .tuple), (.tuple, .list): return false
        case (.dict(let x), .dict(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x { guard let w = y[k], w == v else { return false } }
            return true
        case (.vault(let x), .vault(let y)), (.undefined(let x), .undefined(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.bytes, _), (_, .bytes): return false
        case (.omit, .omit): return true
        case (.omit, _), (_, .omit): return false
        case (.datetime(let x), .datetime(let y)), (.timedelta(let x), .timedelta(let y)): return x == y
        case (.date(let x), .date(let y)): return x == y
        case (.time(let x), .time(let y)), (.zonedDatetime(let x, _), .zonedDatetime(let y, _)): return x == y
        case (.datetime, _), (_, .datetime), (.timedelta, _), (_, .timedelta): return false
        case (.date, _), (_, .date), (.time, _), (_, .time), (.zonedDatetime, _), (_, .zonedDatetime): return false
        default:
            if let x = a.stringValue, let y = b.stringValue { return x == y }
            if a.number != nil, b.number != nil { return Value.numericOrder(a, b) == 0 }
            return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .none: h.combine(0)
        case .bool, .int, .bigInt, .float:
            let n = number!
            if n == n.rounded(), abs(n) < 1e18 { h.combine(Int(n)) } else { h.combine(n) }
        case .string(let s), .unsafe(let s): h.combine(s)
        case .vault(let s): h.combine(s)
        case .bytes(let b): h.combine(3); h.combine(b)
        case .list(let l): h.combine(l)
        case .tuple(let l, _): h.combine(2); h.combine(l)
        case .dict(let d): h.combine(d.count)
        case .datetime(let t), .timedelta(let t), .time(let t), .zonedDatetime(let t, _): h.combine(t)
        case .date(let d): h.combine(d)
        case .undefined(let m): h.combine(m)
        case .omit: h.combine(1)
        case .deprecated(let v, _): v.hash(into: &h)
        }
    }
}

extension Value {
    public var isNone: Bool { if case .none = self { return true }; return false }
    public var isOmit: Bool { if case .omit = self { return true }; return false }

    /// The text of a plain or unsafe string.
    public var stringValue: String? {
        switch self {
        case .string(let s), .unsafe(let s): return s
        case .deprecated(let v, _): return v.stringValue
        default: return nil
        }
    }
    /// The message of the first undefined marker in the value, its containers searched; nil when none.
    public var firstMarker: String? {
        switch self {
        case .undefined(let m): return m
        case .deprecated(let v, _): return v.firstMarker
        case .list(let l), .tuple(let l, _):
            for x in l { if let m = x.firstMarker { return m } }
            return nil
        case .dict(let d):
            for x in d.values { if let m = x.firstMarker { return m } }
            return nil
        default: return nil
        }
    }

    /// The items of a list or a tuple (both are Python sequences).
    public var listValue: [Value]? {
        switch self {
        case .list(let l), .tuple(let l, _): return l
        case .deprecated(let v, _): return v.listValue
        default: return nil
        }
    }
    /// The value with every tuple in it made a list, as 2.19's finalisation makes them (Templar's
    /// own finalisation also warns and fails as 2.19 does). `keepingGrouped`: a `_GroupTuple`
    /// stays as it is, as finalising for text leaves a type it does not know.
    public func tupleFree(keepingGrouped: Bool = false) -> Value {
        func free(_ v: Value) -> Value { v.tupleFree(keepingGrouped: keepingGrouped) }
        switch self {
        case .tuple(_, true) where keepingGrouped: return self
        case .tuple(let l, _): return .list(l.map(free))
        case .list(let l):
            guard l.contains(where: \.holdsTuple) else { return self }
            return .list(l.map(free))
        case .dict(let d):
            guard d.contains(where: { $0.key.holdsTuple || $0.value.holdsTuple }) else { return self }
            var out = Dict(minimumCapacity: d.count)
            for (k, v) in d { out[free(k)] = free(v) }
            return .dict(out)
        default: return self
        }
    }
    private var holdsTuple: Bool {
        switch self {
        case .tuple: return true
        case .list(let l): return l.contains(where: \.holdsTuple)
        case .dict(let d): return d.contains(where: { $0.key.holdsTuple || $0.value.holdsTuple })
        default: return false
        }
    }

    public var dictValue: Dict? {
        switch self {
        case .dict(let d): return d
        case .deprecated(let v, _): return v.dictValue
        default: return nil
        }
    }
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let b): return b
        case .deprecated(let v, _): return v.bytesValue
        default: return nil
        }
    }
    /// The value without its `deprecate_value` tag (containers keep their items' tags).
    public var untagged: Value { if case .deprecated(let v, _) = self { return v.untagged }; return self }
    /// The value with no tag left anywhere in it.
    public var tagFree: Value { holdsTag ? stripped : self }
    private var stripped: Value {
        switch self {
        case .deprecated(let v, _): return v.stripped
        case .list(let l): return .list(l.map(\.stripped))
        case .tuple(let l, let grouped): return .tuple(l.map(\.stripped), grouped: grouped)
        case .dict(let d): return .dict(d.mapValues(\.stripped))
        default: return self
        }
    }
    /// Whether a `deprecate_value` tag is in the value, its containers searched.
    public var holdsTag: Bool {
        guard Deprecation.made.load(ordering: .relaxed) else { return false }
        switch self {
        case .deprecated: return true
        case .list(let l), .tuple(let l, _): return l.contains(where: \.holdsTag)
        case .dict(let d): return d.values.contains(where: \.holdsTag)
        default: return false
        }
    }
    /// Whether bytes are in the value, its containers searched.
    public var holdsBytes: Bool {
        switch self {
        case .bytes: return true
        case .list(let l), .tuple(let l, _): return l.contains(where: \.holdsBytes)
        case .dict(let d): return d.contains(where: { $0.key.holdsBytes || $0.value.holdsBytes })
        default: return false
        }
    }
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .deprecated(let v, _): return v.intValue
        default: return nil
        }
    }
    /// An int (or bool) of any size.
    public var bigIntValue: BigInt? {
        switch self {
        case .bigInt(let b): return b
        case .deprecated(let v, _): return v.bigIntValue
        default: return intValue.map { BigInt($0) }
        }
    }
    /// An int as Python holds it: `.int` where it fits, else `.bigInt`.
    public static func integer(_ n: BigInt) -> Value { Int(exactly: n).map(Value.int) ?? .bigInt(n) }

    /// Python truthiness.
    public var truthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .bigInt: return true
        case .float(let f): return f != 0
        case .string(let s), .unsafe(let s): return !s.isEmpty
        case .bytes(let b): return !b.isEmpty
        case .vault, .datetime, .date, .time, .zonedDatetime, .undefined, .omit: return true
        case .timedelta(let t): return t != 0
        case .list(let l), .tuple(let l, _): return !l.isEmpty
        case .dict(let d): return !d.isEmpty
        case .deprecated(let v, _): return v.truthy
        }
    }

    /// The same data with every string untrusted (what a module or a command returned).
    public var untrusted: Value {
        switch self {
        case .string(let s): return .unsafe(s)
        case .list(let l): return .list(l.map(\.untrusted))
        case .tuple(let l, let grouped): return .tuple(l.map(\.untrusted), grouped: grouped)
        case .dict(let d):
            var out = Dict(minimumCapacity: d.count)
            for (k, v) in d { out[k] = v.untrusted }
            return .dict(out)
        case .deprecated(let v, let tag): return .deprecated(v.untrusted, tag)
        default: return self
        }
    }

    public subscript(key: String) -> Value? { dictValue?[.string(key)] }

    /// Python's type name, as `type_debug` and error messages print it.
    public var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string, .unsafe: return "str"
        case .vault: return "EncryptedString"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple(_, let grouped): return grouped ? "GroupTuple" : "tuple"
        case .dict: return "dict"
        case .datetime, .zonedDatetime: return "datetime"
        case .date: return "date"
        case .time: return "time"
        case .timedelta: return "timedelta"
        case .undefined: return "AnsibleUndefined"
        case .omit: return "_OmitType"
        case .deprecated(let v, _): return v.typeName
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral s: String) { self = .string(s) }
    public init(integerLiteral i: Int) { self = .int(i) }
    public init(floatLiteral f: Double) { self = .float(f) }
    public init(booleanLiteral b: Bool) { self = .bool(b) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var d = Dict()
        for (k, v) in elements { d[.string(k)] = v }
        self = .dict(d)
    }
}
