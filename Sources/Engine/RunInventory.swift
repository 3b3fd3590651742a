// The inventory as the commands open it: sources that are not there or do not parse are warned
// about and left out, as Ansible's InventoryManager does, instead of stopping the run.
import Inventory
import OrderedCollections
import Values

extension Inventory {
    /// The inventory of `sources`, each one that could not be read warned about (when none
    /// was, the run has only the implicit localhost).
    /// `extraVars` are what constructed's `use_extra_vars` adds.
    /// With INVENTORY_ANY_UNPARSED_IS_FAILED a source no plugin reads stops the command, and
    /// with INVENTORY_UNPARSED_IS_FAILED an inventory none of whose sources parsed does; else
    /// each is warned about (INVENTORY_UNPARSED_WARNING for the second).
    public static func forRun(_ sources: [String], settings: Settings, verbosity: Int = 0, extraVars: Dict = [:]) throws -> Inventory {
        Constructed.extraVars = extraVars
        func flag(_ env: String, _ key: String, _ fallback: Bool) -> Bool {
            settings.value(env: env, section: "inventory", key: key).map(Settings.truthy) ?? fallback
        }
        let anyUnparsedFails = flag("ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED", "any_unparsed_is_failed", false)
        var firstUnparsed: String?
        Inventory.say = { notice in
            if case .unparsed(let source, _) = notice, anyUnparsedFails {
                if firstUnparsed == nil { show(notice, verbosity: verbosity, giveUp: false) }
                firstUnparsed = firstUnparsed ?? source
            } else if firstUnparsed == nil {
                show(notice, verbosity: verbosity)
            }
        }
        try loadEnabledPlugins()
        let inv = try Inventory(sources: sources)
        Inventory.say = { show($0, verbosity: verbosity) }   // what refresh_inventory reads later is warned about
        if let firstUnparsed { throw AnsibleError("Completely failed to parse inventory source \(firstUnparsed)") }
        for n in inv.data.groupNameNotes { Output.verbose(n, caplevel: 3) }
        if !inv.parsedAny {
            if flag("ANSIBLE_INVENTORY_UNPARSED_FAILED", "unparsed_is_failed", false) {
                throw AnsibleError("No inventory was parsed, please check your configuration and options.")
            }
            if flag("ANSIBLE_INVENTORY_UNPARSED_WARNING", "inventory_unparsed_warning", true) {
                Output.warning("No inventory was parsed, only implicit localhost is available")
            }
        }
        return inv
    }

    /// InventoryManager._fetch_inventory_plugins: an enabled name that is neither one of the
    /// plugins swansible reads itself nor a Python plugin ansible-core finds is warned about and
    /// left out; with none left, nothing can be read.
    static func loadEnabledPlugins() throws {
        let found = enabledPlugins.filter { name in
            if ownPlugins.contains(name) || configPlugins[name] != nil || PythonPlugins.shared.hasPlugin("inventory", name) { return true }
            Output.warning("Failed to load inventory plugin, skipping \(name)")
            return false
        }
        if found.isEmpty { throw AnsibleError("No inventory plugins available to generate inventory, make sure you have at least one enabled.") }
        enabledPlugins = found
    }

    /// A notice from reading the sources, as Ansible's Display shows it while parsing.
    /// `giveUp: false`: a source's plugin failures without the "Unable to parse" after them.
    static func show(_ notice: InventoryNotice, verbosity: Int = 0, giveUp: Bool = true) {
        switch notice {
        case .verbose(let text, let level): Output.verbose(text, caplevel: level - 1)
        case .warning(let text): Output.warning(text)
        case .error(let text): Output.error(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        case .deprecation(let text, let version, let origin, let plugin, let help):
            Output.deprecation(text, version: version, origin: origin, help: help, plugin: plugin.map { (type: "inventory", name: $0) })
        case .unparsed(let source, let failures):
            // 2.19's error_as_warning for each plugin that tried, then the source given up.
            for f in failures {
                if let text = f.text { Output.warning(text); continue }
                let head = "Failed to parse inventory with '\(f.plugin)' plugin"
                let parts = f.parts.map { p -> String in
                    let text = Origin.report(p.message, p.origin, help: p.help)
                    return text.hasSuffix("\n") ? text : text + "\n"
                }
                var block = parts.joined(separator: "\n<<< caused by >>>\n\n")
                while block.hasSuffix("\n") { block.removeLast() }
                Output.warning("\(head): \(TaskError.joined(f.parts.map(\.message)))\n\n\(head).\n\n<<< caused by >>>\n\n\(block)\n")
            }
            if giveUp { Output.warning("Unable to parse \(source) as an inventory source") }
        }
    }
}

extension Inventory {
    /// The reserved names among each host's variables, at their origins, as Ansible's
    /// VariableManager warns while ansible-inventory gets the variables it lists.
    public func warnReservedNames(of hosts: [String], playbookDirs: [String] = []) {
        for h in hosts {
            if let vars = try? vars(for: h, playbookDirs: playbookDirs) { warnReservedNames(host: h, vars: vars, playbookDirs: playbookDirs) }
        }
    }

    /// The reserved names among a host's inventory variables (`vars`), in their order, each at
    /// the key where it was first set.
    func warnReservedNames(host: String, vars: Dict, playbookDirs: [String] = []) {
        let names = vars.keys.map(\.pythonStr).filter(VariableManager.reservedNames.contains)
        VariableManager.warnReserved(names.map { ($0, keyOrigin(host: host, $0, playbookDirs: playbookDirs)) }, fallback: { _ in nil })
    }
}
