// Finds Ansible's modules on the controller (ansible-core, collections, library/ dirs) and the
// module_utils each one imports, so a module and its dependencies travel in one message.
#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Synchronization
import Values
import YAMLReader

public struct ModuleSource: Sendable {
    public var name: String
    public var path: String
    public var source: String
    public var hash: String
    /// The package the module runs in, for its relative imports.
    public var package: String
    /// Fully qualified module_utils names → (source, is package), the module's import closure.
    public var utils: [(String, String, Bool)]
    /// The closure as content: each name with the digest of its source.
    public var manifest: [(name: String, digest: String, source: String, isPackage: Bool)] = []
    /// One digest for the whole closure (what a target's cache keeps the manifest under).
    public var closure = ""
    /// A module Ansible would not wrap (no module_utils import: its `old` and `WANT_JSON`
    /// styles, in any language, and compiled programs): run as a program.
    public var program: Program?
    /// The serialization profile its METADATA names (2.19's experimental `_ANSIBLE_MODULE_METADATA`).
    public var profile: String?

    /// How a module that is a program of its own is run: its arguments as JSON (WANT_JSON and
    /// binary ones) or as `k=v` words, under its `#!` interpreter or (binary) as it is.
    public struct Program: Sendable {
        var wantJSON: Bool
        var interpreter: String?
        /// A compiled program: `source` holds its bytes in base64.
        var binary = false
    }

    /// module_common's `_is_binary`: a byte outside its text set in the first 1024.
    static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(1024).contains { b in !(b >= 0x20 && b != 0x7f || [7, 8, 9, 10, 12, 13, 27].contains(b)) }
    }

    /// module_common's style detection: what makes a module "new style" Python.
    static func programStyle(_ source: String) -> Program? {
        let newStyle = #"(?:from +\.{2,} *module_utils.* +import |from +ansible_collections\.[^.]+\.[^.]+\.plugins\.module_utils.* +import |import +ansible_collections\.[^.]+\.[^.]+\.plugins\.module_utils.*|from +ansible\.module_utils.* +import |import +ansible\.module_utils\.)"#
        if source.contains("#<<INCLUDE_ANSIBLE_MODULE_COMMON>>") || source.contains("<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>")
            || (try? Regex(newStyle).firstMatch(in: source)) != nil {
            return nil
        }
        var interpreter: String?
        if source.hasPrefix("#!") {
            interpreter = source.dropFirst(2).prefix { $0 != "\n" }.split(separator: " ").first.map(String.init)
        }
        return Program(wantJSON: source.contains("WANT_JSON"), interpreter: interpreter)
    }

    /// Where AnsiballZ puts the module (ansible/modules/x.py for ansible-core's own,
    /// ansible/legacy/x.py for a library's or a role's, ansible_collections/ns/coll/plugins/modules/x.py):
    /// 2.19's module_utils tell whose deprecation it is by that path.
    func payloadPath(ansibleDir: String) -> String {
        let short = name.split(separator: ".").last.map(String.init) ?? name
        if package.hasPrefix("ansible_collections.") { return package.replacing(".", with: "/") + "/\(short).py" }
        return (path.hasPrefix(ansibleDir + "/modules/") ? "ansible/modules/" : "ansible/legacy/") + short + ".py"
    }

    mutating func computeManifest() {
        manifest = utils.map { ($0.0, ModuleLibrary.digest($0.1), $0.1, $0.2) }.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        closure = ModuleLibrary.digest(manifest.map { "\($0.name)=\($0.digest)" }.joined(separator: "\n"))
    }

    var manifestValue: Dict {
        var d = Dict()
        for m in manifest { d[.string(m.name)] = .list([.string(m.digest), .bool(m.isPackage)]) }
        return d
    }
}

