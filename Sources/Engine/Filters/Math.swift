// Math filters (log, pow, root) and the byte-size formatters human_readable/human_to_bytes.
import Jinja
import Values
#if canImport(Glibc)
import Glibc
#endif

enum MathFilters {
    static func number(_ v: Value) throws -> Double {
        if let n = v.number { return n }
        if let s = v.stringValue, let d = Double(s) { return d }
        throw AnsibleError("can't convert \(v.pythonRepr) to a number")
    }

    /// The math module's TypeError, as mathstuff words it.
    static func notNumber(_ filter: String, _ v: Value) -> AnsibleError {
        AnsibleError("\(filter)() can only be used on numbers: must be real number, not \(v.typeName)")
    }

    static let sizes: [(String, Double)] = [("Y", 0x1p80), ("Z", 0x1p70), ("E", 0x1p60), ("P", 0x1p50), ("T", 0x1p40),
                                             ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10), ("B", 1)]

    static func humanToBytes(_ text: String, defaultUnit: String?, isbits: Bool) throws -> Value {
        let s = text.trimmingCharacters(in: " ")
        var numEnd = s.startIndex
        while numEnd < s.endIndex, s[numEnd].isNumber || s[numEnd] == "." { numEnd = s.index(after: numEnd) }
        guard let num = Double(s[..<numEnd]) else { throw AnsibleError("human_to_bytes() can't interpret following string: \(text)") }
        var unit = s[numEnd...].trimmingCharacters(in: " ")
        if unit.isEmpty { unit = defaultUnit ?? "" }
        if unit.isEmpty { return PythonNumber.truncated(num.rounded(.toNearestOrEven)) }
        guard let limit = sizes.first(where: { $0.0 == String(unit.first!).uppercased() })?.1 else {
            throw AnsibleError("human_to_bytes() failed to convert \(text) (unit = \(unit)). The suffix must be one of Y, Z, E, P, T, G, M, K, B")
        }
        if unit.count > 1 {
            let cls = isbits ? "b" : "B"
            guard unit.last.map(String.init) == cls || unit.lowercased() == (isbits ? "bit" : "byte") || unit.count == 1 else {
                throw AnsibleError("human_to_bytes() failed to convert \(text). Value is not a valid string (expect \(unit.first!)\(cls) or \(unit.first!))")
            }
        }
        return PythonNumber.truncated((num * limit).rounded(.toNearestOrEven))
    }

    static let filters: [String: Filter] = [
        "log": { v, a, _ in
            let base = a.get(0, "base") ?? .float(M_E)
            guard let x = v.number, let b = base.number else { throw notNumber("log", v.number == nil ? v : base) }
            guard x > 0, b > 0, b != 1 else { throw AnsibleError(b == 1 ? "float division by zero" : "math domain error") }
            return .float(b == 10 ? Glibc.log10(x) : Glibc.log(x) / Glibc.log(b))
        },
        "pow": { v, a, _ in
            let exponent = a.get(0, "y") ?? .int(1)
            guard let x = v.number, let y = exponent.number else { throw notNumber("pow", v.number == nil ? v : exponent) }
            return .float(Glibc.pow(x, y))
        },
        "root": { v, a, _ in
            // math.sqrt/pow: numbers only, and none that would make a complex result.
            let base = a.get(0, "base") ?? .int(2)
            guard let x = v.number, let b = base.number else { throw notNumber("root", v.number == nil ? v : base) }
            let r = b == 2 ? Glibc.sqrt(x) : Glibc.pow(x, 1 / b)
            guard !r.isNaN else { throw AnsibleError("root() can only be used on numbers: math domain error") }
            return .float(r)
        },
        "human_readable": { v, a, _ in
            guard let size = v.number else {
                throw AnsibleError("human_readable() failed on bad input: '>=' not supported between instances of '\(v.typeName)' and 'int'")
            }
            let isbits = a.get(0, "isbits")?.truthy ?? false
            let unit = a.get(1, "unit")?.stringValue
            var chosen = sizes.last!
            for s in sizes where (unit == nil && size >= s.1) || (unit != nil && unit!.uppercased().first == s.0.first) {
                chosen = s
                break
            }
            let base = isbits ? "bits" : "Bytes"
            let suffix = chosen.1 != 1 ? chosen.0 + String(base.first!) : base
            let scaled = size / chosen.1
            return .string((scaled.isFinite ? ExactDecimal.fixed(scaled, places: 2) : Value.formatFloat(scaled)) + " " + suffix)
        },
        "human_to_bytes": { v, a, _ in
            // mathstuff's wrapper names the formatter's ValueError after its own words.
            do { return try humanToBytes(v.pythonStr, defaultUnit: a.get(0, "default_unit")?.stringValue, isbits: a.get(1, "isbits")?.truthy ?? false) } catch let e as AnsibleError {
                throw AnsibleError("human_to_bytes() can't interpret the input: \(e.message)")
            }
        },
    ]
}
