// Which inventory plugin reads a source, as InventoryManager.parse_source picks it: directories
// are read entry by entry, and each file or string is offered to the enabled plugins in order
// (INVENTORY_ENABLED) until one parses it. The failures of the others are only told when none did.
import Values
import Vault
import YAMLReader

/// Why one plugin could not read a source, as 2.19 shows it: the error and what caused it,
/// each at its origin.
public struct SourceFailure: Sendable {
    public struct Part: Sendable {
        public var message: String
        public var origin: SourceLocation?
        /// Shown after the origin (a script's stderr).
        public var help: String?
    }

    public var plugin: String
    public var parts: [Part]
    /// The whole warning, as ansible-core worded it for a plugin written in Python.
    public var text: String?

    init(plugin: String, message: String, origin: SourceLocation, help: String? = nil, cause: Part? = nil) {
        self.plugin = plugin
        parts = [Part(message: message, origin: origin, help: help)] + (cause.map { [$0] } ?? [])
    }

    init(plugin: String, text: String) {
        (self.plugin, parts, self.text) = (plugin, [], text)
    }
}

/// A plugin written in Python could not read a source: the warning ansible-core gives for it.
public struct PythonPluginFailure: Error {
    public var warning: String
    public init(warning: String) { self.warning = warning }
}

/// A configured plugin (constructed, generator) refused its file.
struct ConfiguredPluginError: Error {
    var path: String
    var cause: String
    var apart: Bool
}

/// What reading the sources has to say while it goes, in order (the run shows it as Display would).
public enum InventoryNotice: Sendable {
    case warning(String)
    /// `[ERROR]: …` that is not fatal: an inventory script's stderr.
    case error(String)
    /// Removed in `version` from the named inventory plugin (ansible-core's own without one).
    case deprecation(String, version: String, origin: SourceLocation, plugin: String?, help: String? = nil)
    /// Said at this verbosity (`-v` is 1) and above.
    case verbose(String, level: Int)
    /// No plugin read the source: each one's failure, then "Unable to parse …".
    case unparsed(source: String, failures: [SourceFailure])
}

extension Inventory {
    /// INVENTORY_ENABLED: the plugins tried on each source, in order.
    public nonisolated(unsafe) static var enabledPlugins = ["host_list", "script", "auto", "yaml", "ini", "toml"]
    /// The source plugins swansible has itself (besides the configured ones, constructed and generator).
    public static let ownPlugins: Set = ["host_list", "advanced_host_list", "script", "auto", "yaml", "ini", "toml"]
    /// Where notices go; the Engine sets it to its display.
    public nonisolated(unsafe) static var say: (InventoryNotice) -> Void = { _ in }
    /// Plugins configured by a YAML file (`plugin: constructed`) that need the template engine:
    /// the Engine gives them, by short name. Each gets its file, its settings and the inventory.
    public nonisolated(unsafe) static var configPlugins: [String: (_ path: String, _ config: Dict, _ inventory: Inventory) throws -> Void] = [:]
    /// Runs an inventory plugin written in Python on a source (the Engine gives it; nil when no
    /// ansible-core is there to run one): whether the plugin took the source. `auto`: the plugin
    /// a YAML file names, which fails rather than declines. Fails with a PythonPluginFailure.
    public nonisolated(unsafe) static var pythonPlugin: ((_ plugin: String, _ source: String, _ auto: Bool, _ inventory: Inventory) throws -> Bool)?
    /// The `cache` InventoryManager gives plugins: false after --flush-cache and on a refresh.
    public nonisolated(unsafe) static var pluginCache = true

    /// Every source in turn; the inventory is reconciled only when one of them parsed.
    func readSources() {
        parsedAny = false
        for s in sources where load(s) { parsedAny = true }
        if parsedAny { data.reconcile() } else { data.unreconciled() }
        mergeInventoryStageVars()
    }

