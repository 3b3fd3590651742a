// Runs a playbook: plays in order, each over its hosts with the linear strategy (or free and
// host_pinned: each host through the play on its own), handlers at the end of each section,
// results to the callback, and Ansible's exit code at the end.
import Inventory
import Jinja
import Playbook
import Remote
import Synchronization
import Values
import Vault
import YAMLReader
#if canImport(Glibc)
import Glibc
#endif

public struct RunOptions: Sendable {
    public var limit: String?
    public var extraVars = Dict()
    public var forks: Int?
    public var verbosity = 0
    public var tags: [String] = []
    public var skipTags: [String] = []
    public var check = false
    /// --force-handlers: notified handlers run even on hosts that failed.
    public var forceHandlers = false
    public var diff = false
    /// --start-at-task: tasks before the first one of that name (or glob) are passed over.
    public var startAtTask: String?
    /// An ad-hoc run: its task, shown with the minimal callback.
    public var adhoc: AdHocTask?
    /// --step: each task is confirmed before it runs.
    public var step = false
    public init() {}
}

public final class PlaybookRunner: @unchecked Sendable {
    let settings: Settings
    /// DISPLAY_TRACEBACK's events, read once: modules are told them, results keep tracebacks by them.
    let tracebacksFor: [String]
    /// The configuration's part of every task's connection variables.
    let connectionDefaults: ConnectionDefaults
    let library: ModuleLibrary
    let inventory: Inventory
    let options: RunOptions
    let vars: VariableManager
    let callback: DefaultCallback
    /// A stdout_callback that could not be loaded: the run stops before its first play.
    var stdoutFailure: DefaultCallback.Unloadable?
    /// The junit callback, when callbacks_enabled names it.
    let junit: JUnitCallback?
    /// timer and profile_tasks, when callbacks_enabled names them.
    let aggregates: AggregateCallbacks
    let stats = Stats()
    private let lock = Mutex<Void>(())
    private var failed: Set<String> = []
    private var unreachable: Set<String> = []
    /// Hosts that `meta: end_host` / `end_play` took out of the current play (not failed).
    private var ended: Set<String> = []
    /// An error that ends the whole run once the current task is done (an invalid `meta`).
    private var abort: (any Error)?
    /// Hosts inside the block section of a block with rescue (how many such blocks deep).
    private var rescuable: [String: Int] = [:]
    /// Where any_errors_fatal broke the play (an always section after it runs for every host
    /// when that was the last task before it).
    private var fatalTask: String?
    private var fatalRescued: Set<String> = []
    /// Hosts a meta: clear_host_errors has cleared (an always section lets them go on).
    private var errorsCleared: Set<String> = []
    /// meta: end_play ran: no further batch of the play starts.
    var playEnded = false
    /// Handler names that were templates, as rendered for the play.
    private var renderedHandlerNames: [String: String] = [:]
    /// Handlers of roles brought in by include_role during the current play.
    private var includedHandlers: [PlayTask] = []
    /// Play-level roles (by Role.completionKey): hosts that ran one of their tasks, and hosts that
    /// ran them to the end (and so skip the same role listed again).
    private var rolesRan: [String: Set<String>] = [:]
    private var rolesCompleted: [String: Set<String>] = [:]
    /// Role instances a host left with `meta: end_role`: their remaining tasks skip it.
    private var endedRoles: [String: Set<ObjectIdentifier>] = [:]

    func endRole(_ role: Role, for host: String) { _ = lock.withLock { _ in endedRoles[host, default: []].insert(ObjectIdentifier(role)) } }
    /// --start-at-task, until a task matches it (then nil: everything after runs).
    private var startAt: String?
    /// Failed hosts that still run while handlers are forced (tasks a handler includes too).
    private var forcedHosts: Set<String> = []
    /// The running play, for work that needs another host's variables (delegate_to).
    var currentPlay: VariableManager.PlayContext?
    /// Every loaded role's library/, in load order: as ansible-core adds each to the module
    /// loader for the rest of the run, a task finds the first role's module of a name, whichever
    /// role (or none) it belongs to.
    let roleLibraries = Mutex<[String]>([])

    func loaded(role path: String) {
        let dir = Files.join(path, "library")
        roleLibraries.withLock { if !$0.contains(dir) { $0.append(dir) } }
    }
    /// The running play's keywords (connection, remote_user, become…) that tasks inherit.
    var playKeywords: [String: Value] = [:]
    var playKeywordLocations: [String: SourceLocation] = [:]
    /// The running play's strategy is free or host_pinned: hosts do not wait for each other.
    var nonLockstep = false
    /// The running play's strategy is `debug`: the task debugger takes every failure.
    var debugStrategy = false
    /// Tasks' throttles across hosts that run on their own.
    let gate = ThrottleGate()
    /// --step until the user answers `c`.
    private var stepping: Bool
    /// The task files an include's file or role imported as it loaded, said at -vv (as
    /// load_list_of_tasks does), before the include's own line.
    func sayStaticImports() { say(staticImports: includeLoader.takeStaticImports()) }

    func say(staticImports paths: [String]) {
        for p in paths { Output.verbose("statically imported: \(p)", caplevel: 1) }
    }

    /// Loads task files for include_tasks while the play runs.
    lazy var includeLoader: PlaybookLoader = {
        var l = PlaybookLoader(settings: settings, library: library, extraVars: options.extraVars)
        l.baseDir = vars.playbookDir
        return l
    }()

    public init(settings: Settings, library: ModuleLibrary, inventory: Inventory, playbookDir: String, options: RunOptions) {
        tracebacksFor = settings.tracebacksFor
        self.settings = settings
        connectionDefaults = ConnectionDefaults(settings)
        self.library = library
        self.inventory = inventory
        self.options = options
        vars = VariableManager(inventory: inventory, extraVars: options.extraVars, playbookDir: playbookDir, library: library)
        vars.checkMode = options.check
        vars.factCache = FactCache(settings)
        vars.privateRoleVars = settings.privateRoleVars
        startAt = options.startAtTask
        vars.runTags = options.tags.isEmpty ? ["all"] : options.tags
        vars.skipTags = options.skipTags
        vars.taggedRun = options.adhoc == nil
        vars.diffMode = options.diff
        vars.verbosity = options.verbosity
        vars.injectFacts = settings.value(env: "ANSIBLE_INJECT_FACT_VARS", key: "inject_facts_as_vars").map(Settings.truthy) ?? true
        vars.forks = options.forks ?? settings.forks
        vars.configFile = settings.configFile
        callback = DefaultCallback(verbosity: options.verbosity, settings: settings)
        stepping = options.step
        // Ad-hoc runs load no callbacks beyond their stdout one (bin_ansible_callbacks is off).
        aggregates = options.adhoc == nil ? AggregateCallbacks.load(settings, library: library, verbosity: options.verbosity) : AggregateCallbacks()
        junit = aggregates.junit
        callback.adhoc = options.adhoc
        if let adhoc = options.adhoc {
            callback.compact = adhoc.oneLine ? .oneline : .minimal
        } else {
            do {
                callback.compact = try DefaultCallback.stdoutCallback(settings, library: library)
                if callback.compact == .json { callback.jsonReport = JSONReport(settings) }
            } catch {
                stdoutFailure = error as? DefaultCallback.Unloadable
            }
        }
        vars.hostsDown = { [unowned self] in self.lock.withLock { _ in self.failed.union(self.unreachable) } }
    }

    /// At -v, which ansible.cfg is used: the commands say it first, before inventory warnings.
    public static func announceConfig(_ settings: Settings) {
        Output.verbose(settings.configFile.map { "Using \($0) as config file" } ?? "No config file found; using defaults", caplevel: 0)
    }

    /// Runs every play; returns Ansible's exit code. On a terminal the live status line is kept
    /// meanwhile.
    public func run(_ book: PlaybookFile) async -> Int32 {
        let ticker = _Concurrency.Task { await LiveStatus.run() }
        let code = await runPlays(book)
        ticker.cancel()
        Output.lock.withLock { _ in LiveStatus.erase() }
        return code
    }

    /// RETRY_FILES_ENABLED: the hosts that failed or were unreachable, one per line, in
    /// `<playbook>.retry` (beside it, or under retry_files_save_path) for `--limit @file`.
    func writeRetryFile(_ book: PlaybookFile) {
        guard settings.value(env: "ANSIBLE_RETRY_FILES_ENABLED", key: "retry_files_enabled").map(Settings.truthy) == true else { return }
        let hosts = lock.withLock { _ in failed.union(unreachable) }.sorted()
        guard !hosts.isEmpty else { return }
        let dir = settings.value(env: "ANSIBLE_RETRY_FILES_SAVE_PATH", key: "retry_files_save_path").map(Files.expandUser)
            ?? Files.dirname(Files.absolute(book.path))
        var name = Files.basename(book.path)
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        let path = Files.join(dir, name + ".retry")
        do {
            try Files.makeDirectories(dir)
            try Files.write(path, Array(hosts.map { $0 + "\n" }.joined().utf8))
            Output.write("\tto retry, use: --limit @\(path)\n")   // the banner after starts with its blank line
        } catch {
            Output.warning("Could not create retry file '\(path)'.\n\t\(error)")
        }
    }

    func runPlays(_ book: PlaybookFile) async -> Int32 {
        if let failure = stdoutFailure {
            if let w = failure.warning { Output.warning(w) }
            Output.error("Could not load '\(failure.name)' callback plugin.")
            return ExitCodes.error
        }
        // The playbook's roles load before anything runs (include_role's add theirs as they come).
        roleLibraries.withLock { $0 = book.roleLibraries }
        // The task files imported while the playbook loaded, the other stdout callbacks the
        // default one stands in for, its banner at -vv, and the count of plays.
        say(staticImports: book.staticImports)
        for other in ["minimal", "oneline"] { Output.verbose("Skipping callback '\(other)', as we already have a stdout callback.", caplevel: 1) }
        if options.verbosity > 1 { Output.banner("PLAYBOOK: \(Files.basename(book.path))") }
        Output.verbose("\(book.plays.count) plays in \(book.given.isEmpty ? book.path : book.given)", caplevel: 1)
        if options.check && callback.checkMarkers { Output.banner("DRY RUN") }
        for play in book.plays {
            do {
                let everyHostDown = try await runPlay(play)
                try checkAbort()   // an abort the last tasks or handlers left
                if everyHostDown { break }   // a batch where every host failed ends the playbook
            } catch is AnyErrorsFatal {
                break
            } catch {
                await ContextService.shared.shutdownAll()
                return PlaybookRunner.report(error)
            }
        }
        writeRetryFile(book)
        callback.recap(stats)
        junit?.finish(playbook: book.path) { [callback] in callback.dump($0, indent: 0, json: true) }
        for r in aggregates.recaps { r.recap() }
        if options.check && callback.checkMarkers { Output.banner("DRY RUN") }
        if let want = options.startAtTask, lock.withLock({ _ in startAt }) != nil {
            Output.error("No matching task \"\(want)\" found. Note: --start-at-task can only follow static includes.")
        }
        await ContextService.shared.shutdownAll()
        if Files.environment("SWANSIBLE_STATS") != nil {
            let b = Broker.shared
            Output.line("swansible: \(b.requests.load(ordering: .relaxed)) agent requests, \(b.bytesOut.load(ordering: .relaxed)) bytes sent, \(b.bytesIn.load(ordering: .relaxed)) bytes received", stderr: true)
        }
        let (f, u) = lock.withLock { _ in (failed, unreachable) }
        if !u.isEmpty { return ExitCodes.hostUnreachable }
        if !f.isEmpty { return ExitCodes.hostFailed }
        return ExitCodes.success
    }

    /// The hosts a play targets: its pattern, narrowed by --limit.
    public static func playHosts(_ play: Play, _ inventory: Inventory, limit: String?, extraVars: Dict) throws -> [String] {
        var pattern: String
        switch play.hosts {
        case .list(let l): pattern = l.map(\.pythonStr).joined(separator: ",")
        default: pattern = play.hosts.pythonStr
        }
        if !Template.isPlain(pattern) {
            // With the play's vars and the extra vars; a play without a name is named by its
            // hosts, so Ansible's error is about `name` then.
            let templar = Templar()
            let rendered: Value
            do { rendered = try templar.template(.string(pattern), templar.staticScope(play.vars, extraVars: extraVars)) } catch let e as AnsibleError {
                var err = PlaybookError("Error processing keyword '\(play.name == nil ? "name" : "hosts")': \(e.message)", at: play.hostsLocation ?? play.location)
                err.parse = true   // an AnsibleParserError: exit code 4
                throw err
            }
            pattern = rendered.listValue.map { $0.map(\.pythonStr).joined(separator: ",") } ?? rendered.pythonStr
        }
        var hosts = try hosts(matching: pattern, inventory, limit: limit)
        // `order:` as the inventory's get_hosts applies it (templated with the play's vars).
        var order = play["order"]?.pythonStr
        if let o = order, !Template.isPlain(o) {
            let vars: Dict = play["vars"]?.dictValue ?? Dict()
            order = try Templar.renderStatic(o, vars: vars, extraVars: extraVars)
        }
        switch order {
        case "reverse_inventory"?: hosts.reverse()
        case "sorted"?: hosts.sort()
        case "reverse_sorted"?: hosts.sort(by: >)
        case "shuffle"?: hosts.shuffle()
        case nil, "inventory"?: break
        case let other?: throw OptionsError("Invalid 'order' specified for inventory hosts: \(other)")
        }
        return hosts
    }

    /// The hosts a pattern matches, narrowed by --limit (its `@file`s read).
    public static func hosts(matching pattern: String, _ inventory: Inventory, limit: String?) throws -> [String] {
        var hosts = try inventory.hosts(matching: pattern)
        if let limit {
            let allowed = Set(try inventory.hosts(matching: try expandLimit(limit)))
            hosts = hosts.filter { allowed.contains($0) }
        }
        return hosts
    }

    /// `--limit @file` reads one pattern per line.
    public static func expandLimit(_ limit: String) throws -> String {
        guard limit.contains("@") else { return limit }
        // InventoryManager.subset: each `@file` term is the file's lines (its path shown as Python bytes).
        let terms = try limit.split(separator: ",").map { term -> String in
            guard term.hasPrefix("@") else { return String(term) }
            let path = String(term.dropFirst())
            guard Files.exists(path) else { throw AnsibleError("Unable to find limit file b\(Value.string(path).pythonRepr)") }
            guard !Files.isDirectory(path) else {
                throw AnsibleError("Limit starting with \"@\" must be a file, not a directory: b\(Value.string(path).pythonRepr)")
            }
            return try Files.read(path).split(separator: "\n").map { $0.trimmingCharacters(in: " \t\r") }.filter { !$0.isEmpty }.joined(separator: ",")
        }
        return terms.filter { !$0.isEmpty }.joined(separator: ",")
    }

    /// PlaybookExecutor reads the play's variables once without a host: a vars_files entry whose
    /// name needs one (`vars/{{ ansible_os_family }}.yml`) is skipped there with a warning, before
    /// the banner; each host reads it later.
    func warnHostVarsFiles(_ play: Play, hosts: [String]) {
        guard play.varsFiles.contains(where: { $0.pythonStr.contains("{{") }) else { return }
        let scope = playScope(play, hosts: hosts)
        for (i, f) in play.varsFiles.enumerated() {
            for c in f.listValue ?? [f] {
                let name: String
                do { name = try vars.templar.template(c, scope).pythonStr } catch let e as AnsibleError where e.kind == .undefined {
                    let at = i < play.varsFileLocations.count ? play.varsFileLocations[i] : nil
                    Output.warning(Origin.report("skipping vars_files item due to an undefined variable", at))
                    break
                } catch { break }
                if Files.exists(Files.join(play.baseDir.isEmpty ? vars.playbookDir : play.baseDir, name)) { break }
            }
        }
    }

