// fetch: the remote file's checksum first (one call), then, when the copy here differs, its bytes
// in 1 MiB pieces with a few in flight, into a temp file renamed over dest once whole and checked.
import Crypto
import Remote
import Values

enum FetchAction: Action {
    static let piece = 1 << 20

    static func run(_ c: ActionContext) async throws -> Dict {
        let args = c.args
        if c.checkMode {
            return ["skipped": true, "changed": false, "msg": "check mode not (yet) supported for this module"]
        }
        guard var source = args["src"]?.stringValue, let originalDest = args["dest"]?.stringValue else {
            throw TaskFailure.raise(args["src"] == nil || args["dest"] == nil ? "src and dest are required"
                : "Invalid type supplied for \(args["src"]?.stringValue == nil ? "source" : "dest") option, it must be a string")
        }
        let flag = { (k: String, d: Bool) in args[.string(k)].map { AnsibleFilters.boolean($0).truthy } ?? d }
        let flat = flag("flat", false), failOnMissing = flag("fail_on_missing", true), validate = flag("validate_checksum", true)
        // As ActionBase: the user's home is asked for only for a `~` path; else the first thing to
        // reach the host is the stat module (pipelined, which words an unreachable host otherwise).
        if source == "~" || source.hasPrefix("~/"), let home = try await c.agent().info["home"]?.stringValue {
            source = home + source.dropFirst()
        }
        let st = try await c.runModule("ansible.builtin.stat", ["path": .string(source), "get_checksum": true,
                                                               "checksum_algorithm": "sha1", "follow": true])
        if st["failed"]?.truthy == true {
            let msg = "Failed to get information on remote file (\(source)): \(st["msg"]?.pythonStr ?? "")"
            return failOnMissing ? ["changed": false, "file": .string(source), "failed": true, "msg": .string(msg)]
                : ["changed": false, "file": .string(source), "msg": .string(msg + ", ignored")]
        }
        let stat = st["stat"] ?? .none
        if stat["exists"]?.truthy == true, stat["isdir"]?.truthy == true {
            let msg = "remote file is a directory, fetch cannot work on directories"
            return failOnMissing ? ["failed": true, "changed": false, "msg": .string(msg)] : ["msg": .string(msg + ", not transferring, ignored")]
        }
        guard stat["exists"]?.truthy == true, let remoteSum = stat["checksum"]?.stringValue else {
            // Missing or unreadable: slurp says why, in the words Ansible reports.
            var r = try await c.runModule("ansible.builtin.slurp", ["src": .string(source)])
            if !failOnMissing { r = ["file": .string(source), "changed": false] }
            if r["failed"]?.truthy == true || !failOnMissing {
                // The error block quotes slurp's own words; the result's msg is fetch's.
                if r["failed"]?.truthy == true { PlaybookRunner.noteFailure(&r, task: c.task, fromModule: true) }
                if (r["msg"]?.pythonStr ?? "").contains("not found") || stat["exists"]?.truthy != true {
                    r["msg"] = "the remote file does not exist, not transferring, ignored"
                }
                return r
            }
            throw TaskFailure.raise("the remote file is not readable")
        }

        var dest = originalDest
        if flat {
            if Files.isDirectory(dest) && !dest.hasSuffix("/") {
                throw TaskFailure.raise("dest is an existing directory, use a trailing slash if you want to fetch src into that directory")
            }
            if dest.hasSuffix("/") {
                dest = Files.join(dest, Files.basename(source))
                if Files.isDirectory(dest) {
                    throw TaskFailure.raise("calculated dest '\(dest)' is an existing directory, use another path that does not point to an existing directory")
                }
            }
            dest = dwim(c, dest)
        } else {
            dest = "\(dwim(c, dest))/\(c.host)/\(source)"
        }
        dest = Files.normalize(dest)

        let local = Files.exists(dest) ? try digest(Insecure.SHA1.self, dest) : nil
        if local == remoteSum {
            return ["changed": false, "md5sum": .string(try digest(Insecure.MD5.self, dest)), "file": .string(source),
                    "dest": .string(dest), "checksum": .string(remoteSum)]
        }
        try Files.makeDirectories(Files.dirname(dest))
        let temp = Files.dirname(dest) + "/.\(Files.basename(dest)).swansible-\(Int.random(in: 100_000...999_999))"
        defer { Files.remove(temp) }
        try await download(try await c.agent(), source, size: stat["size"]?.intValue ?? 0, to: temp, host: c.host)
        let got = try digest(Insecure.SHA1.self, temp)
        let md5 = try digest(Insecure.MD5.self, temp)
        if validate && got != remoteSum {
            return ["failed": true, "md5sum": .string(md5), "msg": "checksum mismatch", "file": .string(source), "dest": .string(dest),
                    "remote_md5sum": .none, "checksum": .string(got), "remote_checksum": .string(remoteSum)]
        }
        try Files.rename(temp, dest)
        return ["changed": true, "md5sum": .string(md5), "dest": .string(dest), "remote_md5sum": .none,
                "checksum": .string(got), "remote_checksum": .string(remoteSum)]
    }

    /// Ansible's path_dwim: `~` expanded, relative paths taken from the playbook's directory.
    static func dwim(_ c: ActionContext, _ path: String) -> String {
        let p = Files.expandUser(path)
        return p.hasPrefix("/") ? p : Files.join(c.runner.vars.playbookDir, p)
    }

    /// The remote file's bytes as stat'ed (a file that changes meanwhile fails the checksum) into
    /// `path`, four pieces in flight, written in order.
    static func download(_ ctx: Context, _ source: String, size: Int, to path: String, host: String) async throws {
        let out = try Files.create(path)
        defer { out.close() }
        let count = (size + piece - 1) / piece
        try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            var next = 0, pending: [Int: [UInt8]] = [:], written = 0
            func ask(_ i: Int) {
                group.addTask {
                    let r = try await ctx.call("read_file", ["path": .string(source), "offset": .int(i * piece), "size": .int(piece)])
                    if let e = r["error"]?.stringValue { throw TaskFailure.raise("Failed to fetch \(source) from \(host): \(e)") }
                    return (i, Base64.decode(r["data"]?.stringValue ?? "") ?? [])
                }
            }
            while next < min(count, 4) { ask(next); next += 1 }
            while let (i, data) = try await group.next() {
                pending[i] = data
                while let d = pending.removeValue(forKey: written) {
                    try out.write(d)
                    written += 1
                }
                if next < count { ask(next); next += 1 }
            }
        }
    }

    static func digest<H: HashFunction>(_ h: H.Type, _ path: String) throws -> String {
        var hasher = H()
        var offset = 0
        while true {
            let chunk = try Files.readChunk(path, offset: offset, count: piece)
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
            offset += chunk.count
        }
        return HashFilters.hex(hasher.finalize())
    }
}
