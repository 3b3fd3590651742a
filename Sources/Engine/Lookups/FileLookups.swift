// Lookups that read the controller's files or run its commands: file, fileglob, first_found,
// template, lines, pipe. (csvfile and ini, with Python's csv and configparser dialects, are
// ansible-core's own, run by the helper agent as users' Python lookups are.)
import Inventory
import Jinja
import Values
import Vault
#if canImport(Glibc)
import Glibc
#endif

enum FileLookups {
    static func bool(_ o: [String: Value], _ k: String, _ d: Bool) -> Bool {
        guard let v = o[k] else { return d }
        return AnsibleFilters.boolean(v).truthy
    }

    /// first_found's old "a,b;c" lists, split with 2.19's deprecation.
    static func splitLegacy(_ target: String, _ items: [Value], _ separators: String) -> [String] {
        items.flatMap { item -> [String] in
            let text = item.pythonStr
            let parts = text.split(omittingEmptySubsequences: false) { separators.contains($0) }.map(String.init)
            if parts.count > 1 {
                Output.deprecation("Automatic splitting of \(target) on \(Value.string(separators).pythonRepr) is deprecated.",
                                   version: "2.23", origin: nil, help: "Provide a list of paths for \(target) instead.",
                                   plugin: ("lookup", "first_found"))
            }
            return parts
        }
    }

    static let all: [String: LookupPlugin] = [
        "file": { terms, o, c in
            try Lookups.flatTerms(terms).map { t in
                guard let path = c.find(t.pythonStr, kind: "files") else {
                    throw AnsibleError("Unable to access the file \(Value.string(t.pythonStr).pythonRepr): File not found. Use -vvvvv to see paths searched.")
                }
                var s = try Vault.shared.readText(path)
                if bool(o, "rstrip", true) { s = s.rstrip }
                if bool(o, "lstrip", false) { s = Strings.strip(s, nil, left: true, right: false) }
                return .string(s)
            }
        },
        "fileglob": { terms, _, c in
            var out: [Value] = []
            for t in Lookups.flatTerms(terms) {
                let pattern = t.pythonStr
                let dir = Files.dirname(pattern), base = Files.basename(pattern)
                var dirs: [String] = []
                if pattern.hasPrefix("/") { dirs = [dir] } else {
                    if let r = c.rolePath { dirs += [Files.join(r, "files/" + dir), Files.join(r, dir)] }
                    dirs += [Files.join(c.playbookDir, "files/" + dir), Files.join(c.playbookDir, dir)]
                }
                for d in dirs where Files.isDirectory(d) {
                    // glob.glob: the directory's own order; hidden names only for a pattern that starts with a dot.
                    let hits = Files.list(d, sorted: false).filter { Glob.match(base, $0) && (!$0.hasPrefix(".") || base.hasPrefix(".")) }.map { Files.absolute(Files.join(d, $0)) }.filter { !Files.isDirectory($0) }
                    if !hits.isEmpty { out += hits.map(Value.string); break }
                }
            }
            return out
        },
        "first_found": { terms, kwargs, c in
            // ansible-core's _process_terms: a mapping term replaces the options (its own files,
            // paths and skip, the rest at their defaults); a string is a file; lists nest.
            var options = kwargs
            func list(_ name: String) -> [Value] {
                switch options[name] {
                case .list(let l)?, .tuple(let l, _)?: return l
                case nil, .none?: return []
                case let v?: return v.pythonStr.split(separator: ",", omittingEmptySubsequences: false).map { .string(String($0)) }
                }
            }
            var search: [String] = []
            func process(_ terms: [Value]) throws {
                for t in terms {
                    let files: [Value], described: String
                    switch t {
                    case .dict(let d):
                        options = [:]
                        for (k, v) in d { options[k.pythonStr] = v }
                        (files, described) = (list("files"), "the 'files' option")
                    case .string, .unsafe: (files, described) = ([t], "files")
                    case .list(let l), .tuple(let l, _):
                        try process(l)
                        continue
                    default: throw AnsibleError("Invalid term supplied. A string, dict or list is required, not '\(t.typeName)').")
                    }
                    let names = splitLegacy(described, files, ",;"), dirs = splitLegacy("the \"paths\" option", list("paths"), ",:;")
                    search += dirs.isEmpty ? names : dirs.flatMap { d in names.map { Files.join(d, $0) } }
                }
            }
            try process(terms.isEmpty ? list("files") : terms)
            // As a lookup it searches the role and playbook dirs; as with_first_found the subdir
            // follows the task's action (templates/, vars/, else files/), as Ansible does.
            var subdir: String? = nil
            if let action = c.withAction {
                subdir = action.contains("template") ? "templates" : action.contains("var") ? "vars" : "files"
            }
            for f in search { if let p = c.find(f, kind: subdir) { return [.string(Files.absolute(p))] } }
            if bool(options, "skip", false) { return [] }
            throw AnsibleError("No file was found when using first_found.")
        },
        "template": { terms, o, c in
            try Lookups.flatTerms(terms).map { t in
                guard let path = c.find(t.pythonStr, kind: "templates") else {
                    throw AnsibleError("the template file \(t.pythonStr) could not be found for the lookup")
                }
                var extra = TemplateAction.templateVars(path: t.pythonStr, fullPath: Files.absolute(path), dest: nil, scope: c.scope)
                if case .dict(let d)? = o["template_vars"] { for (k, v) in d { extra[k.pythonStr] = v } }
                let scope = c.scope.with(extra)
                var options = TemplateOptions(trimBlocks: bool(o, "trim_blocks", true), lstripBlocks: false,
                                              keepTrailingNewline: false)
                TemplateAction.applyDelimiters(o, to: &options)
                let dirs = (c.rolePath.map { [$0] } ?? []) + [c.playbookDir, Files.dirname(path)]
                let text = try Vault.shared.readText(path)
                // Text with no template in it is given back as it is (an empty file is '', not None).
                if text.isEmpty { return .string("") }
                return try c.templar.render(text, scope, options: options, searchDirs: dirs, native: true)
            }
        },
        "pipe": { terms, _, _ in
            try Lookups.flatTerms(terms).map { t in
                let (rc, out) = LocalCommand.run(t.pythonStr)
                guard rc == 0 else { throw AnsibleError("lookup_plugin.pipe(\(t.pythonStr)) returned \(rc)") }
                return .string(out.rstrip)
            }
        },
        "lines": { terms, _, _ in
            try Lookups.flatTerms(terms).flatMap { t -> [Value] in
                let (rc, out) = LocalCommand.run(t.pythonStr)
                guard rc == 0 else { throw AnsibleError("lookup_plugin.lines(\(t.pythonStr)) returned \(rc)") }
                return out.pythonSplitLines.map(Value.string)
            }
        },
    ]
}
