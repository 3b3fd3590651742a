// PLUGIN_FILTERS_CFG: a YAML file that takes modules and actions away from every run
// (`module_rejectlist`), read once at start as ansible-core's plugin loader reads it.
import Values
import YAMLReader

enum PluginFilters {
    /// PLUGIN_FILTERS_CFG's module_rejectlist: actions named so (as written) do not resolve.
    nonisolated(unsafe) static var rejected: Set<String> = []

    /// The plugin filter file (`plugin_filters_cfg`, relative to the config file, or
    /// /etc/ansible/plugin_filters.yml), read as the plugin loader reads it: what is wrong with
    /// it is warned about and skipped; rejecting `stat` is an error.
    static func load(_ settings: Settings) throws -> Set<String> {
        // An ini-only setting, of type path: relative to the config file's directory.
        let configured = settings.ini["defaults"]?["plugin_filters_cfg"].map { p in
            Files.expandUser(p).hasPrefix("/") ? Files.expandUser(p) : Files.join(settings.configFile.map(Files.dirname) ?? Files.cwd(), p)
        }
        let path = configured.map(Files.normalize) ?? "/etc/ansible/plugin_filters.yml"
        guard Files.exists(path) else {
            if configured != nil { Output.warning("The plugin filter file, \(path) does not exist. Skipping.") }
            return []
        }
        let data: Value
        do { data = try YAMLReader.load(try Files.read(path), file: path).value } catch {
            Output.warning("The plugin filter file, \(path) was not parsable. Skipping: \(error)")
            return []
        }
        guard let version = data["filter_version"] else {
            Output.warning("The plugin filter file, \(path) was invalid. Skipping.")
            return []
        }
        guard version.pythonStr.trimmingCharacters(in: " \n\t") == "1.0" else {
            Output.warning("The plugin filter file, \(path) was a version not recognized by this version of Ansible. Skipping.")
            return []
        }
        guard let list = data["module_rejectlist"]?.listValue else {
            Output.warning("Unable to parse the plugin filter file \(path) as module_rejectlist is not a list. Skipping.")
            return []
        }
        let names = Set(list.map(\.pythonStr))
        if names.contains("stat") {
            throw AnsibleError("The stat module was specified in the module reject list file, \(path), but Ansible will not function without the stat module.  Please remove stat from the reject list.")
        }
        return names
    }
}
