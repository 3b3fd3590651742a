// Seconds a user gave (a delay, a pause, a timeout) as the nanoseconds Task.sleep and deadlines
// take. UInt64(x * 1e9) traps on a negative, NaN or huge x; a playbook's value must not.
public enum Seconds {
    /// Negative and NaN are 0; beyond ~285 years (and infinity) is capped there.
    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }
        return seconds >= 9e9 ? 9_000_000_000_000_000_000 : UInt64(seconds * 1e9)
    }
}
