// The settings ansible-core defines (its config/base.yml), checked as its ConfigManager checks
// them when any command starts: a value set in the environment or ansible.cfg that does not
// convert to the setting's type, or is not one of its choices, stops the command (exit 5),
// naming the setting and where the value came from. Read from the installation in use, so the
// settings and their types are that line's own.
import Values
import YAMLReader

public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

extension Settings {
    /// Every setting of `definitions` (base.yml's text) that the environment or the config file
    /// sets, in the file's order; throws for the first bad one, as constants.py's loop does.
    public func checkValues(definitions text: String, file: String) throws {
        guard case .dict(let defs) = try YAMLReader.loadValue(text, file: file) else { return }
        for (name, def) in defs {
            guard let name = name.stringValue, let setting = def.dictValue.map(Value.dict),
                  let (value, origin, fromINI) = configured(setting) else { continue }
            let type = setting["type"]?.stringValue?.lowercased()
            guard let converted = Settings.convert(value, type: type, fromINI: fromINI) else {
                if origin.hasPrefix("env:"), value.isEmpty { continue }   // an empty variable means the default
                let repr = { (s: String) in Value.string(s).pythonRepr }
                throw ConfigError(description: "Config '\(name)' from \(repr(origin)) has an invalid value: "
                                  + "Invalid value provided for \(repr(type ?? "")): \(repr(value))")
            }
            guard let choices = setting["choices"], choices != .none else { continue }
            let allowed: [String] = choices.dictValue.map { $0.keys.map(\.pythonStr) }
                ?? choices.listValue.map { $0.map(\.pythonStr) } ?? [choices.pythonStr]
            let valid: Bool
            switch converted {
            case .list(let items): valid = items.allSatisfy { allowed.contains($0.pythonStr) }
            default: valid = allowed.contains(converted.pythonStr)
            }
            if !valid {
                throw ConfigError(description: "Invalid value \(converted.pythonRepr) for config '\(name)'. Valid values are: "
                                  + allowed.joined(separator: ", "))
            }
        }
    }

    /// The value a definition gets from outside its default: the last of its environment
    /// variables that is set, else the last of its ini keys (`_loop_entries` keeps the last).
    private func configured(_ def: Value) -> (String, String, Bool)? {
        var found: (String, String, Bool)?
        for entry in def["env"]?.listValue ?? [] {
            if let env = entry["name"]?.stringValue, let v = overrides[env] ?? Files.environment(env) { found = (v, "env: \(env)", false) }
        }
        if found != nil { return found }
        guard let file = configFile else { return nil }
        for entry in def["ini"]?.listValue ?? [] {
            if let key = entry["key"]?.stringValue, let v = ini[entry["section"]?.stringValue ?? "defaults"]?[key] { found = (v, file, true) }
        }
        return found
    }

    /// ensure_type for a string: nil when it does not convert. An ini value is unquoted after
    /// conversion, so `forks = "3"` is not an integer.
    static func convert(_ value: String, type: String?, fromINI: Bool) -> Value? {
        switch type {
        case "integer", "int": return integer(value).map(Value.int)
        case "float": return float(value).map(Value.float)
        case "list":
            return .list(value.split(separator: ",", omittingEmptySubsequences: false).map { .string(unquote($0.strip())) })
        case "dictionary", "dict": return nil
        case "none": return value == "None" ? Value.none : nil
        case "boolean", "bool": return .bool(truthy(value))
        default: return .string(fromINI ? unquote(value) : value)
        }
    }

    /// Python's int(Decimal(s)) when the two are equal: digits with an optional fraction and
    /// exponent, surrounding whitespace ignored ("3.0" and "1e3" are integers); Decimal drops
    /// every `_` first.
    public static func integer(_ s: String) -> Int? {
        guard let d = number(s.filter { $0 != "_" }), d == d.rounded(.towardZero), abs(d) < 9.2e18 else { return nil }
        return Int(d)
    }

    /// Python's float(s): a decimal number (`_` only between digits), or inf/infinity/nan.
    static func float(_ s: String) -> Double? {
        let t = s.strip()
        let word = t.lowercased().drop { $0 == "+" || $0 == "-" }
        if t.count - word.count <= 1, ["inf", "infinity", "nan"].contains(String(word)) { return Double(t) }
        let c = Array(t)
        for i in c.indices where c[i] == "_" {
            guard i > 0, i < c.count - 1, c[i - 1].isNumber, c[i + 1].isNumber else { return nil }
        }
        return number(t.filter { $0 != "_" })
    }

    private static func number(_ s: String) -> Double? {
        let t = s.strip()
        guard t.wholeMatch(of: /[+-]?\d*(\.\d*)?([eE][+-]?\d+)?/) != nil,
              t.prefix(while: { $0 != "e" && $0 != "E" }).contains(where: \.isNumber) else { return nil }
        return Double(t)
    }

    /// ansible's unquote: one pair of matching quotes around the whole value removed.
    static func unquote(_ s: String) -> String {
        guard s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f else { return s }
        return String(s.dropFirst().dropLast())
    }
}
