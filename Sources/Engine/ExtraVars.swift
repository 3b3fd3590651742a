// -e/--extra-vars: `k=v` pairs, inline YAML/JSON, or @file.
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
            } else {
                for word in item.split(separator: " ") {
                    guard let eq = word.firstIndex(of: "=") else {
                        throw AnsibleError("Invalid extra vars data supplied. '\(item)' could not be made into a dictionary")
                    }
                    var v = String(word[word.index(after: eq)...])
                    if v.count >= 2, let f = v.first, f == v.last, f == "'" || f == "\"" { v = String(v.dropFirst().dropLast()) }
                    d[.string(String(word[..<eq]))] = .string(v)
                }
            }
            for (k, v) in d { out[k] = v }
        }
        return out
    }
}
