// -f/--forks of ansible and ansible-playbook, with the check Ansible's option parser makes.
import ArgumentParser

public struct ForksOption: ParsableArguments {
    // Unconditional: argparse takes `-3` as a value (a negative number), not as an option.
    @Option(name: [.short, .customLong("forks")], parsing: .unconditional, help: "Number of parallel processes to use.")
    public var forks: Int?

    public init() {}

    public func validate() throws {
        if let forks, forks < 1 { throw ValidationError("The number of processes (--forks) must be >= 1") }
    }
}
