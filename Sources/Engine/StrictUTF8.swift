// MODULE_STRICT_UTF8_RESPONSE: 2.19's JSON decoders (a module's result, `from_json`) refuse text
// Python cannot encode, a lone surrogate from bytes that were not UTF-8.
import Synchronization
import Values

enum StrictUTF8 {
    /// The setting, set once before anything runs (Settings.applyProcessWide).
    static let enabled = Atomic<Bool>(true)
    static let help = "This check can be disabled with the `MODULE_STRICT_UTF8_RESPONSE` setting."

    /// Why `document` is refused, when the check is on and it holds a lone surrogate.
    static func refusal(in document: Value) -> String? {
        guard enabled.load(ordering: .relaxed), let error = Surrogates.decodeError(in: document) else { return nil }
        return "Refusing to deserialize an invalid UTF8 string value: \(error)"
    }
}
