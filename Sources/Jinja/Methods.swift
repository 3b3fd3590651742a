// Python methods that templates call on strings, lists and dicts (`x.split(',')`, `d.items()`).
import Values

enum Methods {
    static func call(_ base: Value, _ name: String, _ a: Arguments, _ env: Environment) throws -> Value {
        if let r = try DateAttributes.method(base, name, a) { return r }
        switch base {
        case .string(let s), .unsafe(let s): return try string(s, name, a)
        case .list(let l): return try list(l, name, a)
        case .tuple(let l, _): return try list(l, name, a, tuple: true)
        case .dict(let d): return try dict(d, name, a)
        case .bytes(let b): return try bytes(b, name, a)
        case .int where name == "bit_length", .bigInt where name == "bit_length", .bool where name == "bit_length":
            return .int(base.intBitLength ?? 0)
        case .float(let f) where name == "is_integer": return .bool(f.isFinite && f == f.rounded())
        default: throw UndefinedError.noAttribute(base, .string(name))
        }
    }

    static func strArg(_ a: Arguments, _ i: Int) -> String? { a.positional.count > i ? a.positional[i].stringValue : nil }

    static func string(_ s: String, _ name: String, _ a: Arguments) throws -> Value {
        switch name {
        case "upper": return .string(s.uppercased())
        case "lower": return .string(s.lowercased())
        case "strip": return .string(Strings.strip(s, strArg(a, 0), left: true, right: true))
        case "lstrip": return .string(Strings.strip(s, strArg(a, 0), left: true, right: false))
        case "rstrip": return .string(Strings.strip(s, strArg(a, 0), left: false, right: true))
        case "split": return .list(Strings.split(s, strArg(a, 0), max: a.get(1, "maxsplit")?.intValue ?? -1).map(Value.string))
        case "rsplit":
            let maxsplit = a.get(1, "maxsplit")?.intValue ?? -1
            return .list(Strings.rsplit(s, strArg(a, 0), max: maxsplit).map(Value.string))
        case "splitlines": return .list(s.pythonSplitLines.map(Value.string))
        case "startswith", "endswith":
            let prefixes: [String]
            switch a.positional.first {
            case .tuple(let l, _)?: prefixes = l.compactMap(\.stringValue)
            case .string(let p)?, .unsafe(let p)?: prefixes = [p]
            case let other:
                throw TemplateError("\(name) first arg must be str or a tuple of str, not \(other?.typeName ?? "nothing")")
            }
            return .bool(prefixes.contains { name == "startswith" ? s.unicodeScalars.starts(with: $0.unicodeScalars) : s.unicodeScalars.reversed().starts(with: $0.unicodeScalars.reversed()) })
        case "replace":
            guard let old = strArg(a, 0), let new = strArg(a, 1) else { throw TemplateError("replace() takes at least 2 arguments") }
            return .string(Strings.replace(s, old, new, count: a.positional.count > 2 ? a.positional[2].intValue ?? -1 : -1))
        case "find", "index", "rfind", "rindex":
            guard let sub = strArg(a, 0) else { throw TemplateError("\(name)() takes at least 1 argument") }
            let r = name.hasPrefix("r") ? Strings.rfind(s, sub) : Strings.find(s, sub)
            if r < 0, name.hasSuffix("index") { throw TemplateError("substring not found") }
            return .int(r)
        case "count": return .int(Strings.count(s, strArg(a, 0) ?? ""))
        case "join": return .string(try a.positional.first.map { try iterateForJoin($0) }?.joined(separator: s) ?? "")
        case "format": return .string(try FormatSpec.format(s, a))
        case "title": return .string(Strings.title(s))
        case "capitalize": return .string(Strings.capitalize(s))
        case "isdigit": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isWhitespace })
        case "islower": return .bool(s.lowercased() == s && s.uppercased() != s)
        case "isupper": return .bool(s.uppercased() == s && s.lowercased() != s)
        case "zfill":
            let w = a.positional.first?.intValue ?? 0
            let n = s.unicodeScalars.count
            guard w > n else { return .string(s) }
            try Ops.checkSize(w)
            let sign = s.hasPrefix("-") || s.hasPrefix("+") ? String(s.first!) : ""
            return .string(sign + String(repeating: "0", count: w - n) + s.dropFirst(sign.count))
        case "center", "ljust", "rjust":
            let w = a.positional.first?.intValue ?? 0
            let fill = strArg(a, 1) ?? " "
            let n = s.unicodeScalars.count
            guard w > n else { return .string(s) }
            try Ops.checkSize(w, fill.utf8.count)
            let pad = w - n
            switch name {
            case "ljust": return .string(s + String(repeating: fill, count: pad))
            case "rjust": return .string(String(repeating: fill, count: pad) + s)
            default:
                let left = pad / 2 + (pad & w & 1)
                return .string(String(repeating: fill, count: left) + s + String(repeating: fill, count: pad - left))
            }
        case "partition", "rpartition":
            guard let sep = strArg(a, 0) else { throw TemplateError("\(name)() takes exactly one argument (0 given)") }
            guard !sep.isEmpty else { throw TemplateError("empty separator") }
            let i = name == "partition" ? Strings.find(s, sep) : Strings.rfind(s, sep)
            if i < 0 { return name == "partition" ? .tuple([.string(s), "", ""]) : .tuple(["", "", .string(s)]) }
            let u = Array(s.unicodeScalars)
            return .tuple([.string(Strings.from(u[..<i])), .string(sep), .string(Strings.from(u[(i + sep.unicodeScalars.count)...]))])
        case "encode":
            do { return .bytes(try TextCodec.encode(s, a.get(0, "encoding")?.pythonStr ?? "utf-8")) } catch let e as TextCodec.Failure {
                throw TemplateError(e.message)
            }
        case "swapcase": return .string(String(s.map { $0.isUppercase ? Character($0.lowercased()) : Character($0.uppercased()) }))
        default: throw UndefinedError.noAttribute(.string(s), .string(name))   // 2.19's marker, which calling trips
        }
    }

    /// The attributes of Python's numbers (`x.real`, `n.denominator`).
    static func numberAttribute(_ v: Value, _ name: String) -> Value? {
        switch (v, name) {
        case (.int, "real"), (.bigInt, "real"), (.int, "numerator"), (.bigInt, "numerator"), (.float, "real"): return v
        case (.bool(let b), "real"), (.bool(let b), "numerator"): return .int(b ? 1 : 0)
        case (.int, "imag"), (.bigInt, "imag"), (.bool, "imag"): return .int(0)
        case (.int, "denominator"), (.bigInt, "denominator"), (.bool, "denominator"): return .int(1)
        case (.float, "imag"): return .float(0)
        default: return nil
        }
    }

    /// The methods of Python's bytes that a template may use on a `!!binary` value.
    static func bytes(_ b: [UInt8], _ name: String, _ a: Arguments) throws -> Value {
        switch name {
        case "decode":
            do { return .string(try TextCodec.decode(b, a.get(0, "encoding")?.pythonStr ?? "utf-8")) } catch let e as TextCodec.Failure {
                throw TemplateError(e.message)
            }
        case "hex": return .string(b.map { Value.hex(Int($0), width: 2) }.joined())
        case "upper", "lower":
            let (from, to): (ClosedRange<UInt8>, Int) = name == "upper" ? (0x61...0x7A, -32) : (0x41...0x5A, 32)
            return .bytes(b.map { from.contains($0) ? UInt8(Int($0) + to) : $0 })
        case "startswith", "endswith":
            guard case .bytes(let p)? = a.positional.first else {
                throw TemplateError("\(name) first arg must be bytes or a tuple of bytes, not \(a.positional.first?.typeName ?? "nothing")")
            }
            return .bool(name == "startswith" ? b.starts(with: p) : b.reversed().starts(with: p.reversed()))
        case "split" where a.positional.isEmpty:
            return .list(b.split(whereSeparator: { [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains($0) }).map { .bytes(Array($0)) })
        default: throw UndefinedError.noAttribute(.bytes(b), .string(name))
        }
    }

    static func iterateForJoin(_ v: Value) throws -> [String] {
        switch v {
        case .list(let l), .tuple(let l, _): return l.map(\.pythonStr)
        case .dict(let d): return d.keys.map(\.pythonStr)
        default: throw TemplateError("can only join an iterable")
        }
    }

    /// A list's or a tuple's methods that leave it as it is (a tuple has only index and count).
    static func list(_ l: [Value], _ name: String, _ a: Arguments, tuple: Bool = false) throws -> Value {
        switch name {
        case "index":
            guard let x = a.positional.first, let i = l.firstIndex(of: x) else {
                throw TemplateError(tuple ? "tuple.index(x): x not in tuple" : "value is not in list")
            }
            return .int(i)
        case "count": return .int(l.filter { $0 == a.positional.first ?? .none }.count)
        case "copy" where !tuple: return .list(l)
        default:
            throw UndefinedError.noAttribute(tuple ? .tuple(l) : .list(l), .string(name))
        }
    }

    static func dict(_ d: Dict, _ name: String, _ a: Arguments) throws -> Value {
        switch name {
        case "items": return .list(d.map { .tuple([$0.key, $0.value]) })
        case "keys": return .list(Array(d.keys))
        case "values": return .list(Array(d.values))
        case "get": return d[a.positional.first ?? .none] ?? (a.positional.count > 1 ? a.positional[1] : .none)
        case "copy": return .dict(d)
        default:
            if let v = d[.string(name)] { throw TemplateError("'\(v.typeName)' object is not callable") }
            throw UndefinedError.noAttribute(.dict(d), .string(name))
        }
    }
}

