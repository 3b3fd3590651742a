// A playbook a user wrote wrong: the message and the file:line:column of the node at fault.
import Values

public struct PlaybookError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String {
        guard let location else { return message }
        return "\(message)\nOrigin: \(location)"
    }
}
