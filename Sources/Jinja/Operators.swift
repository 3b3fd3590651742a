// Python's arithmetic, comparison and membership on Values, as Jinja2 inherits them.
import Values

enum Ops {
    static func typeError(_ op: String, _ a: Value, _ b: Value) -> TemplateError {
        TemplateError("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    static func binary(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        switch op {
        case "+":
            switch (a, b) {
            case (.list(let x), .list(let y)): return .list(x + y)
            case (.tuple(let x, _), .tuple(let y, _)): return .tuple(x + y)
            case (.datetime(let x), .timedelta(let y)), (.timedelta(let y), .datetime(let x)): return .datetime(x + y)
            case (.zonedDatetime(let x, let o), .timedelta(let y)), (.timedelta(let y), .zonedDatetime(let x, let o)): return .zonedDatetime(x + y, offset: o)
            case (.date(let d), .timedelta(let y)), (.timedelta(let y), .date(let d)): return .date(d + Int((y / 86400).rounded(.down)))
            case (.timedelta(let x), .timedelta(let y)): return .timedelta(x + y)
            case (.bytes(let x), .bytes(let y)): return .bytes(x + y)
            case (.bytes, _): throw TemplateError("can't concat \(b.typeName) to _AnsibleTaggedBytes")   // as YAML's loader tags them
            default:
                if let x = a.stringValue, let y = b.stringValue { return .string(x + y) }
                // A sequence on the left refuses the other operand in its own words.
                if a.stringValue != nil || a.listValue != nil {
                    throw TemplateError("can only concatenate \(a.typeName) (not \"\(b.typeName)\") to \(a.typeName)")
                }
                return try arith(op, a, b, { $0.addingReportingOverflow($1) }, { $0 + $1 })
            }
        case "-":
            switch (a, b) {
            case (.datetime(let x), .datetime(let y)), (.zonedDatetime(let x, _), .zonedDatetime(let y, _)): return .timedelta(x - y)
            case (.datetime(let x), .timedelta(let y)): return .datetime(x - y)
            case (.zonedDatetime(let x, let o), .timedelta(let y)): return .zonedDatetime(x - y, offset: o)
            case (.date(let x), .date(let y)): return .timedelta(Double(x - y) * 86400)
            case (.date(let d), .timedelta(let y)): return .date(d - Int((y / 86400).rounded(.down)))
            case (.datetime, .zonedDatetime), (.zonedDatetime, .datetime): throw TemplateError("can't subtract offset-naive and offset-aware datetimes")
            case (.timedelta(let x), .timedelta(let y)): return .timedelta(x - y)
            default: return try arith(op, a, b, { $0.subtractingReportingOverflow($1) }, { $0 - $1 })
            }
        case "*":
            // Python repeats sequences by ints (bools are ints), in either order.
            if let s = a.stringValue ?? b.stringValue, let n = (a.stringValue != nil ? b : a).intValue {
                try checkSize(max(0, n), s.utf8.count)
                return .string(String(repeating: s, count: max(0, n)))
            }
            if let l = a.listValue ?? b.listValue, let n = (a.listValue != nil ? b : a).intValue {
                try checkSize(max(0, n), l.count)
                let repeated = Array(repeating: l, count: max(0, n)).flatMap { $0 }
                if case .tuple = a.listValue != nil ? a : b { return .tuple(repeated) }
                return .list(repeated)
            }
            if let bytes = a.bytesValue ?? b.bytesValue, let n = (a.bytesValue != nil ? b : a).intValue {
                try checkSize(max(0, n), bytes.count)
                return .bytes(Array(Array(repeating: bytes, count: max(0, n)).joined()))
            }
            return try arith(op, a, b, { $0.multipliedReportingOverflow(by: $1) }, { $0 * $1 })
        case "/":
            guard let x = a.number, let y = b.number else { throw typeError(op, a, b) }
            guard y != 0 else { throw TemplateError("division by zero") }
            return .float(x / y)
        case "//":
            if let x = a.intValue, let y = b.intValue {
                guard y != 0 else { throw TemplateError("integer division or modulo by zero") }
                if y == -1 { return negate(x) }
                return .int(floorDiv(x, y))
            }
            if a.isBigInt || b.isBigInt, !a.isFloat, !b.isFloat, let n = try bigArithmetic(op, a, b) { return n }
            guard let x = a.number, let y = b.number else { throw typeError(op, a, b) }
            guard y != 0 else { throw TemplateError("float floor division by zero") }
            return .float((x / y).rounded(.down))
        case "%":
            if let s = a.stringValue { return .string(try percentFormat(s, b)) }
            if let x = a.intValue, let y = b.intValue {
                guard y != 0 else { throw TemplateError("integer division or modulo by zero") }
                if y == -1 { return .int(0) }
                return .int(x - floorDiv(x, y) * y)
            }
            if a.isBigInt || b.isBigInt, !a.isFloat, !b.isFloat, let n = try bigArithmetic(op, a, b) { return n }
            guard let x = a.number, let y = b.number else { throw typeError(op, a, b) }
            guard y != 0 else { throw TemplateError("float modulo") }
            let r = x - (x / y).rounded(.down) * y
            return .float(r)
        case "**":
            if let x = a.intValue, let y = b.intValue, y >= 0 {
                // By squaring: 1 ** 10**18 must not take 10**18 steps.
                var r = 1, base = x, e = y
                while e > 0 {
                    if e & 1 == 1 {
                        let (m, o) = r.multipliedReportingOverflow(by: base)
                        if o { return try bigArithmetic(op, a, b) ?? .float(Foundationless.pow(Double(x), Double(y))) }
                        r = m
                    }
                    e >>= 1
                    if e > 0 {
                        let (sq, o) = base.multipliedReportingOverflow(by: base)
                        if o { return try bigArithmetic(op, a, b) ?? .float(Foundationless.pow(Double(x), Double(y))) }
                        base = sq
                    }
                }
                return .int(r)
            }
            if a.isBigInt || b.isBigInt, !a.isFloat, !b.isFloat, let n = try bigArithmetic(op, a, b) { return n }
            guard let x = a.number, let y = b.number else { throw typeError(op, a, b) }
            if x == 0 && y < 0 { throw TemplateError("0.0 cannot be raised to a negative power") }
            // Python gives a complex number here, which a template cannot hold.
            if x < 0 && y != y.rounded() { throw TemplateError("negative number cannot be raised to a fractional power") }
            return .float(Foundationless.pow(x, y))
        default:
            throw TemplateError("unknown operator \(op)")
        }
    }

