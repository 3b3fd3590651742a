// CPython's set, for the iteration order Ansible's union/intersect/difference return: they are
// `list(set(a) | set(b))`, so the order is the hash table's. Numbers hash deterministically and
// are placed as CPython places them; other values (whose hashes CPython randomises per run) fall
// back to first-seen order.
import Values

struct PySet {
    private var table: [Value?]
    private var dummy: [Bool]
    private(set) var used = 0
    private var fill = 0

    init() {
        table = Array(repeating: nil, count: 8)
        dummy = Array(repeating: false, count: 8)
    }

    init(_ items: [Value]) {
        self.init()
        for i in items { add(i) }
    }

    /// CPython's hash for ints, bools, integral floats and tuples of them; nil for values whose
    /// hash varies (or that have none).
    static func hash(_ v: Value) -> Int? {
        if case .tuple(let items, _) = v { return tupleHash(items) }
        let modulus = (1 << 61) - 1
        var n: Int
        switch v {
        case .int(let i) where i != .min: n = i
        case .bool(let b): n = b ? 1 : 0
        case .float(let f) where f == f.rounded() && abs(f) < 1e15: n = Int(f)
        case .int, .bigInt:
            // Past 64 bits (and Int.min, whose magnitude is): the same rule on the exact int.
            guard let r = (try? Value.intArithmetic("%", v.absInt!, .int(modulus)))?.intValue else { return nil }
            n = (v.number ?? 0) < 0 ? -r : r
            return n == -1 ? -2 : n
        default: return nil
        }
        let sign = n < 0 ? -1 : 1
        n = (abs(n) % modulus) * sign
        return n == -1 ? -2 : n
    }

    /// CPython's tuplehash (the xxHash rounds of Objects/tupleobject.c).
    private static func tupleHash(_ items: [Value]) -> Int? {
        let prime1: UInt = 11400714785074694791, prime2: UInt = 14029467366897019727, prime5: UInt = 2870177450012600261
        var acc = prime5
        for item in items {
            guard let lane = hash(item) else { return nil }
            acc = acc &+ UInt(bitPattern: lane) &* prime2
            acc = (acc << 31) | (acc >> 33)
            acc = acc &* prime1
        }
        acc = acc &+ (UInt(items.count) ^ (prime5 ^ 3527539))
        return acc == UInt.max ? 1546275796 : Int(bitPattern: acc)
    }

    static func hashable(_ values: [Value]) -> Bool { values.allSatisfy { hash($0) != nil } }

    var mask: Int { table.count - 1 }

    func slot(for v: Value, hash h: Int) -> (index: Int, found: Bool) {
        var perturb = UInt(bitPattern: h)
        var i = Int(UInt(bitPattern: h) & UInt(mask))
        var freeSlot: Int? = nil
        while true {
            // CPython probes up to 9 neighbours linearly before jumping.
            var j = i
            for step in 0...9 {
                if step > 0 { j = i + step; if j > mask { break } }
                if let e = table[j] {
                    if e == v { return (j, true) }
                } else if dummy[j] {
                    if freeSlot == nil { freeSlot = j }
                } else {
                    return (freeSlot ?? j, false)
                }
                if i + 9 > mask { break }
            }
            perturb >>= 5
            i = Int((UInt(i) &* 5 &+ 1 &+ perturb) & UInt(mask))
        }
    }

    mutating func add(_ v: Value) {
        guard let h = PySet.hash(v) else { return }
        let (j, found) = slot(for: v, hash: h)
        if found { return }
        if !dummy[j] { fill += 1 }
        table[j] = v
        dummy[j] = false
        used += 1
        if fill * 5 >= mask * 3 { resize(used > 50000 ? used * 2 : used * 4) }
    }

    func contains(_ v: Value) -> Bool {
        guard let h = PySet.hash(v) else { return false }
        return slot(for: v, hash: h).found
    }

    mutating func discard(_ v: Value) {
        guard let h = PySet.hash(v) else { return }
        let (j, found) = slot(for: v, hash: h)
        guard found else { return }
        table[j] = nil
        dummy[j] = true
        used -= 1
    }

    mutating func resize(_ minUsed: Int) {
        var size = 8
        while size <= minUsed { size <<= 1 }
        let old = elements
        table = Array(repeating: nil, count: size)
        dummy = Array(repeating: false, count: size)
        used = 0
        fill = 0
        for e in old {
            let (j, _) = slot(for: e, hash: PySet.hash(e)!)
            table[j] = e
            used += 1
            fill += 1
        }
    }

    var elements: [Value] { table.compactMap { $0 } }

    /// `set(a) | set(b)`: a copy of a (sized for both), then b's elements added in b's table order.
    static func union(_ a: [Value], _ b: [Value]) -> [Value] {
        let x = PySet(a), y = PySet(b)
        var r = PySet()
        r.merge(x)
        r.merge(y)
        return r.elements
    }

    /// CPython's set_merge: resize for the incoming size; an empty table of the other's size takes
    /// its slots as they are (when it has no dummies), else its elements are added in its order.
    mutating func merge(_ other: PySet) {
        if other.used == 0 { return }
        if (fill + other.used) * 5 >= mask * 3 { resize((used + other.used) * 2) }
        if fill == 0, mask == other.mask, other.fill == other.used {
            (table, dummy, used, fill) = (other.table, other.dummy, other.used, other.fill)
            return
        }
        for e in other.elements { add(e) }
    }

    static func intersection(_ a: [Value], _ b: [Value]) -> [Value] {
        var x = PySet(a), y = PySet(b)
        if y.used > x.used { swap(&x, &y) }
        var r = PySet()
        for e in y.elements where x.contains(e) { r.add(e) }
        return r.elements
    }

    static func difference(_ a: [Value], _ b: [Value]) -> [Value] {
        let x = PySet(a), y = PySet(b)
        var r = PySet()
        for e in x.elements where !y.contains(e) { r.add(e) }
        return r.elements
    }

    /// CPython copies the right-hand set and folds the left one into it.
    static func symmetricDifference(_ a: [Value], _ b: [Value]) -> [Value] {
        let x = PySet(a), y = PySet(b)
        var r = PySet()
        r.merge(y)
        for e in x.elements {
            if r.contains(e) { r.discard(e) } else { r.add(e) }
        }
        return r.elements
    }
}