/// Python string algorithms over Unicode scalars (Python indexes code points, not graphemes).
public enum Strings {
    static func from<S: Sequence>(_ u: S) -> String where S.Element == Unicode.Scalar {
        var s = ""
        s.unicodeScalars.append(contentsOf: u)
        return s
    }

    static func isSpace(_ u: Unicode.Scalar) -> Bool { u.properties.isWhitespace }

    /// Python's str.strip, lstrip and rstrip: `chars`, or whitespace when nil.
    public static func strip(_ s: String, _ chars: String?, left: Bool, right: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let drop: (Unicode.Scalar) -> Bool = { set?.contains($0) ?? isSpace($0) }
        var u = Array(s.unicodeScalars)[...]
        if left { while let f = u.first, drop(f) { u = u.dropFirst() } }
        if right { while let l = u.last, drop(l) { u = u.dropLast() } }
        return from(u)
    }

    static func split(_ s: String, _ sep: String?, max: Int) -> [String] {
        let u = Array(s.unicodeScalars)
        guard let sep, !sep.isEmpty else {
            var out: [String] = []
            var i = 0
            while i < u.count {
                while i < u.count, isSpace(u[i]) { i += 1 }
                guard i < u.count else { break }
                if max >= 0, out.count == max {
                    var rest = u[i...]
                    while let l = rest.last, isSpace(l) { rest = rest.dropLast() }
                    out.append(from(rest))
                    return out
                }
                let start = i
                while i < u.count, !isSpace(u[i]) { i += 1 }
                out.append(from(u[start..<i]))
            }
            return out
        }
        let p = Array(sep.unicodeScalars)
        var out: [String] = []
        var start = 0, i = 0
        while i + p.count <= u.count {
            if (max < 0 || out.count < max), Array(u[i..<i + p.count]) == p {
                out.append(from(u[start..<i]))
                i += p.count
                start = i
            } else { i += 1 }
        }
        out.append(from(u[start...]))
        return out
    }

