// How variables from two levels combine (combine_vars): the higher replaces the lower, or with
// hash_behaviour=merge, dicts merge key by key, all the way down (merge_hash, lists replaced).
import Synchronization

public enum Combine {
    /// DEFAULT_HASH_BEHAVIOUR is `merge`: set once from the configuration before anything runs.
    public static let mergeHashes = Atomic<Bool>(false)

    /// `value` laid over `old`, the lower level's value for the same name.
    public static func over(_ old: Value?, _ value: Value) -> Value {
        guard mergeHashes.load(ordering: .relaxed), case .dict(var base)? = old, case .dict(let top) = value else { return value }
        for (k, v) in top { base[k] = over(base[k], v) }
        return .dict(base)
    }
}