    /// The vars_files named without a template, read before the banner as Ansible's play-level
    /// get_vars reads them (the first of a list that exists): a value that is no file name and a
    /// file that does not decrypt stop the run there.
    func readStaticVarsFiles(_ play: Play) throws {
        for (i, f) in play.varsFiles.enumerated() {
            for candidate in f.listValue ?? [f] {
                guard case .string(let name) = candidate else {
                    var e = PlaybookError("Invalid `vars_files` value of type '\(candidate.typeName)'.",
                                          at: i < play.varsFileLocations.count ? play.varsFileLocations[i] : nil)
                    e.help = "A `vars_files` value should either be a string or list of strings."
                    e.parse = true
                    throw e
                }
                guard !name.contains("{{") else { continue }
                let path = Files.join(play.baseDir.isEmpty ? vars.playbookDir : play.baseDir, name)
                if Files.exists(path) {
                    _ = try PlaybookRunner.varsFile(path)
                    break
                }
            }
        }
    }

    /// The variables PlaybookExecutor has for a play before any host: its roles' defaults, its
    /// vars, the vars_files named without a template, its roles' vars, the extra vars and the
    /// magic ones that need no host.
    func playScope(_ play: Play, hosts: [String]) -> VarScope {
        var raw: [String: Value] = [:]
        for role in play.roles { for (k, v) in role.allDefaults { raw[k.pythonStr] = v } }
        for (k, v) in play.vars { raw[k.pythonStr] = v }
        for f in play.varsFiles {
            for case .string(let name) in f.listValue ?? [f] where !name.contains("{{") {
                let path = Files.join(play.baseDir.isEmpty ? vars.playbookDir : play.baseDir, name)
                guard Files.exists(path), let loaded = try? PlaybookRunner.varsFile(path) else { continue }
                for (k, v) in loaded { raw[k.pythonStr] = v }
                break
            }
        }
        for role in play.roles { for (k, v) in role.allVars { raw[k.pythonStr] = v } }
        for (k, v) in options.extraVars { raw[k.pythonStr] = v }
        vars.addMagic(&raw, host: "", pc: VariableManager.PlayContext(play: play, playVars: play.vars, hosts: hosts, batch: hosts), task: nil)
        for k in ["inventory_hostname", "inventory_hostname_short", "group_names"] { raw[k] = nil }
        return VarScope(raw: raw, templar: vars.templar)
    }

    /// A play's vars file; one that does not decrypt names itself, as Ansible's error does.
    static func varsFile(_ path: String) throws -> Dict {
        do { return try VarsFiles.readVarsFile(path, listOfMappings: true) } catch let e as VaultFileError {
            var err = PlaybookError("Invalid vars_files file '\(path)'.")
            err.causes = [(e.message, SourceLocation(file: path, line: 0, column: 0), nil)]
            throw err
        }
    }

    /// An error that stops the playbook before or while a play runs, said as ansible-playbook
    /// says it; returns its exit code.
    public static func report(_ error: any Error) -> Int32 {
        switch error {
        case let e as UnexpectedException:
            Output.error("Unexpected Exception, this is probably a bug: \(e.message)")
            return ExitCodes.unknown
        case let e as OptionsError:
            Output.error(e.description)
            return ExitCodes.badOption
        case let e as PlaybookError:
            Output.error(Origin.report(e))
            return e.parse ? ExitCodes.parserError : ExitCodes.error
        case let e as YAMLError:   // a vars file's
            Output.error(Origin.report(e))
            return ExitCodes.parserError
        default:
            Output.error("\(error)")
            return ExitCodes.error
        }
    }

    /// Returns true when a batch ended with every one of its hosts failed or unreachable: the
    /// playbook stops there, as PlaybookExecutor breaks out of its plays.
    @discardableResult
    func runPlay(_ given: Play) async throws -> Bool {
        // vars_prompt first: the answers are play vars for everything after, keywords included.
        var written = given
        for (k, v) in try prompts(given) { written.vars[.string(k)] = v }
        try readStaticVarsFiles(written)
        let play = try postValidate(written)
        playKeywords = play.keywords
        playKeywordLocations = play.keywordLocations
        lock.withLock { _ in
            ended = []
            playEnded = false
        }
        var shown = play
        shown.name = PlaybookRunner.playName(play, extraVars: options.extraVars, templar: vars.templar)
        // The hosts before the banner: a pattern that matches nothing is said (or fails) first.
        let all = try PlaybookRunner.playHosts(play, inventory, limit: options.limit, extraVars: options.extraVars)
        warnHostVarsFiles(play, hosts: all)
        // The batches are made before the banner: a `serial` size int() refuses stops the run there.
        _ = try serialBatches(play, hosts: all, pc: VariableManager.PlayContext(play: play, playVars: play.vars, hosts: all, batch: all))
        callback.playStart(shown, checkMode: play["check_mode"].map { AnsibleFilters.boolean($0).truthy } ?? vars.checkMode)
        junit?.playStart(DefaultCallback.playName(shown))
        let strategy = try strategy(play)
        nonLockstep = strategy == "free" || strategy == "host_pinned"
        debugStrategy = strategy == "debug"
        guard !all.isEmpty else {
            callback.noHostsMatched()
            return false
        }
        // The vars plugins read group_vars/host_vars when the play first asks for its hosts'
        // variables: a file there that does not parse ends the run after the banner (exit 4).
        for host in all {
            do { _ = try vars.inventoryVars(host) } catch let e as YAMLError {
                var error = PlaybookError("YAML parsing failed: \(e.message)")
                error.parse = true
                throw error
            }
        }
        // Hosts that failed in an earlier play stay in the play's host list and its batches
        // (ansible_play_hosts_all, serial), marked failed: they run nothing.
        let dead = lock.withLock { _ in failed.union(unreachable) }
        let hosts = all.filter { !dead.contains($0) }
        let playVars = play.vars
        var pc = VariableManager.PlayContext(play: play, playVars: playVars, hosts: all, batch: all)
        currentPlay = pc
        vars.resetPlayRoles()
        // Handlers belong to their play: what a failed host had notified in an earlier one is gone
        // (the same role's handler is the same task in every play).
        for h in all { vars.state(h).notified = [] }
        lock.withLock { _ in
            includedHandlers = []
            rolesRan = [:]
            rolesCompleted = [:]
            endedRoles = [:]
        }
        includeLoader.seenRoles = play.roleKeys
        includeLoader.collectionSearch = (play["collections"]?.listValue ?? []).compactMap(\.stringValue)
        pc.playVars = playVars
        // vars_files are read for each host: their names are templated with that host's vars.
        for host in hosts where !play.varsFiles.isEmpty {
            let scope = try vars.scope(host: host, pc: pc, task: nil)
            var loaded = Dict()
            for f in play.varsFiles {
                // A list entry is a first-found choice: the first candidate that templates and exists.
                let candidates = f.listValue ?? [f]
                var found: String?
                for c in candidates {
                    guard let name = try? vars.templar.template(c, scope).pythonStr else { continue }
                    let path = Files.join(play.baseDir.isEmpty ? vars.playbookDir : play.baseDir, name)
                    if Files.exists(path) { found = path; break }
                }
                guard let path = found else {
                    let names = candidates.map { (try? vars.templar.template($0, scope).pythonStr) ?? $0.pythonStr }
                    throw PlaybookError("vars file \(names.count == 1 ? names[0] : names.description) was not found", at: play.location)
                }
                for (k, v) in try PlaybookRunner.varsFile(path) { loaded[k] = v }
            }
            pc.varsFiles[host] = loaded
        }
        currentPlay = pc
        defer {
            lock.withLock { _ in
                failed.formUnion(fatalRescued)
                fatalRescued = []
            }
        }
        let force = try play["force_handlers"].map { AnsibleFilters.boolean(try vars.templar.template($0, vars.scope(host: all[0], pc: pc, task: nil))).truthy }
            ?? (options.forceHandlers || settings.forceHandlers)
        // serial: the play runs batch after batch; a batch where every host failed ends it.
        for (i, batch) in try serialBatches(play, hosts: all, pc: pc).enumerated() {
            if i > 0 { callback.playStart(shown, checkMode: play["check_mode"].map { AnsibleFilters.boolean($0).truthy } ?? vars.checkMode) }   // each batch starts with the play's banner again
            pc.batch = batch
            currentPlay = pc
            if activeHosts(pc).isEmpty { continue }   // only hosts that failed before: the banner alone
            let downBefore = lock.withLock { _ in failed.union(unreachable) }
            try await runBatch(play, pc: pc, force: force)
            let down = lock.withLock { _ in failed.union(unreachable) }.subtracting(downBefore)
            if batch.allSatisfy(down.contains) { return true }
            if lock.withLock({ _ in playEnded }) { break }
        }
        return false
    }

    /// The play's strategy: linear (or debug: linear with the task debugger on), or free /
    /// host_pinned (run here as each host on its own, the first `forks` hosts through the play
    /// before the next start).
    func strategy(_ play: Play) throws -> String {
        // The keyword may be a template of the play's vars and the extra vars.
        let strategy = try play["strategy"].map { try vars.templar.template($0, vars.templar.staticScope(play.vars, extraVars: options.extraVars)).pythonStr }
            ?? settings.value(env: "ANSIBLE_STRATEGY", key: "strategy") ?? "linear"
        let short = strategy.hasPrefix("ansible.builtin.") ? String(strategy.dropFirst("ansible.builtin.".count)) : strategy
        // Anything but a built-in strategy, found or not (PluginLoader.get warns before it fails).
        let builtin = ["linear", "free", "host_pinned", "debug"].contains(short)
        if !builtin {
            Output.deprecation("Use of strategy plugins not included in ansible.builtin are deprecated and do not carry any backwards compatibility guarantees. No alternative for third party strategy plugins is currently planned.", version: nil, origin: nil)
        }
        guard builtin else {
            if let plugin = library.collectionPlugin(strategy, kind: "strategy") {
                throw PlaybookError("The strategy plugin '\(strategy)' (\(plugin)) is Python code for Ansible's controller, which swansible does not run; see docs/compatibility.md for what to use instead.", at: play.location)
            }
            throw PlaybookError("Invalid play strategy specified: \(strategy)", at: play.location)
        }
        return short
    }

