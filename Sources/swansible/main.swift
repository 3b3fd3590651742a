// `swansible PATTERN -m MODULE -a ARGS`: one task on the hosts of an inventory pattern.
import ArgumentParser
import CLI
import Engine
import Inventory
import Playbook
import Values

@main
struct Swansible: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swansible", abstract: "Define and run a single task 'playbook' against a set of hosts.")

    @Option(name: [.short, .customLong("inventory")], help: "Inventory source (repeatable).") var inventory: [String] = []
    @Option(name: [.short, .customLong("module-name")], help: "Name of the action to execute.") var module = "command"
    @Option(name: [.short, .customLong("args")], help: "The action's options, k=v or free form.") var args: String?
    @Option(name: [.short, .customLong("extra-vars")], help: "Set additional variables.") var extraVars: [String] = []
    @Option(name: [.short, .customLong("limit")], help: "Further limit selected hosts.") var limit: String?
    @Option(name: [.short, .customLong("forks")], help: "Number of parallel processes to use.") var forks: Int?
    @Flag(name: .short, help: "Verbose mode.") var verbose: Int
    @OptionGroup var vault: VaultOptions
    @Argument(help: "Host pattern") var pattern: String

    func run() async throws {
        let settings = Settings.load()
        try vault.load(settings)
        PlaybookRunner.announceConfig(settings, verbosity: verbose)
        guard let library = ModuleLibrary.locate(collectionsPaths: settings.collectionsPaths) else {
            Output.error("Unable to find an ansible-core installation: run `make setup` or set SWANSIBLE_ANSIBLE_PATH.")
            throw ExitCode(ExitCodes.error)
        }
        Inventory.controllerPython = library.python
        var options = RunOptions()
        options.limit = limit
        options.forks = forks
        options.verbosity = verbose
        do { options.extraVars = try ExtraVars.parse(extraVars) } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.badOption)
        }
        let yaml = """
            - hosts: "\(pattern)"
              gather_facts: false
              tasks:
                - name: adhoc
                  \(module): \(args.map { "'" + $0.replacingQuotes + "'" } ?? "{}")
            """
        let code: Int32
        do {
            let inv = try Inventory(sources: inventory.isEmpty ? settings.inventorySources.filter(Files.exists) : inventory)
            var loader = PlaybookLoader(rolesPath: settings.rolesPath)
            let book = try loader.loadText(yaml, path: Files.join(Files.cwd(), "<adhoc>"))
            // No host matched: Ansible's two warnings, and nothing else.
            if try PlaybookRunner.playHosts(book.plays[0], inv, limit: limit, extraVars: options.extraVars).isEmpty {
                if try inv.hosts(matching: pattern).isEmpty { Output.warning("Could not match supplied host pattern, ignoring: \(pattern)") }
                Output.warning("No hosts matched, nothing to do")
                return
            }
            if let task = book.plays.first?.tasks.first { options.adhoc = AdHocTask(action: module, args: task.args) }
            let runner = PlaybookRunner(settings: settings, library: library, inventory: inv, playbookDir: Files.cwd(), options: options)
            Interrupt.install()
            code = await runner.run(book)
            await Interrupt.settle()
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        if code != 0 { throw ExitCode(code) }
    }
}

extension String {
    var replacingQuotes: String { split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") }
}
