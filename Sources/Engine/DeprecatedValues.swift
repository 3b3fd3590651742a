// 2.19's `deprecate_value`: a module may tag a value it returns Deprecated, and a template that
// uses the value then warns, at that template's place (DeprecatedAccessAuditContext). The agent
// sends such a value as `{"__swansible_deprecated": tag, "value": value}`; here it becomes a
// `.deprecated` value, which the variables keep and the template engine reports when used.
import Values

enum DeprecatedValues {
    static let wireKey: Value = "__swansible_deprecated"

    /// A module's result with its tagged values made such. `module`: the module's resolved name,
    /// the deprecator of a tag that names none.
    static func decode(_ v: Value, module: String) -> Value {
        switch v {
        case .list(let l): return .list(l.map { decode($0, module: module) })
        case .dict(let d):
            if d.count == 2, let tag = d[wireKey], let value = d["value"] {
                // 2.19 loses the tag of a list (its lazy list is made afresh): never reported.
                if case .list = value { return decode(value, module: module) }
                return .deprecated(decode(value, module: module), Deprecation(.dict(summary(tag, module: module))))
            }
            return .dict(d.mapValues { decode($0, module: module) })
        default: return v
        }
    }

    /// A Deprecated tag as a deprecation summary (msg, date or version, deprecator, help).
    static func summary(_ tag: Value, module: String) -> Dict {
        var deprecator = pluginInfo(tag["deprecator"] ?? .none)
        if deprecator["resolved_name"]?.stringValue == nil { deprecator = ["resolved_name": .string(module), "type": "module"] }
        let collection = deprecator["resolved_name"]?.stringValue.map { Value.string($0.split(separator: ".").prefix(2).joined(separator: ".")) }
        var d: Dict = ["collection_name": collection ?? .none, "deprecator": deprecator, "msg": .unsafe(tag["msg"]?.pythonStr ?? "")]
        if let date = tag["date"], !date.isNone { d["date"] = date } else { d["version"] = tag["version"] ?? .none }
        if let help = tag["help_text"]?.stringValue { d["_swansible_help"] = .unsafe(help) }
        return d
    }

    /// A PluginInfo as a module sends it: its resolved name and its type (the PluginType enum's value).
    static func pluginInfo(_ v: Value) -> Value {
        guard case .dict(var p) = v else { return v }
        p["__ansible_type"] = nil
        if let type = p["type"]?["value"] { p["type"] = type }
        return .dict(p)
    }

    /// A template used a tagged value: the deprecation, where the template was written (the
    /// innermost variable's), once per tag in one top-level template.
    @Sendable static func used(_ tag: Deprecation) {
        guard audit?.first(tag) ?? true else { return }
        Output.deprecation(tag.info.dictValue ?? [:], origin: Templar.usedAt)
    }

    /// The tags a top-level template used so far (2.19's DeprecatedAccessAuditContext).
    final class Audit: @unchecked Sendable {
        private var seen: Set<ObjectIdentifier> = []
        func first(_ tag: Deprecation) -> Bool { seen.insert(ObjectIdentifier(tag)).inserted }
    }
    @TaskLocal static var audit: Audit?

    /// Runs a top-level template (or one inside it) with its audit, once any value is tagged.
    static func audited<T>(_ body: () throws -> T) rethrows -> T {
        guard Deprecation.anyMade, audit == nil else { return try body() }
        return try $audit.withValue(Audit(), operation: body)
    }

    /// Each tag in `v`, used by a template the controller made (the loop's label): where that
    /// template has no place, 2.19 names it in the message and shows it under `<unknown>`.
    static func used(in v: Value, byTemplate template: String, at place: SourceLocation?) {
        switch v {
        case .deprecated(let inner, let tag):
            var d = tag.info.dictValue ?? [:]
            if place == nil { d["msg"] = .unsafe("While processing \(Value.string(template).pythonRepr): " + (d["msg"]?.pythonStr ?? "")) }
            Output.deprecation(d, origin: place ?? SourceLocation.unknown(showing: template))
            used(in: inner, byTemplate: template, at: place)
        case .list(let l), .tuple(let l, _): for x in l { used(in: x, byTemplate: template, at: place) }
        case .dict(let d): for x in d.values { used(in: x, byTemplate: template, at: place) }
        default: break
        }
    }
}