    /// -x (Int.min's is past 64 bits).
    static func negate(_ x: Int) -> Value {
        x == .min ? Value.int(x).negatedInt! : .int(-x)
    }

    /// Int arithmetic past 64 bits, as Python's unbounded ints do it; a result too large to hold
    /// is Python's MemoryError ("Error rendering template.", as `checkSize`).
    static func bigArithmetic(_ op: String, _ a: Value, _ b: Value) throws -> Value? {
        do { return try Value.intArithmetic(op, a, b) } catch { throw TemplateError("") }
    }

    /// Python would try to allocate a string or list this large and fail with MemoryError (shown
    /// as "Error rendering template."); swansible refuses it before allocating.
    static func checkSize(_ count: Int, _ unit: Int = 1) throws {
        let (n, overflow) = count.multipliedReportingOverflow(by: max(1, unit))
        if overflow || n > 1 << 31 { throw TemplateError("") }
    }

    static func floorDiv(_ x: Int, _ y: Int) -> Int {
        let q = x / y
        return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q
    }

    static func arith(_ op: String, _ a: Value, _ b: Value, _ i: (Int, Int) -> (partialValue: Int, overflow: Bool),
                      _ f: (Double, Double) -> Double) throws -> Value {
        if let x = a.intValue, let y = b.intValue, !a.isFloat, !b.isFloat {
            let r = i(x, y)
            if !r.overflow { return .int(r.partialValue) }
        }
        if !a.isFloat, !b.isFloat, let n = try bigArithmetic(op, a, b) { return n }
        guard let x = a.number, let y = b.number else { throw typeError(op, a, b) }
        return .float(f(x, y))
    }

