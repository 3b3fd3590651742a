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
        return AnsibleFilters.toBool(v).truthy
    }

    /// Runs a shell command on the controller; returns (rc, stdout).
    static func shell(_ cmd: String) -> (Int32, String) {
        guard let f = popen(cmd, "r") else { return (-1, "") }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, 65536, f)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        let status = pclose(f)
        return ((status >> 8) & 0xff, String(decoding: out, as: UTF8.self))
    }

    static let all: [String: LookupPlugin] = [
        "file": { terms, o, c in
            try Lookups.flatTerms(terms).map { t in
                guard let path = c.find(t.pythonStr, kind: "files") else {
                    throw AnsibleError("could not locate file in lookup: \(t.pythonStr)")
                }
                var s = try Vault.shared.read(path)
                if bool(o, "rstrip", true) { s = s.rstrip }
                if bool(o, "lstrip", false) { while let f = s.first, f == " " || f == "\n" || f == "\t" { s.removeFirst() } }
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
                    let hits = Files.list(d).filter { Glob.match(base, $0) }.map { Files.absolute(Files.join(d, $0)) }.filter { !Files.isDirectory($0) }
                    if !hits.isEmpty { out += hits.map(Value.string); break }
                }
            }
            return out
        },
        "first_found": { terms, o, c in
            var files: [String] = [], paths: [String] = []
            // Terms nest: strings and mappings, in lists of them; anything else is refused as Ansible does.
            func take(_ t: Value) throws {
                switch t {
                case .dict(let d):
                    files += (d["files"]?.listValue ?? d["files"].map { [$0] } ?? []).flatMap { $0.pythonStr.split(separator: ",").map(String.init) }
                    paths += (d["paths"]?.listValue ?? d["paths"].map { [$0] } ?? []).flatMap { $0.pythonStr.split(separator: ",").map(String.init) }
                case .list(let l): for x in l { try take(x) }
                case .string(let s), .unsafe(let s): files.append(s)
                default: throw AnsibleError("Invalid term supplied. A string, dict or list is required, not '\(t.typeName)').")
                }
            }
            for t in terms { try take(t) }
            files += (o["files"]?.listValue ?? []).map(\.pythonStr)
            paths += (o["paths"]?.listValue ?? []).map(\.pythonStr)
            // As a lookup it searches the role and playbook dirs; as with_first_found the subdir
            // follows the task's action (templates/, vars/, else files/), as Ansible does.
            var subdir: String? = nil
            if let action = c.withAction {
                subdir = action.contains("template") ? "templates" : action.contains("var") ? "vars" : "files"
            }
            for f in files {
                let candidates = paths.isEmpty ? [f] : paths.map { Files.join($0, f) }
                for cand in candidates { if let p = c.find(cand, kind: subdir) { return [.string(Files.absolute(p))] } }
            }
            if bool(o, "skip", false) { return [] }
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
                return try c.templar.render(try Vault.shared.read(path), scope, options: options, searchDirs: dirs, native: true)
            }
        },
        "pipe": { terms, _, _ in
            try Lookups.flatTerms(terms).map { t in
                let (rc, out) = shell(t.pythonStr)
                guard rc == 0 else { throw AnsibleError("lookup_plugin.pipe(\(t.pythonStr)) returned \(rc)") }
                return .string(out.rstrip)
            }
        },
        "lines": { terms, _, _ in
            try Lookups.flatTerms(terms).flatMap { t -> [Value] in
                let (rc, out) = shell(t.pythonStr)
                guard rc == 0 else { throw AnsibleError("lookup_plugin.lines(\(t.pythonStr)) returned \(rc)") }
                return out.pythonSplitLines.map(Value.string)
            }
        },
    ]
}
