// Vars plugins: swansible reads group_vars/ and host_vars/ itself (host_group_vars, the one
// ansible-core enables); a vars plugin written in Python (a collection's named in VARS_ENABLED,
// such as community.sops.sops, or a file in a vars_plugins/ dir) is not run, and the variables
// it would give are missing. That is said once, at the start, rather than left to a task that
// then finds them undefined.
import Values

public enum VarsPlugins {
    /// The Python vars plugins ansible-playbook would run for these playbook (or role) dirs, each
    /// warned about: those VARS_ENABLED names, and the files of the vars plugin paths
    /// (DEFAULT_VARS_PLUGIN_PATH and each dir's vars_plugins/) that do not wait to be enabled.
    public static func warnUnsupported(_ settings: Settings, dirs: [String]) {
        let enabled = Settings.list(settings.value(env: "ANSIBLE_VARS_ENABLED", key: "vars_plugins_enabled") ?? "host_group_vars")
        var names = enabled.filter { !["host_group_vars", "ansible.builtin.host_group_vars"].contains($0) }
        let paths = (settings.value(env: "ANSIBLE_VARS_PLUGINS", key: "vars_plugins") ?? "~/.ansible/plugins/vars:/usr/share/ansible/plugins/vars")
            .split(separator: ":").map { Files.expandUser(String($0)) } + dirs.map { Files.join($0, "vars_plugins") }
        for dir in paths where Files.isDirectory(dir) {
            for file in Files.list(dir) where file.hasSuffix(".py") && !file.hasPrefix("_") {
                let name = String(file.dropLast(3))
                // A legacy plugin that sets REQUIRES_ENABLED runs only when named (counted above).
                let waits = (try? Files.read(Files.join(dir, file)))?.contains("REQUIRES_ENABLED = True") ?? false
                if !waits, !names.contains(name) { names.append(name) }
            }
        }
        for name in names {
            Output.warning("swansible does not run the Python vars plugin '\(name)' (see docs/compatibility.md): the variables it gives are not set")
        }
    }
}
