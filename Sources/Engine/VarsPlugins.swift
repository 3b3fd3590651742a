// Vars plugins: swansible reads group_vars/ and host_vars/ itself (host_group_vars, the one
// ansible-core enables); those written in Python (a collection's named in VARS_ENABLED, such as
// community.sops.sops, or a file in a vars_plugins/ dir) run in the helper agent, which is only
// started when there may be one.
import Inventory
import Synchronization
import Values

public enum VarsPlugins {
    /// Gives the inventory the Python vars plugins ansible-playbook would run for these playbook
    /// dirs, if there are any: those VARS_ENABLED names, and the files of the vars plugin paths
    /// (DEFAULT_VARS_PLUGIN_PATH and each dir's vars_plugins/): at the inventory stage if any
    /// runs then, and at the stage variables are asked for (Inventory.layerStage), which
    /// RUN_VARS_PLUGINS and a plugin's `stage` option select by.
    public static func configure(_ settings: Settings, dirs: [String]) {
        let stage = Inventory.layerStage
        guard mayHavePlugins(settings, dirs: dirs) else { return }
        let plugins = PythonPlugins.shared
        guard let stages = try? plugins.varsPluginStages() else {
            Output.warning("The Python vars plugins could not be looked for (the controller's Python helper is not available): the variables they give are not set")
            return
        }
        @Sendable func ask(_ stage: String, _ dir: String, _ entities: [String], _ host: Bool, _ after: Bool) throws -> Dict {
            try plugins.varsGet(["path": .string(dir), "entities": .list(entities.map(Value.string)), "host": .bool(host),
                                 "after": .bool(after), "stage": .string(stage), "vault_secrets": PythonPlugins.vaultSecrets])
        }
        if stages.contains("inventory") {
            Inventory.inventoryStageVars = { dir, entity, host, after in
                do { return try ask("inventory", dir, [entity], host, after) } catch {
                    Output.error("\(error)")
                    return [:]
                }
            }
        }
        guard stages.contains(stage) else { return }
        Inventory.varsPlugins = { dir, entities, host, after in
            let key = "\(dir)\u{0}\(host)\u{0}\(after)\u{0}" + entities.joined(separator: "\u{0}")
            if let known = cache.withLock({ $0[key] }) { return known }
            let vars = try ask(stage, dir, entities, host, after)
            cache.withLock { $0[key] = vars }
            return vars
        }
    }

    /// What the plugins gave, by dir, entities and place; forgotten when a role brings more.
    private static let cache = Mutex([String: Dict]())
    /// Counts the roles that brought vars plugins: the variables worked out before are stale.
    static let generation = Atomic<Int>(0)

    /// A role's vars_plugins/ joins the loader's search when the role loads (add_all_plugin_dirs):
    /// its plugins give every host's variables from then on, in this play and the next.
    static func roleLoaded(_ dir: String, _ settings: Settings) {
        guard holdsPlugins(Files.join(dir, "vars_plugins")) else { return }
        if Inventory.varsPlugins == nil { configure(settings, dirs: [dir]) }
        cache.withLock { $0.removeAll() }
        generation.add(1, ordering: .relaxed)
    }

    /// Whether a vars plugin other than host_group_vars may be there, seen without starting
    /// Python: a name in VARS_ENABLED, or a plugin file in a vars plugin path.
    static func mayHavePlugins(_ settings: Settings, dirs: [String]) -> Bool {
        let enabled = Settings.list(settings.value(env: "ANSIBLE_VARS_ENABLED", key: "vars_plugins_enabled") ?? "host_group_vars")
        if enabled.contains(where: { !["host_group_vars", "ansible.builtin.host_group_vars"].contains($0) }) { return true }
        let paths = (settings.value(env: "ANSIBLE_VARS_PLUGINS", key: "vars_plugins") ?? "~/.ansible/plugins/vars:/usr/share/ansible/plugins/vars")
            .split(separator: ":").map { Files.expandUser(String($0)) } + dirs.map { Files.join($0, "vars_plugins") }
        return paths.contains(where: holdsPlugins)
    }

    /// A dir with a plugin file in it (`_x.py` is none).
    static func holdsPlugins(_ dir: String) -> Bool {
        Files.isDirectory(dir) && Files.list(dir).contains { $0.hasSuffix(".py") && !$0.hasPrefix("_") }
    }
}
