// assemble: with remote_src (the default) the module joins fragments on the target; with
// remote_src false the fragments are the controller's, joined here and sent as copy sends.
import Values

enum AssembleAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        args["decrypt"] = nil
        guard let src = args["src"]?.pythonStr, args["dest"] != nil else { throw TaskFailure(message: "src and dest are required") }
        if args["remote_src"].map({ AnsibleFilters.boolean($0).truthy }) ?? true {
            return try await c.runModule("ansible.builtin.assemble", args)
        }
        let dir = try c.findFile(src, kind: "files")
        guard Files.isDirectory(dir) else { throw TaskFailure(message: "Source (\(dir)) is not a directory") }
        let regexp = try args["regexp"].map { try RegexFilters.compile($0.pythonStr, ignorecase: false, multiline: false) }
        let content = try fragments(dir, delimiter: args["delimiter"]?.pythonStr, regexp: regexp,
                                    ignoreHidden: args["ignore_hidden"].map { AnsibleFilters.boolean($0).truthy } ?? false)
        for k in ["remote_src", "regexp", "delimiter", "ignore_hidden"] { args[.string(k)] = nil }
        var r = try await CopyAction.sendFile(c, .bytes(content), args: args)
        // assemble's action reports its one diff as a dict, where copy's is a list.
        if case .list(let diffs)? = r["diff"], diffs.count == 1 { r["diff"] = diffs[0] }
        return r
    }

    /// Ansible's _assemble_from_fragments: sorted regular files, a newline after a fragment that
    /// lacks one, the (escape-decoded) delimiter between fragments followed by a newline.
    static func fragments(_ dir: String, delimiter: String?, regexp: Regex<AnyRegexOutput>?, ignoreHidden: Bool) throws -> [UInt8] {
        var out: [UInt8] = []
        var delimitMe = false, addNewline = false
        let delim = delimiter.map(unescape)
        for name in Files.list(dir) {
            if let regexp, name.firstMatch(of: regexp) == nil { continue }
            let path = dir + "/" + name
            guard Files.isRegularFile(path), !(ignoreHidden && name.hasPrefix(".")) else { continue }
            let fragment = try Files.readBytes(path)
            if addNewline { out.append(10) }
            if delimitMe, let delim, !delim.isEmpty {
                out += delim
                if delim.last != 10 { out.append(10) }
            }
            out += fragment
            delimitMe = true
            addNewline = fragment.last != 10
        }
        return out
    }

    /// codecs.escape_decode: backslash escapes of Python byte strings.
    static func unescape(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        let simple: [UInt8: UInt8] = [UInt8(ascii: "n"): 10, UInt8(ascii: "t"): 9, UInt8(ascii: "r"): 13, UInt8(ascii: "a"): 7,
                                      UInt8(ascii: "b"): 8, UInt8(ascii: "f"): 12, UInt8(ascii: "v"): 11,
                                      UInt8(ascii: "\\"): 92, UInt8(ascii: "'"): 39, UInt8(ascii: "\""): 34]
        while let b = it.popFirst() {
            guard b == 92, let e = it.first else { out.append(b); continue }
            if let v = simple[e] {
                out.append(v)
                it.removeFirst()
            } else if e == UInt8(ascii: "x"), it.count >= 3, let v = UInt8(String(decoding: it.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                it.removeFirst(3)
            } else if (48...55).contains(e) {
                let digits = it.prefix { (48...55).contains($0) }.prefix(3)
                out.append(UInt8(truncatingIfNeeded: Int(String(decoding: digits, as: UTF8.self), radix: 8) ?? 0))
                it.removeFirst(digits.count)
            } else {
                out.append(b)
            }
        }
        return out
    }
}