    /// Vars plugins written in Python that run at the inventory stage (RUN_VARS_PLUGINS=start,
    /// or their `stage` option; the Engine gives them): what those before host_group_vars, or
    /// after it, give for an entity at a dir.
    public nonisolated(unsafe) static var inventoryStageVars: ((_ dir: String, _ entity: String, _ host: Bool, _ after: Bool) -> Dict)?

    /// parse_sources' last step: what the vars plugins that run at the inventory stage give at
    /// each source's dir (host_group_vars' files among them when it runs then), merged into
    /// every group's and host's own variables.
    func mergeInventoryStageVars() {
        let files = Inventory.hostGroupVarsRuns("inventory"), plugins = Inventory.inventoryStageVars
        guard files || plugins != nil else { return }
        func merge(into vars: inout Dict, _ name: String, host: Bool) {
            for dir in data.sourceDirs {
                var layers = [plugins?(dir, name, host, false) ?? [:]]
                if files { layers.append((try? VarsFiles.load(dir: Files.join(dir, host ? "host_vars" : "group_vars"), name: name)) ?? [:]) }
                layers.append(plugins?(dir, name, host, true) ?? [:])
                for layer in layers { for (k, v) in layer { vars[k] = Combine.over(vars[k], v) } }
            }
        }
        for g in data.groups.values { merge(into: &g.vars, g.name, host: false) }
        for h in data.hosts.values where !h.implicit { merge(into: &h.vars, h.name, host: true) }
    }

    /// One `-i` source: a file, a directory of sources, or a `host1,host2,` list. Whether it parsed.
    @discardableResult
    public func load(_ source: String) -> Bool {
        let path = Files.expandUser(source)
        guard Files.isDirectory(path) else {
            let exists = Files.exists(path)
            if exists { data.sourceDirs.append(Files.dirname(Files.absolute(path))) }
            // Paths are made absolute, as the CLI does with every source that is not a list.
            return parseSource(exists || !source.contains(",") ? Files.absolute(path) : source)
        }
        data.sourceDirs.append(Files.absolute(path))
        return loadDirectory(Files.absolute(path))
    }

    /// Every entry but the ignored ones, subdirectories included, in sorted order; a directory
    /// none of whose entries parsed (an empty one too) is a source that did not parse.
    func loadDirectory(_ dir: String) -> Bool {
        var parsed = false
        for entry in Files.list(dir) where !Inventory.ignored(entry) {
            let p = Files.join(dir, entry)
            if Files.isDirectory(p) ? loadDirectory(p) : parseSource(p) { parsed = true }
        }
        if !parsed {
            unparsed.append((dir, []))
            Inventory.say(.unparsed(source: dir, failures: []))
        }
        return parsed
    }

