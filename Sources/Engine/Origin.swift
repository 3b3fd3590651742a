// Errors that point into a file are shown as Ansible 2.19 shows them: the message, the
// origin, and the lines leading up to it with a caret under the column.
import Playbook
import Values
import YAMLReader

public enum Origin {
    public static func report(_ message: String, _ loc: SourceLocation?) -> String {
        report(message, loc, help: nil)
    }

    public static func report(_ message: String, _ loc: SourceLocation?, help: String?) -> String {
        guard let loc else {
            // 2.19 prefers one line when there is no source context and neither part has line breaks.
            guard let help else { return message }
            return message.contains("\n") || help.contains("\n") ? message + "\n\n" + help : message + " " + help
        }
        var out = "\(message)\nOrigin: \(loc)"
        if loc.line == 0 { out += "\n" + (loc.snippet.map { "\n\($0)\n" } ?? "") }
        // 2.19's SourceContext fails on an origin that is no file (-e's text) and says so.
        if loc.line > 0, loc.file.hasPrefix("<CLI option") { out += "\n\n(source not shown: TypeError)\n" }
        if loc.line > 0, let text = try? Files.read(loc.file) {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if text.hasSuffix("\n") { lines.removeLast() }   // the lines Python reads
            // SourceContext.error: what stands for a source that cannot be shown.
            if text.hasPrefix("$ANSIBLE_VAULT;") { out += "\n\n(source not shown: content encrypted)\n" } else if loc.line > lines.count {
                out += "\n\n(source not shown: file truncated)\n"
            } else {
                // SourceContext.from_origin: two lines before, each cut to fit 120 columns.
                out += "\n"
                let first = max(1, loc.line - 2)
                let width = String(loc.line).count
                let maxLine = 120 - width - 1
                var usable = maxLine
                for n in first...loc.line {
                    let num = String(n)
                    var line = Array(String(lines[n - 1]).unicodeScalars.map { $0 == "\t" ? " " : $0 })
                    if line.count > maxLine {
                        line = Array(line.prefix(maxLine - 3)) + Array("...".unicodeScalars)
                        usable = maxLine - 3
                    }
                    var text = ""
                    text.unicodeScalars.append(contentsOf: line)
                    out += "\n" + String(repeating: " ", count: width - num.count) + num + (text.isEmpty ? "" : " \(text)")
                }
                if loc.column >= 1, loc.column <= usable {
                    let label = "column \(loc.column)", index = loc.column - 1
                    let marker = index + 2 + label.count > maxLine
                        ? String(repeating: " ", count: max(0, index - label.count - 1)) + label + " ^"
                        : String(repeating: " ", count: index) + "^ " + label
                    out += "\n" + String(repeating: " ", count: width) + " " + marker + "\n"
                } else if loc.column == SourceLocation.wholeLine {
                    let shown = String(lines[loc.line - 1]).unicodeScalars.count
                    out += "\n" + String(repeating: " ", count: width) + " " + String(repeating: "^", count: min(shown, maxLine)) + "\n"
                } else {
                    out += "\n"
                }
            }
        }
        if let help { out += "\n" + help + "\n" }
        return out
    }

    /// A load-time error, with its causes as 2.19 prints a chain: the brief message, then each part at its place.
    /// A YAML syntax error, as AnsibleYAMLParserError prints it.
    public static func report(_ e: YAMLError) -> String {
        report("YAML parsing failed: \(e.message)", e.location, help: e.help)
    }

    public static func report(_ e: PlaybookError) -> String {
        guard !e.causes.isEmpty else { return report(e.message, e.location, help: e.help) }
        let brief = TaskError.joined([e.message] + e.causes.map(\.message))
        // A part without a place still ends with a blank line before the next "caused by".
        let parts = [report(e.message, e.location)] + e.causes.map { report($0.message, $0.location, help: $0.help) }
        return brief + "\n\n" + parts.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "\n<<< caused by >>>\n\n")
    }

    /// Every task's action must resolve before anything runs, as Ansible checks at parse time.
    public static func validateActions(_ book: PlaybookFile, library: ModuleLibrary, playbookDir: String, settings: Settings) throws {
        let roleLibraries = book.roleLibraries
        for play in book.plays {
            try validateActions(play.preTasks + play.tasks + play.postTasks + play.handlers, library: library, playbookDir: playbookDir,
                                playDir: play.baseDir, settings: settings, roleLibraries: roleLibraries)
        }
    }

    /// The same for tasks loaded later (an included file or role); `roleLibraries`: the library/
    /// of every role loaded so far, which every task's module search includes.
    static func validateActions(_ tasks: [PlayTask], library: ModuleLibrary, playbookDir: String, playDir: String,
                                settings: Settings, roleLibraries: [String]) throws {
        for t in tasks.flattened {
            // A templated name is resolved when the task runs, for each host.
            if t.action.contains("{{") { continue }
            // A collection's role or module loads the collection, whose requires_ansible is checked then.
            if let path = t.role?.path, let at = path.firstRange(of: "/ansible_collections/") {
                let p = path[at.upperBound...].split(separator: "/")
                if p.count >= 3, p[2] == "roles" { try CollectionSupport.check(p[0] + "." + p[1], library: library, settings: settings, at: t.location) }
            }
            let parts = t.action.split(separator: ".")
            if parts.count >= 3 { try CollectionSupport.check(parts[0] + "." + parts[1], library: library, settings: settings, at: t.location) }
            let dirs = ActionContext.libraryDirs(role: t.role, playDir: playDir, playbookDir: playbookDir, roleLibraries: roleLibraries,
                                                 configured: settings.libraryPath)
            if PluginFilters.rejected.contains(t.action) || !ActionContext.resolves(t.action, library: library, dirs: dirs) {
                // A Python action plugin runs in the helper agent.
                let pluginDirs = ActionPlugins.dirs(role: t.role, baseDir: playDir.isEmpty ? playbookDir : playDir, configured: settings.actionPluginPaths)
                if PythonAction.mayHandle(t.action, dirs: pluginDirs, library: library) { continue }
                // A collection that is not installed, named or where ansible-core moved the module.
                let wanted = t.action.contains(".") ? t.action : library.movedModule(t.action) ?? t.action
                let parts = wanted.split(separator: ".")
                if parts.count >= 3, !["ansible"].contains(parts[0]) {
                    Output.warning("Error loading plugin '\(wanted)': No module named 'ansible_collections.\(parts[0])'")
                }
                throw PlaybookError("couldn't resolve module/action '\(t.action)'. This often indicates a misspelling, missing collection, or incorrect module path.", at: t.location)
            }
        }
    }
}

extension PlaybookFile {
    /// Each role's library/ in the order the playbook loads its roles.
    var roleLibraries: [String] {
        var dirs: [String] = []
        for play in plays {
            for t in (play.preTasks + play.tasks + play.postTasks + play.handlers).flattened {
                if let r = t.role, !dirs.contains(Files.join(r.path, "library")) { dirs.append(Files.join(r.path, "library")) }
            }
        }
        return dirs
    }
}
