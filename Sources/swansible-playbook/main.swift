// `swansible-playbook`: ansible-playbook's command line over the Engine.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import CLI
import Engine
import Inventory
import Playbook
import Remote
import Values
import YAMLReader

@main
struct SwansiblePlaybook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swansible-playbook",
                                                    abstract: "Runs Ansible playbooks, executing the defined tasks on the targeted hosts.",
                                                    version: Version.text("swansible-playbook"))

    @Option(name: [.short, .customLong("inventory"), .customLong("inventory-file")], help: "Inventory source (repeatable).")
    var inventory: [String] = []
    @Option(name: [.short, .customLong("limit")], help: "Further limit selected hosts to an additional pattern.") var limit: String?
    @Option(name: [.short, .customLong("extra-vars")], help: "Set additional variables as key=value or YAML/JSON, or @file.")
    var extraVars: [String] = []
    @OptionGroup var forksOption: ForksOption
    @Flag(name: .short, help: "Verbose mode (-vvv for more).") var verbose: Int
    @Option(name: [.short, .customLong("tags")], help: "Only run plays and tasks tagged with these values.") var tags: [String] = []
    @Option(name: .customLong("skip-tags"), help: "Only run plays and tasks whose tags do not match these values.") var skipTags: [String] = []
    @Flag(name: [.customShort("C"), .customLong("check")], help: "Don't make any changes.") var check = false
    @Flag(name: [.customShort("D"), .customLong("diff")], help: "Show the differences in changed files.") var diff = false
    @Flag(name: .customLong("force-handlers"), help: "Run handlers even if a task fails.") var forceHandlers = false
    @Flag(name: .customLong("flush-cache"), help: "Clear the fact cache for every host in inventory.") var flushCache = false
    @Flag(name: .customLong("step"), help: "One-step-at-a-time: confirm each task before running.") var step = false
    @Option(name: .customLong("start-at-task"), help: "Start the playbook at the task matching this name.") var startAtTask: String?
    @Flag(name: .customLong("list-hosts"), help: "Outputs a list of matching hosts.") var listHosts = false
    @Flag(name: .customLong("list-tasks"), help: "List all tasks that would be executed.") var listTasks = false
    @Flag(name: .customLong("list-tags"), help: "List all available tags.") var listTags = false
    @Flag(name: .customLong("syntax-check"), help: "Perform a syntax check on the playbook.") var syntaxCheck = false
    @Option(name: .customLong("explain-connection"), help: "Print the connection stack for HOST and exit (nothing connects).")
    var explainConnection: String?
    @OptionGroup var connect: ConnectOptions
    @OptionGroup var vault: VaultOptions
    @Argument(help: "Playbook(s)") var playbooks: [String]

    static func main() async { await launch(valued: ["i", "l", "e", "t", "u", "c", "T", "f", "M"]) }

    func run() async throws {
        var settings = Settings.load()
        let verbose = self.verbose + settings.verbosity   // -v adds to DEFAULT_VERBOSITY
        Output.openLog(settings)
        try vault.load(settings)
        Version.announce("swansible-playbook", settings, verbosity: verbose)
        OpenFileLimit.raise()   // a connection per host for the whole run
        do { try settings.applyProcessWide() } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        var options = RunOptions()
        // `@file` limits are read (and refused) before anything runs, as the CLI's subset does.
        do { options.limit = try limit.map(PlaybookRunner.expandLimit) } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        options.forks = try forksOption.resolved(settings)
        options.verbosity = verbose
        options.tags = tags.flatMap { $0.split(separator: ",").map(String.init) }
        options.skipTags = skipTags.flatMap { $0.split(separator: ",").map(String.init) }
        options.check = check
        options.forceHandlers = forceHandlers
        options.diff = diff
        options.startAtTask = startAtTask
        options.step = step
        do {
            options.extraVars = try ExtraVars.parse(extraVars)
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExtraVars.exitCode(error))
        }
        connect.apply(to: &settings)
        for p in playbooks {
            let problem = !Files.exists(p) ? "could not be found" : Files.isRegularFile(p) || Files.isFIFO(p) ? nil : "does not appear to be a file"
            if let problem {
                Output.error("the playbook: \(p) \(problem)")
                throw ExitCode(ExitCodes.error)
            }
        }
        // Passwords are asked for before the inventory is read, and not for what only lists.
        if !(listHosts || listTasks || listTags || syntaxCheck || explainConnection != nil) { connect.askPassword(into: &settings) }
        guard let library = ModuleLibrary.locate(collectionsPaths: settings.collectionsPaths) else {
            Output.error("Unable to find an ansible-core installation for the module library: run `make setup`, or set SWANSIBLE_ANSIBLE_PATH to the directory of the `ansible` package.")
            throw ExitCode(ExitCodes.error)
        }
        Inventory.controllerPython = library.playbookPython
        PythonPlugins.shared.configure(library: library)
        do { try SSHAgent.launch(settings, verbosity: verbose) } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        // Each playbook's dir joins the plugin search before the inventory is read (its
        // inventory_plugins/ and adjacent collections too), as add_all_plugin_dirs and the
        // collections' playbook_paths are set before _play_prereqs.
        for p in playbooks {
            PythonPlugins.shared.addBase(Files.dirname(Files.absolute(p)))
            library.addPlaybookDir(Files.dirname(Files.absolute(p)))
        }
        VarsPlugins.configure(settings, dirs: playbooks.map { Files.dirname(Files.absolute($0)) })
        Inventory.pluginCache = !flushCache
        let inv: Inventory
        do {
            let sources = settings.inventorySources(given: inventory)
            inv = try Inventory.forRun(sources, settings: settings, verbosity: verbose, extraVars: options.extraVars)
            // get_host_list: an inventory without hosts is warned about; one whose hosts the
            // --limit leaves none of stops the run.
            let empty = inv.hostNames.isEmpty
            if empty, settings.localhostWarning { Output.warning("provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'") }
            if try PlaybookRunner.hosts(matching: "all", inv, limit: options.limit).isEmpty, !empty {
                throw AnsibleError("Specified inventory, host pattern and/or --limit leaves us with no hosts to target.")
            }
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        if flushCache { FactCache(settings).flush(inv) }
        var books: [PlaybookFile] = []
        for p in playbooks {
            var loader = PlaybookLoader(settings: settings, library: library, extraVars: options.extraVars)
            do {
                // What the loader warned about is said before an error that stops it.
                let loaded = Result { try loader.load(p) }
                for w in loader.warnings { Output.warning(Origin.report(w.message, w.location, help: w.help)) }
                let book = try loaded.get()
                for d in loader.deprecations { Output.deprecation(d.message, version: d.version, origin: d.location, help: d.help) }
                try Origin.validateActions(book, library: library, playbookDir: book.baseDir, settings: settings)
                books.append(book)
            } catch let e as YAMLError {
                Output.error(Origin.report(e))
                throw ExitCode(ExitCodes.parserError)
            } catch let e as PlaybookError {
                Output.error(Origin.report(e))
                throw ExitCode(e.generic ? ExitCodes.error : ExitCodes.parserError)
            } catch {
                Output.error("\(error)")
                throw ExitCode(ExitCodes.error)
            }
        }
        if syntaxCheck || listHosts || listTasks || listTags {
            for b in books {
                let runner = PlaybookRunner(settings: settings, library: library, inventory: inv, playbookDir: b.baseDir, options: options)
                do { try runner.validatePlays(b) } catch { throw ExitCode(PlaybookRunner.report(error)) }
            }
        }
        if let host = explainConnection {
            for b in books {
                let runner = PlaybookRunner(settings: settings, library: library, inventory: inv, playbookDir: b.baseDir, options: options)
                do { Output.write(try runner.explainConnection(host, book: b).json(.init(indent: 4)) + "\n") } catch {
                    Output.error("\(error)")
                    throw ExitCode(ExitCodes.error)
                }
            }
            return
        }
        if syntaxCheck {
            for b in books { Output.write("\nplaybook: \(b.given.isEmpty ? b.path : b.given)\n") }
            return
        }
        if listHosts || listTasks || listTags {
            for b in books {
                do { try Listing.print(b, inventory: inv, options: options, hosts: listHosts, tasks: listTasks, tags: listTags) } catch {
                    Output.error("\(error)")
                    throw ExitCode(ExitCodes.error)
                }
            }
            return
        }
        Interrupt.install()
        var code = ExitCodes.success
        for b in books {
            let runner = PlaybookRunner(settings: settings, library: library, inventory: inv, playbookDir: b.baseDir, options: options)
            code = await runner.run(b)
            if code != ExitCodes.success { break }
        }
        await Interrupt.settle()
        if code != 0 { throw ExitCode(code) }
    }
}
