// Python's str.format(): replacement fields with their index or key, `!r`/`!s` conversions and
// the format-spec mini-language ([[fill]align][sign][#][0][width][,|_][.precision][type]) for
// strings, ints and floats — `'{:.2f}'.format(x)`, `'{:>8}'`, `'{:02d}'`, `'{:,}'` in templates.
import Values

enum FormatSpec {
    static func format(_ s: String, _ a: Arguments) throws -> String {
        var out = ""
        var auto = 0
        var it = Array(s.unicodeScalars)[...]
        while let c = it.first {
            it = it.dropFirst()
            if c == "}" {
                guard it.first == "}" else { throw TemplateError("Single '}' encountered in format string") }
                it = it.dropFirst()
                out += "}"
                continue
            }
            guard c == "{" else { out.unicodeScalars.append(c); continue }
            if it.first == "{" { it = it.dropFirst(); out += "{"; continue }
            // The field runs to its matching brace: a spec may hold one nested field ('{:{w}}').
            var field = String.UnicodeScalarView(), depth = 1
            while let d = it.first {
                it = it.dropFirst()
                if d == "{" { depth += 1 } else if d == "}" { depth -= 1; if depth == 0 { break } }
                field.append(d)
            }
            guard depth == 0 else { throw TemplateError("expected '}' before end of string") }
            out += try replacement(String(field), a, &auto)
        }
        return out
    }

    static func replacement(_ field: String, _ a: Arguments, _ auto: inout Int) throws -> String {
        var name = Substring(field), spec: Substring = "", conversion: Character? = nil
        if let colon = name.firstIndex(of: ":") { spec = name[name.index(after: colon)...]; name = name[..<colon] }
        if let bang = name.firstIndex(of: "!") {
            let conv = name[name.index(after: bang)...]
            guard conv.count == 1, let ch = conv.first, "rsa".contains(ch) else {
                throw TemplateError(conv.count == 1 ? "Unknown conversion specifier \(conv)" : "expected ':' after conversion specifier")
            }
            conversion = ch
            name = name[..<bang]
        }
        // The first part names an argument; `.attr` and `[key]` parts then walk into it.
        let head = name.prefix { $0 != "." && $0 != "[" }
        var v: Value
        if head.isEmpty {
            guard auto < a.positional.count else { throw TemplateError("Replacement index \(auto) out of range for positional args tuple") }
            v = a.positional[auto]
            auto += 1
        } else if let i = Int(head) {
            guard i < a.positional.count else { throw TemplateError("Replacement index \(i) out of range for positional args tuple") }
            v = a.positional[i]
        } else {
            guard let kv = a.keywords[String(head)] else { throw TemplateError("KeyError: '\(head)'") }
            v = kv
        }
        var rest = name.dropFirst(head.count)
        while let c = rest.first {
            rest = rest.dropFirst()
            let part = rest.prefix { c == "[" ? $0 != "]" : ($0 != "." && $0 != "[") }
            rest = rest.dropFirst(part.count + (c == "[" ? 1 : 0))
            if c == "." {
                throw TemplateError("'\(v.typeName)' object has no attribute '\(part)'")
            }
            let key: Value = Int(part).map(Value.int) ?? .string(String(part))
            switch (v, key) {
            case (.list(let l), .int(let i)), (.tuple(let l, _), .int(let i)):
                guard i >= 0, i < l.count else { throw TemplateError("\(v.typeName) index out of range") }
                v = l[i]
            case (.dict(let d), _):
                guard let x = d[key] else { throw TemplateError("KeyError: \(key.pythonRepr)") }
                v = x
            default:
                throw TemplateError("'\(v.typeName)' object is not subscriptable")
            }
        }
        switch conversion {
        case "r", "a": v = .string(v.pythonRepr)
        case "s": v = .string(v.pythonStr)
        default: break
        }
        if spec.contains("{") { spec = Substring(try format(String(spec), a)) }
        return try apply(String(spec), to: v)
    }

