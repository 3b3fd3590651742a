// DataLoader's deprecation for a text file that is not UTF-8 (Vault.readText tells it).
import Values

enum TextFiles {
    static func undecodable(_ path: String) {
        Output.deprecation("File \(Value.string(path).pythonRepr) could not be decoded as 'utf-8'. Invalid content has been escaped.",
                           version: "2.23", origin: nil, help: "This file must be UTF-8 encoded.")
    }
}
