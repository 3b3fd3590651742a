// -e/--extra-vars: `k=v` pairs, inline YAML/JSON, or @file.
import Playbook
import Values
import Vault
import YAMLReader

public enum ExtraVars {
    public static func parse(_ items: [String]) throws -> Dict {
        var out = Dict()
        for item in items {
            var d = Dict()
            if item.hasPrefix("@") {
                let path = String(item.dropFirst())
                d = try YAMLReader.loadValue(try Vault.shared.read(path), file: path).dictValue ?? Dict()
            } else if item.hasPrefix("{") || item.hasPrefix("[") {
                guard let v = try YAMLReader.loadValue(item, file: "<extra vars>").dictValue else {
                    throw AnsibleError("Invalid extra vars data supplied. '\(item)' could not be made into a dictionary")
                }
                d = v
            } else if item.hasPrefix("/") || item.hasPrefix(".") {
                throw AnsibleError("Please prepend extra_vars filename '\(item)' with '@'")
            } else if !item.isEmpty {
                d = try FreeForm.parse(item, action: "")   // parse_kv: quotes and {{ }} keep their spaces
            }
            for (k, v) in d { out[k] = v.legacyTagged }
        }
        return out
    }
}