    static func rsplit(_ s: String, _ sep: String?, max: Int) -> [String] {
        guard max >= 0 else { return split(s, sep, max: -1) }
        let rev = String(String.UnicodeScalarView(s.unicodeScalars.reversed()))
        let revSep = sep.map { String(String.UnicodeScalarView($0.unicodeScalars.reversed())) }
        return split(rev, revSep, max: max).map { String(String.UnicodeScalarView($0.unicodeScalars.reversed())) }.reversed()
    }

    static func find(_ s: String, _ sub: String) -> Int {
        let u = Array(s.unicodeScalars), p = Array(sub.unicodeScalars)
        if p.isEmpty { return 0 }
        guard p.count <= u.count else { return -1 }
        for i in 0...(u.count - p.count) where Array(u[i..<i + p.count]) == p { return i }
        return -1
    }

    static func rfind(_ s: String, _ sub: String) -> Int {
        let u = Array(s.unicodeScalars), p = Array(sub.unicodeScalars)
        guard p.count <= u.count else { return -1 }
        for i in stride(from: u.count - p.count, through: 0, by: -1) where Array(u[i..<i + p.count]) == p { return i }
        return -1
    }

    static func count(_ s: String, _ sub: String) -> Int {
        if sub.isEmpty { return s.unicodeScalars.count + 1 }
        return split(s, sub, max: -1).count - 1
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        if old.isEmpty {
            var out = new
            for c in s.unicodeScalars { out.unicodeScalars.append(c); out += new }
            return out
        }
        return split(s, old, max: count).joined(separator: new)
    }

    static func title(_ s: String) -> String {
        var out = ""
        var prevCased = false
        for c in s.unicodeScalars {
            let cased = c.properties.isCased
            out += prevCased ? c.properties.lowercaseMapping : c.properties.titlecaseMapping
            prevCased = cased
        }
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let f = s.unicodeScalars.first else { return s }
        return f.properties.titlecaseMapping + String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())).lowercased()
    }
}
