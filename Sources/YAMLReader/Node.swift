// A parsed YAML node that remembers where it was written, so later layers can name file:line:column.
import Values

public struct Node: Sendable {
    public indirect enum Kind: Sendable {
        case scalar(Value)
        case sequence([Node])
        case mapping([Pair])
    }

    public struct Pair: Sendable {
        public var key: Node
        public var value: Node
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The plain data, without locations.
    public var value: Value {
        switch kind {
        case .scalar(let v): return v
        case .sequence(let items): return .list(items.map(\.value))
        case .mapping(let pairs):
            var d = Dict(minimumCapacity: pairs.count)
            for p in pairs { d[p.key.value] = p.value.value }
            return .dict(d)
        }
    }

    public var pairs: [Pair]? { if case .mapping(let p) = kind { return p }; return nil }
    public var items: [Node]? { if case .sequence(let i) = kind { return i }; return nil }
    public var scalar: Value? { if case .scalar(let v) = kind { return v }; return nil }

    /// The value node of a string key in a mapping.
    public subscript(key: String) -> Node? {
        pairs?.first { $0.key.scalar?.stringValue == key }?.value
    }
}
