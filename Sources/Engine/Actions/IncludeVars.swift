// include_vars: variables from a YAML/JSON file or a directory of them, for this host (level 18).
import Inventory
import Values
import Vault

enum IncludeVarsAction: Action {
    struct BadExtension: Error { var message: String }

    static func run(_ c: ActionContext) async throws -> Dict {
        let a = c.args
        var files: [String] = []
        func failure(_ message: String) -> Dict {
            ["failed": true, "changed": false, "message": .unsafe(message), "ansible_facts": .dict(Dict()), "ansible_included_var_files": .list([])]
        }
        if let dir = a["dir"]?.pythonStr {
            // As the include_vars action walks a dir: sorted, to `depth`, files_matching and
            // ignore_files as regexes, only known extensions (an unknown one fails unless ignored).
            // A role's `vars/<dir>` (or `<dir>` already starting with vars/), else beside the task's file.
            var path: String
            if dir.hasPrefix("/") {
                path = dir
            } else if let role = c.task.role {
                path = dir.split(separator: "/").first == "vars" ? Files.join(role.path, dir) : Files.join(role.path, "vars/" + dir)
                if dir.split(separator: "/").first == "vars", !Files.exists(path) { path = dir }
            } else {
                path = Files.join(Files.dirname(c.task.location.file), dir)
            }
            guard Files.exists(path) else { return failure("\(path) directory does not exist") }
            guard Files.isDirectory(path) else { return failure("\(path) is not a directory") }
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
                        throw BadExtension(message: "\(p) does not have a valid extension: \(valid.joined(separator: ", "))")
                    }
                    files.append(p)
                }
                for e in entries where Files.isDirectory(Files.join(d, e)) { try walk(Files.join(d, e), level + 1) }
            }
            do { try walk(path, 1) } catch let e as BadExtension { return failure(e.message) }
        } else if let given = a["file"] ?? a["_raw_params"] {
            // A file not found (or none given) fails with `message`, as the include_vars action reports it.
            if given.isNone {
                var r = failure("Could not find file on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option")
                r["warnings"] = ["Invalid request to find a file that matches a \"null\" value"]
                return r
            }
            do { files = [try c.findFile(given.pythonStr.trimmingCharacters(in: " \n\t"), kind: "vars")] } catch let e as TaskFailure {
                return failure(e.message)
            }
        } else {
            throw TaskFailure(message: "You must specify either 'file' or 'dir' for include_vars")
        }
        var vars = Dict()
        for f in files {
            for (k, v) in try VarsFiles.readVarsFile(f) { vars[k] = v }
        }
        if let name = a["name"]?.stringValue { vars = [.string(name): .dict(vars)] }
        // hash_behaviour: merge: each mapping merged into the value the variable has now.
        if a["hash_behaviour"]?.stringValue == "merge" {
            for (k, v) in vars {
                if case .dict(let new) = v, case .dict(let old)? = try? c.scope.lookup(k.pythonStr) {
                    vars[k] = .dict(AnsibleFilters.merge(old, new, recursive: true))
                }
            }
        }
        var r: Dict = ["ansible_facts": .dict(vars), "ansible_included_var_files": .list(files.map { .string(Files.absolute($0)) }),
                       "changed": false]
        // What a vaulted file held is not shown (the action's show_content).
        if files.contains(where: { (try? Files.readBytes($0)).map(Envelope.isEncrypted) ?? false }) { r["_ansible_no_log"] = true }
        return r
    }
}