    struct Spec {
        var fill: Character = " ", align: Character? = nil, sign: Character = "-", alternate = false
        var width = 0, grouping: Character? = nil, precision: Int? = nil, type: Character? = nil

        init(_ text: String) throws {
            var s = Substring(text)
            let chars = Array(s)
            if chars.count >= 2, "<>=^".contains(chars[1]) { fill = chars[0]; align = chars[1]; s = s.dropFirst(2) }
            else if let f = chars.first, "<>=^".contains(f) { align = f; s = s.dropFirst() }
            if let f = s.first, "+- ".contains(f) { sign = f; s = s.dropFirst() }
            if s.first == "z" { s = s.dropFirst() }
            if s.first == "#" { alternate = true; s = s.dropFirst() }
            if s.first == "0" {
                if align == nil { fill = "0"; align = "=" }
                s = s.dropFirst()
            }
            let w = s.prefix { $0.isASCII && $0.isNumber }
            width = Int(w) ?? 0
            s = s.dropFirst(w.count)
            if let g = s.first, g == "," || g == "_" { grouping = g; s = s.dropFirst() }
            if s.first == "." {
                s = s.dropFirst()
                let p = s.prefix { $0.isASCII && $0.isNumber }
                guard let n = Int(p) else { throw TemplateError("Format specifier missing precision") }
                precision = n
                s = s.dropFirst(p.count)
            }
            if let t = s.first { type = t; s = s.dropFirst() }
            guard s.isEmpty else { throw TemplateError("Invalid format specifier '\(text)'") }
            try Ops.checkSize(max(width, precision ?? 0))
        }
    }

    static func apply(_ text: String, to v: Value) throws -> String {
        if text.isEmpty { return v.pythonStr }
        let spec = try Spec(text)
        switch v {
        case .string(let s), .unsafe(let s):
            guard spec.type == nil || spec.type == "s" else { throw unknownCode(spec, "str") }
            guard spec.sign == "-" else { throw TemplateError("Sign not allowed in string format specifier") }
            guard spec.align != "=" else { throw TemplateError("'=' alignment not allowed in string format specifier") }
            let body = spec.precision.map { String(String.UnicodeScalarView(s.unicodeScalars.prefix($0))) } ?? s
            return pad("", body, spec, defaultAlign: "<")
        case .int where spec.type.map({ "bcdoxXn".contains($0) }) ?? true,
             .bigInt where spec.type.map({ "bcdoxXn".contains($0) }) ?? true:
            return try integer(v, spec)
        case .bool(let b) where spec.type.map({ "bcdoxXn".contains($0) }) ?? true:
            return try integer(.int(b ? 1 : 0), spec)   // a bool with a spec formats as the int it is
        case .int, .bigInt, .float, .bool:
            guard let x = v.number else { break }
            return try float(x, spec)
        default: break
        }
        throw TemplateError("unsupported format string passed to \(v.typeName).__format__")
    }

    static func unknownCode(_ spec: Spec, _ type: String) -> TemplateError {
        TemplateError("Unknown format code '\(spec.type.map(String.init) ?? "")' for object of type '\(type)'")
    }

    /// An int of any size.
    static func integer(_ v: Value, _ spec: Spec) throws -> String {
        guard spec.precision == nil else { throw TemplateError("Precision not allowed in integer format specifier") }
        if spec.type == "c" {
            return pad("", try Ops.character(v, bigInt: "Python int too large to convert to C long"), spec, defaultAlign: "<")
        }
        let (radix, prefix): (Int, String)
        switch spec.type {
        case "b": (radix, prefix) = (2, "0b")
        case "o": (radix, prefix) = (8, "0o")
        case "x": (radix, prefix) = (16, "0x")
        case "X": (radix, prefix) = (16, "0X")
        default: (radix, prefix) = (10, "")
        }
        var (negative, digits) = v.intDigits(radix: radix)!
        if spec.type == "X" { digits = digits.uppercased() }
        if let g = spec.grouping { digits = group(digits, g, every: radix == 10 ? 3 : 4) }
        return pad(signText(negative, spec) + (spec.alternate ? prefix : ""), digits, spec, defaultAlign: ">")
    }

