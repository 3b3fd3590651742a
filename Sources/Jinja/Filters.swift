// Jinja2's built-in filters, with Python's semantics for the values they see.
import Values

enum BuiltinFilters {
    static func items(_ v: Value) throws -> [Value] {
        switch v {
        case .list(let l), .tuple(let l, _): return l
        case .dict(let d): return Array(d.keys)
        case .string(let s), .unsafe(let s): return s.unicodeScalars.map { .string(String(Character($0))) }
        case .bytes(let b): return b.map { .int(Int($0)) }
        case .none: throw TemplateError("'NoneType' object is not iterable")
        default: throw TemplateError("'\(v.typeName)' object is not iterable")
        }
    }

    static func attribute(_ v: Value, _ path: String) throws -> Value {
        var cur = v
        for part in path.split(separator: ".") {
            if case .dict(let d) = cur, let x = d[.string(String(part))] { cur = x; continue }
            if let l = cur.listValue, let i = Int(part), i < l.count { cur = l[i]; continue }
            if let x = GroupTuple.field(cur, String(part)) { cur = x; continue }
            throw Renderer.noAttribute(cur, .string(String(part)))
        }
        if case .undefined(let m) = cur { throw UndefinedError(m) }
        return cur
    }

    static func sortKey(_ v: Value, caseSensitive: Bool) -> Value {
        if !caseSensitive, let s = v.stringValue { return .string(s.lowercased()) }
        return v
    }

    /// Jinja2's do_max / do_min: the first largest (smallest) item, strings compared without
    /// case unless `case_sensitive`, by an attribute when one is named.
    static func extreme(_ v: Value, _ a: Arguments, max: Bool) throws -> Value {
        let l = try items(v)
        guard var best = l.first else { throw UndefinedError("No aggregated item, sequence was empty.") }
        let attr = a.get(1, "attribute")?.stringValue, cs = a.bool(0, "case_sensitive", default: false)
        func key(_ x: Value) throws -> Value { sortKey(try attr.map { try attribute(x, $0) } ?? x, caseSensitive: cs) }
        var bestKey = try key(best)
        for x in l.dropFirst() {
            let k = try key(x)
            if max ? try Ops.less(bestKey, k) : try Ops.less(k, bestKey) { (best, bestKey) = (x, k) }
        }
        return best
    }

    static func sorted(_ l: [Value], reverse: Bool, caseSensitive: Bool, attribute attr: String?) throws -> [Value] {
        var keyed: [(Value, Value)] = []
        for item in l {
            let k = try attr.map { try attribute(item, $0) } ?? item
            keyed.append((item, sortKey(k, caseSensitive: caseSensitive)))
        }
        // A stable merge sort keeps Python's sort stability and lets comparison errors surface.
        func merge(_ a: ArraySlice<(Value, Value)>) throws -> [(Value, Value)] {
            if a.count <= 1 { return Array(a) }
            let mid = a.startIndex + a.count / 2
            let l = try merge(a[..<mid]), r = try merge(a[mid...])
            var out: [(Value, Value)] = []
            out.reserveCapacity(a.count)
            var i = 0, j = 0
            while i < l.count, j < r.count {
                let takeRight = reverse ? try Ops.less(l[i].1, r[j].1) : try Ops.less(r[j].1, l[i].1)
                if takeRight { out.append(r[j]); j += 1 } else { out.append(l[i]); i += 1 }
            }
            out += l[i...]
            out += r[j...]
            return out
        }
        return try merge(keyed[...]).map(\.0)
    }