public final class ModuleLibrary: Sendable {
    /// The directory of the `ansible` package (…/site-packages/ansible).
    public let ansibleDir: String
    /// The Python that belongs to that installation (used for the implicit localhost).
    public let python: String
    public let version: String
    /// sys.executable of ansible-playbook from this installation: a virtualenv's scripts run
    /// `bin/python`, a system one `python3` (ansible_playbook_python).
    public var playbookPython: String {
        let dir = Files.dirname(python)
        let plain = Files.join(dir, "python")
        return Files.exists(Files.join(Files.dirname(dir), "pyvenv.cfg")) && Files.exists(plain) ? plain : python
    }
    /// The ansible-core line (major, minor) of `version`: what the module arguments follow.
    public var line: (Int, Int) {
        let parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        return (parts.first ?? 2, parts.count > 1 ? parts[1] : 19)
    }
    /// Where collections are found: `collections/` next to each playbook, then COLLECTIONS_PATHS
    /// (ansible.cfg / ANSIBLE_COLLECTIONS_PATH), then the installation's own site-packages.
    var collectionRoots: [String] { adjacent.withLock { $0 } + configuredRoots }
    private let configuredRoots: [String]
    private let adjacent = Mutex<[String]>([])
    private let cache = Mutex<[String: ModuleSource]>([:])
    private let runtimes = Mutex<[String: Value]>([:])

    /// A playbook's `collections/` dir joins the search, as Ansible adds playbook-adjacent collections.
    public func addPlaybookDir(_ dir: String) {
        let root = Files.join(dir, "collections")
        adjacent.withLock { if !$0.contains(root) { $0.append(root) } }
    }

    public var allCollectionRoots: [String] { collectionRoots }

