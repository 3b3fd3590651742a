// Python's ints have no bound: a value stays `.int` while it fits in 64 bits and is `.bigInt`
// past them, so `hash('md5') | int(base=16) % 60` and `2 ** 64` come out as in Python. The
// arithmetic below is taken only when an operand is big or a 64-bit result would overflow.
import BigInt

extension Value {
    /// The int `digits` spell in `radix` (2–36; an optional sign first, no underscores), of any size.
    public static func integer<S: StringProtocol>(_ digits: S, radix: Int = 10) -> Value? {
        if let n = Int(digits, radix: radix) { return .int(n) }
        var body = Substring(digits)
        let negative = body.first == "-"
        if negative || body.first == "+" { body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        var n = BigInt(0)
        for c in body {
            guard let d = c.hexDigitValue ?? c.base36Value, d < radix else { return nil }
            n = n * BigInt(radix) + BigInt(d)
        }
        return integer(negative ? -n : n)
    }

    /// A float's integral part as an int of any size (Python's int(float)); nil for inf and nan.
    public static func integer(truncating f: Double) -> Value? {
        guard f.isFinite else { return nil }
        if let i = Int(exactly: f.rounded(.towardZero)) { return .int(i) }
        return integer(BigInt(f.rounded(.towardZero)))
    }

    /// Python's float(int): correctly rounded (an int past a double's range is inf here, where
    /// Python raises OverflowError).
    static func double(_ n: BigInt) -> Double { Double(String(n)) ?? (n.sign == .minus ? -.infinity : .infinity) }

    /// `a op b` for two ints (bools count) of any size: + - * // % and ** with a non-negative
    /// exponent. nil when an operand is no int, or for a zero divisor (the caller words it).
    /// Throws `IntegerTooLarge` for a result too big to allocate (Python's MemoryError).
    public static func intArithmetic(_ op: String, _ a: Value, _ b: Value) throws -> Value? {
        guard let x = a.bigIntValue, let y = b.bigIntValue else { return nil }
        switch op {
        case "+": return integer(x + y)
        case "-": return integer(x - y)
        case "*": return integer(x * y)
        case "//", "%":
            guard !y.isZero else { return nil }
            var (q, r) = x.quotientAndRemainder(dividingBy: y)
            // Python floors: the remainder takes the divisor's sign.
            if !r.isZero, (r.sign == .minus) != (y.sign == .minus) {
                q -= 1
                r += y
            }
            return integer(op == "//" ? q : r)
        case "**":
            guard y.sign == .plus, let e = Int(exactly: y) else { return nil }
            if x.magnitude <= 1 { return integer(x.isZero && e > 0 ? 0 : x.sign == .minus && e & 1 == 1 ? -1 : 1) }
            let bits = x.magnitude.bitWidth.multipliedReportingOverflow(by: e)
            guard !bits.overflow, bits.partialValue <= 1 << 27 else { throw IntegerTooLarge() }
            return integer(x.power(e))
        default: return nil
        }
    }

    /// -x and abs(x) for an int of any size.
    public var negatedInt: Value? { bigIntValue.map { Value.integer(-$0) } }
    public var absInt: Value? { bigIntValue.map { Value.integer(BigInt(sign: .plus, magnitude: $0.magnitude)) } }
    /// int.bit_length(): the bits of the magnitude.
    public var intBitLength: Int? { bigIntValue.map { $0.magnitude.bitWidth } }   // BigUInt.bitWidth is the significant bits

    /// An int's sign and the digits of its magnitude in `radix` (2–36), lowercase.
    public func intDigits(radix: Int = 10) -> (negative: Bool, digits: String)? {
        switch self {
        case .int(let i): return (i < 0, String(i.magnitude, radix: radix))
        case .bool(let b): return (false, b ? "1" : "0")
        case .bigInt(let b): return (b.sign == .minus, String(b.magnitude, radix: radix))
        default: return nil
        }
    }

    /// The bytes of an int's magnitude, most significant first, without leading zeros.
    public var intMagnitudeBytes: [UInt8]? {
        guard var hex = intDigits(radix: 16)?.digits.utf8.map({ $0 }) else { return nil }
        if hex.count % 2 == 1 { hex.insert(UInt8(ascii: "0"), at: 0) }
        func nibble(_ c: UInt8) -> UInt8 { c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : c - UInt8(ascii: "a") + 10 }
        let bytes = stride(from: 0, to: hex.count, by: 2).map { nibble(hex[$0]) << 4 | nibble(hex[$0 + 1]) }
        return Array(bytes.drop { $0 == 0 })
    }

    /// Python's ordering of two ints of any size; nil when either is no int.
    /// Python's ordering of two numbers (bools count): exact between an int and a float, as
    /// float_richcompare is (`2**53 + 1 > 2.0**53`, `10**400 < inf`). -1, 0 or 1; nil when one is
    /// no number, or NaN (which nothing equals or orders against).
    public static func numericOrder(_ a: Value, _ b: Value) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x == y ? 0 : 1 }
        switch (a, b) {
        case (.float(let x), .float(let y)): return x.isNaN || y.isNaN ? nil : sign(x, y)
        case (.float, _): return numericOrder(b, a).map { -$0 }
        case (_, .float(let f)):
            guard let n = a.bigIntValue, !f.isNaN else { return nil }
            guard f.isFinite else { return f > 0 ? -1 : 1 }
            let whole = f.rounded(.down)
            let order = sign(n, BigInt(exactly: whole)!)
            return order == 0 && whole != f ? -1 : order   // n is floor(f), below f itself
        default:
            guard let x = a.bigIntValue, let y = b.bigIntValue else { return nil }
            return sign(x, y)
        }
    }
}

/// An int whose digits would not fit in memory (Python raises MemoryError).
public struct IntegerTooLarge: Error {}

extension Character {
    /// The value of a letter as a digit past 15 (base 36: g is 16, z is 35).
    fileprivate var base36Value: Int? {
        guard let a = asciiValue else { return nil }
        switch a {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(a - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(a - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