    /// Jinja2's do_int: int(text, base), else int(float(text)), else the default.
    static func toInt(_ v: Value, default d: Int = 0, base: Int = 10) -> Value {
        switch v {
        case .int, .bigInt: return v
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let f): return f.isFinite ? PythonNumber.truncated(f) : .int(d)
        case .string(let s), .unsafe(let s):
            if let i = PythonNumber.int(s, base: base) { return i }
            if let f = PythonNumber.float(stripping: s), f.isFinite { return PythonNumber.truncated(f) }
            return .int(d)
        default: return .int(d)
        }
    }

    static func toFloat(_ v: Value, default d: Double = 0) -> Value {
        switch v {
        case .float: return v
        case .int, .bigInt: return .float(v.number!)
        case .bool(let b): return .float(b ? 1 : 0)
        case .string(let s), .unsafe(let s): return .float(PythonNumber.float(stripping: s) ?? d)
        default: return .float(d)
        }
    }

    static func length(_ v: Value) throws -> Int {
        switch v {
        case .list(let l), .tuple(let l, _): return l.count
        case .dict(let d): return d.count
        case .string(let s), .unsafe(let s): return s.unicodeScalars.count
        case .bytes(let b): return b.count
        default: throw TemplateError("object of type '\(v.typeName)' has no len()")
        }
    }

    /// Jinja2's do_round: Python's round() for "common" (an int stays an int), else
    /// math.ceil/floor(x * 10**p) / 10**p, a float.
    static func round(_ v: Value, _ precision: Int, _ method: String) throws -> Value {
        guard ["common", "ceil", "floor"].contains(method) else { throw TemplateError("method must be common, ceil or floor") }
        guard let x = v.number else { throw TemplateError("type \(v.typeName) doesn't define __round__ method") }
        if method == "common" {
            if let i = v.intValue, !v.isFloat { return roundInt(i, precision) }
            if v.isBigInt, precision >= 0 { return v }
            guard x.isFinite else {
                if precision == 0 && x.isNaN { throw TemplateError("cannot convert float NaN to integer") }
                if precision == 0 { throw TemplateError("cannot convert float infinity to integer") }
                return .float(x)
            }
            return .float(ExactDecimal.round(x, places: precision))
        }
        // 10**p is a float for p < 0 (0.0 far enough down) and an exact int otherwise.
        var scale = 1.0
        for _ in 0..<min(abs(precision), 400) { scale *= 10 }
        if precision < 0 { scale = 1 / scale }
        guard scale != 0 else { throw TemplateError("float division by zero") }
        let scaled = x * scale
        guard scaled.isFinite else {
            throw TemplateError(scaled.isNaN ? "cannot convert float NaN to integer" : "cannot convert float infinity to integer")
        }
        return .float((method == "ceil" ? scaled.rounded(.up) : scaled.rounded(.down)) / scale)
    }

    /// round(i, p) of an int: half to even at 10**-p.
    static func roundInt(_ i: Int, _ precision: Int) -> Value {
        guard precision < 0 else { return .int(i) }
        guard precision > -19 else { return .int(0) }
        var m = 1
        for _ in 0 ..< -precision { m *= 10 }
        let r = ((i % m) + m) % m, q = i - r
        let up = 2 * r > m || (2 * r == m && (q / m) % 2 != 0)
        let (n, overflow) = q.addingReportingOverflow(up ? m : 0)
        return overflow ? .float(Double(q) + Double(m)) : .int(n)
    }

    static func selectOrReject(_ v: Value, _ a: Arguments, _ env: Environment, select: Bool, byAttribute: Bool) throws -> Value {
        var pos = a.positional[...]
        var attr: String? = nil
        if byAttribute {
            attr = pos.first?.stringValue
            pos = pos.dropFirst()
        }
        let testName = pos.first?.stringValue
        let testArgs = Arguments(Array(pos.dropFirst()))
        var out: [Value] = []
        for item in try items(v) {
            let subject: Value
            if let attr {
                do { subject = try attribute(item, attr) } catch is UndefinedError {
                    if testName == "defined" || testName == nil { if !select { out.append(item) }; continue }
                    if testName == "undefined" { if select { out.append(item) }; continue }
                    throw Renderer.noAttribute(item, .string(attr))
                }
            } else { subject = item }
            let ok: Bool
            if let testName {
                if testName == "defined" || testName == "undefined" { ok = try env.test(testName, subject, testArgs) } else {
                    ok = try env.test(testName, subject, testArgs)
                }
            } else { ok = try Renderer.used(subject).truthy }
            if ok == select { out.append(item) }
        }
        return .list(out)
    }

    static let all: [String: Filter] = [
        "abs": { v, _, _ in
            switch v {
            case .int, .bigInt: return v.absInt!   // abs(Int.min) is past 64 bits
            case .float(let f): return .float(abs(f))
            default: throw TemplateError("bad operand type for abs(): '\(v.typeName)'")
            }
        },
        // getattr, not a key lookup: dicts and lists have no such attributes.
        "attr": { v, a, _ in
            // An object's attribute, never a mapping's item (Jinja2's getattr).
            let name = a.positional.first?.stringValue ?? ""
            if let x = Renderer.objectAttribute(v, name) { return x }
            throw Renderer.noAttribute(v, a.positional.first ?? "")
        },
        "batch": { v, a, _ in
            let n = max(1, a.positional.first?.intValue ?? 1)
            let l = try items(v)
            var out: [Value] = []
            var i = 0
            while i < l.count {
                var chunk = Array(l[i..<min(i + n, l.count)])
                if chunk.count < n, let fill = a.get(1, "fill_with") { chunk += Array(repeating: fill, count: n - chunk.count) }
                out.append(.list(chunk))
                i += n
            }
            return .list(out)
        },
        "capitalize": { v, _, _ in .string(Strings.capitalize(v.pythonStr)) },
        "center": { v, a, _ in try Methods.string(v.pythonStr, "center", Arguments([a.get(0, "width") ?? 80])) },
        "count": { v, _, _ in .int(try length(v)) },
        "dictsort": { v, a, _ in
            guard case .dict(let d) = v else { throw TemplateError("You can only sort by either \"key\" or \"value\"") }
            let byValue = a.get(1, "by")?.stringValue == "value"
            let cs = a.bool(0, "case_sensitive", default: false)
            let keyed = d.map { k, v in (Value.tuple([k, v]), sortKey(byValue ? v : k, caseSensitive: cs)) }
            var r = try keyed.sorted { try Ops.less($0.1, $1.1) }.map(\.0)
            if a.bool(2, "reverse", default: false) { r.reverse() }
            return .list(r)
        },
        "escape": { v, _, _ in .string(htmlEscape(v.pythonStr)) },
        "e": { v, _, _ in .string(htmlEscape(v.pythonStr)) },
        "first": { v, _, _ in
            let l = try items(v)
            guard let f = l.first else { throw UndefinedError("No first item, sequence was empty.") }
            return f
        },
        "float": { v, a, _ in toFloat(v, default: a.get(0, "default")?.number ?? 0) },
        // Jinja2's do_filesizeformat: decimal (kB, MB…) or binary (KiB, MiB…) prefixes, one decimal.
        "filesizeformat": { v, a, _ in
            let bytes: Double
            switch v {
            case .string(let s), .unsafe(let s):
                guard let f = PythonNumber.float(stripping: s) else {
                    throw TemplateError("could not convert string to float: \(Value.string(s).pythonRepr)")
                }
                bytes = f
            default:
                guard let f = v.number else { throw TemplateError("float() argument must be a string or a real number, not '\(v.typeName)'") }
                bytes = f
            }
            let binary = a.get(0, "binary")?.truthy ?? false
            let base = binary ? 1024.0 : 1000.0
            if bytes == 1 { return "1 Byte" }
            if bytes < base {
                guard bytes.isFinite else { throw TemplateError("cannot convert float \(bytes.isNaN ? "NaN" : "infinity") to integer") }
                return .string(PythonNumber.truncated(bytes).pythonRepr + " Bytes")
            }
            let prefixes = binary ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
            var unit = base
            for prefix in prefixes {
                unit *= base
                if bytes < unit || prefix == prefixes.last {
                    let x = base * bytes / unit
                    return .string((x.isFinite ? ExactDecimal.fixed(x, places: 1) : Value.formatFloat(x)) + " " + prefix)
                }
            }
            return .none
        },
        "forceescape": { v, _, _ in .string(htmlEscape(v.pythonStr)) },
        "format": { v, a, _ in .string(try Ops.percentFormat(v.pythonStr, a.keywords.isEmpty ? .tuple(a.positional) : .dict(Dict(uniqueKeysWithValues: a.keywords.map { (.string($0.key), $0.value) })))) },
        "groupby": { v, a, _ in
            guard let attr = a.get(0, "attribute")?.pythonStr else { throw TemplateError("groupby needs an attribute") }
            var groups: [(Value, [Value])] = []
            for item in try sorted(try items(v), reverse: false, caseSensitive: a.bool(2, "case_sensitive", default: false), attribute: attr) {
                let k = try attribute(item, attr)
                if let i = groups.firstIndex(where: { $0.0 == k }) { groups[i].1.append(item) } else { groups.append((k, [item])) }
            }
            return .list(groups.map { GroupTuple.make($0.0, $0.1) })
        },
        "indent": { v, a, _ in
            // Jinja2's own algorithm, quirks included (a trailing newline is added before splitting).
            let w = a.get(0, "width")
            let pad = w?.stringValue ?? String(repeating: " ", count: max(0, w?.intValue ?? 4))
            try Ops.checkSize(pad.utf8.count)
            let first = a.bool(1, "first", default: false), blank = a.bool(2, "blank", default: false)
            let lines = (v.pythonStr + "\n").pythonSplitLines
            var rv: String
            if blank {
                rv = lines.joined(separator: "\n" + pad)
            } else {
                rv = lines.first ?? ""
                let rest = lines.dropFirst()
                if !rest.isEmpty { rv += "\n" + rest.map { $0.isEmpty ? $0 : pad + $0 }.joined(separator: "\n") }
            }
            return .string(first ? pad + rv : rv)
        },
        "int": { v, a, _ in toInt(v, default: a.get(0, "default")?.intValue ?? 0, base: a.get(1, "base")?.intValue ?? 10) },
        "items": { v, _, _ in
            guard case .dict(let d) = v else { if v.isNone { return .list([]) }; throw TemplateError("Can only get item pairs from a mapping.") }
            return .list(d.map { .tuple([$0.key, $0.value]) })
        },
        "join": { v, a, _ in
            let sep = a.get(0, "d")?.pythonStr ?? ""
            var l = try items(v)
            if let attr = a.get(1, "attribute")?.pythonStr { l = try l.map { try attribute($0, attr) } }
            return .string(l.map(\.pythonStr).joined(separator: sep))
        },
        "last": { v, _, _ in
            let l = try items(v)
            guard let f = l.last else { throw UndefinedError("No last item, sequence was empty.") }
            return f
        },
        "length": { v, _, _ in .int(try length(v)) },
        "list": { v, _, _ in .list(try items(v)) },
        "lower": { v, _, _ in .string(v.pythonStr.lowercased()) },
        "map": { v, a, env in
            let l = try items(v)
            if let attr = a.keywords["attribute"]?.pythonStr {
                return .list(try l.map { item in
                    do { return try attribute(item, attr) } catch is UndefinedError {
                        if let d = a.keywords["default"] { return d }
                        return .undefined(Renderer.noAttribute(item, .string(attr)).message)   // raised where it is used
                    }
                })
            }
            guard let name = a.positional.first?.stringValue else { return .list(l) }
            let rest = Arguments(Array(a.positional.dropFirst()), a.keywords)
            return .list(try l.map { try env.filter(name, $0, rest) })
        },
        "max": { v, a, _ in try extreme(v, a, max: true) },
        "min": { v, a, _ in try extreme(v, a, max: false) },
        "pprint": { v, _, _ in .string(v.pythonRepr) },
        "reject": { v, a, env in try selectOrReject(v, a, env, select: false, byAttribute: false) },
        "rejectattr": { v, a, env in try selectOrReject(v, a, env, select: false, byAttribute: true) },
        "replace": { v, a, _ in
            guard let old = a.get(0, "old")?.pythonStr, let new = a.get(1, "new")?.pythonStr else { throw TemplateError("replace needs old and new") }
            return .string(Strings.replace(v.pythonStr, old, new, count: a.get(2, "count")?.intValue ?? -1))
        },
        "reverse": { v, _, _ in
            if let s = v.stringValue { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .list(try items(v).reversed())
        },
        "round": { v, a, _ in
            try round(v, a.get(0, "precision")?.intValue ?? 0, a.get(1, "method")?.stringValue ?? "common")
        },
        "safe": { v, _, _ in v },
        "select": { v, a, env in try selectOrReject(v, a, env, select: true, byAttribute: false) },
        "selectattr": { v, a, env in try selectOrReject(v, a, env, select: true, byAttribute: true) },
        "slice": { v, a, _ in
            let l = try items(v)
            let n = max(1, a.get(0, "slices")?.intValue ?? 1)
            let per = l.count / n, extra = l.count % n
            var out: [Value] = []
            var offset = 0
            for i in 0..<n {
                let start = i * per + min(i, extra)
                let end = start + per + (i < extra ? 1 : 0)
                var chunk = Array(l[start..<end])
                if let fill = a.get(1, "fill_with"), i >= extra, extra > 0 { chunk.append(fill) }
                out.append(.list(chunk))
                offset = end
            }
            _ = offset
            return .list(out)
        },
        "sort": { v, a, _ in
            .list(try sorted(try items(v), reverse: a.bool(0, "reverse", default: false),
                             caseSensitive: a.bool(1, "case_sensitive", default: false), attribute: a.get(2, "attribute")?.stringValue))
        },
        "string": { v, _, _ in .string(v.pythonStr) },
        "striptags": { v, _, _ in
            var out = ""
            var inTag = false
            for c in v.pythonStr { if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { out.append(c) } }
            return .string(Strings.split(out, nil, max: -1).joined(separator: " "))
        },
        "sum": { v, a, _ in
            var total = a.get(1, "start") ?? .int(0)
            let attr = a.get(0, "attribute")?.stringValue
            for x in try items(v) { total = try Ops.binary("+", total, try attr.map { try attribute(x, $0) } ?? x) }
            return total
        },
        "title": { v, _, _ in .string(Strings.title(v.pythonStr)) },
        "tojson": { v, a, _ in .string(v.json(Value.JSONOptions(indent: a.get(0, "indent")?.intValue, sortKeys: true))) },
        "trim": { v, a, _ in .string(Strings.strip(v.pythonStr, a.get(0, "chars")?.stringValue, left: true, right: true)) },
        "truncate": { v, a, _ in
            let s = v.pythonStr
            let length = a.get(0, "length")?.intValue ?? 255
            let killwords = a.bool(1, "killwords", default: false)
            let end = a.get(2, "end")?.pythonStr ?? "..."
            let leeway = a.get(3, "leeway")?.intValue ?? 5
            let endCount = end.unicodeScalars.count
            guard length >= endCount else { throw TemplateError("expected length >= \(endCount), got \(length)") }
            guard leeway >= 0 else { throw TemplateError("expected leeway >= 0, got \(leeway)") }
            let u = Array(s.unicodeScalars)
            if u.count - leeway <= length { return .string(s) }
            let cut = max(0, length - end.unicodeScalars.count)
            if killwords { return .string(Strings.from(u[..<cut]) + end) }
            var head = Strings.from(u[..<cut])
            if let sp = head.lastIndex(of: " ") { head = String(head[..<sp]) }
            return .string(head + end)
        },
        "unique": { v, _, _ in
            var seen: [Value] = []
            for x in try items(v) where !seen.contains(x) { seen.append(x) }
            return .list(seen)
        },
        "upper": { v, _, _ in .string(v.pythonStr.uppercased()) },
        "urlize": { v, a, _ in try Urlize.filter(v, a) },
        "urlencode": { v, _, _ in
            // A dict or a list of pairs makes a query string; anything else is quoted as a path.
            let pairs: [(Value, Value)]
            switch v {
            case .dict(let d): pairs = d.map { ($0.key, $0.value) }
            case .list(let l), .tuple(let l, _):
                pairs = try l.map { item in
                    let parts: [Value] = try item.stringValue.map { $0.map { .string(String($0)) } } ?? items(item)
                    guard parts.count == 2 else {
                        throw TemplateError(parts.count > 2 ? "too many values to unpack (expected 2)" : "not enough values to unpack (expected 2, got \(parts.count))")
                    }
                    return (parts[0], parts[1])
                }
            default: return .string(urlQuote(v.pythonStr))
            }
            return .string(pairs.map { urlQuote($0.0.pythonStr, query: true) + "=" + urlQuote($0.1.pythonStr, query: true) }.joined(separator: "&"))
        },
        "wordcount": { v, _, _ in .int(Strings.split(v.pythonStr, nil, max: -1).count) },
        "wordwrap": { v, a, env in
            let width = a.get(0, "width")?.intValue ?? 79
            guard width > 0 else { throw TemplateError("invalid width \(width) (must be > 0)") }
            let breakLong = a.get(1, "break_long_words")?.truthy ?? true
            let breakHyphens = a.get(3, "break_on_hyphens")?.truthy ?? true
            let wrapstring = a.get(2, "wrapstring").flatMap { $0.isNone ? nil : $0.pythonStr } ?? env.options.newlineSequence
            // Each line a paragraph of its own (Jinja 2.11 on).
            return .string(v.pythonStr.pythonSplitLines.map {
                TextWrap.wrap($0, width: width, breakLongWords: breakLong, breakOnHyphens: breakHyphens).joined(separator: wrapstring)
            }.joined(separator: wrapstring))
        },
        "xmlattr": { v, _, _ in
            guard case .dict(let d) = v else { return .string("") }
            let parts = d.compactMap { k, x -> String? in x.isNone ? nil : "\(k.pythonStr)=\"\(htmlEscape(x.pythonStr))\"" }
            return .string(parts.isEmpty ? "" : " " + parts.joined(separator: " "))
        },
    ]

    /// markupsafe's escape.
    static func htmlEscape(_ s: String) -> String {
        s.escaping(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&#34;", "'": "&#39;"])
    }

    /// Jinja's url_quote: `/` kept in a path; in a query nothing is, and a space is `+`.
    static func urlQuote(_ s: String, query: Bool = false) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Unicode.Scalar(b)
            if query && c == " " {
                out += "+"
            } else if (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "_.-~".unicodeScalars.contains(c) || (!query && c == "/") {
                out.unicodeScalars.append(c)
            } else {
                out += "%" + Value.hexUpper(Int(b))
            }
        }
        return out
    }
}

