// Ansible's validate_variable_name, shared by what loads variables: playbooks' `vars:`,
// `register`, `set_fact`, and the inventory sources.
public enum VariableName {
    /// Jinja's keywords: names a template could never reach as variables.
    static let jinjaKeywords: Set<String> = ["True", "False", "None", "true", "false", "none", "not"]

    /// An ASCII Python identifier that is not a Jinja keyword.
    public static func isValid(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f.isASCII, f == "_" || f.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            && !jinjaKeywords.contains(s)
    }

    /// validate_variable_name's message: scalars named as text, every non-string with its type.
    public static func invalid(_ key: Value) -> String {
        var name = "name"
        switch key {
        case .string, .unsafe, .int, .float, .bool, .none: name += " " + Value.string(key.pythonStr).pythonRepr
        default: break
        }
        if key.stringValue == nil { name += " of type '\(key.typeName)'" }
        return "Invalid variable \(name)."
    }

    public static let help = "Variable names must be strings starting with a letter or underscore character, and contain only letters, numbers and underscores."
}
