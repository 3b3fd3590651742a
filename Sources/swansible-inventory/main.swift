// `swansible-inventory`: lists and graphs inventories as `ansible-inventory` does.
import ArgumentParser
import CLI
import Engine
import Inventory
import Values

@main
struct SwansibleInventory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swansible-inventory",
                                                    abstract: "Show Ansible inventory information.",
                                                    version: Version.text("swansible-inventory"))

    static func main() {
        Preflight.check()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            refuse(error)
        }
    }

    @Option(name: [.short, .customLong("inventory"), .customLong("inventory-file")], help: "Inventory source (repeatable).")
    var inventory: [String] = []

    @Flag(help: "Output all hosts info as JSON.") var list = false
    @Flag(help: "Create an inventory graph.") var graph = false
    @Option(help: "Output info of a specific host.") var host: String?
    @Flag(name: .customLong("vars"), help: "Add vars to graph display, ignored unless used with --graph.") var showVars = false
    @Option(name: .customLong("output"), help: "When doing --list, send the inventory to a file instead of to the screen.")
    var output: String?
    @Option(name: [.short, .customLong("limit")], help: "Limit to a host pattern.") var limit: String?
    @Flag(help: "Use YAML format instead of default JSON, ignored for --graph.") var yaml = false
    @Flag(help: "Use TOML format instead of default JSON, ignored for --graph.") var toml = false
    @Flag(help: "When doing --list, represent in a way that is optimized for export, not as an accurate representation of how Ansible has processed it.")
    var export = false
    @Flag(name: .short, help: "Verbose mode (-vvv for more).") var verbose: Int
    @Option(name: .customLong("playbook-dir"), help: "A directory standing in for a playbook's (its group_vars/ and host_vars/).")
    var playbookDir: String?
    @Option(name: [.short, .customLong("extra-vars")], help: "Set additional variables (listed with each host's, and for use_extra_vars).")
    var extraVars: [String] = []
    @Flag(name: .customLong("flush-cache"), help: "Clear the fact cache for every host in inventory (and read inventory plugins' sources, not their caches).")
    var flushCache = false
    @OptionGroup var vault: VaultOptions
    @Argument(help: "Group to graph.") var group: String?

    func run() throws {
        // One action, checked with the options before anything is read.
        switch [list, graph, host != nil].filter({ $0 }).count {
        case 0:
            Output.error("No action selected, at least one of --host, --graph or --list needs to be specified.")
            throw ExitCode(ExitCodes.badOption)
        case 1: break
        default:
            Output.error("Conflicting options used, only one of --host, --graph or --list can be used at the same time.")
            throw ExitCode(ExitCodes.badOption)
        }
        let settings = Settings.load()
        let verbose = self.verbose + settings.verbosity   // -v adds to DEFAULT_VERBOSITY
        do { try settings.applyProcessWide() } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        Version.announce("swansible-inventory", settings, verbosity: verbose)
        try vault.load(settings)
        let sources = settings.inventorySources(given: inventory)
        let basedir = (playbookDir ?? settings.value(env: "ANSIBLE_PLAYBOOK_DIR", key: "playbook_dir")).map(Files.absolute)
        if let basedir, !Files.isDirectory(basedir) {
            Output.warning("Ignoring invalid path provided to plugin path: '\(basedir)' is not a directory")
        }
        // A host's variables come through a VariableManager, whose loader reads the playbook dir's
        // group_vars/host_vars, the current directory's without one; a group's own and --export's
        // read only a playbook dir given (ansible-inventory's _get_group_variables, export).
        let hostDirs = [basedir ?? Files.cwd()], ownDirs = basedir.map { [$0] } ?? []
        let extra: Dict
        do { extra = try ExtraVars.parse(extraVars) } catch {
            Output.error("\(error)")
            throw ExitCode(ExtraVars.exitCode(error))
        }
        // The implicit localhost's interpreter is the Python of the installation in use, as in a run.
        if let library = ModuleLibrary.locate(collectionsPaths: settings.collectionsPaths) {
            Inventory.controllerPython = library.playbookPython
            // Plugins (inventory ones too) are found in the playbook dir's *_plugins/, as add_all_plugin_dirs has it.
            PythonPlugins.shared.configure(library: library)
            if let basedir, Files.isDirectory(basedir) {
                PythonPlugins.shared.addBase(basedir)
                library.addPlaybookDir(basedir)
            }
        }
        let inv: Inventory
        do {
            Inventory.layerStage = "all"
            VarsPlugins.configure(settings, dirs: basedir.map { [$0] } ?? [])
            Inventory.pluginCache = !flushCache
            inv = try Inventory.forRun(sources, settings: settings, verbosity: verbose, extraVars: extra)
            inv.listedExtraVars = extra
            if flushCache { FactCache(settings).flush(inv) }
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
        let results: String
        do {
            if let host {
                // A pattern that names one host (get_hosts: the implicit localhost too).
                let found = try inv.hosts(matching: host)
                guard found.count == 1 else {
                    Output.error("You must pass a single valid host to --host parameter")
                    throw ExitCode(ExitCodes.badOption)
                }
                inv.warnReservedNames(of: found, playbookDirs: hostDirs)
                results = try dump(.dict(try inv.vars(for: found[0], playbookDirs: hostDirs)))
            } else if list {
                // The group argument is for --graph only; --limit narrows the hosts listed.
                let export = self.export || settings.value(env: "ANSIBLE_INVENTORY_EXPORT", section: "inventory", key: "export").map(Settings.truthy) == true
                let available = try limit.map { try PlaybookRunner.hosts(matching: "all", inv, limit: $0) }
                if !export { inv.warnReservedNames(of: available ?? inv.hostNames, playbookDirs: hostDirs) }
                let dirs = export ? ownDirs : hostDirs
                if yaml {
                    let (tree, shared) = try inv.yamlTree(available: available, playbookDirs: dirs, export: export)
                    results = try YAMLText.dump(tree, shared: shared)
                } else if toml {
                    results = try dump(.dict(try inv.tomlTree(available: available, playbookDirs: dirs, export: export)))
                } else {
                    results = try dump(try inv.listJSON(available: available, playbookDirs: dirs, export: export))
                }
            } else {
                guard inv.hasGroup(group ?? "all") else {
                    Output.error("Pattern must be valid group name when using --graph")
                    throw ExitCode(ExitCodes.badOption)
                }
                if showVars { inv.warnReservedNames(of: try inv.hosts(matching: group ?? "all"), playbookDirs: hostDirs) }
                results = try inv.graph(group ?? "all", vars: showVars, playbookDirs: hostDirs, groupDirs: ownDirs)
            }
            // Nothing to show (an empty TOML listing): nothing written, exit 1, as ansible-inventory.
            guard !results.isEmpty else { throw ExitCode(ExitCodes.error) }
            // --output: the text as it is, in a file; else on screen with a newline if it has none.
            if let output {
                do { try Files.write(output, Array(results.utf8)) } catch {
                    let cause = (error as? FileError).map { ": " + $0.pythonDescription } ?? "."
                    Output.error("Unable to write to destination file \(Value.string(output).pythonRepr)\(cause)")
                    throw ExitCode(ExitCodes.error)
                }
            } else {
                print(results, terminator: results.hasSuffix("\n") ? "" : "\n")
            }
        } catch let e as ExitCode { throw e } catch let e as TOMLWriter.Unserializable {
            // tomli_w's TypeError, and PyYAML's RepresenterError below, reach Ansible's CLI as an
            // unexpected exception.
            Output.error("Unexpected Exception, this is probably a bug: \(e)")
            throw ExitCode(ExitCodes.unknown)
        } catch let e as YAMLText.Unrepresentable {
            Output.error("Unexpected Exception, this is probably a bug: \(e)")
            throw ExitCode(ExitCodes.unknown)
        } catch is BytesInJSON {
            Output.error("Unexpected Exception, this is probably a bug: Object of type '_AnsibleTaggedBytes' is not JSON serializable by the 'inventory_legacy' profile.")
            throw ExitCode(ExitCodes.unknown)
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitCodes.error)
        }
    }

    /// The listing in the format asked for (YAML first, as ansible-inventory checks it).
    func dump(_ v: Value) throws -> String {
        if yaml { return try YAMLText.dump(v) }
        if toml, case .dict(let d) = v { return try TOMLWriter.dump(d) }
        if v.holdsBytes { throw BytesInJSON() }   // YAML's !!binary: the inventory_legacy encoder has no form for it
        return v.json(.init(indent: 4, sortKeys: true))
    }

    struct BytesInJSON: Error {}
}