extension StringProtocol {
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}

extension Value {
    static func hexUpper(_ v: Int) -> String {
        let h = String(v, radix: 16).uppercased()
        return h.count < 2 ? "0" + h : h
    }
}

/// Python's int() and float() of strings: decimal digits with optional `_` between them, no
/// hex floats or other forms Swift's parsers accept.
public enum PythonNumber {
    static func digits(_ s: Substring) -> Bool {
        guard let f = s.first, let l = s.last, f != "_", l != "_", !s.contains("__") else { return false }
        return s.allSatisfy { ($0 >= "0" && $0 <= "9") || $0 == "_" }
    }

    /// int(text, base): whitespace around, a sign, the base's 0x/0o/0b prefix (base 0 takes the
    /// prefix's base, or 10 without leading zeros), `_` between digits. Nil where Python raises
    /// ValueError, and beyond 64 bits (swansible has no larger ints).
    public static func int(_ text: String, base: Int) -> Value? {
        guard base == 0 || (2...36).contains(base) else { return nil }
        var s = Substring(Strings.strip(text, nil, left: true, right: true))
        let negative = s.first == "-"
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        var radix = base, prefixed = false
        if s.count > 2, s.first == "0" {
            let mark = s[s.index(after: s.startIndex)].lowercased()
            let named = ["x": 16, "o": 8, "b": 2][mark]
            if let named, base == 0 || base == named { radix = named; s = s.dropFirst(2); prefixed = true }
        }
        if radix == 0 {
            radix = 10
            // Base 0 refuses leading zeros in a nonzero decimal number, as Python's literals do.
            if s.first == "0", s.contains(where: { $0 != "0" && $0 != "_" }) { return nil }
        }
        if prefixed, s.first == "_" { s = s.dropFirst() }
        guard let f = s.first, let l = s.last, f != "_", l != "_", !s.contains("__") else { return nil }
        return Value.integer((negative ? "-" : "") + s.replacingUnderscores, radix: radix)
    }

