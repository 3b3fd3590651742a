// copy with a directory as src, as Ansible's copy action does it: every file one copy module call
// (its content inline up to the limit, so one round trip each, and unchanged files stay ok), then
// a file module call per directory (empty ones included) and per symlink.
import Remote
import Values

enum CopyTree {
    /// What a source directory holds: (controller path, path relative to dest) of files and
    /// directories, and (link target, relative path) of symlinks copied as links.
    struct Walk {
        var files: [(String, String)] = []
        var directories: [(String, String)] = []
        var symlinks: [(String, String)] = []
    }

    /// With a trailing slash the directory's contents go into dest, else the directory itself
    /// (rsync's rule). `follow` copies what symlinks point to; a link that loops stays a link.
    static func walk(_ top: String, follow: Bool) -> Walk {
        var w = Walk()
        let root = top.hasSuffix("/") ? String(top.dropLast()) : top
        let base = top.hasSuffix("/") ? "" : Files.basename(root)
        func recurse(_ dir: String, _ rel: String, _ parents: Set<String>) {
            // A directory's own entries before its subdirectories' (os.walk's top-down order).
            let names = Files.list(dir)
            let ordered = names.filter { !Files.isDirectory(dir + "/" + $0) } + names.filter { Files.isDirectory(dir + "/" + $0) }
            for name in ordered {
                let path = dir + "/" + name
                let relPath = rel.isEmpty ? name : rel + "/" + name
                let link = Files.isSymlink(path)
                if Files.isDirectory(path) {
                    let real = Files.realPath(path) ?? path
                    if link && (!follow || parents.contains(real)) {
                        w.symlinks.append((Files.readLink(path) ?? "", relPath))
                    } else {
                        w.directories.append((link ? real : path, relPath))
                        recurse(link ? real : path, relPath, parents.union([real]))
                    }
                } else if link {
                    if follow, let real = Files.realPath(path), Files.isRegularFile(real) {
                        w.files.append((real, relPath))
                    } else {
                        w.symlinks.append((Files.readLink(path) ?? "", relPath))
                    }
                } else {
                    w.files.append((path, relPath))
                }
            }
        }
        recurse(root, base, [Files.realPath(root) ?? root])
        return w
    }

    static let fileKeys: Set<String> = ["mode", "owner", "group", "seuser", "serole", "selevel", "setype", "attributes", "attr",
                                        "unsafe_writes", "state", "path", "_original_basename", "recurse", "force", "_diff_peek", "src"]

    static func run(_ c: ActionContext, source: String, args: Dict, decrypt: Bool = true) async throws -> Dict {
        let tree = walk(source, follow: args["local_follow"].map { AnsibleFilters.boolean($0).truthy } ?? true)
        var dest = args["dest"]?.pythonStr ?? ""
        if !dest.hasSuffix("/") { dest += "/" }
        var fileArgs = args.filter { fileKeys.contains($0.key.pythonStr) }
        fileArgs["src"] = nil
        var changed = false
        var last: Dict = ["changed": false]
        func failed(_ r: Dict) -> Bool { r["failed"]?.truthy == true }

        for (full, rel) in tree.files {
            var a = args.filter { !["content", "decrypt"].contains($0.key.pythonStr) }
            a["dest"] = .string(dest)
            a["_original_basename"] = .string(rel)
            a["follow"] = tree.directories.isEmpty ? (args["follow"] ?? false) : false
            last = try await CopyAction.sendFile(c, try CopyAction.source(full, decrypt: decrypt), args: a)
            if failed(last) { return last }
            changed = changed || last["changed"]?.truthy == true
        }
        for (_, rel) in tree.directories {
            var a = fileArgs
            a["path"] = .string(dest + rel)
            a["state"] = "directory"
            a["mode"] = args["directory_mode"] ?? Value.none
            a["recurse"] = false
            last = try await c.runModule("ansible.builtin.file", a)
            if failed(last) { return last }
            changed = changed || last["changed"]?.truthy == true
        }
        for (target, rel) in tree.symlinks {
            var a = fileArgs
            a["path"] = .string(dest + rel)
            a["src"] = .string(target)
            a["state"] = "link"
            a["force"] = true
            a["follow"] = false
            if a["mode"]?.pythonStr == "preserve" { a["mode"] = nil }
            last = try await c.runModule("ansible.builtin.file", a)
            if failed(last) { return last }
            changed = changed || last["changed"]?.truthy == true
        }
        if tree.files.count == 1 {
            if last["dest"] == nil, let path = last["path"] { last["dest"] = path }
            return last
        }
        // What Ansible's copy action reports for a tree: the task's own arguments as invocation.
        return ["dest": .string(dest), "src": .string(source), "changed": .bool(changed),
                "invocation": .dict(c.args.merging(["module_args": .dict(c.args)]) { $1 })]
    }
}
