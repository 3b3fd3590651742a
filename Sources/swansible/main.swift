// `swansible PATTERN -m MODULE -a ARGS`: one task on the hosts of an inventory pattern.
import ArgumentParser
import CLI
import Engine
import Inventory
import Playbook
import Remote
import Values

@main
struct Swansible: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swansible", abstract: "Define and run a single task 'playbook' against a set of hosts.",
                                                    version: Version.text("swansible"))

    static func main() async { await launch(valued: ["i", "m", "a", "e", "l", "t", "u", "c", "T", "f", "M", "B", "P"]) }

    @Option(name: [.short, .customLong("inventory")], help: "Inventory source (repeatable).") var inventory: [String] = []
    @Option(name: [.short, .customLong("module-name")], help: "Name of the action to execute (default: command, or module_name).")
    var module: String?
    @Option(name: [.short, .customLong("args")], help: "The action's options, k=v or free form.") var args: String?
    @Option(name: [.short, .customLong("extra-vars")], help: "Set additional variables.") var extraVars: [String] = []
    @Option(name: [.short, .customLong("limit")], help: "Further limit selected hosts.") var limit: String?
    @OptionGroup var forksOption: ForksOption
    @Flag(name: .short, help: "Verbose mode.") var verbose: Int
    @Flag(name: [.customShort("C"), .customLong("check")], help: "Don't make any changes.") var check = false
    @Flag(name: [.customShort("D"), .customLong("diff")], help: "Show the differences in changed files.") var diff = false
    @Option(name: .customLong("playbook-dir"), help: "The directory standing in for a playbook's (its *_plugins/, files/…).")
    var playbookDir: String?
    @Option(name: [.customShort("B"), .customLong("background")], help: "Run asynchronously, failing after this many seconds.")
    var background: Int = 0
    @Option(name: [.customShort("P"), .customLong("poll")], help: "Poll interval in seconds with -B (0: fire and forget).")
    var poll: Int?
    @Flag(name: .customLong("flush-cache"), help: "Clear the fact cache for every host in inventory.") var flushCache = false
    @Flag(name: .customLong("list-hosts"), help: "Outputs a list of matching hosts; does not execute anything else.") var listHosts = false
    @Option(name: .customLong("task-timeout"), help: "Time limit for the task in seconds (0: none; default: TASK_TIMEOUT).") var taskTimeout: Int?
    @Option(name: [.short, .customLong("tree")], help: "Log output to this directory (deprecated in Ansible 2.19).") var tree: String?
    @Flag(name: [.short, .customLong("one-line")], help: "Condense output (deprecated in Ansible 2.19).") var oneLine = false
    @OptionGroup var connect: ConnectOptions
    @OptionGroup var vault: VaultOptions
    @Argument(help: "Host pattern") var pattern: String

    /// `-a`: a JSON object is the module's arguments as they stand (as ansible's _play_ds takes
    /// it); anything else is `k=v` text, split as a task's free-form arguments are.
    static func argsYAML(_ args: String) -> String {
        let trimmed = String(args.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        if trimmed.hasPrefix("{"), trimmed.hasSuffix("}"), case .dict(let d)? = try? Value.parseJSON(trimmed) {
            return Value.dict(d).json()
        }
        return "'" + args.replacingQuotes + "'"
    }

    func run() async throws {
        var settings = Settings.load()
        let verbose = self.verbose + settings.verbosity   // -v adds to DEFAULT_VERBOSITY
        let module = self.module ?? settings.moduleName
        let poll = self.poll ?? settings.pollInterval
        Output.openLog(settings)
        connect.apply(to: &settings)
        try vault.load(settings)
        Version.announce("swansible", settings, verbosity: verbose)
        OpenFileLimit.raise()   // a connection per host for the whole run
        do { try settings.applyProcessWide() } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        // bin_ansible_callbacks: with it, ad-hoc runs use the configured stdout callback.
        var oneLine = self.oneLine
        if settings.value(env: "ANSIBLE_LOAD_CALLBACK_PLUGINS", key: "bin_ansible_callbacks").map(Settings.truthy) == true,
           settings.value(env: "ANSIBLE_STDOUT_CALLBACK", key: "stdout_callback") == "oneline" {
            oneLine = true
        }
        if self.oneLine {
            Output.deprecation("The '-o' argument is deprecated.", version: "2.23", origin: nil,
                               help: "Use callback configuration to enable the oneline callback instead.")
        }
        if tree != nil {
            Output.deprecation("The '-t' argument is deprecated.", version: "2.23", origin: nil,
                               help: "Use callback configuration to enable the tree callback instead.")
        }
        guard let library = ModuleLibrary.locate(collectionsPaths: settings.collectionsPaths) else {
            Output.error("Unable to find an ansible-core installation: run `make setup` or set SWANSIBLE_ANSIBLE_PATH.")
            throw ExitCode(ExitCodes.error)
        }
        Inventory.controllerPython = library.playbookPython
        PythonPlugins.shared.configure(library: library)
        var options = RunOptions()
        options.limit = limit
        options.forks = try forksOption.resolved(settings)
        options.verbosity = verbose
        options.check = check
        options.diff = diff
        let configuredDir = playbookDir ?? settings.value(env: "ANSIBLE_PLAYBOOK_DIR", key: "playbook_dir")
        let baseDir = configuredDir.map(Files.absolute) ?? Files.cwd()
        if configuredDir != nil {
            // add_all_plugin_dirs: a playbook dir that is not there still names playbook_dir.
            if !Files.isDirectory(baseDir) {
                Output.warning("Ignoring invalid path provided to plugin path: '\(baseDir)' is not a directory")
            }
            PythonPlugins.shared.addBase(baseDir)
            library.addPlaybookDir(baseDir)   // its collections/ (ansible_collections) too
        }
        do { options.extraVars = try ExtraVars.parse(extraVars) } catch {
            Output.error("\(error)")
            throw ExitCode(ExtraVars.exitCode(error))
        }
        let timeout = taskTimeout ?? settings.taskTimeout
        let yaml = """
            - hosts: '\(pattern.replacingQuotes)'
              gather_facts: false
              tasks:
                - name: adhoc
                  '\(module.replacingQuotes)': \(args.map(Self.argsYAML) ?? "{}")
            """ + (background > 0 ? "\n      async: \(background)\n      poll: \(poll)" : "") + (timeout > 0 ? "\n      timeout: \(timeout)" : "")
        let code: Int32
        connect.askPassword(into: &settings)   // before the inventory is read, as Ansible asks
        do { try SSHAgent.launch(settings, verbosity: verbose) } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        do {
            let sources = settings.inventorySources(given: inventory)
            VarsPlugins.configure(settings, dirs: configuredDir != nil ? [baseDir] : [])
            Inventory.pluginCache = !flushCache
            let inv = try Inventory.forRun(sources, settings: settings, verbosity: verbose, extraVars: options.extraVars)
            if flushCache { FactCache(settings).flush(inv) }
            var loader = PlaybookLoader(settings: settings, library: library, extraVars: options.extraVars)
            let book = try loader.loadText(yaml, path: Files.join(baseDir, "<adhoc>"))   // the play's dir is the playbook dir
            // No host matched: Ansible's warnings (get_host_list), and nothing else.
            let emptyInventory = inv.hostNames.isEmpty
            if emptyInventory, !Inventory.localhostNames.contains(pattern) {
                if settings.localhostWarning { Output.warning("provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'") }
            }
            // Ansible matches the pattern as written (each term warning when it matches nothing)
            // before the play renders it.
            // get_host_list: nothing matched (or HOST_PATTERN_MISMATCH=error) is an error with
            // --limit, else a warning and the run goes on.
            do {
                if try PlaybookRunner.hosts(matching: pattern, inv, limit: limit).isEmpty, !emptyInventory {
                    throw AnsibleError("Specified inventory, host pattern and/or --limit leaves us with no hosts to target.")
                }
            } catch let e as AnsibleError {
                if limit != nil { throw e }
                Output.warning("No hosts matched, nothing to do")
            }
            let hosts = try PlaybookRunner.playHosts(book.plays[0], inv, limit: limit, extraVars: options.extraVars)
            if listHosts {
                Output.line("  hosts (\(hosts.count)):")
                for h in hosts { Output.line("    \(h)") }
                return
            }
            if hosts.isEmpty { return }
            if let task = book.plays.first?.tasks.first {
                options.adhoc = AdHocTask(action: module, args: task.args, async: background, poll: poll)
                options.adhoc?.timeout = timeout
                options.adhoc?.oneLine = oneLine
                options.adhoc?.tree = tree.map(Files.expandUser)
            }
            if oneLine { Output.deprecation("The oneline callback plugin is deprecated.", version: "2.23", origin: nil) }
            if tree != nil { Output.deprecation("The tree callback plugin is deprecated.", version: "2.23", origin: nil) }
            let runner = PlaybookRunner(settings: settings, library: library, inventory: inv, playbookDir: baseDir, options: options)
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
