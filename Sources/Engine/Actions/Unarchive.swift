// unarchive: a controller archive is sent to the target (inline when small), then the unarchive
// module unpacks it into dest, which must be an existing directory over there.
import Remote
import Values

enum UnarchiveAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        args["decrypt"] = nil
        if let copy = args.removeValue(forKey: "copy") {
            guard args["remote_src"] == nil else { throw TaskFailure.raise("parameters are mutually exclusive: ('copy', 'remote_src')") }
            args["remote_src"] = .bool(!AnsibleFilters.boolean(copy).truthy)
        }
        let remoteSrc = args["remote_src"].map { AnsibleFilters.boolean($0).truthy } ?? false
        guard let src = args["src"]?.pythonStr, let dest = args["dest"]?.pythonStr else {
            throw TaskFailure.raise("src (or content) and dest are required")
        }
        func stat(_ path: String) async throws -> Value {
            try await c.runModule("ansible.builtin.stat", ["path": .string(path), "follow": true, "get_checksum": false])["stat"] ?? .none
        }
        if let creates = args["creates"]?.pythonStr, try await stat(creates)["exists"]?.truthy == true {
            return ["changed": false, "skipped": true, "msg": .string("skipped, since \(creates) exists")]
        }
        var local: String?
        if !remoteSrc {
            if src.contains("://") { throw TaskFailure.raise("Unsupported option, an URI src (\(src)) is only supported when remote_src is True") }
            local = try c.findFile(Files.expandUser(src), kind: "files", notFound: .raised)
        }
        let st = try await stat(dest)
        guard st["exists"]?.truthy == true, st["isdir"]?.truthy == true else { throw TaskFailure.raise("dest '\(dest)' must be an existing dir") }
        guard let local else { return try await c.runModule("ansible.builtin.unarchive", args) }
        if (Files.size(local) ?? 0) <= CopyAction.inlineLimit {
            args["src"] = "@@TASKDIR@@/source"
            return try await c.runModule("ansible.builtin.unarchive", args, files: ["source": try Files.readBytes(local)])
        }
        return try await c.withUpload(.file(local)) { _, remote in
            args["src"] = .string(remote)
            return try await c.runModule("ansible.builtin.unarchive", args)
        }
    }
}
