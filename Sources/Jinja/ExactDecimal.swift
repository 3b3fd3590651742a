// The exact decimal value of a double, for what Python rounds on it: round(2.675, 2) is 2.67 and
// '%.2f' % 2.675 is '2.67' because the double is 2.67499999999999982236431605997495353221893310546875.
// Scaling by a power of ten and rounding the product (which is itself rounded) gets such cases wrong.

public struct ExactDecimal {
    let negative: Bool
    /// Every digit of |x|, the integer part (at least one digit) then the fraction.
    private(set) var digits: [UInt8]
    /// How many of `digits` come before the point.
    private(set) var point: Int

    /// x must be finite. A double is m × 2^e: for e < 0 that is m × 5^-e / 10^-e, an integer
    /// with -e decimals, worked out in base 10^9 limbs (at most ~120 of them).
    init(_ x: Double) {
        negative = x.sign == .minus
        let m = x.significandBitPattern | (x.isNormal ? 1 << 52 : 0)
        let e = x.isNormal ? Int(x.exponent) - 52 : -1074
        var limbs: [UInt64] = m == 0 ? [0] : []
        var rest = m
        while rest > 0 { limbs.append(rest % 1_000_000_000); rest /= 1_000_000_000 }
        var k = abs(e)
        let (chunk, chunkPower): (UInt64, Int) = e < 0 ? (1_220_703_125, 13) : (1 << 29, 29)   // 5^13, 2^29
        while k > 0 {
            let n = min(k, chunkPower)
            let factor = n == chunkPower ? chunk : (e < 0 ? Self.power(5, n) : 1 << UInt64(n))
            var carry: UInt64 = 0
            for i in limbs.indices {
                let p = limbs[i] * factor + carry
                limbs[i] = p % 1_000_000_000
                carry = p / 1_000_000_000
            }
            while carry > 0 { limbs.append(carry % 1_000_000_000); carry /= 1_000_000_000 }
            k -= n
        }
        var text = String(limbs.last ?? 0)
        for limb in limbs.dropLast().reversed() {
            let s = String(limb)
            text += String(repeating: "0", count: 9 - s.count) + s
        }
        var ds = text.utf8.map { $0 - 48 }
        let decimals = max(0, -e)
        if ds.count <= decimals { ds.insert(contentsOf: repeatElement(0, count: decimals + 1 - ds.count), at: 0) }
        digits = ds
        point = ds.count - decimals
    }

    private static func power(_ b: UInt64, _ n: Int) -> UInt64 { (0..<n).reduce(1) { r, _ in r * b } }

    /// Rounded half to even at `places` after the point (before it when negative), as Python's
    /// correctly rounded float formatting does. Gives the integer and fraction digits.
    func rounded(places: Int) -> (integer: String, fraction: String) {
        var kept = digits, point = self.point
        let cut = point + places
        if cut >= kept.count {
            kept += repeatElement(0, count: cut - kept.count)
        } else if cut < 0 {
            kept = []   // below half of the last kept place: rounds to zero
        } else {
            let dropped = kept[cut...]
            kept.removeLast(kept.count - cut)
            let first = dropped.first!
            let beyond = dropped.dropFirst().contains { $0 != 0 }
            if first > 5 || (first == 5 && (beyond || (kept.last ?? 0) % 2 == 1)) {
                var i = kept.count - 1
                while i >= 0, kept[i] == 9 { kept[i] = 0; i -= 1 }
                if i >= 0 { kept[i] += 1 } else { kept.insert(1, at: 0); point += 1 }
            }
        }
        let text = { (ds: ArraySlice<UInt8>) in String(decoding: ds.map { $0 + 48 }, as: UTF8.self) }
        if places <= 0 {
            let integer = text(kept[...]) + String(repeating: "0", count: max(0, point - kept.count))
            let trimmed = integer.drop { $0 == "0" }
            return (trimmed.isEmpty ? "0" : String(trimmed), "")
        }
        let integer = text(kept[..<max(0, point)]).drop { $0 == "0" }
        return (integer.isEmpty ? "0" : String(integer), text(kept[max(0, point)...]))
    }

    /// The first `count` significant digits of |x|, rounded, and the decimal exponent of the
    /// first (as '%.{count-1}e' shows them; zero is all zeros at exponent 0).
    public static func significant(_ x: Double, count: Int) -> (digits: String, exponent: Int) {
        let d = ExactDecimal(x)
        guard let first = d.digits.firstIndex(where: { $0 != 0 }) else { return (String(repeating: "0", count: count), 0) }
        let (i, f) = d.rounded(places: count - 1 - (d.point - 1 - first))
        let all = i == "0" ? f : i + f
        let lead = all.prefix { $0 == "0" }.count
        let exponent = i == "0" ? -(lead + 1) : i.count - 1
        var digits = String(all.dropFirst(lead).prefix(count))
        digits += String(repeating: "0", count: count - digits.count)
        return (digits, exponent)
    }

    /// Python's round(x, places) of a finite float.
    public static func round(_ x: Double, places: Int) -> Double {
        let d = ExactDecimal(x)
        if places >= d.digits.count - d.point { return x }
        let (i, f) = d.rounded(places: places)
        let value = Double(i + (f.isEmpty ? "" : "." + f)) ?? 0
        return d.negative ? -value : value
    }

    /// '%.Nf' % x of a finite float: the sign kept even where the digits round to zero.
    public static func fixed(_ x: Double, places: Int) -> String {
        let (i, f) = ExactDecimal(x).rounded(places: places)
        return (x.sign == .minus ? "-" : "") + i + (places > 0 ? "." + f : "")
    }
}
