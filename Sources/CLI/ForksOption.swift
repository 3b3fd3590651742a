// -f/--forks of ansible and ansible-playbook, with the check Ansible's option parser makes.
import ArgumentParser
import Engine

public struct ForksOption: ParsableArguments {
    // Unconditional: argparse takes `-3` as a value (a negative number), not as an option.
    @Option(name: [.short, .customLong("forks")], parsing: .unconditional, help: "Number of parallel processes to use.")
    public var forks: Int?

    public init() {}

    /// The forks in effect, the configuration's (ANSIBLE_FORKS, `forks`) without -f: below 1
    /// is a command-line error (exit 2) either way, as Ansible's parser checks its default too.
    public func resolved(_ settings: Settings) throws -> Int {
        let n = forks ?? settings.forks
        if n < 1 { throw ValidationError("The number of processes (--forks) must be >= 1") }
        return n
    }
}
