// copy: the content (or the controller file) travels with the module call; the copy module
// on the target compares checksums, so an unchanged file reports ok.
#if canImport(Glibc)
import Glibc
#endif
import Remote
import Values
import Vault

enum CopyAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        // `decrypt` belongs to the action (vaulted sources are decrypted on the controller), not the module.
        let decrypt = args.removeValue(forKey: "decrypt").map { AnsibleFilters.boolean($0).truthy } ?? true
        if args["remote_src"]?.truthy == true { return try await c.runModule("ansible.builtin.copy", args) }
        guard args["dest"] != nil else { throw TaskFailure(message: "dest is required") }
        let source: UploadSource
        if let content = args.removeValue(forKey: "content") {
            guard args["src"] == nil else { throw TaskFailure(message: "src and content are mutually exclusive") }
            source = .bytes(content.bytesValue ?? Surrogates.escapedBytes(content.stringValue ?? content.json(.init(ensureASCII: true))))   // json.dumps(content)
            if args["dest"]?.pythonStr.hasSuffix("/") == true { throw TaskFailure(message: "can not use content with a dir as dest") }
            // Content has no name to put in a directory: an existing directory as dest fails, as Ansible's action checks.
            if let dest = args["dest"]?.pythonStr {
                let follow = args["follow"].map { AnsibleFilters.boolean($0).truthy } ?? false
                let st = try await c.runModule("ansible.builtin.stat", ["path": .string(dest), "follow": .bool(follow), "get_checksum": false])
                if st["stat"]?["isdir"]?.truthy == true { throw TaskFailure(message: "can not use content with a dir as dest") }
            }
        } else if let src = args["src"]?.pythonStr, !src.isEmpty {   // an empty src is none, as Ansible's action has it
            let path = try c.findFile(src, kind: "files", notFound: .unexpected)
            if Files.isDirectory(path) {
                // The trailing slash the user wrote decides whether the directory itself is copied.
                let source = src.hasSuffix("/") ? (path.hasSuffix("/") ? path : path + "/") : (path.hasSuffix("/") ? String(path.dropLast()) : path)
                return try await CopyTree.run(c, source: source, args: args, decrypt: decrypt)
            }
            // A vaulted source is copied in clear unless `decrypt: false`, as Ansible's get_real_file does.
            source = try CopyAction.source(path, decrypt: decrypt)
            CopyAction.preserveMode(&args, of: path)
            args["_original_basename"] = .string(Files.basename(path))
            return try await sendFile(c, source, args: args, diffSource: path)
        } else {
            throw TaskFailure(message: "src (or content) is required")
        }
        return try await sendFile(c, source, args: args)
    }

    /// In diff mode, what the copy changes (ActionBase._get_diff_data): the destination as it is
    /// (peeked, then read) and the new content; `source` names the controller file (nil for content).
    static func diffData(_ c: ActionContext, _ upload: UploadSource, args: Dict, source: String?) async throws -> Dict {
        guard var dest = args["dest"]?.pythonStr else { return Dict() }
        var peek = try await c.runModule("ansible.builtin.file", ["path": .string(dest), "_diff_peek": true])
        if peek["state"]?.stringValue == "directory", let base = args["_original_basename"]?.pythonStr {
            dest = Files.join(dest, base)
            peek = try await c.runModule("ansible.builtin.file", ["path": .string(dest), "_diff_peek": true])
        }
        var diff = Dict()
        // MAX_FILE_SIZE_FOR_DIFF: larger files are not diffed (0: no limit); content counts as
        // the file Ansible writes it to.
        let maxDiffSize = c.runner.settings.maxDiffSize
        func tooLarge(_ size: Int) -> Bool { maxDiffSize > 0 && size > maxDiffSize }
        if peek["failed"]?.truthy == true { return diff }
        if ["absent", nil].contains(peek["state"]?.stringValue) {
            diff["before"] = ""
        } else if peek["appears_binary"]?.truthy == true {
            diff["dst_binary"] = 1
        } else if let size = peek["size"]?.intValue, tooLarge(size) {
            diff["dst_larger"] = .int(maxDiffSize)
        } else {
            let slurp = try await c.runModule("ansible.builtin.slurp", ["path": .string(dest)])
            if let b64 = slurp["content"]?.stringValue, let bytes = Base64.decode(b64) {
                diff["before_header"] = .string(dest)
                diff["before"] = .string(String(decoding: bytes, as: UTF8.self))
            }
        }
        var bytes: [UInt8] = []
        switch upload {
        case .bytes(let b) where tooLarge(b.count): diff["src_larger"] = .int(maxDiffSize)
        case .file(let p) where tooLarge(Files.size(p) ?? 0): diff["src_larger"] = .int(maxDiffSize)
        case .bytes(let b): bytes = b
        case .file(let p): bytes = try Files.readBytes(p)
        }
        if diff["src_larger"] == nil, bytes.contains(0) {
            diff["src_binary"] = 1
        } else if diff["src_larger"] == nil {
            diff["after_header"] = .string(source ?? dest)
            diff["after"] = .string(String(decoding: bytes, as: UTF8.self))
        }
        if c.noLog {
            if diff["before"] != nil { diff["before"] = "" }
            if diff["after"] != nil { diff["after"] = " [[ Diff output has been hidden because 'no_log: true' was specified for this result ]]\n" }
        }
        return diff
    }

    /// Files up to this size travel inside the module call; bigger ones are streamed first.
    static let inlineLimit = 124 * 1024

    /// A controller file to send: a vault is sent decrypted unless `decrypt: false` (Ansible's get_real_file).
    static func source(_ path: String, decrypt: Bool) throws -> UploadSource {
        let head = (try? Files.readChunk(path, offset: 0, count: 14)) ?? []
        guard decrypt, Envelope.isEncrypted(head) else { return .file(path) }
        guard !Vault.shared.secrets.isEmpty else { throw TaskFailure.raise("A vault password or secret must be specified to decrypt \(path)") }
        do { return .bytes(try Vault.shared.decrypt(try Files.read(path))) } catch let e as VaultError {
            throw TaskFailure.raise("\(e.message) for \(path)")
        }
    }

    /// mode=preserve: the controller file's own mode, as the copy and template actions pass it on.
    static func preserveMode(_ args: inout Dict, of path: String) {
        guard args["mode"]?.stringValue == "preserve" else { return }
        var st = stat()
        if stat(path, &st) == 0 { args["mode"] = .string("0" + String(st.st_mode & 0o7777, radix: 8)) }
    }

    static func sendFile(_ c: ActionContext, _ source: UploadSource, args: Dict, diffSource: String? = nil) async throws -> Dict {
        guard c.diffMode else { return try await send(c, source, args: args) }
        let diff = try await diffData(c, source, args: args, source: diffSource)
        var r = try await send(c, source, args: args)
        if r["changed"]?.truthy == true, !diff.isEmpty { r["diff"] = [.dict(diff)] }
        return r
    }

    static func send(_ c: ActionContext, _ source: UploadSource, args: Dict) async throws -> Dict {
        var a = args
        if a["_original_basename"] == nil, let dest = a["dest"]?.pythonStr { a["_original_basename"] = .string(Files.basename(dest)) }
        let size: Int
        switch source {
        case .bytes(let b): size = b.count
        case .file(let p): size = Files.size(p) ?? 0
        }
        // Check mode compares checksums first: a file that would change is reported without the
        // module (Ansible's action returns there, so a missing dest dir is no error yet).
        if size <= inlineLimit && !c.checkMode {
            let bytes: [UInt8]
            switch source {
            case .bytes(let b): bytes = b
            case .file(let p): bytes = try Files.readBytes(p)
            }
            // `.source` plus dest's suffix, as the action names its upload (`validate` may need the suffix).
            let dest = a["dest"]?.pythonStr ?? ""
            let base = Files.basename(dest)
            let suffix = base.dropFirst().lastIndex(of: ".").map { String(base[$0...]) } ?? ""
            a["src"] = .string("@@TASKDIR@@/.source" + suffix)
            return try await c.runModule("ansible.builtin.copy", a, files: [".source" + suffix: bytes])
        }
        // An unchanged file is not sent again: compare with the destination's checksum first.
        var localSum: String?
        if let dest = a["dest"]?.pythonStr, a["force"].map({ AnsibleFilters.boolean($0).truthy }) ?? true {
            let local = try sha1(source)
            localSum = local
            let st = try await c.runModule("ansible.builtin.stat", ["path": .string(dest), "get_checksum": true,
                                                                   "checksum_algorithm": "sha1", "follow": true])
            var target = dest
            if st["stat"]?["isdir"]?.truthy == true { target = Files.join(dest, a["_original_basename"]?.pythonStr ?? "") }
            let remoteSum = target == dest ? st["stat"]?["checksum"]?.stringValue
                : try await c.runModule("ansible.builtin.stat", ["path": .string(target), "get_checksum": true])["stat"]?["checksum"]?.stringValue
            if remoteSum != local, c.checkMode { return ["changed": true] }
            if remoteSum == local {
                var f: Dict = ["path": .string(target), "state": "file"]
                for k in ["mode", "owner", "group", "seuser", "serole", "setype", "selevel", "attributes"] {
                    if let v = a[.string(k)] { f[.string(k)] = v }
                }
                var r = try await c.runModule("ansible.builtin.file", f)
                r["checksum"] = .string(local)
                r["dest"] = .string(target)
                return r
            }
        }
        // As Ansible's copy action does: the module checks what arrived against the source's SHA-1.
        if let localSum { a["checksum"] = .string(localSum) }
        return try await c.withUpload(source) { _, remote in
            a["src"] = .string(remote)
            return try await c.runModule("ansible.builtin.copy", a)
        }
    }
}

/// SHA-1 of a file or bytes, read in pieces (the checksum Ansible's copy compares).
func sha1(_ source: UploadSource) throws -> String {
    var h = Insecure.SHA1()
    switch source {
    case .bytes(let b): h.update(data: b)
    case .file(let p):
        var offset = 0
        while true {
            let piece = try Files.readChunk(p, offset: offset, count: 1 << 20)
            if piece.isEmpty { break }
            h.update(data: piece)
            offset += piece.count
        }
    }
    return HashFilters.hex(h.finalize())
}
import Crypto