    /// Python ordering for <, >, <=, >=.
    static func less(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.datetime(let x), .datetime(let y)), (.timedelta(let x), .timedelta(let y)), (.time(let x), .time(let y)),
             (.zonedDatetime(let x, _), .zonedDatetime(let y, _)): return x < y
        case (.date(let x), .date(let y)): return x < y
        case (.datetime, .zonedDatetime), (.zonedDatetime, .datetime): throw TemplateError("can't compare offset-naive and offset-aware datetimes")
        case (.date, _) where b.typeName == "datetime", (_, .date) where a.typeName == "datetime":
            throw TemplateError("can't compare datetime.datetime to datetime.date")
        default: break
        }
        if a.number != nil, b.number != nil { return Value.numericOrder(a, b) == -1 }
        if let x = a.stringValue, let y = b.stringValue { return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) }
        switch (a, b) {
        case (.list(let x), .list(let y)), (.tuple(let x, _), .tuple(let y, _)):
            for (p, q) in zip(x, y) where p != q { return try less(p, q) }
            return x.count < y.count
        case (.bytes(let x), .bytes(let y)): return x.lexicographicallyPrecedes(y)
        default: break
        }
        throw TemplateError("'<' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
    }

    static func compare(_ op: String, _ a: Value, _ b: Value) throws -> Bool {
        var b = b
        // A date (from YAML or TOML) on the left sees only the day of a datetime on the right, as
        // 2.19's tagged dates do; the other way round is refused (by `less`).
        if case .date = a, let wall = b.wallClock { b = .date(Int((wall / 86400).rounded(.down))) }
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "<": return try less(a, b)
        case ">": return try less(b, a)
        case "<=": return try orderable(a, b, op) && (a == b || less(a, b))
        case ">=": return try orderable(a, b, op) && (a == b || less(b, a))
        case "in": return try contains(b, a)
        case "notin": return try !contains(b, a)
        default: throw TemplateError("unknown comparison \(op)")
        }
    }

    /// Python orders numbers, strings and lists among their own kind only.
    static func orderable(_ a: Value, _ b: Value, _ op: String) throws -> Bool {
        switch (a, b) {
        case _ where a.number != nil && b.number != nil: return true
        case _ where a.stringValue != nil && b.stringValue != nil: return true
        case (.list, .list), (.tuple, .tuple), (.bytes, .bytes), (.datetime, .datetime), (.timedelta, .timedelta), (.date, .date), (.time, .time),
             (.zonedDatetime, .zonedDatetime): return true
        case _ where a.typeName.hasPrefix("date") && b.typeName.hasPrefix("date"):
            _ = try less(a, b)   // naive against aware, a date against a datetime: Python's own error
            return true
        default: throw TemplateError("'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .list(let l), .tuple(let l, _): return l.contains(item)
        case .dict(let d):
            if case .list = item { throw TemplateError("unhashable type: 'list'") }
            if item.dictValue != nil { throw TemplateError("unhashable type: '\(item.typeName)'") }
            return d[item] != nil
        case .string(let s), .unsafe(let s):
            guard let sub = item.stringValue else {
                throw TemplateError("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return sub.isEmpty || s.contains(sub)
        case .bytes(let b):
            if case .bytes(let sub) = item { return sub.isEmpty || b.firstRange(of: sub) != nil }
            if case .bigInt = item { throw TemplateError("byte must be in range(0, 256)") }
            guard let i = item.intValue else { throw TemplateError("a bytes-like object is required, not '\(item.typeName)'") }
            guard (0..<256).contains(i) else { throw TemplateError("byte must be in range(0, 256)") }
            return b.contains(UInt8(i))
        default:
            throw TemplateError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    /// Python's chr() for `%c` and `{:c}`: a surrogate code point is held as Python holds it;
    /// `bigInt`: the words for an int past 64 bits (each path words its overflow its own way).
    static func character(_ v: Value, bigInt: String) throws -> String {
        guard let i = v.intValue else { throw TemplateError(bigInt) }
        guard i >= 0, i < 0x110000 else { throw TemplateError("%c arg not in range(0x110000)") }
        return String(Unicode.Scalar(UInt32(i)) ?? Surrogates.scalar(UInt32(i)))
    }

    /// printf-style `'%s' % x`, with the conversions templates use.
    static func percentFormat(_ format: String, _ arg: Value) throws -> String {
        var args: [Value]
        var mapping: Dict? = nil
        switch arg {
        case .tuple(let l, _): args = l
        case .dict(let d): args = [arg]; mapping = d
        default: args = [arg]
        }
        var out = ""
        var it = format.unicodeScalars.makeIterator()
        var index = 0
        var usedKeys = false
        while let c = it.next() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var spec = ""
            var key: String? = nil
            var conv: Unicode.Scalar? = nil
            while let d = it.next() {
                if d == "(" {
                    var k = ""
                    while let e = it.next(), e != ")" { k.unicodeScalars.append(e) }
                    key = k
                    continue
                }
                if "diouxXeEfFgGcrsa%".unicodeScalars.contains(d) { conv = d; break }
                spec.unicodeScalars.append(d)
            }
            guard let conv else { throw TemplateError("incomplete format") }
            if conv == "%" { out += "%"; continue }
            let v: Value
            if let key {
                guard let mapping else { throw TemplateError("format requires a mapping") }
                guard let mv = mapping[.string(key)] else { throw TemplateError("KeyError: '\(key)'") }
                v = mv
                usedKeys = true
            } else {
                guard index < args.count else { throw TemplateError("not enough arguments for format string") }
                v = args[index]
                index += 1
            }
            out += try formatOne(conv, spec, v)
        }
        // Python refuses leftover arguments; a mapping, or a list (which Python treats as one), may go unused.
        if case .list = arg { return out }
        if !usedKeys && mapping == nil && index < args.count {
            throw TemplateError("not all arguments converted during string formatting")
        }
        return out
    }

    static func formatOne(_ conv: Unicode.Scalar, _ spec: String, _ v: Value) throws -> String {
        var leftAlign = false, zeroPad = false, plus = false
        var s = Substring(spec)
        while let f = s.first, "-0+ #".contains(f) {
            if f == "-" { leftAlign = true }
            if f == "0" { zeroPad = true }
            if f == "+" { plus = true }
            s = s.dropFirst()
        }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let width = Int(parts.first ?? "") ?? 0
        let precision = parts.count > 1 ? Int(parts[1]) : nil
        try checkSize(max(width, precision ?? 0))
        var body: String
        switch conv {
        case "s": body = v.pythonStr
        case "r", "a": body = v.pythonRepr
        case "d", "i", "u":
            guard let n = v.number else { throw TemplateError("%d format: a real number is required, not \(v.typeName)") }
            if let i = v.intValue { body = String(i) } else if v.isBigInt { body = v.pythonRepr } else {
                guard n.isFinite else { throw TemplateError(n.isNaN ? "cannot convert float NaN to integer" : "cannot convert float infinity to integer") }
                body = PythonNumber.truncated(n).pythonRepr
            }
        case "f", "F", "e", "E", "g", "G":
            guard let n = v.number else { throw TemplateError("must be real number, not \(v.typeName)") }
            let sign = n.sign == .minus ? "-" : "", m = abs(n)
            switch conv {
            case _ where !n.isFinite: body = n.isNaN ? "nan" : sign + "inf"
            case "f", "F": body = ExactDecimal.fixed(n, places: precision ?? 6)
            case "e", "E": body = sign + FormatSpec.scientific(m, precision ?? 6, false)
            default: body = sign + FormatSpec.general(m, precision ?? 6, false, keepPoint: false)
            }
            if conv.properties.isUppercase { body = body.uppercased() }
        case "x": body = String(v.intValue ?? 0, radix: 16)
        case "X": body = String(v.intValue ?? 0, radix: 16).uppercased()
        case "o": body = String(v.intValue ?? 0, radix: 8)
        case "c":
            if let s = v.stringValue {
                guard s.unicodeScalars.count == 1 else { throw TemplateError("%c requires an int or a unicode character, not a string of length \(s.unicodeScalars.count)") }
                body = s
            } else {
                guard v.bigIntValue != nil else { throw TemplateError("%c requires an int or a unicode character, not \(v.typeName)") }
                body = try character(v, bigInt: "%c arg not in range(0x110000)")
            }
        default: body = v.pythonStr
        }
        if conv == "s", let precision { body = String(body.unicodeScalars.prefix(precision).map(Character.init)) }
        if plus, let n = v.number, n >= 0, conv != "s" { body = "+" + body }
        let pad = width - body.unicodeScalars.count
        if pad > 0 {
            if leftAlign { body += String(repeating: " ", count: pad) } else if zeroPad && conv != "s" {
                let neg = body.hasPrefix("-")
                body = (neg ? "-" : "") + String(repeating: "0", count: pad) + (neg ? String(body.dropFirst()) : body)
            } else { body = String(repeating: " ", count: pad) + body }
        }
        return body
    }
}

extension Value {
    var isBool: Bool { if case .bool = self { return true }; return false }
    var isFloat: Bool { if case .float = self { return true }; return false }
    var isBigInt: Bool { if case .bigInt = self { return true }; return false }
}

/// pow without Foundation: integer exponents by squaring, otherwise exp/log via the C library.
enum Foundationless {
    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == y.rounded(), abs(y) < 1024 {
            var r = 1.0, b = x, e = Int(abs(y))
            while e > 0 {
                if e & 1 == 1 { r *= b }
                b *= b
                e >>= 1
            }
            return y < 0 ? 1 / r : r
        }
        return cPow(x, y)
    }
}
