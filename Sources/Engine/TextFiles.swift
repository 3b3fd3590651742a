// Text files a task reads (a template's source, the file and template lookups).
import Values
import Vault

enum TextFiles {
    /// DataLoader.get_text_file_contents: the file's text, decrypted when it is a vault; bytes
    /// that are not UTF-8 are escaped, with 2.19's deprecation, and written back as they were.
    static func read(_ path: String) throws -> String {
        let (text, escaped) = try Vault.shared.readText(path)
        if escaped { undecodable(path) }
        return text
    }

    /// DataLoader's deprecation for a file that is not UTF-8 (said for YAML files through Vault.escaped).
    static func undecodable(_ path: String) {
        Output.deprecation("File \(Value.string(path).pythonRepr) could not be decoded as 'utf-8'. Invalid content has been escaped.",
                           version: "2.23", origin: nil, help: "This file must be UTF-8 encoded.")
    }
}
