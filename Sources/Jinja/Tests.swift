// Jinja2's built-in tests (`is defined` and `is undefined` are handled by the renderer, which
// sees the undefined value before it raises).
import Values

enum BuiltinTests {
    static let all: [String: Test] = [
        "none": { v, _, _ in v.isNone },
        "boolean": { v, _, _ in v.isBool },
        "true": { v, _, _ in v == .bool(true) && v.isBool },
        "false": { v, _, _ in v == .bool(false) && v.isBool },
        "integer": { v, _, _ in
            switch v {
            case .int, .bigInt: return true
            default: return false
            }
        },
        "float": { v, _, _ in v.isFloat },
        "number": { v, _, _ in
            switch v {
            case .int, .bigInt, .float, .bool: return true
            default: return false
            }
        },
        "string": { v, _, _ in v.stringValue != nil },
        "mapping": { v, _, _ in v.dictValue != nil },
        "sequence": { v, _, _ in v.listValue != nil || v.dictValue != nil || v.stringValue != nil || v.bytesValue != nil },
        "iterable": { v, _, _ in v.listValue != nil || v.dictValue != nil || v.stringValue != nil || v.bytesValue != nil },
        "callable": { _, _, _ in false },
        "even": { v, _, _ in try Ops.binary("%", v, .int(2)) == .int(0) },
        "odd": { v, _, _ in try Ops.binary("%", v, .int(2)) == .int(1) },
        "divisibleby": { v, a, _ in
            guard let n = v.intValue, let d = a.positional.first?.intValue, d != 0 else { return false }
            return n % d == 0
        },
        // Python's str.islower()/isupper(): at least one cased character, all of that case.
        "lower": { v, _, _ in
            let s = v.pythonStr
            return s.unicodeScalars.contains { $0.properties.isCased } && s.lowercased() == s
        },
        "upper": { v, _, _ in
            let s = v.pythonStr
            return s.unicodeScalars.contains { $0.properties.isCased } && s.uppercased() == s
        },
        "eq": { v, a, _ in v == (a.positional.first ?? .none) },
        "equalto": { v, a, _ in v == (a.positional.first ?? .none) },
        "==": { v, a, _ in v == (a.positional.first ?? .none) },
        "ne": { v, a, _ in v != (a.positional.first ?? .none) },
        "!=": { v, a, _ in v != (a.positional.first ?? .none) },
        "lt": { v, a, _ in try Ops.less(v, a.positional.first ?? .none) },
        "<": { v, a, _ in try Ops.less(v, a.positional.first ?? .none) },
        "lessthan": { v, a, _ in try Ops.less(v, a.positional.first ?? .none) },
        "gt": { v, a, _ in try Ops.less(a.positional.first ?? .none, v) },
        ">": { v, a, _ in try Ops.less(a.positional.first ?? .none, v) },
        "greaterthan": { v, a, _ in try Ops.less(a.positional.first ?? .none, v) },
        "le": { v, a, _ in try Ops.compare("<=", v, a.positional.first ?? .none) },
        "<=": { v, a, _ in try Ops.compare("<=", v, a.positional.first ?? .none) },
        "ge": { v, a, _ in try Ops.compare(">=", v, a.positional.first ?? .none) },
        ">=": { v, a, _ in try Ops.compare(">=", v, a.positional.first ?? .none) },
        "in": { v, a, _ in try Ops.contains(a.positional.first ?? .list([]), v) },
        "sameas": { v, a, _ in
            let o = a.positional.first ?? .none
            switch (v, o) {
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            default: return false
            }
        },
        "escaped": { _, _, _ in false },
    ]
}

enum BuiltinFunctions {
    static let all: [String: Function] = [
        "range": { a, _ in
            let n = a.positional.compactMap(\.intValue)
            var start = 0, stop = 0, step = 1
            switch n.count {
            case 1: stop = n[0]
            case 2: start = n[0]; stop = n[1]
            case 3: start = n[0]; stop = n[1]; step = n[2]
            default: throw TemplateError("range expected 1 to 3 integer arguments")
            }
            guard step != 0 else { throw TemplateError("range() arg 3 must not be zero") }
            // Python's range is lazy; swansible's is a list, so a bound keeps it within memory.
            let count = max(0, ((Double(stop) - Double(start)) / Double(step)).rounded(.up))
            guard count <= 10_000_000 else {
                throw TemplateError("range() of \(Value.formatFloat(count)) items: swansible builds a range as a list, of at most 10000000 items")
            }
            return .list(Array(stride(from: start, to: stop, by: step)).map(Value.int))
        },
        "dict": { a, _ in
            // Python's dict(): a mapping or a list of pairs first, keywords over it.
            var d = Dict()
            switch a.positional.first {
            case .dict(let m)?: d = m
            case .list(let pairs)?, .tuple(let pairs, _)?:
                for p in pairs {
                    guard let kv = p.listValue, kv.count == 2 else {
                        throw TemplateError("dictionary update sequence element has length \(p.listValue?.count ?? 1); 2 is required")
                    }
                    d[kv[0]] = kv[1]
                }
            default: break
            }
            for (k, v) in a.keywords.sorted(by: { $0.key < $1.key }) { d[.string(k)] = v }
            return .dict(d)
        },
        "namespace": { a, _ in
            var d = Dict()
            for (k, v) in a.keywords { d[.string(k)] = v }
            return .dict(d)
        },
        "lipsum": { _, _ in .string("Lorem ipsum dolor sit amet.") },
    ]
}