    /// One batch of a play: fact gathering, then each section with its handlers. Under free and
    /// host_pinned every host goes through it on its own, `forks` hosts at a time.
    func runBatch(_ play: Play, pc: VariableManager.PlayContext, force: Bool) async throws {
        let hosts = activeHosts(pc)
        guard nonLockstep, hosts.count > 1 else { return try await runBatch(play, pc: pc, force: force, within: nil) }
        let forks = max(1, options.forks ?? settings.forks)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for h in hosts {
                if running >= forks {
                    try await group.next()
                    running -= 1
                }
                group.addTask { try await self.runBatch(play, pc: pc, force: force, within: [h]) }
                running += 1
            }
            try await group.waitForAll()
        }
    }

    func runBatch(_ play: Play, pc: VariableManager.PlayContext, force: Bool, within: [String]?) async throws {
        var gather = settings.gathering != "explicit"
        if let g = play["gather_facts"] { gather = AnsibleFilters.boolean(g).truthy }
        if gather {
            var args = Dict()
            if let s = play["gather_subset"] { args["gather_subset"] = s }
            if let t = play["gather_timeout"] { args["gather_timeout"] = t }
            if let p = play["fact_path"] { args["fact_path"] = p }   // local facts (ansible_local) from there
            let t = PlayTask(name: "Gathering Facts", action: "ansible.builtin.gather_facts", args: args, keywords: [:],
                             location: play.location, role: nil)
            var facts = t
            // Unless the play is tagged, gathering always runs (PlayIterator); else it has the play's tags.
            facts.inheritedTags = play.tags.isEmpty ? ["always"] : play.tags
            facts.inheritedWhen = play.includedWhen
            // smart: only the hosts whose facts were not gathered yet in this run or the fact cache.
            var hosts = within
            if settings.gathering == "smart" {
                hosts = activeHosts(pc).filter { (within?.contains($0) ?? true) && vars.state($0).facts["_ansible_facts_gathered"]?.truthy != true }
            }
            if hosts?.isEmpty != true, shouldRun(facts) { _ = await runTask(facts, pc: pc, only: hosts) }
        }
        for section in [play.preTasks, play.tasks, play.postTasks] {
            do { try await runList(section, pc: pc, within: within) } catch {
                // A broken play still runs what was notified when handlers are forced; a run that
                // ends on an error (a missing handler, an include that does not load) does not.
                if force, lock.withLock({ _ in abort.map { $0 is AnyErrorsFatal } ?? true }) { await runHandlers(play, pc: pc, force: true, only: within) }
                throw error
            }
            // The implicit flush_handlers (tagged `always` under the play's tags), as ANSIBLE_DEBUG tells it.
            if Output.debugging, PlaybookRunner.tagsAllow(play.tags + ["always"], only: options.tags, skip: options.skipTags) {
                for h in activeHosts(pc) where within?.contains(h) ?? true {
                    Output.debug(vars.state(h).notified.isEmpty ? "No handler notifications for \(h), skipping." : "META: triggered running handlers for \(h)")
                }
            }
            await runHandlers(play, pc: pc, force: force, only: within)
            if activeHosts(pc).filter({ within?.contains($0) ?? true }).isEmpty { return }
        }
    }

    /// `serial` (a number, a percentage, or a list of them, the last repeated): the play's hosts
    /// in batches of those sizes, as PlaybookExecutor._get_serialized_batches makes them, each
    /// size worked out when its batch is reached.
    func serialBatches(_ play: Play, hosts: [String], pc: VariableManager.PlayContext) throws -> [[String]] {
        guard let raw = play["serial"] else { return [hosts] }
        let v = try vars.templar.template(raw, vars.templar.staticScope(pc.playVars, extraVars: options.extraVars))
        if v.isOmit || v.isNone { return [hosts] }
        let sizes = v.listValue ?? [v]
        guard !sizes.isEmpty else { return [hosts] }
        var batches: [[String]] = []
        var rest = hosts[...]
        var i = 0
        while !rest.isEmpty {
            let n = try PlaybookRunner.batchSize(sizes[min(i, sizes.count - 1)], of: hosts.count)
            if n <= 0 {
                batches.append(Array(rest))
                break
            }
            batches.append(Array(rest.prefix(n)))
            rest = rest.dropFirst(n)
            i += 1
        }
        return batches
    }

    /// One `serial` size (helpers.pct_to_int): a percentage of the play's hosts (at least one),
    /// else a number as Python's int() reads it. What int() refuses is ansible-playbook's crash.
    static func batchSize(_ v: Value, of count: Int) throws -> Int {
        func int(_ text: String) throws -> Int {
            guard let i = PythonNumber.int(text, base: 10) else {
                throw UnexpectedException("invalid literal for int() with base 10: \(Value.string(text).pythonRepr)")
            }
            return i.intValue ?? (i.number! < 0 ? .min : .max)
        }
        switch v {
        case .string(let s), .unsafe(let s):
            if s.hasSuffix("%") {
                let share = Int((Double(try int(s.replacing("%", with: ""))) / 100 * Double(count)).rounded(.towardZero))
                return share == 0 ? 1 : share
            }
            return try int(s)
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .float(let f) where f.isFinite: return Int(f.rounded(.towardZero))
        default:
            throw UnexpectedException("int() argument must be a string, a bytes-like object or a real number, not '\(v.typeName)'")
        }
    }

    /// vars_prompt: asked on a terminal; given by -e, or their default, otherwise (a CI job has no
    /// terminal and must not hang waiting for one).
    /// `asking: false` (--syntax-check, the listings): each default, as PlaybookExecutor takes it
    /// without a task queue.
    func prompts(_ play: Play, asking: Bool = true) throws -> [(String, Value)] {
        guard case .list(var entries)? = play["vars_prompt"] else { return [] }
        // PlaybookExecutor renders the whole list with the play's vars before asking.
        if KeywordTypes.hasTemplate(.list(entries)) {
            let scope = playScope(play, hosts: [])
            for (i, entry) in entries.enumerated() {
                guard case .dict(var d) = entry else { continue }
                for (k, v) in d where KeywordTypes.hasTemplate(v) {
                    do { d[k] = try vars.templar.template(v, scope) } catch let e as AnsibleError {
                        throw PlaybookError(e.message, at: e.location ?? (i < play.promptLocations.count ? play.promptLocations[i][k.pythonStr] : nil))
                    }
                }
                entries[i] = .dict(d)
            }
        }
        var out: [(String, Value)] = []
        for e in entries {
            guard let name = e["name"]?.pythonStr, options.extraVars[.string(name)] == nil else { continue }
            let def = e["default"].flatMap { $0.isNone ? nil : $0 }
            guard asking else {
                out.append((name, def ?? .none))
                continue
            }
            // Display.do_var_prompt: asked on a terminal, else the default ("None" without one).
            var answer: String?
            if isatty(0) != 0 {
                let prompt = (e.dictValue?.keys.contains("prompt") == true ? e["prompt"] : .string(name)).flatMap { $0.truthy ? $0.pythonStr : nil }
                let message = prompt.map { p in def.map { "\(p) [\($0.pythonStr)]: " } ?? "\(p): " } ?? "input for \(name): "
                let hidden = e["private"].map { AnsibleFilters.boolean($0).truthy } ?? true
                while true {
                    Output.write(message)
                    let first = Prompt.readLine(hidden: hidden)
                    guard e["confirm"]?.truthy == true else { answer = first; break }
                    Output.write("confirm " + message)
                    if Prompt.readLine(hidden: hidden) == first { answer = first; break }
                    Output.line("***** VALUES ENTERED DO NOT MATCH ****")
                }
            } else {
                Output.warning("Not prompting as we are not in interactive mode")
            }
            var result: Value = (answer?.isEmpty ?? true) ? def ?? answer.map(Value.string) ?? .none : .string(answer!)
            if let algorithm = e["encrypt"], algorithm.truthy { result = .string(try PlaybookRunner.encrypted(result, algorithm, e)) }
            let text = result.pythonStr
            out.append((name, e["unsafe"]?.truthy == true ? .unsafe(text) : .string(text)))
        }
        return out
    }

    /// ansible.utils.encrypt.do_encrypt on a prompt's answer: passlib's hash with the entry's
    /// `salt` and `salt_size` and passlib's default rounds.
    static func encrypted(_ secret: Value, _ algorithm: Value, _ entry: Value) throws -> String {
        let algo = algorithm.pythonStr
        guard ["md5_crypt", "bcrypt", "sha256_crypt", "sha512_crypt"].contains(algo) else {
            throw AnsibleError("swansible hashes with md5_crypt, bcrypt, sha256_crypt or sha512_crypt; passlib's '\(algo)' algorithm is not supported.")
        }
        guard let text = secret.stringValue else {
            throw UnexpectedException("secret must be unicode or bytes, not \(secret.isNone ? "None" : secret.typeName)")
        }
        var size = entry["salt_size"].flatMap { $0.truthy ? $0 : nil }
        if case .bool(let b)? = size { size = .int(b ? 1 : 0) }   // Python's bool is an int
        if let size, size.intValue == nil { throw UnexpectedException("salt_size must be an integer") }
        let salt = entry["salt"].flatMap { $0.truthy ? $0.pythonStr : nil }
        return try HashFilters.passwordHash(text, scheme: algo, salt: salt, saltSize: size, rounds: nil, ident: nil)
    }

    /// add_host / group_by changed the inventory: groups settle again and vars are re-read.
    func inventoryChanged() {
        inventory.data.reconcile()
        vars.forgetInventoryVars()
    }

    func abortRun(_ e: any Error) { lock.withLock { _ in abort = abort ?? e } }
    func checkAbort() throws { if let e = lock.withLock({ _ in abort }) { throw e } }

    func endHosts(_ hosts: [String]) { lock.withLock { _ in ended.formUnion(hosts) } }
    func endPlay() { lock.withLock { _ in playEnded = true } }
    func reachable(_ hosts: [String]) -> [String] { lock.withLock { _ in hosts.filter { !unreachable.contains($0) } } }
    /// Failed and unreachable hosts take part again from the next play on (not in this one).
    func clearErrors(_ hosts: [String]) {
        lock.withLock { _ in
            errorsCleared.formUnion(hosts)
            ended.formUnion(failed.union(unreachable).intersection(hosts))
            failed.subtract(hosts)
            unreachable.subtract(hosts)
        }
    }
    func markFailed(_ hosts: [String]) { lock.withLock { _ in failed.formUnion(hosts) } }

    func activeHosts(_ pc: VariableManager.PlayContext) -> [String] {
        let (dead, forced) = lock.withLock { _ in (failed.union(unreachable).union(ended), forcedHosts) }
        return pc.batch.filter { !dead.contains($0) || forced.contains($0) }
    }

    /// Tags as Ansible evaluates them: --tags selects (always runs unless skipped, never only
    /// when named), --skip-tags removes.
    func shouldRun(_ task: PlayTask) -> Bool {
        let tags = PlaybookRunner.rendered(task.tags, playVars: currentPlay?.playVars ?? Dict(), extraVars: options.extraVars, templar: vars.templar)
        return PlaybookRunner.tagsAllow(tags, only: options.tags, skip: options.skipTags)
    }

    /// The play's name, a template over its vars and the extra vars (no host's).
    static func playName(_ play: Play, extraVars: Dict, templar: Templar) -> String? {
        // A play without a name is named by its hosts, templated as the name is (Play.get_name).
        let n = play.name ?? DefaultCallback.playName(play)
        guard n.contains("{{") else { return play.name }
        return (try? templar.template(.string(n), templar.staticScope(play.vars, extraVars: extraVars)))?.pythonStr ?? n
    }

    /// Tags that are templates, rendered with the play's vars and the extra vars (a list flattens in).
    static func rendered(_ tags: [String], playVars: Dict, extraVars: Dict, templar: Templar) -> [String] {
        guard tags.contains(where: { $0.contains("{{") }) else { return tags }
        let scope = templar.staticScope(playVars, extraVars: extraVars)
        var out: [String] = []
        for t in tags {
            guard t.contains("{{"), let r = try? templar.template(.string(t), scope) else { out.append(t); continue }
            for x in r.listValue ?? [r] where !out.contains(x.pythonStr) { out.append(x.pythonStr) }
        }
        return out
    }

    /// Taggable.evaluate_tags: an untagged task is tagged `untagged`; --tags defaults to `all`.
    public static func tagsAllow(_ tags: [String], only: [String], skip: [String]) -> Bool {
        let t: Set<String> = tags.isEmpty ? ["untagged"] : Set(tags)
        let o: Set<String> = only.isEmpty ? ["all"] : Set(only)
        var run = t.contains("always") || (o.contains("all") && !t.contains("never")) || !t.isDisjoint(with: o)
            || (o.contains("tagged") && t != ["untagged"] && !t.contains("never"))
        if run && !skip.isEmpty {
            let s = Set(skip)
            if s.contains("all") {
                if !t.contains("always") || s.contains("always") { run = false }
            } else if !t.isDisjoint(with: s) || (s.contains("tagged") && t != ["untagged"]) {
                run = false
            }
        }
        return run
    }

    func runHandlers(_ play: Play, pc: VariableManager.PlayContext, force: Bool = false, only: [String]? = nil) async {
        announceNotified(play, hosts: pc.hosts.filter { only?.contains($0) ?? true })
        for handler in handlers(of: play) {
            let names: Set<String> = [PlaybookRunner.handlerID(handler)]
            // Forced, a host that failed still runs its handlers (not one that is unreachable).
            let candidates = force ? lock.withLock { _ in pc.hosts.filter { !unreachable.contains($0) && (!ended.contains($0) || failed.contains($0)) } }
                : activeHosts(pc)
            let hosts = candidates.filter { h in !vars.state(h).notified.isDisjoint(with: names) && (only?.contains(h) ?? true) }
            guard !hosts.isEmpty else { continue }
            var shown = handler
            shown.name = handlerName(handler)
            if force { lock.withLock { _ in forcedHosts = Set(hosts).intersection(failed) } }
            _ = await runTask(shown, pc: pc, only: hosts, prefix: "RUNNING HANDLER")
            lock.withLock { _ in forcedHosts = [] }
            for h in hosts { vars.state(h).notified.subtract(names) }
            if lock.withLock({ _ in abort != nil }) { return }
        }
    }

    /// The flush: each host's notifications since the last one become handlers to run (-vv names them).
    func announceNotified(_ play: Play, hosts: [String]) {
        for h in hosts {
            let st = vars.state(h)
            for id in st.unannounced {
                if let handler = handlers(of: play).first(where: { PlaybookRunner.handlerID($0) == id }) {
                    announce(handler, host: h)
                }
            }
            st.unannounced = []
        }
    }

    /// The play's handlers and those included roles brought in.
    func handlers(of play: Play?) -> [PlayTask] {
        (play?.handlers ?? []) + lock.withLock { _ in includedHandlers }
    }

    /// v2_playbook_on_notify at -vv.
    func announce(_ handler: PlayTask, host: String) {
        guard options.verbosity > 1 else { return }
        var shown = handler
        shown.name = handlerName(handler)
        Output.line("NOTIFIED HANDLER \(shown.displayName) for \(host)", .verbose, logged: false)   // the callback's, screen only
    }

    /// The strategy's -vv note for each notification a task's result saves (per loop item, as each
    /// item's result carries them), before the result is shown; a handler's are not saved but
    /// notified there and then.
    func sayNotificationsSaved(_ task: PlayTask, host: String, _ names: [String], _ resolved: [(name: String, handlers: [PlayTask])]?) {
        guard let resolved, !resolved.isEmpty else { return }
        if isHandler(task) {
            guard options.verbosity > 1 else { return }
            var seen = vars.state(host).notified
            for h in resolved.flatMap(\.handlers) where seen.insert(PlaybookRunner.handlerID(h)).inserted { announce(h, host: host) }
            return
        }
        for n in names where resolved.contains(where: { $0.name == n && !$0.handlers.isEmpty }) {
            Output.verbose("Notification for handler \(n) has been saved.", caplevel: 1)
        }
    }

    func isHandler(_ task: PlayTask) -> Bool {
        let id = PlaybookRunner.handlerID(task)
        return handlers(of: currentPlay?.play).contains { PlaybookRunner.handlerID($0) == id }
    }

    static func missingHandler(_ name: String) -> String {
        "The requested handler '\(name)' was not found in either the main handlers list nor in the listening handlers list"
    }

    var missingHandlerIsError: Bool {
        settings.value(env: "ANSIBLE_ERROR_ON_MISSING_HANDLER", key: "error_on_missing_handler").map(Settings.truthy) ?? true
    }

    /// The play's handlers a notification reaches (search_handlers_by_notification): the first
    /// with that name (or `role : name`), the play's own before its roles' and later roles' before
    /// earlier ones', then every handler listening to it (one per name).
    func handlers(answering name: String) -> [PlayTask] {
        let all = handlers(of: currentPlay?.play)
        // Ansible walks its handler blocks last first: one block per role, the play's own last.
        var blocks: [[PlayTask]] = []
        for h in all {
            if let last = blocks.last?.last, last.role === h.role { blocks[blocks.count - 1].append(h) } else { blocks.append([h]) }
        }
        let ordered = blocks.reversed().flatMap { $0 }
        var out: [PlayTask] = []
        // A collection's role answers to its full name and its short one.
        func prefixed(_ h: PlayTask, _ n: String) -> [String] {
            guard let r = h.role else { return [] }
            return ["\(r.name) : \(n)", "\(r.name.split(separator: ".").last ?? "") : \(n)"]
        }
        if let h = ordered.first(where: { h in
            guard let n = handlerName(h) else { return false }
            return n == name || prefixed(h, n).contains(name)
        }) { out.append(h) }
        var seen: Set<String> = []
        // A role's handler also listens under `role : topic`.
        for h in ordered where PlayTask.listen(h).contains(where: { $0 == name || prefixed(h, $0).contains(name) }) {
            if let n = handlerName(h) { guard seen.insert(n).inserted else { continue } }
            if !out.contains(where: { PlaybookRunner.handlerID($0) == PlaybookRunner.handlerID(h) }) { out.append(h) }
        }
        return out
    }

    /// What a changed result notifies: each of the names the task's `notify` rendered to with the
    /// handlers answering it, empty when none does.
    func notified(_ task: PlayTask, _ status: Status, _ result: Dict, names: @autoclosure () -> [String]) -> [(name: String, handlers: [PlayTask])] {
        guard status == .changed || (status == .ok && result["changed"]?.truthy == true) else { return [] }
        return names().map { ($0, handlers(answering: $0)) }
    }

    func notifications(_ task: PlayTask, _ scope: VarScope) -> [String] {
        guard let v = task.effective("notify") else { return [] }
        let r = (try? vars.templar.template(v, scope)) ?? v
        if case .list(let l) = r { return l.flatMap { $0.listValue?.map(\.pythonStr) ?? [$0.pythonStr] } }
        return [r.pythonStr]
    }

    /// A handler's name rendered with the play's vars (Ansible does it once, without host vars).
    func handlerName(_ h: PlayTask) -> String? {
        guard let n = h.name, n.contains("{{") else { return h.name }
        if let cached = lock.withLock({ _ in renderedHandlerNames[PlaybookRunner.handlerID(h)] }) { return cached }
        guard let pc = currentPlay, let first = pc.hosts.first, let scope = try? vars.scope(host: first, pc: pc, task: h) else { return n }
        do {
            let r = try vars.templar.template(.string(n), scope).pythonStr
            lock.withLock { _ in renderedHandlerNames[PlaybookRunner.handlerID(h)] = r }
            return r
        } catch {
            // Not an error: the name may use a variable set later; the handler answers no name until then.
            if PlayTask.listen(h).isEmpty {
                Output.warning("Handler '\(n)' is unusable because it has no listen topics and the name could not be templated "
                               + "(host-specific variables are not supported in handler names). The error: \((error as? AnsibleError)?.message ?? "\(error)")")
            }
            return nil
        }
    }

    /// What a host's notifications name: one handler, by where it is written.
    static func handlerID(_ h: PlayTask) -> String { "\(h.location)" }

    /// Tasks in order on the active hosts (of `within`, when given), blocks with their sections.
    func runList(_ tasks: [PlayTask], pc: VariableManager.PlayContext, within: [String]? = nil, prefix: String = "TASK") async throws {
        for task in tasks {
            if let sections = task.sections {
                try await runBlock(sections, pc: pc, within: within, prefix: prefix)
                continue
            }
            if prefix == "TASK", !task.implicit, !reachedStart(task) { continue }
            guard shouldRun(task) else { continue }
            let alive = activeHosts(pc).filter { within?.contains($0) ?? true }
            if alive.isEmpty { break }
            let before = lock.withLock { _ in failed.union(unreachable) }
            _ = await runTask(task, pc: pc, only: alive, prefix: prefix)
            try checkAbort()
            guard !nonLockstep else { continue }   // free and host_pinned apply neither (as Ansible's)
            try breakIfFatal(task, pc: pc, failedBefore: before, alive: alive)
            try breakIfTooManyFailed(pc)
        }
    }

    /// any_errors_fatal: a host that fails (and is not rescued) ends the play for every host and
    /// the playbook with it, as Ansible's linear strategy breaks the play.
    func breakIfFatal(_ task: PlayTask, pc: VariableManager.PlayContext, failedBefore: Set<String>, alive: [String]) throws {
        // Cheap test first: the keyword is only templated (a scope built) when a host failed.
        let newly = lock.withLock { _ in failed.union(unreachable).subtracting(failedBefore) }
        guard !newly.isEmpty, let flag = task.effective("any_errors_fatal") ?? pc.play["any_errors_fatal"] ?? settings.anyErrorsFatal.map(Value.bool),
              AnsibleFilters.boolean(try vars.templar.template(flag, vars.scope(host: pc.hosts[0], pc: pc, task: task))).truthy
        else { return }
        let rescued = lock.withLock { _ in newly.allSatisfy { rescuable[$0, default: 0] > 0 } }
        if rescued {
            // Inside a block with rescue: every host there goes to the rescue with them. Those
            // pulled in stay failed for the run once the play ends (exit code, later plays),
            // though the recap counts nothing against them, as Ansible does.
            lock.withLock { _ in
                let pulled = alive.filter { rescuable[$0, default: 0] > 0 && !newly.contains($0) }
                failed.formUnion(pulled)
                fatalRescued.formUnion(pulled)
            }
            return
        }
        lock.withLock { _ in fatalTask = "\(task.location)" }
        endHosts(activeHosts(pc))
        abortRun(AnyErrorsFatal())   // seen again by the lists an include runs within
        throw AnyErrorsFatal()
    }

    /// max_fail_percentage: more failed hosts than that share of the batch ends the play and the
    /// playbook, the remaining hosts counted failed, as the linear strategy breaks it after each
    /// task (a negative share: after the first).
    func breakIfTooManyFailed(_ pc: VariableManager.PlayContext) throws {
        guard let pct = playKeywords["max_fail_percentage"]?.number else { return }
        let failedCount = lock.withLock { _ in failed.count }
        guard Double(failedCount) / Double(max(1, pc.batch.count)) > pct / 100 else { return }
        let left = activeHosts(pc)
        lock.withLock { _ in failed.formUnion(left) }
        callback.noMoreHosts()   // twice, as Ansible says it (the percentage, then no hosts left)
        callback.noMoreHosts()
        endHosts(left)
        abortRun(AnyErrorsFatal())
        throw AnyErrorsFatal()
    }

    /// Ends the playbook after the recap, as a play broken by any_errors_fatal does.
    struct AnyErrorsFatal: Error {}

    /// block/rescue/always as the linear strategy runs them: the block on every host that
    /// enters, rescue on the hosts that failed in it (no longer failed: the recap counts them
    /// rescued), always on all of them, failed or not; a host still failed after that stays failed.
    func runBlock(_ s: BlockSections, pc: VariableManager.PlayContext, within: [String]?, prefix: String) async throws {
        let entering = activeHosts(pc).filter { within?.contains($0) ?? true }
        guard !entering.isEmpty else { return }
        let before = lock.withLock { _ in failed }
        do {
            if !s.rescue.isEmpty { lock.withLock { _ in for h in entering { rescuable[h, default: 0] += 1 } } }
            defer { if !s.rescue.isEmpty { lock.withLock { _ in for h in entering { rescuable[h, default: 1] -= 1 } } } }
            try await runList(s.block, pc: pc, within: entering, prefix: prefix)
        } catch let e as AnyErrorsFatal {
            try await alwaysAfterFatal(s, e, pc: pc, hosts: entering, failedBefore: before, prefix: prefix)
            return
        }
        var failedHere = lock.withLock { _ in failed.subtracting(before) }.filter(entering.contains)
        if !s.rescue.isEmpty && !failedHere.isEmpty {
            lock.withLock { _ in failed.subtract(failedHere) }
            do { try await runList(s.rescue, pc: pc, within: entering.filter(failedHere.contains), prefix: prefix) } catch let e as AnyErrorsFatal {
                try await alwaysAfterFatal(s, e, pc: pc, hosts: entering, failedBefore: before, prefix: prefix)
                return
            }
            failedHere = lock.withLock { _ in failed.subtracting(before) }.filter(entering.contains)
        }
        guard !s.always.isEmpty else { return }
        lock.withLock { _ in
            failed.subtract(failedHere)
            errorsCleared.subtract(failedHere)
        }
        try await runList(s.always, pc: pc, within: entering, prefix: prefix)
        // A meta: clear_host_errors in the always section lets these hosts go on with the play.
        lock.withLock { _ in failed.formUnion(failedHere.subtracting(errorsCleared)) }
    }

    /// any_errors_fatal broke the play inside a block: the hosts that failed there still run its
    /// always section (the others stop where they are), then the play ends.
    func alwaysAfterFatal(_ s: BlockSections, _ e: AnyErrorsFatal, pc: VariableManager.PlayContext, hosts: [String],
                          failedBefore: Set<String>, prefix: String) async throws {
        var failing = lock.withLock { _ in failed.subtracting(failedBefore) }.filter(hosts.contains)
        // Hosts whose next task was this always section (the break came at the end of the
        // block or rescue) go there too; the others stop where they are.
        let last: [String] = [s.block.last, s.rescue.last].compactMap { t in t.map { "\($0.location)" } }
        let atEnd: Bool = lock.withLock { _ in
            guard let f = fatalTask else { return false }
            return last.contains(f)
        }
        if atEnd {
            let reachable: [String] = lock.withLock { _ in hosts.filter { !unreachable.contains($0) } }
            failing = Set(reachable)
        }
        if !s.always.isEmpty && !failing.isEmpty {
            lock.withLock { _ in
                ended.subtract(failing)
                failed.subtract(failing)
                abort = nil
            }
            lock.withLock { _ in errorsCleared.subtract(failing) }
            try? await runList(s.always, pc: pc, within: Array(failing), prefix: prefix)
            // A meta: clear_host_errors there takes the hosts back: the play goes on.
            let goOn = lock.withLock { _ in failing.isSubset(of: errorsCleared) }
            if goOn { return }
            lock.withLock { _ in
                failed.formUnion(failing)
                ended.formUnion(failing)
                abort = abort ?? e
            }
        }
        throw e
    }

    /// Runs one task on every active host, at most `forks` at a time, results printed as they come.
    func runTask(_ task: PlayTask, pc: VariableManager.PlayContext, only: [String]? = nil, prefix: String = "TASK") async -> Bool {
        var hosts = only ?? activeHosts(pc)
        if prefix == "TASK", let role = task.role {
            let id = ObjectIdentifier(role)
            let ended = lock.withLock { _ in endedRoles.filter { $0.value.contains(id) }.keys }
            if !ended.isEmpty {
                hosts = hosts.filter { !ended.contains($0) }
                if hosts.isEmpty { return true }
            }
        }
        if task.implicit {
            // A role's end marks the hosts that ran it; a host that completed the role skips it when listed again.
            if let key = task.role?.completionKey {
                lock.withLock { _ in rolesCompleted[key, default: []].formUnion(hosts.filter { rolesRan[key]?.contains($0) == true }) }
            }
            return true
        }
        if prefix == "TASK", let key = task.role?.completionKey {
            let done = lock.withLock { _ in rolesCompleted[key] ?? [] }
            hosts = hosts.filter { !done.contains($0) }
            if hosts.isEmpty { return true }
        }
        // The banner's check-mode marker, only worked out when markers are on (a scope per task otherwise).
        var check = false
        if callback.checkMarkers {
            check = hosts.first.flatMap { h in (try? vars.scope(host: h, pc: pc, task: task)).flatMap { s in
                keyword(task, "check_mode").flatMap { try? vars.templar.template($0, s) }.map { AnsibleFilters.boolean($0).truthy } } } ?? vars.checkMode
        }
        // The first host's inventory vars, the play's and the task's own vars are checked for
        // reserved names before the banner, as the strategy gets a task's vars before it announces it.
        if let first = hosts.first { vars.warnReservedInventory(first) }
        let own = Array(pc.play.varKeyLocations.keys) + Array(task.varKeyLocations.keys)
        VariableManager.warnReserved(own, origins: { task.varKeyLocations[$0] ?? pc.play.varKeyLocations[$0] })
        let name = bannerName(task, host: hosts.first, pc: pc)
        if task.shortAction != "meta", !takeStep(name) { return true }
        if let junit {
            // Each run of a task is a task of its own for the report (an include's copies are).
            let id = junit.taskStart(task, name: name)
            return await JUnitCallback.$taskID.withValue(id) { await self.announce(task, name: name, pc: pc, hosts: hosts, prefix: prefix, check: check) }
        }
        return await announce(task, name: name, pc: pc, hosts: hosts, prefix: prefix, check: check)
    }

    /// --step: `Perform task: TASK: name (N)o/(y)es/(c)ontinue: ` asked before the task, the question
    /// then shown as a banner; anything but yes or continue skips the task on every host.
    func takeStep(_ name: String) -> Bool {
        guard lock.withLock({ _ in stepping }) else { return true }
        let msg = "Perform task: TASK: \(name) (N)o/(y)es/(c)ontinue: "
        Output.write(msg, logged: false)
        let answer = Prompt.read(hidden: false).lowercased()
        let take = ["y", "yes", "c", "continue"].contains(answer)
        if answer == "c" || answer == "continue" { lock.withLock { _ in stepping = false } }
        Output.banner(msg)
        return take
    }

    /// The task's banner (or, under free and host_pinned, each result's), then the task.
    func announce(_ task: PlayTask, name: String, pc: VariableManager.PlayContext, hosts: [String], prefix: String, check: Bool) async -> Bool {
        if nonLockstep {
            // Hosts run ahead of each other: each result brings its own task's banner.
            let banner = DefaultCallback.Banner(id: "\(prefix)|\(task.location)|\(name)",
                                                text: callback.bannerText(name, prefix: prefix, checkMode: check, args: callback.bannerArgs(task)),
                                                path: task.location)
            let only = hosts
            return await DefaultCallback.$banner.withValue(banner) { await self.dispatch(task, pc: pc, hosts: only, prefix: prefix) }
        }
        callback.taskStart(name, prefix: prefix, path: task.location, checkMode: check, args: callback.bannerArgs(task))
        aggregates.profile?.taskStart(name, path: "\(task.location.file):\(task.location.line)")
        // The other hosts' vars are got as their tasks are queued, before any result comes back.
        for h in hosts.dropFirst() { vars.warnReservedInventory(h) }
        return await dispatch(task, pc: pc, hosts: hosts, prefix: prefix)
    }

    /// A task on its hosts once its banner is out: includes, meta, run_once, throttle, forks.
    func dispatch(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String], prefix: String) async -> Bool {
        var hosts = hosts
        // run_once on an include: only the first host includes the file (and runs its tasks).
        if ["include_tasks", "include", "include_role"].contains(task.shortAction), runsOnce(task, pc: pc, hosts: hosts) {
            hosts = Array(hosts.prefix(1))
        }
        if task.shortAction == "include_tasks" || task.shortAction == "include" {
            await runInclude(task, pc: pc, hosts: hosts, prefix: prefix)
            return true
        }
        if task.shortAction == "include_role" {
            await runIncludeRole(task, pc: pc, hosts: hosts, prefix: prefix)
            return true
        }
        if task.shortAction == "meta" {
            await runMeta(task, pc: pc, hosts: hosts, prefix: prefix)
            return true
        }
        // add_host and group_by change the inventory as each result comes: one host at a time.
        // add_host runs once, for the first host (Ansible bypasses the host loop for it).
        let serial = ["group_by", "add_host"].contains(task.shortAction)
        var forks = serial ? 1 : max(1, options.forks ?? settings.forks)
        var throttle: Int?
        // throttle: at most this many hosts at once for the task (a block's applies to its tasks).
        if let t = task.effective("throttle"), let first = hosts.first {
            let why: String?
            do {
                let v = try vars.templar.template(t, vars.scope(host: first, pc: pc, task: task))
                if let n = v.intValue ?? Int(v.pythonStr.trimmingCharacters(in: " ")) {
                    if n > 0 { forks = min(forks, n); throttle = n }
                    why = nil
                } else {
                    why = "invalid literal for int() with base 10: \(Value.string(v.pythonStr).pythonRepr)"
                }
            } catch let e as AnsibleError { why = e.message } catch { why = "\(error)" }
            if let why {
                abortRun(PlaybookError("Failed to convert the throttle value to an integer: \(why)",
                                       at: task.keywordLocations["throttle"] ?? task.location))
                return false
            }
        }
        if runsOnce(task, pc: pc, hosts: hosts), let first = hosts.first {
            let outcome = await runOnHost(task, host: first, pc: pc, prefix: prefix)
            shareRunOnce(task, from: first, to: hosts + activeHosts(pc).filter { !hosts.contains($0) }, outcome)
            return true
        }
        let targets = task.shortAction == "add_host" ? Array(hosts.prefix(1)) : hosts
        let limit = throttle
        let order = targets.count > 1 ? HostOrder(hosts: targets.count) : nil
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for (i, h) in targets.enumerated() {
                if running >= forks {
                    await group.next()
                    running -= 1
                }
                group.addTask {
                    defer { order?.finish(i) }
                    return await HostOrder.$slot.withValue(order.map { ($0, i) }) {
                        // Under free and host_pinned each host comes here on its own: the throttle
                        // then holds across hosts, as the strategy counts the workers on the task.
                        guard self.nonLockstep, let limit else { return _ = await self.runOnHost(task, host: h, pc: pc, prefix: prefix) }
                        let key = "\(task.location)|\(task.name ?? task.action)"
                        await self.gate.acquire(key, limit: limit)
                        _ = await self.runOnHost(task, host: h, pc: pc, prefix: prefix)
                        await self.gate.release(key)
                    }
                }
                running += 1
            }
            await group.waitForAll()
        }
        return true
    }

    /// include_tasks: each host's file is worked out (when, loop, templated name), hosts that
    /// include the same file with the same params run its tasks together, as the linear strategy does.
    func runInclude(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String], prefix: String) async {
        for h in hosts { callback.hostStart(h, task: task.displayName, handler: prefix != "TASK") }
        struct Target: Equatable {
            var path: String
            var params: Dict
        }
        let groups = inclusions(task, pc: pc, hosts: hosts) { s, iterVars -> Target in
            guard let raw = task.args["file"] ?? task.args["_raw_params"] else {
                throw TaskError.keyword(task, keyword: "@action", "No file specified for \(task.shortAction)")
            }
            let name = try vars.templar.template(raw, s).pythonStr
            // A file not found fails when it is loaded, below, as Ansible's strategy reports it.
            let path: String
            do { path = try includeLoader.resolveTaskFile(name, from: task.location.file, role: task.role, at: task.location) } catch {
                path = "\u{0}" + name
            }
            var params = task.includeParams
            if case .dict(let v)? = task["vars"] { for (k, x) in v { params[k] = x } }
            for (k, x) in task.args where !["file", "_raw_params", "apply"].contains(k.pythonStr) { params[k] = x }
            for k in iterVars.keys.sorted() { params[.string(k)] = iterVars[k] }
            return Target(path: path, params: params)
        }
        // Each file is loaded before anything is shown: one whose actions do not resolve ends the
        // run as a playbook that does not parse.
        var loaded: [Result<[PlayTask], any Error>] = []
        for g in groups {
            do {
                if g.key.path.hasPrefix("\u{0}") {
                    _ = try includeLoader.resolveTaskFile(String(g.key.path.dropFirst()), from: task.location.file, role: task.role, at: task.location)
                }
                let included = try includeLoader.loadTaskFile(g.key.path, role: task.role, inherited: PlaybookRunner.underInclude(task, vars: task.blockVars),
                                                              asHandlers: prefix == "RUNNING HANDLER")
                sayStaticImports()
                let imported = includeLoader.takeImportedHandlers()
                lock.withLock { _ in includedHandlers += imported }
                do {
                    try Origin.validateActions(included, library: library, playbookDir: vars.playbookDir, playDir: pc.play.baseDir, settings: settings,
                                               roleLibraries: roleLibraries.withLock { $0 })
                } catch var e as PlaybookError {
                    e.parse = true
                    abortRun(e)
                    return
                }
                loaded.append(.success(included))
            } catch let e as PlaybookError where e.parse {
                abortRun(e)
                return
            } catch {
                loaded.append(.failure(error))
            }
        }
        for (g, result) in zip(groups, loaded) {
            switch result {
            case .success:
                callback.included(g.key.path, hosts: g.hosts, item: g.item)
                junit?.included(task, file: g.key.path, hosts: g.hosts, item: g.item)
                callback.jsonReport?.included(task, hosts: g.hosts, item: g.item)
                for h in g.hosts { stats.update(h) { $0.ok += 1 } }
            case .failure(let error):
                // The strategy's words: the error, then each host failed with the include and the reason.
                let reason = (error as? PlaybookError).map { Origin.report($0) } ?? "\(error)"
                Output.error(reason)
                let name = (task.args["file"] ?? task.args["_raw_params"])?.pythonStr ?? ""
                for h in g.hosts { failHost(h, task, ["changed": false, "include": .unsafe(name), "reason": .unsafe(reason)], ignorable: false) }
            }
        }
        for (g, result) in zip(groups, loaded) {
            if case .success(let included) = result {
                try? await runIncluded(included.map { $0.including(g.key.params) }, by: task, pc: pc, hosts: g.hosts, prefix: prefix)
            }
        }
    }

    /// How many includes the running tasks sit under.
    @TaskLocal static var includeDepth = 0
    /// ansible-playbook reaches Python's recursion limit some 250 includes down (an include of
    /// itself that never stops); swansible allows more, then fails the include rather than run on.
    static let maxIncludeDepth = 1000

    /// The tasks an include brought in, one include deeper.
    func runIncluded(_ tasks: [PlayTask], by task: PlayTask, pc: VariableManager.PlayContext, hosts: [String], prefix: String) async throws {
        guard PlaybookRunner.includeDepth < PlaybookRunner.maxIncludeDepth else {
            let msg = "Task failed: maximum recursion depth exceeded: includes nested more than \(PlaybookRunner.maxIncludeDepth) deep"
            for h in hosts { failHost(h, task, ["changed": false, "msg": .unsafe(msg)], ignorable: false) }
            return
        }
        try await PlaybookRunner.$includeDepth.withValue(PlaybookRunner.includeDepth + 1) {
            try await runList(tasks, pc: pc, within: hosts, prefix: prefix)
        }
    }

    /// A dynamic include's iterations: for each host and loop item whose `when` holds, `target`
    /// says what it includes. Hosts including the same target with the same item go together, as
    /// the linear strategy runs them; a host is never twice in one group (equal items stay
    /// separate runs). A host whose include cannot be worked out fails it.
    func inclusions<Target: Equatable>(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String],
                                        target: (VarScope, [String: Value]) throws -> Target) -> [(key: Target, item: Value?, hosts: [String])] {
        var groups: [(key: Target, item: Value?, hosts: [String])] = []
        for host in hosts {
            do {
                let scope = try vars.scope(host: host, pc: pc, task: task)
                let loopItems: [Value]?
                do { loopItems = try loop(task, scope) } catch {
                    guard let skip = try skipResult(task, scope) else { throw error }
                    skipHost(host, task, result: skip)
                    continue
                }
                let items: [Value?] = loopItems.map { $0.map { Optional($0) } } ?? [nil]
                for (index, item) in items.enumerated() {
                    let iterVars = try loopItems.map { try loopVars(task, $0, index, scope) } ?? [:]
                    let s = scope.with(iterVars)
                    // The blocks' conditions, then the include's own (those alone stay with the include).
                    var ok = true
                    for i in task.conditions.indices where ok {
                        do { ok = try holds(task, condition: i, s).0 } catch let e as AnsibleError {
                            throw TaskError.keyword(task, keyword: "when", e.message, at: e.location).with(e)
                        }
                    }
                    guard ok else {
                        skipHost(host, task, item: item)
                        continue
                    }
                    try postValidate(task, s)
                    let key = try target(s, iterVars)
                    if let i = groups.firstIndex(where: { $0.key == key && $0.item == item && !$0.hosts.contains(host) }) {
                        groups[i].hosts.append(host)
                    } else {
                        groups.append((key, item, [host]))
                    }
                }
            } catch let e as TaskError {
                failHost(host, task, e.result)
            } catch {
                failHost(host, task, ["changed": false, "msg": .unsafe("Task failed: \(error)")])
            }
        }
        return groups
    }

    /// What tasks brought in by include_tasks / include_role sit under: the keywords and `when`
    /// of the include's blocks (check_mode, become, delegate_to…; each included task checks the
    /// blocks' conditions again), not the include's own (those apply to the include alone), then
    /// its `apply:` as a block around them would give.
    static func underInclude(_ task: PlayTask, vars: [Dict]) -> PlaybookLoader.Inherited {
        let keywords = task.inheritedKeywords
        var inherited = PlaybookLoader.Inherited(tags: task.inheritedTags, when: task.inheritedWhen, vars: vars, keywords: keywords,
                                                 whenPlaces: task.inheritedWhenPlaces)
        inherited.keywordLocations = task.inheritedKeywordLocations
        if case .dict(let apply)? = task.args["apply"] {
            for (k, v) in apply {
                switch k.pythonStr {
                case "tags": inherited.tags += Task.tagList(v)
                case "when":
                    let items = task.argItemLocations["apply.when"] ?? []
                    for (i, w) in (v.listValue ?? [v]).enumerated() {
                        inherited.addWhen(w, WhenPlace(v.listValue == nil ? task.argLocations["apply.when"] : i < items.count ? items[i] : nil))
                    }
                case "vars": if case .dict(let d) = v { inherited.vars.append(d) }
                case let name where Task.inheritable.contains(name):
                    inherited.keywords[name] = v
                    inherited.keywordLocations[name] = task.argLocations["apply"]
                default: break
                }
            }
        }
        return inherited
    }

    /// A host skips an include whose `when` is false.
    func skipHost(_ host: String, _ task: PlayTask, item: Value? = nil, result: Dict? = nil) {
        callback.result(host: host, action: task.action, status: .skipped,
                        result: ["changed": false, "skip_reason": "Conditional result was False"], ignoring: false, item: item)
        if item == nil, let reg = task["register"]?.pythonStr {
            vars.state(host).setFacts[.string(reg)] = .dict(result ?? ["changed": false, "skip_reason": "Conditional result was False", "skipped": true])
        }
        stats.update(host) { $0.skipped += 1 }
    }

    /// The banner's name: a templated name rendered with the first host's vars (the task's own
    /// too); what does not render shows in place, with 2.19's "Encountered N template error(s)." warning.
    func bannerName(_ task: PlayTask, host: String?, pc: VariableManager.PlayContext) -> String {
        guard let name = task.name, name.contains("{{") || name.contains("{%"), let host,
              let scope = try? vars.scope(host: host, pc: pc, task: task) else { return task.displayName }
        let (text, errors, place) = vars.templar.renderMarking(name, scope)
        if !errors.isEmpty {
            let brief = "Encountered \(errors.count) template error\(errors.count > 1 ? "s" : "")."
            let full = Origin.report(([brief] + errors.enumerated().map { "error \($0.offset + 1) - \($0.element)" }).joined(separator: "\n"),
                                     place ?? task.keywordLocations["name"])
            Output.warning(full)
        }
        var shown = task
        shown.name = text
        return shown.displayName
    }

    /// --start-at-task: whether this task runs (the first that matches by name or glob, as written
    /// or with its role, and every task after it).
    func reachedStart(_ task: PlayTask) -> Bool {
        lock.withLock { _ in
            guard let want = startAt else { return true }
            let names = [task.name, task.displayName].compactMap { $0 }
            guard names.contains(where: { $0 == want || Glob.match(want, $0) }) else { return false }
            startAt = nil
            return true
        }
    }

    /// A keyword that the task, its blocks or its play may set (the nearest wins).
    func keyword(_ task: PlayTask, _ k: String) -> Value? { task.effective(k) ?? playKeywords[k] }

    /// Diff mode for a task: its `diff:` keyword (its blocks', its play's), else --diff.
    func diffMode(_ task: PlayTask, _ scope: VarScope) -> Bool {
        keyword(task, "diff").flatMap { try? vars.templar.template($0, scope) }.map { AnsibleFilters.boolean($0).truthy } ?? vars.diffMode
    }

    /// ignore_unreachable: an unreachable host is counted ok and ignored, and goes on with the play.
    /// A boolean keyword's rendered value, as FieldAttribute's `bool` type takes it (yes/no,
    /// true/false, on/off, 1/0…); anything else fails the task, naming the keyword.
    func boolKeyword(_ task: PlayTask, _ name: String, _ value: Value) throws -> Bool {
        if value.isNone { return false }
        return try checked(task, name, value, .bool).truthy
    }

    func ignoresUnreachable(_ task: PlayTask, _ scope: VarScope) -> Bool {
        keyword(task, "ignore_unreachable").flatMap { try? vars.templar.template($0, scope) }.map { AnsibleFilters.boolean($0).truthy } ?? false
    }

    /// A host fails a task outside the action (an include that cannot be worked out).
    /// Its ignore_errors and register apply as to any task.
    /// `ignorable: false` for an include whose file or role did not load: 2.19's strategy fails
    /// the host whatever `ignore_errors` says.
    func failHost(_ host: String, _ task: PlayTask, _ r: Dict, ignorable: Bool = true) {
        var r = r
        r["failed"] = true
        var ignoring = ignorable && (keyword(task, "ignore_errors")?.truthy ?? false)
        if ignorable, let v = keyword(task, "ignore_errors"), case .string = v, let pc = currentPlay,
            let scope = try? vars.scope(host: host, pc: pc, task: task), let t = try? vars.templar.template(v, scope) {
            ignoring = t.truthy
        }
        callback.result(host: host, action: task.action, status: .failed, result: r, ignoring: ignoring)
        if let reg = task["register"]?.pythonStr { vars.state(host).setFacts[.string(reg)] = .dict(DefaultCallback.stripInternal(r)) }
        stats.update(host) { s in
            if ignoring { s.ok += 1; s.ignored += 1 } else { s.failures += 1 }
        }
        if !ignoring { _ = lock.withLock { _ in failed.insert(host) } }
    }

    /// include_role: the role loaded when the task is reached (its name templated per host), run
    /// on the hosts whose `when` holds; its handlers join the play's for the rest of it.
    func runIncludeRole(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String], prefix: String) async {
        for h in hosts { callback.hostStart(h, task: task.displayName, handler: prefix != "TASK") }
        // One inclusion per role (name, tasks_from… rendered for each host and item); the item's
        // loop vars go with its tasks.
        struct Target: Equatable {
            var args: Dict
            var params: Dict
        }
        let groups = inclusions(task, pc: pc, hosts: hosts) { s, iterVars -> Target in
            var args = Dict()
            for (k, v) in task.args where k != "apply" {
                let r = try vars.templar.template(v, s)
                if !r.isOmit { args[k] = r }
            }
            // IncludeRole's own booleans, post-validated with the task.
            for k in ["public", "allow_duplicates", "rolespec_validate"] {
                guard let v = args[.string(k)], !v.isNone else { continue }
                args[.string(k)] = try checked(task, k, v, .bool, at: task.argLocations[k])
            }
            var params = Dict()
            for k in iterVars.keys.sorted() { params[.string(k)] = iterVars[k] }
            return Target(args: args, params: params)
        }
        // Each role loads before anything is shown: one that does not load fails its hosts with
        // the reason (the [ERROR] block before it), with no "included" line, as the strategy does.
        var loaded: [(group: (key: Target, hosts: [String], item: Value?), role: Role, tasks: [PlayTask], handlers: [PlayTask])] = []
        for g in groups {
            var t = task
            t.args = g.key.args   // rendered, omitted ones gone
            if let apply = task.args["apply"] { t.args["apply"] = apply }
            // The include's own tags stay on it (only `apply` passes keywords in), as for include_tasks.
            let inherited = PlaybookRunner.underInclude(task, vars: task["vars"]?.dictValue.map { [$0] } ?? [])
            do {
                let (role, tasks, handlers) = try includeLoader.loadRoleFor(t, inherited: inherited)
                sayStaticImports()
                vars.included(role)
                self.loaded(role: role.path)
                loaded.append(((g.key, g.hosts, g.item), role, tasks, handlers))
                callback.included(g.key.args["name"]?.pythonStr ?? "", hosts: g.hosts, item: g.item)
                junit?.included(task, file: g.key.args["name"]?.pythonStr ?? "", hosts: g.hosts, item: g.item,
                                includeArgs: ["name": g.key.args["name"] ?? .none])
                callback.jsonReport?.included(task, hosts: g.hosts, item: g.item, includeArgs: ["name": g.key.args["name"] ?? .none])
                for h in g.hosts { stats.update(h) { $0.ok += 1 } }
            } catch let e as PlaybookError {
                let at = task.argLocations["name"] ?? e.location ?? task.location
                Output.error(Origin.report(e.message, at))
                for h in g.hosts { failHost(h, task, ["changed": false, "reason": .unsafe(e.message)], ignorable: false) }
            } catch {
                for h in g.hosts { failHost(h, task, ["changed": false, "reason": .unsafe("\(error)")], ignorable: false) }
            }
        }
        for (g, role, tasks, handlers) in loaded {
            do {
                let imported = includeLoader.takeImportedHandlers()
                lock.withLock { _ in includedHandlers += handlers + imported }
                // Private unless `public: yes`, or DEFAULT_PRIVATE_ROLE_VARS explicitly set to false.
                let explicit = settings.value(env: "ANSIBLE_PRIVATE_ROLE_VARS", key: "private_role_vars").map { !Settings.truthy($0) }
                if g.key.args["public"]?.truthy ?? explicit ?? false { vars.expose(role) }
                try await runIncluded(tasks.map { $0.including(g.key.params) }, by: task, pc: pc, hosts: g.hosts, prefix: prefix)
            } catch {
                for h in g.hosts { failHost(h, task, ["changed": false, "msg": .unsafe("\(error)")]) }
            }
        }
    }

    @discardableResult
    func runOnHost(_ task: PlayTask, host: String, pc: VariableManager.PlayContext, prefix: String = "TASK") async -> (Status, Dict, ignored: Bool) {
        let written = task
        var task = task, redoVars = Dict()
        var attempt = await attemptOnHost(task, host: host, pc: pc, prefix: prefix, redoVars: redoVars)
        // The task debugger, once the result is shown: `r` runs the task again with what was changed,
        // `u` makes its arguments again from the task as written, rendered with the variables.
        while let scope = attempt.scope, debuggerWanted(task, attempt, scope) {
            let update: (Dict) -> Dict = { [vars] changed in
                let s = scope.with(changed.reduce(into: [:]) { $0[$1.key.pythonStr] = $1.value })
                return written.args.reduce(into: Dict()) { $0[$1.key] = (try? vars.templar.template($1.value, s)) ?? $1.value }
            }
            let next = await TaskDebugger.session(host: host, task: task.displayName, args: task.args,
                                                  variables: PythonPlugins.variables(scope).dictValue ?? [:],
                                                  result: attempt.outcome.1.filter { !$0.key.pythonStr.hasPrefix("_swansible_") }, update: update)
            guard case .redo(let args, let changed) = next else { break }
            for (k, v) in args where task.args[k] != v {   // typed at the prompt: written nowhere
                task.argLocations[k.pythonStr] = nil
                task.argItemLocations[k.pythonStr] = nil
            }
            task.args = args
            redoVars.merge(changed) { $1 }
            attempt = await attemptOnHost(task, host: host, pc: pc, prefix: prefix, redoVars: redoVars)
        }
        let (outcome, ignoreErrors, ignoreUnreachable) = (attempt.outcome, attempt.ignoreErrors, attempt.ignoreUnreachable)
        let (status, result) = outcome
        let changed = result["changed"]?.truthy ?? false
        // Inside a block with rescue, a failure is rescued: counted so, and shown to the rescue tasks.
        let rescued = status == .failed && !ignoreErrors && lock.withLock { _ in rescuable[host, default: 0] > 0 }
        if rescued {
            var t: Dict = ["name": .string(task.name ?? ""), "action": .string(task.action), "args": .dict(task.args)]
            for (k, v) in task.keywords { t[.string(k)] = v }
            // Data about the task, not templates to render again (its args may not render at all).
            vars.state(host).setFacts["ansible_failed_task"] = Value.dict(t).untrusted
            vars.state(host).setFacts["ansible_failed_result"] = Value.dict(DefaultCallback.stripInternal(result)).untrusted
        }
        stats.update(host) { s in
            switch status {
            case .unreachable:
                if ignoreUnreachable { s.ok += 1; s.ignored += 1 } else { s.unreachable += 1 }
            case .skipped: s.skipped += 1
            case .failed:
                if ignoreErrors { s.ok += 1; s.ignored += 1; if changed { s.changed += 1 } } else if rescued { s.rescued += 1 } else { s.failures += 1 }
            case .ok, .changed:
                s.ok += 1
                if changed { s.changed += 1 }
            }
        }
        junit?.hostResult(host: host, status: status, result: result, ignored: ignoreErrors)
        if status == .unreachable && !ignoreUnreachable { _ = lock.withLock { _ in unreachable.insert(host) } }
        if status == .failed && !ignoreErrors { _ = lock.withLock { _ in failed.insert(host) } }
        if status != .skipped && status != .unreachable, let key = task.role?.completionKey {
            _ = lock.withLock { _ in rolesRan[key, default: []].insert(host) }
        }
        return (status, result, ignoreErrors)
    }

    /// One run of a task on a host, its result shown: the outcome, whether its errors (or its
    /// host's unreachability) are ignored, and the scope it ran with (nil when none was made).
    struct HostAttempt {
        var outcome: (Status, Dict)
        var ignoreErrors = false
        var ignoreUnreachable = false
        var scope: VarScope?
    }

    func attemptOnHost(_ task: PlayTask, host: String, pc: VariableManager.PlayContext, prefix: String, redoVars: Dict) async -> HostAttempt {
        var ignoreErrors = false
        var ignoreUnreachable = false
        var thrown = true
        var outcome: (Status, Dict)
        callback.hostStart(host, task: task.displayName, handler: prefix != "TASK")
        // pause talks to the terminal itself.
        if task.shortAction != "pause" { LiveStatus.start(host, "\(prefix) [\(task.displayName)]") }
        defer { LiveStatus.finish(host) }
        var taskScope: VarScope?
        do {
            let scope = try vars.scope(host: host, pc: pc, task: task)
            for (k, v) in redoVars {   // what the debugger changed, over the host's variables
                scope.raw[k.pythonStr] = v
                scope.cache[k.pythonStr] = nil
            }
            taskScope = scope
            // The implicit localhost's address is 127.0.0.1 (InventoryData's), others' their name.
            let address = inventory.data.hosts[host]?.implicit == true ? "127.0.0.1" : host
            ConnectionConfig.addMagicVariables(scope, address: address, connection: keyword(task, "connection"),
                                               remoteUser: keyword(task, "remote_user"), defaults: connectionDefaults)
            ignoreUnreachable = ignoresUnreachable(task, scope)
            ignoreErrors = try resolvedKeyword(task, "ignore_errors", scope)?.truthy ?? false
            outcome = try await withTaskTimeout(task, host: host, scope: scope, pc: pc)
            thrown = false
        } catch let e as TaskError {
            ignoreErrors = keyword(task, "ignore_errors")?.truthy ?? false
            outcome = (.failed, e.result)
            callback.result(host: host, action: task.action, status: .failed, result: outcome.1, ignoring: ignoreErrors)
        } catch let e as BrokenConditional {
            ignoreErrors = keyword(task, "ignore_errors")?.truthy ?? false
            outcome = (.failed, ["failed": true, "changed": false, "msg": .unsafe("Task failed: \(e.message)")])
            callback.result(host: host, action: task.action, status: .failed, result: outcome.1, ignoring: ignoreErrors)
        } catch let e as AnsibleError {
            ignoreErrors = keyword(task, "ignore_errors")?.truthy ?? false
            outcome = (.failed, ["failed": true, "changed": false, "msg": .unsafe("Task failed: \(e.message)")])
            callback.result(host: host, action: task.action, status: .failed, result: outcome.1, ignoring: ignoreErrors)
        } catch let e as UndefinedError {
            // A variable the controller reads itself (a connection variable…) did not render:
            // reported where it was written, as 2.19 does.
            ignoreErrors = keyword(task, "ignore_errors")?.truthy ?? false
            let at = taskScope?.failedVariable.flatMap { taskScope?.origins[$0] }
            outcome = (.failed, TaskError(links: [("Task failed.", task.location), (e.message, at)], flat: "Task failed: \(e.message)").result)
            callback.result(host: host, action: task.action, status: .failed, result: outcome.1, ignoring: ignoreErrors)
        } catch {
            ignoreErrors = false
            outcome = (.failed, ["failed": true, "changed": false, "msg": .unsafe("\(error)")])
            callback.result(host: host, action: task.action, status: .failed, result: outcome.1, ignoring: false)
        }
        // A task that could not run (its loop did not render…) is registered failed all the same.
        if thrown, let reg = task["register"]?.pythonStr {
            var r = DefaultCallback.stripInternal(outcome.1)
            r["failed"] = true
            if r["exception"] == nil { r["exception"] = "(traceback unavailable)" }
            vars.state(host).setFacts[.string(reg)] = .dict(r)
        }
        return HostAttempt(outcome: outcome, ignoreErrors: ignoreErrors, ignoreUnreachable: ignoreUnreachable, scope: taskScope)
    }

    /// Whether the task debugger takes this result (the `debugger` keyword as rendered for the host).
    func debuggerWanted(_ task: PlayTask, _ attempt: HostAttempt, _ scope: VarScope) -> Bool {
        let keyword = self.keyword(task, "debugger").flatMap { try? vars.templar.template($0, scope).stringValue }
        return TaskDebugger.needed(keyword, attempt.outcome.0, ignoreErrors: attempt.ignoreErrors, settings: settings, strategy: debugStrategy)
    }

    /// run_once (a block's too): templated with the first host's vars.
    func runsOnce(_ task: PlayTask, pc: VariableManager.PlayContext, hosts: [String]) -> Bool {
        if task.shortAction == "pause" { return true }   // its action bypasses the host loop
        guard let v = task.effective("run_once"), let first = hosts.first else { return false }
        if case .bool(let b) = v { return b }
        return (try? vars.scope(host: first, pc: pc, task: task)).flatMap { try? vars.templar.template(v, $0) }?.truthy ?? false
    }

    /// set_fact and include_vars setting a reserved name: Ansible's warning, at the key that set it.
    func warnReserved(_ facts: Dict, task: PlayTask, result r: Dict) {
        let reserved = facts.keys.map(\.pythonStr).filter(VariableManager.reservedNames.contains)
        guard !reserved.isEmpty else { return }
        var at = task.argKeyLocations
        for file in r["ansible_included_var_files"]?.listValue ?? [] {
            let path = file.pythonStr
            guard let text = try? Vault.shared.readText(path), let node = try? YAMLReader.load(text, file: path) else { continue }
            for p in node.pairs ?? [] { if let k = p.key.value.stringValue { at[k] = p.key.location } }
        }
        VariableManager.warnReserved(reserved, origins: { at[$0] })
    }

    /// run_once: the first host ran the task; every other host of the play gets its registered
    /// result and its facts, and fails with it (the strategy's get_task_hosts / mark_host_failed).
    func shareRunOnce(_ task: PlayTask, from first: String, to hosts: [String], _ outcome: (Status, Dict, ignored: Bool)) {
        let (status, result, ignored) = outcome
        let source = vars.state(first)
        for h in hosts where h != first {
            let st = vars.state(h)
            if let reg = task["register"]?.pythonStr, let r = source.setFacts[.string(reg)] { st.setFacts[.string(reg)] = r }
            if let facts = result["ansible_facts"]?.dictValue, task.shortAction != "debug", task.effective("delegate_facts")?.truthy != true {
                for (k, v) in facts {
                    switch task.shortAction {
                    case "set_fact": st.setFacts[k] = v
                    case "include_vars": st.includeVars[k] = v
                    default:
                        st.setFact(k.pythonStr, v)
                    }
                }
            }
            if status == .failed && !ignored { _ = lock.withLock { _ in failed.insert(h) } }
        }
    }

    /// when → loop → action → changed_when/failed_when → register/notify; returns the overall
    /// status and result, after printing per-item or per-host lines.
    func execute(_ task: PlayTask, host: String, scope: VarScope, pc: VariableManager.PlayContext) async throws -> (Status, Dict) {
        let ignoreErrors = try keyword(task, "ignore_errors").map { try vars.templar.template($0, scope).truthy } ?? false
        let loopItems: [Value]?
        var skipped: Dict?
        do { loopItems = try loop(task, scope) } catch {
            // A loop that does not render is the task's error only when its `when` holds.
            guard let skip = try skipResult(task, scope) else { throw error }
            (loopItems, skipped) = (nil, skip)
        }
        var result: Dict
        var status: Status
        var resolved: [(name: String, handlers: [PlayTask])]?   // the notifications, once worked out
        if let items = loopItems, items.isEmpty {
            // An empty loop skips the task (TaskExecutor: "No items in the list").
            (status, result) = (.skipped, ["changed": false, "skipped": true, "skipped_reason": "No items in the list", "results": []])
            callback.result(host: host, action: task.action, status: .skipped, result: result, ignoring: false)
        } else if let items = loopItems {
            var results: [Value] = []
            var anyChanged = false, anyFailed = false, anyUnreachable = false, allSkipped = !items.isEmpty
            var itemNotifications: [String] = []   // each item that ran names its own (the item's vars)
            var itemNotices: [String] = []         // the same, once per item, as -vv says them
            let pause = try loopControl(task, scope)["pause"]?.number ?? 0
            for (index, item) in items.enumerated() {
                let loopVars = try self.loopVars(task, items, index, scope)
                if pause > 0 && index > 0 { try await _Concurrency.Task.sleep(nanoseconds: Seconds.nanoseconds(pause)) }
                let itemScope = scope.with(loopVars)
                var (s, r) = try await once(task, host: host, scope: itemScope)
                // set_fact / include_vars in a loop: later items see what earlier ones set.
                if ["set_fact", "include_vars"].contains(task.shortAction), let facts = r["ansible_facts"]?.dictValue {
                    for (k, v) in facts {
                        scope.raw[k.pythonStr] = v
                        scope.cache[k.pythonStr] = nil
                    }
                }
                for (k, v) in loopVars { r[.string(k)] = v }
                // loop_control.label: what the output shows for the item, rendered with this item's
                // result under the register name (as the executor registers each iteration); a
                // label with an undefined value fails the item, shown as None; any other error
                // fails the task at the label, as 2.19's executor raises it.
                var shown = item
                if let label = task["loop_control"]?["label"] {
                    let reg = task["register"]?.pythonStr
                    let labelScope = reg.map { itemScope.with([$0: .dict(DefaultCallback.stripInternal(r))]) } ?? itemScope
                    do {
                        shown = try Templar.$origin.withValue(task.keywordLocations["loop_control.label"]) { try vars.templar.template(label, labelScope) }
                    } catch let e as AnsibleError where e.kind == .undefined {
                        shown = Value.none
                        (s, r) = (.failed, r.merging(["failed": true, "msg": .unsafe("Failed to template loop_control.label: \(e.message)")]) { $1 })
                    } catch let e as AnsibleError {
                        throw TaskError.standalone(e, at: task.keywordLocations["loop_control.label"])
                    }
                } else if item.holdsTag, let loopVar = loopVars["ansible_loop_var"]?.stringValue {
                    // The executor's own label, `{{item}}`, is a template too: it uses a tagged item.
                    DeprecatedValues.used(in: item, byTemplate: "{{\(loopVar)}}",
                                          at: task["loop_control"]?["loop_var"] != nil ? task.keywordLocations["loop_control.loop_var"] : nil)
                }
                if s != .skipped { allSkipped = false }
                if s == .ok || s == .changed, task.effective("notify") != nil {
                    let names = notifications(task, itemScope)
                    itemNotices += names
                    for n in names where !itemNotifications.contains(n) { itemNotifications.append(n) }
                }
                if r["changed"]?.truthy == true { anyChanged = true }
                // An unreachable item is shown as failed; the loop is failed when an item is,
                // else unreachable when one was (TaskExecutor's flags, the strategy's order).
                if s == .failed { anyFailed = true }
                if s == .unreachable { anyUnreachable = true } else if s != .skipped, r["failed"] == nil {
                    r["failed"] = .bool(s == .failed)   // as the executor sets it on every run that returns
                }
                if s == .unreachable { s = .failed }
                r["_ansible_item_label"] = shown
                if r["_ansible_no_log"] == nil { r["_ansible_no_log"] = false }
                if diffMode(task, scope) { callback.fileDiff(r) }   // each item's diff before its line
                callback.result(host: host, action: r["_swansible_action"]?.stringValue ?? task.action, status: s, result: r,
                                ignoring: false, item: shown)
                results.append(.dict(r))
                // loop_control.break_when: checked after each item, that item's result under the register name.
                if let breakWhen = task["loop_control"]?["break_when"] {
                    let reg = task["register"]?.pythonStr
                    let s = reg.map { itemScope.with([$0: .dict(DefaultCallback.stripInternal(r))]) } ?? itemScope
                    if try vars.templar.conditional(breakWhen, s, origin: task.keywordLocations["loop_control"]).0 { break }
                }
            }
            result = ["results": .list(results), "changed": .bool(anyChanged), "skipped": .bool(allSkipped)]
            // Hidden when any item is (TaskExecutor: so the callbacks censor those items).
            if results.contains(where: { $0["_ansible_no_log"]?.truthy == true }) { result["_ansible_no_log"] = true }
            if anyUnreachable { result["unreachable"] = true }   // also when an item failed (which then wins)
            if anyFailed {
                result["failed"] = true   // no exception place holder here: the loop itself raised nothing
                result["msg"] = "One or more items failed"
                status = .failed
                if task.shortAction == "debug" && callback.compact == nil {
                    // The default callback cleans a debug result down to its msg, so the loop's
                    // summary shows as a fatal line of its own.
                    callback.result(host: host, action: task.action, status: .failed, result: ["msg": "One or more items failed"],
                                    ignoring: ignoreErrors)
                } else if ignoreErrors {
                    callback.ignoredLoop()
                }
            } else if anyUnreachable {
                result["msg"] = "All items completed"
                status = .unreachable
                if callback.compact == nil {
                    callback.result(host: host, action: task.action, status: .unreachable, result: result, ignoring: ignoresUnreachable(task, scope))
                }
            } else if allSkipped {
                result["msg"] = "All items skipped"
                status = .skipped
                callback.loopSkipped(host: host, action: task.action, result: result)
            } else {
                result["msg"] = "All items completed"
                status = anyChanged ? .changed : .ok
            }
            // A changed loop notifies what every item that ran named, changed or not (the strategy
            // reads each item's _ansible_notify once the task is changed).
            resolved = notified(task, status, result, names: itemNotifications)
            if let missing = resolved?.first(where: { $0.handlers.isEmpty }), missingHandlerIsError {
                abortRun(PlaybookError(PlaybookRunner.missingHandler(missing.name)))
                return (status, result)
            }
            sayNotificationsSaved(task, host: host, itemNotices, resolved)
            callback.loopResult(host: host, action: task.action, status: status, result: result)
        } else {
            if let skipped { (status, result) = (.skipped, skipped) } else { (status, result) = try await once(task, host: host, scope: scope) }
            // A changed result that notifies a handler the play lacks ends the run before it is shown.
            resolved = notified(task, status, result, names: notifications(task, scope))
            if let missing = resolved?.first(where: { $0.handlers.isEmpty }), missingHandlerIsError {
                abortRun(PlaybookError(PlaybookRunner.missingHandler(missing.name)))
                return (status, result)
            }
            if diffMode(task, scope) { callback.fileDiff(result) }
            sayNotificationsSaved(task, host: host, resolved?.map(\.name) ?? [], resolved)
            callback.result(host: host, action: result["_swansible_action"]?.stringValue ?? task.action, status: status, result: result,
                            ignoring: ignoreErrors && status == .failed || status == .unreachable && ignoresUnreachable(task, scope))
        }
        let st = vars.state(host)
        if let reg = task["register"]?.pythonStr {
            var registered = DefaultCallback.stripInternal(result)
            registered["invocation"] = nil   // the strategy registers a clean copy without it
            // (An unreachable result has none: the executor sets it only on results that return.)
            if registered["failed"] == nil && status != .skipped && status != .unreachable { registered["failed"] = .bool(status == .failed) }
            st.setFacts[.string(reg)] = .dict(registered)
            // set_nonpersistent_facts warns about a reserved name, at the `register:` value.
            VariableManager.warnReserved([reg], origins: { _ in task.keywordLocations["register"] })
        }
        for (name, handlers) in resolved ?? [] {
            guard !handlers.isEmpty else {
                // ERROR_ON_MISSING_HANDLER (on by default) ends the run; off, a warning.
                if missingHandlerIsError { abortRun(PlaybookError(PlaybookRunner.missingHandler(name))) } else {
                    Output.warning(PlaybookRunner.missingHandler(name))
                }
                continue
            }
            // Each handler that answers is notified (every listener of a topic), as Ansible resolves it then.
            // -vv says a task's notifications when they flush (a handler's were said with its result).
            let announceLater = options.verbosity > 1 && !isHandler(task)
            for h in handlers where st.notified.insert(PlaybookRunner.handlerID(h)).inserted && announceLater {
                st.unannounced.append(PlaybookRunner.handlerID(h))
            }
        }
        return (status, result)
    }

    /// `loop`, or the task's `with_<lookup>` keyword.
    static func loopKeyword(_ task: PlayTask) -> String {
        task["loop"] != nil ? "loop" : task.keywords.keys.first { $0.hasPrefix("with_") } ?? "loop"
    }

    /// The loop's items, or nil when the task has no loop. As 2.19's task executor reports them: an
    /// undefined value as the task's failure, any other error as itself, at the loop's value (a
    /// `with_` lookup's own failure at the `invoke_lookup()` expression it runs).
    func loop(_ task: PlayTask, _ scope: VarScope) throws -> [Value]? {
        let key = PlaybookRunner.loopKeyword(task)
        do { return try loopItems(task, scope) } catch let e as AnsibleError where e.kind == .undefined {
            throw TaskError.keyword(task, keyword: key, e.message, at: e.location).with(e)
        } catch let e as AnsibleError {
            throw TaskError.standalone(e, at: task.keywordLocations[key])
        }
    }

    /// A loop's value rendered; an item of a list as written that fails is shown where it was written.
    func loopValue(_ task: PlayTask, _ value: Value, _ scope: VarScope) throws -> Value {
        let key = PlaybookRunner.loopKeyword(task)
        do {
            return try Templar.$origin.withValue(task.keywordLocations[key]) { try vars.templar.template(value, scope) }
        } catch let e as AnsibleError where e.location == nil {
            // Which item failed is found again, one by one, on this path only.
            guard case .list(let items) = value, items.count == task.loopItemLocations.count else { throw e }
            for (i, item) in items.enumerated() {
                do { _ = try vars.templar.template(item, scope) } catch var e as AnsibleError {
                    // A plugin's own failure carries no place of its own in 2.19: it is the loop's, or
                    // the `invoke_lookup()` expression 2.19 runs a `with_` as.
                    if !["filter", "test", "lookup"].contains(where: { e.message.hasPrefix("The \($0) plugin") }) {
                        e.location = e.location ?? task.loopItemLocations[i]
                    } else if task["loop"] == nil {
                        e.location = e.location ?? SourceLocation.unknown(showing: "invoke_lookup()")
                    }
                    throw e
                }
            }
            throw e
        }
    }

    func loopItems(_ task: PlayTask, _ scope: VarScope) throws -> [Value]? {
        if let l = task["loop"] {
            let v = try loopValue(task, l, scope)
            guard case .list(let items) = v else {
                var e = AnsibleError("The `loop` value must resolve to a 'list', not \(Value.string(v.typeName).pythonRepr).")
                e.help = "Provide a list of items/templates, or a template resolving to a list."
                throw e
            }
            return items
        }
        // with_<lookup>: the lookup's terms are the keyword's value, its result the items.
        guard let key = task.keywords.keys.first(where: { $0.hasPrefix("with_") }) else { return nil }
        let name = String(key.dropFirst(5))
        // with_first_found drops the terms that are undefined, however deep (the lookup's omit_undefined).
        func kept(_ v: Value) -> Value? {
            switch v {
            case .undefined: return nil
            case .list(let l), .tuple(let l, _): return .list(l.compactMap(kept))
            case .dict(let d):
                var out = Dict()
                for (k, x) in d { if let r = kept(x) { out[k] = r } }
                return .dict(out)
            default: return v
            }
        }
        let v = name == "first_found" ? kept(try vars.templar.resolve(task.keywords[key]!, scope)) ?? .list([])
            : try loopValue(task, task.keywords[key]!, scope)
        var terms = v.listValue ?? [v]
        if name == "items" || name == "list" || name == "indexed_items" || name == "together" || name == "nested"
            || name == "subelements" || name == "dict" || name == "first_found" {
            terms = name == "first_found" || (name == "dict" && v.listValue == nil) ? [v] : (v.listValue ?? [v])
        }
        var c = LookupContext(scope: scope, playbookDir: vars.playbookDir, templar: vars.templar)
        c.withAction = task.writtenAction ?? task.action
        do { return try Lookups.invoke(name, Arguments(terms), c, forceList: true).tupleFree().listValue ?? [] } catch var e as AnsibleError where e.kind != .undefined {
            e.location = e.location ?? SourceLocation.unknown(showing: "invoke_lookup()")   // 2.19 runs `with_` as that expression
            throw e
        }
    }

    /// The variables one loop iteration sets: the loop var, and loop_control's index_var and
    /// extended `ansible_loop`, as Ansible's task executor sets them.
    func loopVars(_ task: PlayTask, _ items: [Value], _ index: Int, _ scope: VarScope) throws -> [String: Value] {
        let control = task["loop_control"]
        let loopVar = try control?["loop_var"].map { try vars.templar.template($0, scope).pythonStr } ?? "item"
        var out: [String: Value] = [loopVar: items[index], "ansible_loop_var": .string(loopVar)]
        if let indexVar = try control?["index_var"].map({ try vars.templar.template($0, scope).pythonStr }) {
            out[indexVar] = .int(index)
            out["ansible_index_var"] = .string(indexVar)
        }
        if try control?["extended"].map({ try vars.templar.template($0, scope).truthy }) ?? false {
            var l: Dict = ["index": .int(index + 1), "index0": .int(index), "first": .bool(index == 0),
                           "last": .bool(index + 1 == items.count), "length": .int(items.count),
                           "revindex": .int(items.count - index), "revindex0": .int(items.count - index - 1)]
            if try control?["extended_allitems"].map({ try vars.templar.template($0, scope).truthy }) ?? true { l["allitems"] = .list(items) }
            if index + 1 < items.count { l["nextitem"] = items[index + 1] }
            if index > 0 { l["previtem"] = items[index - 1] }
            out["ansible_loop"] = .dict(l)
        }
        return out
    }

    /// `task.conditions[index]` for one host, errors placed where it was written (the task's own
    /// `when` when its place is not known).
    func holds(_ task: PlayTask, condition index: Int, _ scope: VarScope) throws -> (Bool, Value?) {
        let place = task.conditionPlace(index)
        return try vars.templar.conditional(task.conditions[index], scope, origin: place.location ?? task.keywordLocations["when"],
                                            itemOrigins: place.items)
    }

    /// The skipped result when the task's `when` (and its blocks') is false without loop vars; nil when it holds.
    func skipResult(_ task: PlayTask, _ scope: VarScope) throws -> Dict? {
        for i in task.conditions.indices {
            let (ok, cond) = try holds(task, condition: i, scope)
            if !ok { return ["changed": false, "false_condition": cond ?? "", "skip_reason": "Conditional result was False", "skipped": true] }
        }
        return nil
    }

    /// One run of the action on one host (one loop item). A task that cannot even start (its
    /// `when` or arguments do not render) fails with a result that is shown and registered.
    func once(_ task: PlayTask, host: String, scope: VarScope) async throws -> (Status, Dict) {
        let collector = DeprecationCollector()
        var (status, r): (Status, Dict)
        do {
            (status, r) = try await DeprecationCollector.$current.withValue(collector) { try await attempt(task, host: host, scope: scope) }
        } catch let e as TaskError { (status, r) = (.failed, e.result) }
        if let said = r["_ansible_no_log"], said.typeName != "bool" {
            // An action plugin's own no_log that is not a boolean: masked, with 2.19's warning.
            Output.warning("Invalid _ansible_no_log value of type '\(said.typeName)' in task result, output will be masked.")
            r["_ansible_no_log"] = true
        }
        if noLog(task, scope) { r["_ansible_no_log"] = true }
        if !collector.all.isEmpty { r["deprecations"] = .list((r["deprecations"]?.listValue ?? []) + collector.all) }
        let own = collector.warnings
        if !own.isEmpty {
            r["warnings"] = .list(own.map { .string($0.0) } + (r["warnings"]?.listValue ?? []))
            r["_swansible_warning_origins"] = .list(own.map { $0.1.map { .string($0.description) } ?? .none } + (r["_swansible_warning_origins"]?.listValue ?? []))
        }
        return (status, r)
    }

    /// The task's no_log for this host (or loop item): its result is then hidden from the output.
    /// A value that does not render or is not a boolean hides nothing; the run reports it elsewhere.
    func noLog(_ task: PlayTask, _ scope: VarScope) -> Bool {
        do { return try resolvedKeyword(task, "no_log", scope)?.truthy ?? settings.noLog } catch var e as TaskError {
            // Base.update_result_no_log: the error said as a warning, the output masked.
            let head = "Invalid no_log value for task, output will be masked"
            e.links[0] = (head + ".", nil)
            e.flat = head + ": " + e.flat.dropFirst("Task failed: ".count)
            if let block = TaskError.block(e.result) { Output.warning(String(block.dropFirst("[ERROR]: ".count).dropLast())) }
            return true
        } catch {
            return true
        }
    }

    /// A connection or mode keyword for this host: the task's, its block's, else the play's; a
    /// level that renders to `omit` is as if unset. The boolean ones are checked as booleans.
    func resolvedKeyword(_ task: PlayTask, _ k: String, _ scope: VarScope) throws -> Value? {
        for v in [task.keywords[k], task.inheritedKeywords[k], playKeywords[k]].compactMap({ $0 }) {
            let r = try vars.templar.template(v, scope)
            if r.isOmit { continue }
            return ["become", "check_mode", "diff", "no_log", "ignore_errors"].contains(k) ? .bool(try boolKeyword(task, k, r)) : r
        }
        return nil
    }

    func attempt(_ task: PlayTask, host: String, scope: VarScope) async throws -> (Status, Dict) {
        var task = task
        let delegation: Delegation?
        do { delegation = try self.delegation(task, host: host, scope: scope) } catch let e as TaskError {
            // Shown as delegated to what the task says, unrendered.
            var r = e.result
            r["_ansible_delegated_vars"] = ["ansible_delegated_host": .string(task.effective("delegate_to")?.pythonStr ?? "")]
            return (.failed, r)
        }
        for i in task.conditions.indices {
            let ok: Bool, cond: Value?
            do { (ok, cond) = try holds(task, condition: i, scope) } catch let e as AnsibleError {
                throw TaskError.keyword(task, keyword: "when", e.message, at: e.location).with(e)
            } catch let e as BrokenConditional {
                throw TaskError.broken(task, keyword: "when", e)
            }
            if !ok {
                return (.skipped, ["changed": false, "false_condition": cond ?? "", "skip_reason": "Conditional result was False", "skipped": true])
            }
        }
        try postValidate(task, scope)
        // An action the plugin filter rejects or that is nowhere: ad-hoc's -m (a playbook's was
        // refused when it loaded).
        if options.adhoc != nil, !task.action.contains("{{"), PluginFilters.rejected.contains(task.action)
            || !ActionContext.resolves(task.action, library: library, dirs: ActionContext.moduleDirs(task, runner: self)) {
            let flat = "Task failed: Cannot resolve '\(task.action)' to an action or module."
            throw TaskError(links: [(flat, task.location)], flat: flat)
        }
        if !controllerActions.contains(task.shortAction) { HostOrder.runsRemotely() }
        // A templated action name is resolved for each host when its task runs.
        let actionTemplated = task.action.contains("{{")
        if actionTemplated {
            let name: String
            do { name = try vars.templar.template(.string(task.action), scope).pythonStr } catch let e as AnsibleError {
                throw TaskError.keyword(task, keyword: "@action", e.message)
            }
            guard ActionContext.resolves(name, library: library, dirs: ActionContext.moduleDirs(task, runner: self))
                    || PythonAction.mayHandle(name, dirs: PythonAction.actionDirs(task, runner: self), library: library) else {
                throw TaskError.keyword(task, keyword: "@action", "couldn't resolve module/action '\(name)'. This often indicates a misspelling, missing collection, or incorrect module path.")
            }
            task.action = name
        }
        let args = try finalizedArgs(task, scope: scope)
        var keywords: [String: Value] = [:]
        for k in ["connection", "remote_user", "become", "become_user", "become_method", "become_flags", "become_exe",
                  "check_mode", "diff", "no_log"] {
            keywords[k] = try resolvedKeyword(task, k, scope)
        }
        if keywords["no_log"] == nil, settings.noLog { keywords["no_log"] = true }
        let ctx = ActionContext(task: task, host: host, args: args, scope: scope, runner: self, keywords: keywords)
        ctx.actionTemplated = actionTemplated
        ctx.delegation = delegation
        // until/retries/delay: the action again until the condition holds, or until it does not
        // fail when only `retries` is given (Ansible's defaults: 3 retries with until, 5 s).
        let until = task["until"]
        // The runs in all: the first one and the retries.
        var retries = 1
        if let given = task["retries"], !given.isNone {
            retries += max(0, try vars.templar.template(given, scope).intValue ?? 3)
        } else if until != nil {
            retries += 3
        }
        let delay = try task["delay"].map { try vars.templar.template($0, scope).number ?? 5 } ?? 5
        var attempt = 1
        while true {
            var (status, r) = try await runAction(task, ctx: ctx, scope: scope, attempt: retries > 1 ? attempt : nil)
            if status == .unreachable || retries <= 1 { return (status, r) }
            let done: Bool
            if let until {
                let reg = task["register"]?.pythonStr
                var registered = DefaultCallback.stripInternal(r)
                if registered["failed"] == nil { registered["failed"] = .bool(status == .failed) }
                let s = reg.map { scope.with([$0: .dict(registered)]) } ?? scope
                do { done = try vars.templar.conditional(until, s, origin: task.keywordLocations["until"]).0 } catch let e as AnsibleError {
                    throw TaskError.keyword(task, keyword: "until", e.message, at: e.location).with(e)
                } catch let e as BrokenConditional {
                    throw TaskError.broken(task, keyword: "until", e)
                }
            } else {
                done = status != .failed
            }
            r["attempts"] = .int(attempt)
            if done { return (status, r) }
            if attempt >= retries {
                // Out of attempts: failed, yet where failed_when decided, its verdict is the
                // status (TaskResult.is_failed), as Ansible reports it.
                r["failed"] = true
                r["attempts"] = .int(retries - 1)
                if let verdict = r["failed_when_result"], !verdict.truthy {
                    return (r["changed"]?.truthy == true ? .changed : .ok, r)
                }
                // A result failed by `until` alone is the action's failure (whatever ran it).
                if r["_swansible_error"] == nil {
                    if r["exception"] == nil { r["exception"] = "(traceback unavailable)" }
                    PlaybookRunner.noteFailure(&r, task: task, fromModule: false)
                }
                return (.failed, r)
            }
            r["retries"] = .int(retries)
            callback.retrying(host: host, task: task, left: retries - attempt, result: r)
            try await _Concurrency.Task.sleep(nanoseconds: Seconds.nanoseconds(delay))
            attempt += 1
        }
    }

    /// One run of the action with Ansible's post-processing: defaults for changed/failed, *_lines,
    /// facts kept for the host, changed_when/failed_when.
    /// `attempt`: the run's number under `until`, which changed_when/failed_when see as `attempts`.
    func runAction(_ task: PlayTask, ctx: ActionContext, scope: VarScope, attempt: Int? = nil) async throws -> (Status, Dict) {
        let host = ctx.host
        var r: Dict
        do {
            let seconds = try task["async"].map { try vars.templar.template($0, scope).intValue ?? 0 } ?? 0
            let poll = seconds > 0 ? try task["poll"].map { try vars.templar.template($0, scope).intValue ?? 15 } ?? settings.pollInterval : 0
            // A Python plugin checks its own arguments and async support (ActionBase.run).
            let handler = PythonAction.handler(task, runner: self)
            if handler == nil { try ActionRules.check(task, args: ctx.args) }
            if let handler {
                r = try await PythonAction.run(ctx, handler: handler.name, async: seconds, poll: poll)
            } else if seconds > 0 {
                guard !ActionRules.noAsync.contains(task.shortAction) else {
                    throw TaskFailure.raise("This action (\(task.action)) does not support async.")
                }
                r = try await AsyncRunner.run(ctx, timeLimit: seconds, poll: poll)
            } else {
                r = try await action(for: task.action).run(ctx)
            }
            // What the target sent back is data, never a template (2.19's trust model); the
            // controller's own actions keep the trust of the values they were given.
            if !controllerActions.contains(task.shortAction) { r = r.mapValues(\.untrusted) }
        } catch let f as TaskFailure {
            r = f.extra
            r["failed"] = true
            r["changed"] = false
            r["msg"] = .unsafe(f.message)
            if f.raised {
                let flat = "Task failed: \(f.message)"
                r["_swansible_error"] = .list([TaskError.link(flat, task.location)])
                r["_swansible_error_flat"] = .string(flat)
            }
        } catch let u as Unreachable {
            // 2.19 words it as a task failure, with its error block (the message stripped, as
            // its error events are).
            let message = u.message.trimmingCharacters(in: " \t\n\r"), flat = "Task failed: \(message)"
            var chain = TaskError(links: u.chained ? [("Task failed.", task.location), (message, nil)] : [(flat, task.location)], flat: flat)
            if u.chained { chain.apart = [1] }
            return (.unreachable, ["changed": false, "msg": .unsafe(flat), "unreachable": true, "exception": "(traceback unavailable)",
                                   "_swansible_error": chain.result["_swansible_error"]!, "_swansible_error_flat": .string(flat)])
        } catch let b as BecomeFailure {
            let flat = "Task failed: \(b.message)"
            return (.failed, TaskError(links: [(flat, task.location)], flat: flat).result)
        } catch let e as TaskError {
            return (.failed, e.result)
        } catch let e as AnsibleError {
            // Raised, not returned: 2.19 prints it without "Action failed".
            let flat = "Task failed: \(e.message)"
            return (.failed, TaskError(links: [(flat, task.location)], flat: flat).result)
        }
        // A templated action name was resolved for this host: the output follows what ran.
        if ctx.actionTemplated { r["_swansible_action"] = .string(task.action) }
        if let d = ctx.delegation { r["_ansible_delegated_vars"] = d.resultVars }
        if r["changed"] == nil { r["changed"] = false }
        for k in ["stdout", "stderr"] where r[.string(k)] != nil && r[.string(k + "_lines")] == nil {
            if let s = r[.string(k)]?.stringValue {
                r[.string(k + "_lines")] = .list(s.pythonSplitLines.map(Value.string))
            }
        }
        // set_stats: into the run's custom stats, as the strategy files them.
        if let s = r["ansible_stats"], case .dict(let data)? = s["data"] {
            let perHost = s["per_host"].map(\.truthy) ?? true, aggregate = s["aggregate"]?.truthy ?? false
            for (k, v) in data { stats.setCustom(k, v, host: perHost ? host : nil, aggregate: aggregate) }
        }
        // debug shows `var=ansible_facts` without setting them again (as the strategy skips it).
        if let facts = r["ansible_facts"]?.dictValue, task.shortAction != "debug" {
            if ["set_fact", "include_vars"].contains(task.shortAction) { warnReserved(facts, task: task, result: r) }
            let target = task.effective("delegate_facts")?.truthy == true ? (ctx.delegateHost ?? host) : host
            let st = vars.state(target)
            if task.shortAction == "set_fact" {
                for (k, v) in facts { st.setFacts[k] = v }
                // cacheable: host facts as well, kept by the fact cache.
                if r["_ansible_facts_cacheable"]?.truthy == true {
                    for (k, v) in facts {
                        st.setFact(k.pythonStr, v)
                    }
                    vars.persistFacts(target)
                }
            } else if task.shortAction == "include_vars" {
                for (k, v) in facts { st.includeVars[k] = v }
            } else {
                for (k, v) in facts {
                    st.setFact(k.pythonStr, v)
                }
                vars.persistFacts(target)
            }
        }
        // A result that does not say `failed` fails by a non-zero rc (the task executor's rule for
        // modules and plugins that say it that way).
        if r["failed"] == nil, let rc = r["rc"], !(rc.intValue == 0 || rc.stringValue == "0" || rc == .bool(false)) { r["failed"] = true }
        let moduleFailed = r["failed"]?.truthy == true && r["_swansible_module"]?.truthy == true
        // changed_when / failed_when see the result under the register name.
        // 2.19 gives every failed result an `exception` (shown as this place holder without
        // tracebacks): a module's at once, so failed_when can take it away again below.
        if moduleFailed && r["exception"] == nil { r["exception"] = "(traceback unavailable)" }
        // A traceback a result gives is 2.19's ErrorSummary, shown as the place holder unless
        // DISPLAY_TRACEBACK names errors (a falsy one of a result that did not fail is dropped).
        if let e = r["exception"] {
            if e.truthy {
                if e.stringValue == nil || !tracebacksFor.contains("error") { r["exception"] = "(traceback unavailable)" }
            } else if r["failed"]?.truthy != true { r["exception"] = nil }
        }
        if let attempt { r["attempts"] = .int(attempt) }
        if task["changed_when"] != nil || task["failed_when"] != nil {
            let reg = task["register"]?.pythonStr
            let s = reg.map { scope.with([$0: .dict(DefaultCallback.stripInternal(r))]) } ?? scope.with([:])
            // A broken condition fails the task with the reason in `<x>_when_result`, and the
            // result is still registered, as Ansible's task executor does it.
            var cond = "changed"
            do {
                if let cw = task["changed_when"] { r["changed"] = .bool(try vars.templar.conditional(cw, s, origin: task.keywordLocations["changed_when"]).0) }
                cond = "failed"
                if let fw = task["failed_when"] {
                    let f = try vars.templar.conditional(fw, s, origin: task.keywordLocations["failed_when"]).0
                    r["failed_when_result"] = .bool(f)
                    r["failed"] = .bool(f)
                    if !f, let e = r.removeValue(forKey: "exception") { r["failed_when_suppressed_exception"] = e }
                }
            } catch let e as AnsibleError {
                r["failed"] = true
                r[.string("\(cond)_when_result")] = .string(e.message)
            } catch let e as BrokenConditional {
                r["failed"] = true
                r[.string("\(cond)_when_result")] = .string(e.message)
            }
        }
        if r["failed"]?.truthy == true {
            if r["exception"] == nil { r["exception"] = "(traceback unavailable)" }
            if r["_swansible_error"] == nil { PlaybookRunner.noteFailure(&r, task: task, fromModule: moduleFailed) }
            return (.failed, r)
        }
        if r["skipped"]?.truthy == true { return (.skipped, r) }
        return (r["changed"]?.truthy == true ? .changed : .ok, r)
    }

    /// 2.19 shows every failed task as an error of its module (or of its action: controller
    /// actions, failed_when) at the task's origin, printed before the fatal line.
    static func noteFailure(_ r: inout Dict, task: PlayTask, fromModule: Bool) {
        let kind = fromModule ? "Module" : "Action"
        let msg = r["_swansible_error_msg"]?.stringValue ?? r["msg"].map(\.pythonStr) ?? "Unknown error."
        let text = "Task failed: " + (msg.isEmpty ? "\(kind) failed." : "\(kind) failed: \(msg)")
        if case .list(let events)? = r["_swansible_sub_events"] {
            // An error with sub-events is a section of its own, its events boxed under it.
            r["_swansible_error"] = .list([TaskError.link("Task failed.", task.location), TaskError.link("\(kind) failed.", task.location),
                                           .list([.string(msg), .none, .none, false, .list(events)])])
        } else {
            r["_swansible_error"] = .list([TaskError.link(text, task.location)])
        }
        r["_swansible_error_flat"] = .string(text)
        // A failed result without a message gets the one Ansible gives it.
        if r["msg"] == nil { r["msg"] = .unsafe(text) }
    }

    /// The on-target module cache (~/.cache/swansible/modules) can be turned off with
    /// `swansible_module_cache: false` or SWANSIBLE_MODULE_CACHE=0.
    func moduleCache(_ scope: VarScope) -> Bool {
        if let v = try? scope.lookup("swansible_module_cache") { return AnsibleFilters.boolean(v).truthy }
        return Files.environment("SWANSIBLE_MODULE_CACHE").map(Settings.truthy) ?? true
    }

    /// The interpreter the agent runs on, when none was configured (Ansible reports it as a fact).
    func discoveredInterpreter(_ c: ActionContext) -> String? {
        vars.state(c.host).facts["discovered_interpreter_python"]?.stringValue
    }

    /// Ansible reports a discovered interpreter once per host: a fact in the result and a warning.
    func noteDiscovered(_ host: String, _ path: String, into result: inout Dict) {
        let st = vars.state(host)
        guard st.facts["discovered_interpreter_python"] == nil else { return }
        st.facts["discovered_interpreter_python"] = .string(path)
        var facts = result["ansible_facts"]?.dictValue ?? Dict()
        facts["discovered_interpreter_python"] = .string(path)
        result["ansible_facts"] = .dict(facts)
        warnDiscovered(host, path)
    }

    /// Interpreter discovery's warning (said once per host and path, as Display dedups it).
    func warnDiscovered(_ host: String, _ path: String) {
        Output.warning("Host '\(host)' is using the discovered Python interpreter at '\(path)', but future installation of another Python interpreter could cause a different interpreter to be discovered. See https://docs.ansible.com/ansible-core/2.19/reference_appendices/interpreter_discovery.html for more information.")
    }
}

extension PlayTask {
    static func listen(_ t: PlayTask) -> [String] { tagList(t["listen"]) }
    static func tagList(_ v: Value?) -> [String] {
        switch v {
        case .string(let s)?: return [s]
        case .list(let l)?: return l.map(\.pythonStr)
        default: return []
        }
    }
}