    /// `collectionsPaths`: COLLECTIONS_PATHS as the caller's Settings give them.
    public init(ansibleDir: String, collectionsPaths: [String] = Settings.defaultCollectionsPaths) {
        self.ansibleDir = ansibleDir
        let sitePackages = Files.dirname(ansibleDir)
        var py = Files.join(Files.dirname(Files.dirname(Files.dirname(sitePackages))), "bin/python3")
        if !Files.exists(py) { py = "/usr/bin/python3" }
        python = py
        var v = "2.19.0"
        if let text = try? Files.read(Files.join(ansibleDir, "release.py")),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("__version__") }),
            let q = line.split(separator: "'").dropFirst().first
        {
            v = String(q)
        }
        version = v
        // A path may name its ansible_collections dir itself, as the collection finder accepts.
        configuredRoots = collectionsPaths.map(Files.expandUser).map { Files.basename($0) == "ansible_collections" ? Files.dirname($0) : $0 }
            + [sitePackages]
    }

    /// Locates ansible-core as Ansible users have it: SWANSIBLE_ANSIBLE_PATH, a `.venv` next to
    /// the swansible checkout, the installation behind `ansible-playbook` on PATH, Debian's.
    public static func locate(collectionsPaths: [String] = Settings.defaultCollectionsPaths) -> ModuleLibrary? {
        var candidates: [String] = []
        if let p = Files.environment("SWANSIBLE_ANSIBLE_PATH") {
            candidates += [p, Files.join(p, "ansible")]
        }
        var dir = Files.dirname(executablePath())
        for _ in 0..<6 {
            candidates += sitePackages(under: Files.join(dir, ".venv")).map { Files.join($0, "ansible") }
            dir = Files.dirname(dir)
        }
        if let venv = Files.environment("VIRTUAL_ENV") { candidates += sitePackages(under: venv).map { Files.join($0, "ansible") } }
        for p in (Files.environment("PATH") ?? "").split(separator: ":") {
            let exe = Files.join(String(p), "ansible-playbook")
            guard Files.exists(exe), let text = try? Files.read(exe), text.hasPrefix("#!") else { continue }
            let interp = String(text.dropFirst(2).prefix { $0 != "\n" }).split(separator: " ").first.map(String.init) ?? ""
            candidates += sitePackages(under: Files.dirname(Files.dirname(interp))).map { Files.join($0, "ansible") }
        }
        candidates += ["/usr/lib/python3/dist-packages/ansible"]
        guard let found = candidates.first(where: { Files.exists(Files.join($0, "modules/ping.py")) }) else { return nil }
        return ModuleLibrary(ansibleDir: Files.absolute(found), collectionsPaths: collectionsPaths)
    }

    static func sitePackages(under prefix: String) -> [String] {
        let lib = Files.join(prefix, "lib")
        return Files.list(lib).filter { $0.hasPrefix("python3") }.map { Files.join(lib, $0 + "/site-packages") }
    }

    static func executablePath() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, 4095)
        return n > 0 ? String(nulTerminated: buf) : Files.cwd()
    }

    /// The module for an action name, searched in the playbook's library dirs first.
    /// `utilDirs`: the user's module_utils directories, searched before ansible-core's own.
    public func module(_ written: String, searchDirs: [String], utilDirs: [String] = []) throws -> ModuleSource? {
        let key = written + "|" + searchDirs.joined(separator: ":") + "|" + utilDirs.joined(separator: ":")
        if let m = cache.withLock({ $0[key] }) { return m }
        let action = redirected(written)
        guard let path = findModule(action, searchDirs: searchDirs) else { return nil }
        let name = String(action.split(separator: ".").last ?? Substring(action))
        let bytes = try Files.readBytes(path)
        if ModuleSource.isBinary(bytes) {
            // Ansible copies it to the host as it is and runs it with its arguments file.
            let text = Base64.encode(bytes)
            var m = ModuleSource(name: name, path: path, source: text, hash: ModuleLibrary.digest(text), package: modulePackage(action), utils: [])
            m.computeManifest()
            m.program = ModuleSource.Program(wantJSON: true, interpreter: nil, binary: true)
            cache.withLock { $0[key] = m }
            return m
        }
        let source = String(decoding: bytes, as: UTF8.self)
        var utils: [(String, String, Bool)] = []
        var seen = Set<String>()
        // …and, from 2.19, the AnsiballZ loader whose handler reports an exception a module leaves unhandled.
        let always = ["ansible.module_utils.basic", "ansible.module_utils._internal._json._profiles._module_legacy_c2m",
                      "ansible.module_utils._internal._json._profiles._module_legacy_m2c",
                      "ansible.module_utils._internal._ansiballz._loader"]
        // A module of the modern profile decodes and encodes with that profile's modules.
        let profile = ModuleProfiles.declared(source)
        let profiles = profile == "modern" ? ["ansible.module_utils._internal._json._profiles._module_modern_c2m",
                                              "ansible.module_utils._internal._json._profiles._module_modern_m2c"] : []
        var queue = scanImports(source, package: modulePackage(action)) + always + profiles
        while let name = queue.popLast() {
            guard !seen.contains(name) else { continue }
            seen.insert(name)
            guard let (file, isPkg) = resolveUtil(name, utilDirs: utilDirs) else { continue }
            // Parent packages must exist for the import to work.
            var parts = name.split(separator: ".").map(String.init)
            while parts.count > 2 {
                parts.removeLast()
                queue.append(parts.joined(separator: "."))
            }
            let src = try Files.read(file)
            utils.append((name, src, isPkg))
            queue += scanImports(src, package: isPkg ? name : String(name.split(separator: ".").dropLast().joined(separator: ".")))
        }
        var m = ModuleSource(name: name, path: path, source: source, hash: ModuleLibrary.digest(source),
                             package: modulePackage(action), utils: utils)
        m.computeManifest()
        m.program = ModuleSource.programStyle(source)
        m.profile = profile
        cache.withLock { $0[key] = m }
        return m
    }

    func modulePackage(_ action: String) -> String {
        let parts = action.split(separator: ".")
        if parts.count >= 3, !(parts[0] == "ansible" && (parts[1] == "builtin" || parts[1] == "legacy")) {
            return "ansible_collections.\(parts[0]).\(parts[1]).plugins.modules"
        }
        return "ansible.modules"
    }

    public func findModule(_ action: String, searchDirs: [String]) -> String? {
        let parts = action.split(separator: ".").map(String.init)
        if parts.count >= 3 {
            if parts[0] == "ansible", parts[1] == "builtin" || parts[1] == "legacy" {
                return findModule(parts.dropFirst(2).joined(separator: "."), searchDirs: parts[1] == "legacy" ? searchDirs : [])
            }
            if let file = collectionPlugin(action, kind: "modules") { return file }
            let target = redirected(action)
            return target != action ? findModule(target, searchDirs: []) : nil
        }
        for dir in searchDirs {
            for ext in [".py", ""] {
                let p = Files.join(dir, action + ext)
                if Files.exists(p), !Files.isDirectory(p) { return p }
            }
            // A module in another language keeps its extension (`helloworld.sh`).
            if let other = Files.list(dir).first(where: { name in
                name.hasPrefix(action + ".") && !name.dropFirst(action.count + 1).contains(".")
                    && !["pyc", "pyo", "ps1", "yml", "yaml"].contains(String(name.dropFirst(action.count + 1)))
            }), !Files.isDirectory(Files.join(dir, other)) {
                return Files.join(dir, other)
            }
        }
        let p = Files.join(ansibleDir, "modules/\(action).py")
        if Files.exists(p) { return p }
        // The old way of deprecating a module: its file renamed with a leading underscore.
        if !action.hasPrefix("_"), !action.contains("."), let file = findModule("_" + action, searchDirs: searchDirs) {
            Output.deprecation("Plugin '\(action)' automatically redirected to '_\(action)'.", version: "2.23", origin: nil,
                               help: "Use '_\(action)' instead of '\(action)' to refer to the plugin.")
            return file
        }
        return movedModule(action).flatMap { findModule($0, searchDirs: []) }
    }

    /// A collection module its meta/runtime.yml redirects to another (fully qualified) name, followed
    /// while the name has no file of its own.
    func redirected(_ action: String) -> String {
        var name = action
        for _ in 0..<5 {
            let parts = name.split(separator: ".").map(String.init)
            guard parts.count >= 3, parts[0] != "ansible", collectionPlugin(name, kind: "modules") == nil,
                  let next = routing(name, kind: "modules")?["redirect"]?.stringValue, next.split(separator: ".").count >= 3 else { break }
            name = next
        }
        return name
    }

    /// A collection plugin's entry in its meta/runtime.yml `plugin_routing` (`kind`: modules, action…).
    func routing(_ fqcn: String, kind: String) -> Value? {
        let parts = fqcn.split(separator: ".").map(String.init)
        guard parts.count >= 3 else { return nil }
        return runtime(parts[0] + "." + parts[1])["plugin_routing"]?[kind]?[parts[2...].joined(separator: ".")]
    }

    /// A name ansible-core moved to a collection (`ios_facts` → cisco.ios.ios_facts).
    public func movedModule(_ action: String) -> String? {
        guard let moved = runtime("ansible.builtin")["plugin_routing"]?["modules"]?[action]?["redirect"]?.stringValue,
              moved.split(separator: ".").count >= 3, !moved.hasPrefix("ansible.builtin.") else { return nil }
        return moved
    }

    /// A short action name found as a module or action plugin of one of `collections` (the
    /// `collections:` keyword), by its fully qualified name; ansible.builtin and ansible.legacy
    /// are Ansible's own.
    public func resolveInCollections(_ action: String, _ collections: [String]) -> String? {
        for c in collections where c != "ansible.builtin" && c != "ansible.legacy" {
            let fqcn = "\(c).\(action)"
            if findModule(fqcn, searchDirs: []) != nil || collectionPlugin(fqcn, kind: "action") != nil
                || routing(fqcn, kind: "action") != nil || routing(fqcn, kind: "modules") != nil {
                return fqcn
            }
        }
        return nil
    }

    /// A collection's meta/runtime.yml (ansible.builtin's is ansible-core's own, ~9,000 lines),
    /// read once per run: action groups and plugin redirects come from there.
    public func runtime(_ collection: String) -> Value {
        if let v = runtimes.withLock({ $0[collection] }) { return v }
        let paths = collection == "ansible.builtin" ? [Files.join(ansibleDir, "config/ansible_builtin_runtime.yml")]
            : collectionRoots.map { Files.join($0, "ansible_collections/\(collection.replacingOccurrences(of: ".", with: "/"))/meta/runtime.yml") }
        var found = Value.none
        for p in paths where Files.exists(p) {
            if let text = try? Files.read(p), let v = try? YAMLReader.loadValue(text, file: p) { found = v }
            break
        }
        runtimes.withLock { $0[collection] = found }
        return found
    }

    /// An option's default as ansible-core's config/base.yml declares it (read once, when needed).
    public func configDefault(_ option: String) -> Value? {
        if let v = runtimes.withLock({ $0["config:base"] }) { return v[option]?["default"] }
        let path = Files.join(ansibleDir, "config/base.yml")
        let found = (try? Files.read(path)).flatMap { try? YAMLReader.loadValue($0, file: path) } ?? .none
        runtimes.withLock { $0["config:base"] = found }
        return found[option]?["default"]
    }

    /// A collection's Python plugin file of a kind (`strategy`, `callback`…), by its FQCN.
    public func collectionPlugin(_ fqcn: String, kind: String) -> String? {
        let parts = fqcn.split(separator: ".").map(String.init)
        guard parts.count >= 3 else { return nil }
        return collectionRoots.lazy
            .map { Files.join($0, "ansible_collections/\(parts[0])/\(parts[1])/plugins/\(kind)/\(parts[2...].joined(separator: "/")).py") }
            .first(where: Files.exists)
    }

    /// Whether the collection of a fully qualified plugin name (`ns.coll.name`) is installed.
    public func hasCollection(of fqcn: String) -> Bool {
        let parts = fqcn.split(separator: ".")
        return parts.count >= 3 && collectionRoots.contains { Files.isDirectory(Files.join($0, "ansible_collections/\(parts[0])/\(parts[1])")) }
    }

    /// Where ansible-core redirects a short callback name (`timer` to ansible.posix.timer…).
    func callbackRedirect(_ name: String) -> String? {
        runtime("ansible.builtin")["plugin_routing"]?["callback"]?[name]?["redirect"]?.stringValue
    }

    /// A module_utils name → its file, for ansible.module_utils.* (the user's `utilDirs` first,
    /// as Ansible's module_utils loader has them) and collection module_utils.
    func resolveUtil(_ name: String, utilDirs: [String] = []) -> (String, Bool)? {
        let parts = name.split(separator: ".").map(String.init)
        var bases: [String] = []
        var rel: [String] = []
        if parts.count >= 2, parts[0] == "ansible", parts[1] == "module_utils" {
            rel = Array(parts.dropFirst(2))
            bases = (rel.isEmpty ? [] : utilDirs.filter(Files.isDirectory)) + [Files.join(ansibleDir, "module_utils")]
        } else if parts.count >= 5, parts[0] == "ansible_collections", parts[3] == "plugins", parts[4] == "module_utils" {
            bases = collectionRoots.map { Files.join($0, "ansible_collections/\(parts[1])/\(parts[2])/plugins/module_utils") }
            rel = Array(parts.dropFirst(5))
        } else {
            return nil
        }
        for base in bases {
            let path = rel.isEmpty ? base : Files.join(base, rel.joined(separator: "/"))
            if Files.exists(path + ".py") { return (path + ".py", false) }
            if Files.exists(Files.join(path, "__init__.py")) { return (Files.join(path, "__init__.py"), true) }
        }
        return nil
    }

    /// Every `import x.y` / `from x import a, b` / relative import in a Python source, as
    /// candidate module names (a `from` name may be a submodule or an attribute; both are tried).
    func scanImports(_ source: String, package: String) -> [String] {
        var out: [String] = []
        var pending = ""
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw.trimmingCharacters(in: " \t\r")
            if !pending.isEmpty {
                pending += " " + line
                if !line.contains(")") { continue }
                line = pending
                pending = ""
            }
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            if line.hasPrefix("from "), line.contains("("), !line.contains(")") { pending = line; continue }
            if line.hasPrefix("import ") {
                for item in line.dropFirst(7).split(separator: ",") {
                    let name = item.split(separator: " ").first.map(String.init) ?? ""
                    if interesting(name) { out.append(name) }
                }
            } else if line.hasPrefix("from "), let imp = line.firstRange(of: " import ") {
                var mod = String(line[line.index(line.startIndex, offsetBy: 5)..<imp.lowerBound]).trimmingCharacters(in: " ")
                if mod.hasPrefix(".") {
                    let dots = mod.prefix { $0 == "." }.count
                    var base = package.split(separator: ".").map(String.init)
                    base.removeLast(min(base.count, dots - 1))
                    let rest = mod.dropFirst(dots)
                    mod = (base + (rest.isEmpty ? [] : [String(rest)])).joined(separator: ".")
                }
                guard interesting(mod) else { continue }
                out.append(mod)
                let names = line[imp.upperBound...].replacingParens
                for n in names.split(separator: ",") {
                    let name = n.trimmingCharacters(in: " ").split(separator: " ").first.map(String.init) ?? ""
                    if !name.isEmpty, name != "*" { out.append(mod + "." + name) }
                }
            }
        }
        return out
    }

    func interesting(_ name: String) -> Bool {
        name.hasPrefix("ansible.module_utils") || name.hasPrefix("ansible_collections.")
    }

    /// Content address of a source: SHA-256, as the agent checks what it reads from its cache.
    static func digest(_ s: String) -> String {
        HashFilters.hex(SHA256.hash(data: Array(s.utf8)))
    }
}

extension StringProtocol {
    var replacingParens: String { String(filter { $0 != "(" && $0 != ")" }) }
}

