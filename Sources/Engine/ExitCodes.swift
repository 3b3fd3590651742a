// Ansible's exit codes (ansible/errors ExitCode), in one place next to the CLIs.
public enum ExitCodes {
    public static let success: Int32 = 0
    public static let error: Int32 = 1
    public static let hostFailed: Int32 = 2
    public static let hostUnreachable: Int32 = 4
    /// Ansible uses 4 for parser errors too.
    public static let parserError: Int32 = 4
    public static let badOption: Int32 = 5
    /// argparse's exit for a command line it cannot parse (an unknown option, a missing argument).
    public static let usage: Int32 = 2
    public static let keyboardInterrupt: Int32 = 99
    public static let unknown: Int32 = 250
}

/// What ansible-playbook meets as a Python exception it does not handle (a `serial` size that
/// int() refuses): its "Unexpected Exception" line and exit code 250, without the traceback.
struct UnexpectedException: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// AnsibleOptionsError: a setting or keyword with a value Ansible has no use for (`order:`),
/// said without a place, exit code 5.
struct OptionsError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
