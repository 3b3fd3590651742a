// The inventory as the commands open it: sources that are not there or do not parse are warned
// about and left out, as Ansible's InventoryManager does, instead of stopping the run.
import Inventory
import Values

extension Inventory {
    /// The inventory of `sources`, each one that could not be read warned about; `parsed` is
    /// false when none was (the run has only the implicit localhost).
    public static func forRun(_ sources: [String]) throws -> (inventory: Inventory, parsed: Bool) {
        let inv = try Inventory(sources: sources)
        for (source, plugin, reason) in inv.unparsed {
            if let reason { Output.warning("Failed to parse \(source) with \(plugin) plugin: \(reason)") }
            Output.warning("Unable to parse \(source) as an inventory source")
        }
        let failed = Set(inv.unparsed.map(\.source))
        return (inv, sources.contains { !failed.contains(Files.absolute(Files.expandUser($0))) })
    }
}
