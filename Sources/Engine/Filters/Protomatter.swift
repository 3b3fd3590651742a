// ansible._protomatter: the filters and tests ansible-core 2.19 ships for looking at its data
// tags (its own integration targets use them). The only tag swansible's values carry is trust.
import Jinja
import Values

enum Protomatter {
    static let prefix = "ansible._protomatter."

    /// The tags of a value as 2.19 names them: a trusted string is TrustedAsTemplate.
    static func tagNames(_ v: Value) -> [String] {
        if case .string = v { return ["TrustedAsTemplate"] }
        return []
    }

    static let filters: [String: Filter] = [
        "tag_names": { v, _, _ in .list(tagNames(v).map(Value.string)) },
        "apply_trust": { v, _, _ in v.stringValue.map(Value.string) ?? v },
        "true_type": { v, _, _ in .string(v.typeName) },
        "unmask": { v, _, _ in v },
    ]

    static let tests: [String: Test] = [
        "tagged": { v, _, _ in !tagNames(v).isEmpty },
        "tagged_with": { v, a, _ in tagNames(v).contains(a.positional.first?.pythonStr ?? "") },
    ]

    static func register(_ env: inout Environment) {
        for (name, f) in filters { env.filters[prefix + name] = f }
        for (name, t) in tests { env.tests[prefix + name] = t }
    }
}
