// Where each `!vault` value was written, by its ciphertext: a value that does not decrypt is
// reported at its place when used, as 2.19 keeps an origin on the ciphertext it cannot open.
import Synchronization
import Values

public enum VaultOrigins {
    private static let places = Mutex<[String: SourceLocation]>([:])

    static func note(_ ciphertext: String, at location: SourceLocation) {
        places.withLock { if $0[ciphertext] == nil { $0[ciphertext] = location } }
    }

    public static func place(of ciphertext: String) -> SourceLocation? { places.withLock { $0[ciphertext] } }
}
