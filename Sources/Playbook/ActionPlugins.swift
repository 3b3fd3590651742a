// Action plugins users keep next to playbooks and roles (`action_plugins/`). They are Python
// code for Ansible's controller; the common kind that only re-exports a built-in action under
// another name (`from ansible.plugins.action.debug import ActionModule`) is followed to it.
import Values

public enum ActionPlugins {
    /// Where an action plugin is looked for: the role's, the playbook's, then ACTION_PLUGINS.
    public static func dirs(role: Role?, baseDir: String?, configured: [String]) -> [String] {
        (role.map { [Files.join($0.path, "action_plugins")] } ?? []) + (baseDir.map { [Files.join($0, "action_plugins")] } ?? [])
            + configured.map(Files.expandUser)
    }

    /// The plugin file for an action name, if one exists.
    public static func file(_ action: String, dirs: [String]) -> String? {
        guard !action.contains("."), !action.contains("{{") else { return nil }
        return dirs.map { Files.join($0, action + ".py") }.first(where: Files.exists)
    }

    /// The built-in action a plugin file only re-exports, if that is all it does.
    public static func alias(_ action: String, dirs: [String]) -> String? {
        guard let path = file(action, dirs: dirs), let text = try? Files.read(path) else { return nil }
        if text.contains("class ActionModule") { return nil }
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 4, words[0] == "from", words[1].hasPrefix("ansible.plugins.action."), words[2] == "import", words[3] == "ActionModule" {
                return String(words[1].dropFirst("ansible.plugins.action.".count))
            }
        }
        return nil
    }
}