    /// int(f) of a finite float, of any size.
    public static func truncated(_ f: Double) -> Value {
        Value.integer(truncating: f) ?? .float(f)
    }

    /// float(text) as Python calls it: whitespace around the number is allowed.
    public static func float(stripping text: String) -> Double? { float(Strings.strip(text, nil, left: true, right: true)) }

    public static func float(_ text: String) -> Double? {
        let lower = text.lowercased()
        var body = Substring(lower)
        let negative = body.first == "-"
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        if body == "inf" || body == "infinity" { return negative ? -.infinity : .infinity }
        if body == "nan" { return .nan }
        var mantissa = body, exponent: Substring? = nil
        if let e = body.firstIndex(of: "e") {
            mantissa = body[..<e]
            exponent = body[body.index(after: e)...]
        }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count <= 2, !(parts.allSatisfy { $0.isEmpty }) else { return nil }
        for p in parts where !p.isEmpty && !digits(p) { return nil }
        if var e = exponent {
            if e.first == "+" || e.first == "-" { e = e.dropFirst() }
            guard digits(e) else { return nil }
        }
        return Double(text.replacingUnderscores)
    }
}

/// Jinja2's groupby gives (grouper, list) named tuples, whose fields have names too.
enum GroupTuple {
    static func make(_ grouper: Value, _ items: [Value]) -> Value { .tuple([grouper, .list(items)], grouped: true) }

    static func field(_ v: Value, _ name: String) -> Value? {
        guard name == "grouper" || name == "list", case .tuple(let l, true) = v, l.count == 2 else { return nil }
        return name == "grouper" ? l[0] : l[1]
    }
}
