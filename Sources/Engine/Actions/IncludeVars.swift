// include_vars: variables from a YAML/JSON file or a directory of them, for this host (level 18).
import Inventory
import Values

enum IncludeVarsAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        let a = c.args
        var files: [String] = []
        if let dir = a["dir"]?.pythonStr {
            // As the include_vars action walks a dir: sorted, to `depth`, files_matching and
            // ignore_files as regexes, only known extensions (an unknown one fails unless ignored).
            let path = try c.findFile(dir, kind: "vars")
            let depth = a["depth"]?.intValue ?? 0
            let matching = try a["files_matching"]?.stringValue.map { try Regex($0) }
            var ignoreNames: [String] = []
            if let v = a["ignore_files"] { ignoreNames = v.listValue?.map(\.pythonStr) ?? v.pythonStr.split(separator: " ").map(String.init) }
            let ignore: [Regex<AnyRegexOutput>] = try ignoreNames.map { try Regex($0 + "$") }
            let valid = a["extensions"]?.listValue?.map(\.pythonStr) ?? ["yaml", "yml", "json"]
            let ignoreUnknown = a["ignore_unknown_extensions"]?.truthy ?? false
            func validExtension(_ name: String) -> Bool {
                let base = Files.basename(name)
                let dot = base.dropFirst().lastIndex(of: ".")
                return valid.contains(dot.map { String(base[base.index(after: $0)...]) } ?? "")
            }
            let roleMain = c.task.role.map { Files.join($0.path, "vars/main.yml") }
            func walk(_ d: String, _ level: Int) throws {
                guard depth == 0 || level <= depth else { return }
                let entries = Files.list(d).sorted()
                for e in entries where !Files.isDirectory(Files.join(d, e)) {
                    let p = Files.join(d, e)
                    if p == roleMain { continue }
                    if let m = matching, (try? m.firstMatch(in: e)) == nil { continue }
                    if ignore.contains(where: { (try? $0.firstMatch(in: e)) != nil }) { continue }
                    if !validExtension(e) {
                        if ignoreUnknown { continue }
                        throw TaskFailure(message: "\(p) does not have a valid extension: \(valid.joined(separator: ", "))")
                    }
                    files.append(p)
                }
                for e in entries where Files.isDirectory(Files.join(d, e)) { try walk(Files.join(d, e), level + 1) }
            }
            try walk(path, 1)
        } else if let f = (a["file"] ?? a["_raw_params"])?.pythonStr {
            files = [try c.findFile(f, kind: "vars")]
        } else {
            throw TaskFailure(message: "You must specify either 'file' or 'dir' for include_vars")
        }
        var vars = Dict()
        for f in files {
            for (k, v) in try VarsFiles.readVarsFile(f) { vars[k] = v }
        }
        if let name = a["name"]?.stringValue { vars = [.string(name): .dict(vars)] }
        return ["ansible_facts": .dict(vars), "ansible_included_var_files": .list(files.map { .string(Files.absolute($0)) }),
                "changed": false]
    }
}
