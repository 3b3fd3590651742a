// `--version`: swansible's own version, then what Ansible's --version lists, for the ansible-core
// installation whose modules this run would use.
import Engine
import Values

public enum Version {
    public static let swansible = "0.5.0"

    /// The text `--version` prints (ArgumentParser prints it before any other validation). The
    /// configuration that holds it is built on every run: the installation is only looked up
    /// when `--version` was asked for.
    public static func text(_ command: String) -> String {
        guard CommandLine.arguments.dropFirst().contains("--version") else { return "\(command) \(swansible)" }
        return details(command, Settings.load())
    }

    /// What a command says first at -vv (as Ansible's CLI does), then the config file at -v.
    public static func announce(_ command: String, _ settings: Settings, verbosity: Int) {
        Output.setVerbosity(verbosity, settings)
        if verbosity > 1 || Output.logVerbosity > 1 { Output.verbose(details(command, settings), caplevel: 1) }
        PlaybookRunner.announceConfig(settings)
    }

    static func details(_ command: String, _ settings: Settings) -> String {
        var lines = ["\(command) \(swansible)"]
        guard let library = ModuleLibrary.locate(collectionsPaths: settings.collectionsPaths) else {
            return (lines + ["  ansible-core = not found (run `make setup`, or set SWANSIBLE_ANSIBLE_PATH)"]).joined(separator: "\n")
        }
        lines[0] += " [core \(library.version)]"
        let search = settings.libraryPath.isEmpty ? ["~/.ansible/plugins/modules", "/usr/share/ansible/plugins/modules"] : settings.libraryPath
        lines += [
            "  config file = \(settings.configFile ?? "None")",
            "  configured module search path = [\(search.map { "'\(Files.expandUser($0))'" }.joined(separator: ", "))]",
            "  ansible python module location = \(library.ansibleDir)",
            "  ansible collection location = \(settings.collectionsPaths.map(Files.expandUser).joined(separator: ":"))",
            "  executable location = \(CommandLine.arguments.first ?? command)",
            "  python of the module library = \(library.python)",
        ]
        return lines.joined(separator: "\n")
    }
}
