// A playbook a user wrote wrong: the message and the file:line:column of the node at fault.
import Values

public struct PlaybookError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var location: SourceLocation?
    /// What caused it, each with its place and a hint (printed as "<<< caused by >>>" sections).
    public var causes: [(message: String, location: SourceLocation?, help: String?)] = []
    /// Found while loading playbook text (exit 4, as Ansible's parser errors), not while running.
    public var parse = false
    /// Ansible raises a plain AnsibleError for it while loading (exit 1, not a parser error's 4).
    public var generic = false
    /// A hint printed after the source lines.
    public var help: String?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String {
        guard let location else { return message }
        return "\(message)\nOrigin: \(location)"
    }
}