    static func float(_ x: Double, _ spec: Spec) throws -> String {
        var body: String
        let type = spec.type
        guard type.map({ "eEfFgGn%".contains($0) }) ?? true else { throw unknownCode(spec, "float") }
        let negative = x.sign == .minus
        let m = abs(x)
        if !m.isFinite {
            body = m.isNaN ? "nan" : "inf"
            if let t = type, t.isUppercase { body = body.uppercased() }
        } else {
            switch type {
            case "f", "F": body = ExactDecimal.fixed(m, places: spec.precision ?? 6)
            case "%": body = ExactDecimal.fixed(m * 100, places: spec.precision ?? 6) + "%"
            case "e", "E": body = scientific(m, spec.precision ?? 6, spec.alternate)
            case "g", "G", "n": body = general(m, spec.precision ?? 6, spec.alternate, keepPoint: false)
            default:
                body = spec.precision.map { general(m, $0, spec.alternate, keepPoint: true) } ?? Value.formatFloat(m)
            }
            if type == "E" || type == "G" { body = body.uppercased() }
        }
        if let g = spec.grouping {
            let intEnd = body.firstIndex { !$0.isNumber } ?? body.endIndex
            body = group(String(body[..<intEnd]), g, every: 3) + body[intEnd...]
        }
        return pad(signText(negative, spec), body, spec, defaultAlign: ">")
    }

    /// '%.{p}e': p digits after the first, a two-digit exponent at least.
    static func scientific(_ x: Double, _ p: Int, _ alternate: Bool) -> String {
        let (digits, exp) = ExactDecimal.significant(x, count: p + 1)
        let mantissa = String(digits.prefix(1)) + (p > 0 || alternate ? "." : "") + digits.dropFirst()
        return mantissa + exponentText(exp)
    }

    static func exponentText(_ exp: Int) -> String {
        let e = String(abs(exp))
        return "e" + (exp < 0 ? "-" : "+") + (e.count < 2 ? "0" + e : e)
    }

    /// '%.{p}g': fixed or scientific by the exponent, trailing zeros dropped (kept with '#').
    static func general(_ x: Double, _ precision: Int, _ alternate: Bool, keepPoint: Bool) -> String {
        let p = max(precision, 1)
        let (digits, exp) = ExactDecimal.significant(x, count: p)
        var body: String
        if exp >= -4 && exp < p {
            body = ExactDecimal.fixed(x, places: p - 1 - exp)
            if !alternate, body.contains(".") {
                while body.hasSuffix("0") { body.removeLast() }
                if body.hasSuffix(".") { body.removeLast() }
            }
            if keepPoint, !body.contains(".") { body += ".0" }
            return body
        }
        var mantissa = String(digits.prefix(1)) + "." + digits.dropFirst()
        if !alternate {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return mantissa + exponentText(exp)
    }

    static func signText(_ negative: Bool, _ spec: Spec) -> String {
        negative ? "-" : spec.sign == "+" ? "+" : spec.sign == " " ? " " : ""
    }

    static func group(_ digits: String, _ separator: Character, every n: Int) -> String {
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0, i % n == 0 { out.append(separator) }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func pad(_ sign: String, _ body: String, _ spec: Spec, defaultAlign: Character) -> String {
        let length = sign.unicodeScalars.count + body.unicodeScalars.count
        guard spec.width > length else { return sign + body }
        let n = spec.width - length, fill = String(spec.fill)
        switch spec.align ?? defaultAlign {
        case "<": return sign + body + String(repeating: fill, count: n)
        case "^": return String(repeating: fill, count: n / 2) + sign + body + String(repeating: fill, count: n - n / 2)
        case "=": return sign + String(repeating: fill, count: n) + body
        default: return String(repeating: fill, count: n) + sign + body
        }
    }
}
