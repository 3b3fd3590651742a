// copy: the content (or the controller file) travels with the module call; the copy module
// on the target compares checksums, so an unchanged file reports ok.
import Values

enum CopyAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        if args["remote_src"]?.truthy == true { return try await c.runModule("ansible.builtin.copy", args) }
        guard args["dest"] != nil else { throw TaskFailure(message: "dest is required") }
        let bytes: [UInt8]
        if let content = args.removeValue(forKey: "content") {
            guard args["src"] == nil else { throw TaskFailure(message: "src and content are mutually exclusive") }
            bytes = Array((content.stringValue ?? content.json(.init(indent: 4, sortKeys: true))).utf8)
            if args["dest"]?.pythonStr.hasSuffix("/") == true { throw TaskFailure(message: "can not use content with a dir as dest") }
        } else if let src = args["src"]?.pythonStr {
            let path = try c.findFile(src, kind: "files")
            guard !Files.isDirectory(path) else { throw TaskFailure(message: "copying a directory (\(src)) is not supported yet") }
            bytes = try Files.readBytes(path)
            args["_original_basename"] = .string(Files.basename(path))
        } else {
            throw TaskFailure(message: "src (or content) is required")
        }
        return try await sendFile(c, bytes, args: args)
    }

    static func sendFile(_ c: ActionContext, _ bytes: [UInt8], args: Dict) async throws -> Dict {
        var a = args
        a["src"] = "@@TASKDIR@@/source"
        if a["_original_basename"] == nil, let dest = a["dest"]?.pythonStr { a["_original_basename"] = .string(Files.basename(dest)) }
        return try await c.runModule("ansible.builtin.copy", a, files: ["source": bytes])
    }
}