    /// The enabled plugins that want the source (a path, or a host list), in turn, until one reads it.
    func parseSource(_ path: String) -> Bool {
        let exists = Files.exists(path), ext = Inventory.extensionOf(path)
        var failures: [SourceFailure] = []
        let variables = data.variableTrust == nil ? data.variableCount : 0   // only while the trust is undecided
        for plugin in Inventory.enabledPlugins.map(Inventory.shortName) {
            let origin = SourceLocation(file: "<inventory plugin \(Value.string(plugin).pythonRepr) with source \(Value.string(path).pythonRepr)>",
                                        line: 0, column: 0)
            do {
                switch plugin {
                case "host_list", "advanced_host_list":
                    guard !exists, path.contains(",") else { continue }
                    try parseHostList(path, advanced: plugin == "advanced_host_list")
                case "script":
                    guard exists, Files.isExecutable(path) else { continue }
                    try ScriptSource.parse(path, into: data)
                case "auto":
                    guard exists, path.hasSuffix(".yml") || path.hasSuffix(".yaml") else { continue }
                    try parseAuto(path)
                case "yaml":
                    guard exists, ext.isEmpty || Inventory.yamlExtensions.contains(ext) else { continue }
                    let node = try YAMLReader.load(try Vault.shared.readText(path), file: Files.absolute(path))
                    try YAMLSource.parse(node, path: Files.absolute(path), into: data)
                case "ini":
                    guard exists, ext != ".toml" else { continue }
                    do { try INISource.parse(try Vault.shared.read(path), path: Files.absolute(path), into: data) } catch {
                        // An error of the plugin's own is told as one; another (shlex's) as its cause.
                        let file = SourceLocation(file: Files.absolute(path), line: 0, column: 0)
                        if let e = error as? INISource.HostLineError {
                            failures.append(SourceFailure(plugin: plugin, message: "Failed to parse inventory.", origin: file,
                                                          cause: .init(message: e.description)))
                        } else {
                            failures.append(SourceFailure(plugin: plugin, message: "Failed to parse inventory: \(error)", origin: file))
                        }
                        continue
                    }
                case "toml":
                    guard exists, ext == ".toml" else { continue }
                    try TOMLSource.parse(Files.absolute(path), text: Array(try Vault.shared.read(path).utf8),
                                         python: Inventory.controllerPython, into: data)
                default:
                    // constructed and generator named in INVENTORY_ENABLED themselves, or a plugin in Python.
                    if Inventory.configPlugins[plugin] != nil {
                        guard exists, Inventory.isConfigFile(path) else { continue }
                        try parseConfigured(path, plugin: plugin)
                    } else {
                        guard let run = Inventory.pythonPlugin, try run(plugin, path, false, self) else { continue }
                    }
                }
                // host_list sets ports on the host itself; of the others only toml trusts what it sets.
                if data.variableTrust == nil, !plugin.hasSuffix("host_list"), data.variableCount != variables {
                    data.variableTrust = plugin == "toml"
                }
                Inventory.say(.verbose("Parsed \(path) inventory source with \(plugin) plugin", level: 3))
                return true
            } catch let e as YAMLError {
                // auto shows where the YAML broke; yaml names only itself.
                failures.append(SourceFailure(plugin: plugin, message: "YAML parsing failed: \(e.message)",
                                              origin: plugin == "auto" ? e.location : origin))
            } catch let e as ConfiguredPluginError {
                let head = "Failed to parse \(Value.string(e.path).pythonRepr)"
                failures.append(e.apart ? SourceFailure(plugin: plugin, message: head + ".", origin: origin, cause: .init(message: e.cause))
                                        : SourceFailure(plugin: plugin, message: "\(head): \(e.cause.trimmingSpaces)", origin: origin))
            } catch let e as PythonPluginFailure {
                failures.append(SourceFailure(plugin: plugin, text: e.warning))
            } catch let e as ScriptSource.Failure {
                failures.append(SourceFailure(plugin: plugin, message: e.message, origin: origin, help: e.help, cause: e.cause))
            } catch {
                failures.append(SourceFailure(plugin: plugin, message: "\(error)", origin: origin))
            }
        }
        unparsed.append((path, failures))
        Inventory.say(.unparsed(source: path, failures: failures))
        return false
    }

    /// `host1,host2:22,` — with advanced_host_list, ranges expanded as expand_hostname_range does
    /// (a range it refuses leaves the name as written; one Python cannot read fails the source).
    func parseHostList(_ source: String, advanced: Bool) throws {
        var entries: [(String, Int?)] = []
        for h in source.split(separator: ",") where !h.trimmingSpaces.isEmpty {
            let (name, port) = HostRange.splitPort(String(h.trimmingSpaces))
            guard advanced else { entries.append((name, port)); continue }
            do { entries += try HostRange.expand(name).map { ($0, port) } } catch let e as HostRange.PythonError {
                throw InventoryError("Invalid data from string, could not parse: \(e)")
            } catch {
                Inventory.say(.verbose("Unable to parse address from hostname, leaving unchanged: \(error)", level: 3))
                entries.append((name, port))
            }
        }
        for (name, port) in entries {
            let host = data.addHost(name, group: "ungrouped", source: source)
            if let port { host.vars["ansible_port"] = .int(port) }
        }
    }

