// 2.19's experimental module serialization profiles (`_ANSIBLE_MODULE_METADATA`): a module whose
// METADATA names the `modern` profile gets dates and times as such, wrapped as 2.19's
// AnsibleSerializable types, and sends them back so; `legacy` (the default) has them as text.
import Values
import YAMLReader

enum ModuleProfiles {
    static let typeKey: Value = "__ansible_type"
    /// `_ANSIBLE_MODULE_METADATA` (`_MODULE_METADATA`, off by default): module METADATA is read.
    static let enabled = Files.environment("_ANSIBLE_MODULE_METADATA").map(Settings.truthy) ?? false

    /// The profile a module's METADATA (a top-level `METADATA = """yaml"""`) names, or nil.
    static func declared(_ source: String) -> String? {
        guard let start = source.range(of: "\nMETADATA = ") ?? (source.hasPrefix("METADATA = ") ? source.range(of: "METADATA = ") : nil)
        else { return nil }
        let rest = source[start.upperBound...]
        guard let quote = ["\"\"\"", "'''"].first(where: { rest.hasPrefix($0) }),
              let end = rest.dropFirst(3).range(of: quote) else { return nil }
        let text = String(rest.dropFirst(3)[..<end.lowerBound])
        guard let data = try? YAMLReader.loadValue(text, file: "METADATA"), data["schema_version"]?.intValue == 1 else { return nil }
        return data["serialization_profile"]?.stringValue
    }

    /// Arguments for a modern module: dates and times wrapped as AnsibleSerializable types.
    static func encode(_ v: Value) -> Value {
        switch v {
        case .date: return [typeKey.pythonStr: "AnsibleSerializableDate", "iso8601": .string(v.isoformat ?? "")]
        case .time: return [typeKey.pythonStr: "AnsibleSerializableTime", "iso8601": .string(v.isoformat ?? ""), "fold": 0]
        case .datetime, .zonedDatetime:
            return [typeKey.pythonStr: "AnsibleSerializableDateTime", "iso8601": .string(v.isoformat ?? ""), "fold": 0]
        case .list(let l): return .list(l.map(encode))
        case .dict(let d): return .dict(d.mapValues(encode))
        default: return v
        }
    }

    /// A modern module's result: its wrapped dates and times as values.
    static func decode(_ v: Value) -> Value {
        switch v {
        case .list(let l): return .list(l.map(decode))
        case .dict(let d):
            if let kind = d[typeKey]?.stringValue, let iso = d["iso8601"]?.stringValue, let value = parse(kind, iso) { return value }
            return .dict(d.mapValues(decode))
        default: return v
        }
    }

    /// fromisoformat of the three kinds, as isoformat() writes them.
    static func parse(_ kind: String, _ iso: String) -> Value? {
        switch kind {
        case "AnsibleSerializableDate": return Resolver.timestamp(iso)
        case "AnsibleSerializableTime":
            guard case .datetime(let t)? = Resolver.timestamp("1970-01-01T" + iso) else { return nil }
            return .time(t)
        case "AnsibleSerializableDateTime": return Resolver.timestamp(iso)
        default: return nil
        }
    }
}
