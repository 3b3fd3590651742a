// include_vars: variables from a YAML/JSON file or a directory of them, for this host (level 18).
import Inventory
import Values

enum IncludeVarsAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        let a = c.args
        var files: [String] = []
        if let dir = a["dir"]?.pythonStr {
            let path = try c.findFile(dir, kind: "vars")
            let depth = a["depth"]?.intValue ?? 0
            let pattern = a["files_matching"]?.stringValue
            let exts = (a["extensions"]?.listValue?.map(\.pythonStr) ?? ["yaml", "yml", "json"]).map { "." + $0 }
            func walk(_ d: String, _ level: Int) {
                for e in Files.list(d) {
                    let p = Files.join(d, e)
                    if Files.isDirectory(p) {
                        if depth == 0 || level < depth { walk(p, level + 1) }
                    } else if exts.contains(where: { e.hasSuffix($0) }), pattern.map({ (try? Regex($0).wholeMatch(in: e)) != nil }) ?? true {
                        files.append(p)
                    }
                }
            }
            walk(path, 1)
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