    /// The auto plugin: a YAML file naming the plugin that reads it (`plugin: constructed`).
    func parseAuto(_ path: String) throws {
        let node = try YAMLReader.load(try Vault.shared.readText(path), file: Files.absolute(path))
        let name = node.value["plugin"].flatMap { $0.truthy ? $0.pythonStr : nil }
        guard let name else {
            throw InventoryError("no root 'plugin' key found, '\(path)' is not a valid YAML inventory plugin config file")
        }
        let short = Inventory.shortName(name)
        if Inventory.configPlugins[short] != nil {
            guard Inventory.isConfigFile(path) else {
                throw InventoryError("inventory source '\(path)' could not be verified by inventory plugin '\(name)'")
            }
            // The loaded plugin's _load_name: the name as written, or its module path for an FQCN.
            let loadName = name == short ? short : "ansible_collections.ansible.builtin.plugins.inventory.\(short)"
            Inventory.say(.verbose("Using inventory plugin '\(loadName)' to process inventory source '\(path)'", level: 1))
            return try parseConfigured(path, plugin: short)
        }
        if Inventory.ownPlugins.contains(short) {
            throw InventoryError("inventory source '\(path)' could not be verified by inventory plugin '\(name)'")
        }
        if let run = Inventory.pythonPlugin { _ = try run(name, path, true, self); return }
        // Without ansible-core there is no running a plugin in Python: say so rather than "unknown".
        if short.split(separator: ".").count >= 3, !short.hasPrefix("ansible.legacy.") {
            throw InventoryError("inventory config '\(path)' specifies plugin '\(name)', a Python inventory plugin, which swansible does not run; see docs/compatibility.md for what it reads")
        }
        throw InventoryError("inventory config '\(path)' specifies unknown plugin '\(name)'")
    }

    /// A plugin the Engine gives, on its configuration file; what it raises is the cause of
    /// "Failed to parse '<path>'.", as the plugins word it.
    func parseConfigured(_ path: String, plugin: String) throws {
        let node = try YAMLReader.load(try Vault.shared.readText(path), file: Files.absolute(path))
        guard case .dict(let config) = node.value, let run = Inventory.configPlugins[plugin] else {
            throw InventoryError("Invalid data from file, expected dictionary and got:\n\n\(node.value.pythonStr)")
        }
        do { try run(Files.absolute(path), config, self) } catch {
            throw ConfiguredPluginError(path: Files.absolute(path), cause: "\(error)", apart: (error as? InventoryError)?.apart ?? false)
        }
    }

    public static func shortName(_ plugin: String) -> String {
        let p = plugin.trimmingSpaces
        return p.hasPrefix("ansible.builtin.") ? String(p.dropFirst("ansible.builtin.".count)) : String(p)
    }

    /// YAML_FILENAME_EXTENSIONS.
    static let yamlExtensions = [".yaml", ".yml", ".json"]

    /// What constructed and generator accept as their configuration file.
    static func isConfigFile(_ path: String) -> Bool {
        let ext = extensionOf(path)
        return ext.isEmpty || ext == ".config" || yamlExtensions.contains(ext)
    }

    /// os.path.splitext's extension: from the last dot of the name, unless the name starts there.
    static func extensionOf(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), name[..<dot].contains(where: { $0 != "." }) else { return "" }
        return String(name[dot...])
    }

    /// INVENTORY_IGNORE_EXTS, INVENTORY_IGNORE_PATTERNS (searched for anywhere in the name, as
    /// InventoryManager's IGNORED does) and the names Ansible always skips in a directory.
    static func ignored(_ name: String) -> Bool {
        name.hasPrefix(".") || ["host_vars", "group_vars", "vars_plugins"].contains(name)
            || ignoredExtensions.contains { name.hasSuffix($0) }
            || ignoredPatterns.contains { (try? $0.firstMatch(in: name)) != nil }
    }

    public nonisolated(unsafe) static var ignoredPatterns: [Regex<AnyRegexOutput>] = []

    /// REJECT_EXTS and INVENTORY_IGNORE_EXTS' own; `.ini` is read since 2.19.
    public nonisolated(unsafe) static var ignoredExtensions = [".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst",
                                                               ".orig", ".cfg", ".retry"]
}
