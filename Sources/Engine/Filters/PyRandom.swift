// Python's random.Random: MT19937 seeded as CPython seeds it, with its randrange, choice and
// shuffle. `59 | random(seed=inventory_hostname)` spreads cron jobs; the same seed must give the
// same number as under ansible-playbook, or a switch of tools moves every job.
import Crypto
import Jinja
import Values

struct PyRandom {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// random.seed(a) (version 2): a str or bytes seed is its UTF-8 bytes followed by their
    /// SHA-512, read as one big-endian integer; an int its absolute value.
    init(seed: Value) throws {
        var magnitude: [UInt8]   // big-endian
        switch seed {
        case .int, .bigInt: magnitude = seed.intMagnitudeBytes!
        case .bool(let b): magnitude = [b ? 1 : 0]
        case .float(let f):
            let h = PyRandom.hash(f).magnitude
            magnitude = (0..<8).reversed().map { UInt8(truncatingIfNeeded: h >> (8 * UInt64($0))) }
        case .string(let s), .unsafe(let s):
            let bytes = Array(s.utf8)
            magnitude = bytes + Array(SHA512.hash(data: bytes))
        default:
            throw AnsibleError("The only supported seed types are: None, int, float, str, bytes, and bytearray.")
        }
        // CPython's init_by_array takes the number's 32-bit words, least significant first.
        let little = Array(magnitude.reversed())
        var key: [UInt32] = stride(from: 0, to: little.count, by: 4).map { i in
            (0..<4).reduce(UInt32(0)) { acc, j in i + j < little.count ? acc | UInt32(little[i + j]) << (8 * UInt32(j)) : acc }
        }
        while key.count > 1, key.last == 0 { key.removeLast() }
        initByArray(key.isEmpty ? [0] : key)
    }

    /// Python's hash() of a float (what random.seed uses for one): modulo the Mersenne prime 2**61 - 1.
    static func hash(_ x: Double) -> Int {
        guard x.isFinite else { return x.isNaN ? 0 : x > 0 ? 314_159 : -314_159 }
        let modulus: UInt64 = (1 << 61) - 1
        var m = abs(x).significand / 2, e = Int(abs(x).exponent) + 1   // frexp: m in [0.5, 1)
        if x == 0 { return 0 }
        var h: UInt64 = 0
        while m != 0 {
            h = ((h << 28) & modulus) | h >> (61 - 28)
            m *= 268_435_456.0
            e -= 28
            let y = UInt64(m)
            m -= Double(y)
            h += y
            if h >= modulus { h -= modulus }
        }
        let shift = UInt64(e >= 0 ? e % 61 : 61 - 1 - ((-1 - e) % 61))
        h = ((h << shift) & modulus) | h >> (61 - shift)
        var r = Int(h) * (x < 0 ? -1 : 1)
        if r == -1 { r = -2 }
        return r
    }

    private mutating func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 { mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i) }
        index = 624
    }

    private mutating func initByArray(_ key: [UInt32]) {
        initGenrand(19_650_218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
        }
        mt[0] = 0x8000_0000
    }

    private mutating func next32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % 624] & 0x7fff_ffff)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_b0df)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// getrandbits(k) for k up to 64: 32-bit words, least significant first, the last one cut.
    private mutating func bits(_ k: Int) -> UInt64 {
        if k <= 32 { return UInt64(next32() >> (32 - UInt32(k))) }
        let low = UInt64(next32())
        return low | UInt64(next32() >> (64 - UInt32(k))) << 32
    }

    /// _randbelow: k random bits until the number is below n.
    mutating func below(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        let k = Int.bitWidth - n.leadingZeroBitCount
        while true {
            let r = bits(k)
            if r < UInt64(n) { return Int(r) }
        }
    }

    /// randrange(start, stop, step).
    mutating func randrange(_ start: Int, _ stop: Int, _ step: Int) throws -> Int {
        let width = stop - start
        if step == 1 {
            guard width > 0 else { throw AnsibleError("empty range in randrange(\(start), \(stop))") }
            return start + below(width)
        }
        guard step != 0 else { throw AnsibleError("zero step for randrange()") }
        let n = step > 0 ? (width + step - 1) / step : (width + step + 1) / step
        guard n > 0 else { throw AnsibleError("empty range in randrange(\(start), \(stop), \(step))") }
        return start + step * below(n)
    }

    /// shuffle: Fisher-Yates from the end.
    mutating func shuffle(_ items: inout [Value]) {
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, below(i + 1)) }
    }
}
