// The inventory as the commands open it: sources that are not there or do not parse are warned
// about and left out, as Ansible's InventoryManager does, instead of stopping the run.
import Inventory
import Values

extension Inventory {
    /// The inventory of `sources`, each one that could not be read warned about; `parsed` is
    /// false when none was (the run has only the implicit localhost).
    public static func forRun(_ sources: [String], verbosity: Int = 0) throws -> (inventory: Inventory, parsed: Bool) {
        let inv = try Inventory(sources: sources)
        if verbosity >= 3 { for n in inv.notes { Output.line(n, .verbose) } }
        if verbosity >= 4 { for n in inv.data.groupNameNotes { Output.line(n, .verbose) } }
        for (source, plugin, reason) in inv.unparsed {
            if let reason, plugin == "advanced_host_list" {
                // 2.19's error_as_warning, the plugin's failure and its cause.
                let head = "Failed to parse inventory with '\(plugin)' plugin"
                Output.warning("\(head): \(reason)\n\n\(head).\n\n<<< caused by >>>\n\n\(reason)\n"
                               + "Origin: <inventory plugin '\(plugin)' with source \(Value.string(source).pythonRepr)>\n")
            } else if let reason {
                Output.warning("Failed to parse \(source) with \(plugin) plugin: \(reason)")
            }
            Output.warning("Unable to parse \(source) as an inventory source")
        }
        let failed = Set(inv.unparsed.map(\.source))
        return (inv, sources.contains { !failed.contains($0) && !failed.contains(Files.absolute(Files.expandUser($0))) })
    }
}
