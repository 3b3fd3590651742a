// Ansible's script inventory plugin: an executable source is run with `--list` and prints the
// inventory as JSON; host variables come from its `_meta.hostvars`, or else from running it once
// more per host with `--host NAME`. Values use the legacy JSON forms (`__ansible_unsafe`…).
import OrderedCollections
import Values

public enum ScriptSource {
    /// Why the script's answer was refused; `help` is its stderr, shown after the origin.
    struct Failure: Error {
        var message: String
        var help: String?
        var cause: SourceFailure.Part?
    }

    /// INVENTORY_PLUGIN_SCRIPT_STDERR: a script's stderr is shown even when it succeeded.
    public nonisolated(unsafe) static var alwaysShowStderr = true

    static func parse(_ path: String, into inv: InventoryData) throws {
        let origin = SourceLocation(file: "<inventory script output from \(Value.string(path).pythonRepr)>", line: 0, column: 0)
        let (text, stderr, help) = try run(path, ["--list"])
        let processed: Dict
        do {
            processed = try decode(text, origin: origin)
        } catch var e as Failure {
            e.help = help
            throw e
        }
        if !stderr.isEmpty, alwaysShowStderr { Inventory.say(.error(stderr)) }

        var hosts = OrderedSet<String>()
        var fromMeta: Dict?
        for (key, groupData) in processed {
            let group = key.pythonStr
            if group == "_meta" {
                let hv = groupData["hostvars"] ?? Value.none
                guard case .dict(let d) = hv else {
                    throw Failure(message: "Value contains '_meta.hostvars' which is \(typeName(hv)) instead of 'dict'.")
                }
                fromMeta = d
            } else {
                try parseGroup(group, groupData, origin: origin, hosts: &hosts, inv)
            }
        }
        if fromMeta == nil {
            Inventory.say(.deprecation("Inventory scripts should always provide 'meta.hostvars'. Host variables will be collected by running the inventory script with the '--host' option for each host.",
                                       version: "2.23", origin: origin, plugin: "script"))
        }
        for host in hosts {
            let got: Value
            if let fromMeta { got = fromMeta[.string(host)] ?? .dict([:]) } else { got = try hostVariables(path, host) }
            guard case .dict(let vars) = got else {
                throw Failure(message: "Invalid data from file, expected dictionary and got:\n\n\(got.pythonStr)")
            }
            inv.addHost(host)
            // A name that is also a group's sets the group's variable.
            for (k, v) in vars { inv.setVariable(host, k, v) }
        }
    }

    /// A group of the `--list` answer: a mapping of hosts, vars and children (older forms are
    /// converted, with 2.19's deprecations).
    static func parseGroup(_ name: String, _ data: Value, origin: SourceLocation, hosts: inout OrderedSet<String>, _ inv: InventoryData) throws {
        let group = inv.addGroup(name).name
        var data = data
        if case .dict(let d) = data {
            if !["hosts", "vars", "children"].contains(where: { d[.string($0)] != nil }) {
                data = ["hosts": [.string(group)], "vars": Value.dict(d).untrusted]
                Inventory.say(.deprecation("Treating malformed group \(Value.string(group).pythonRepr) as the sole host of that group. Variables provided in this manner cannot be templated.",
                                           version: "2.23", origin: origin, plugin: "script"))
            }
        } else {
            Inventory.say(.deprecation("Group \(Value.string(group).pythonRepr) was converted to 'dict' from \(typeName(data)).",
                                       version: "2.23", origin: origin, plugin: "script"))
            data = ["hosts": data]
        }
        if let list = data["hosts"] {
            guard case .list(let names) = list else {
                throw Failure(message: "Value contains '\(group).hosts' which is \(typeName(list)) instead of 'list'.")
            }
            for n in names {
                let host = n.pythonStr
                hosts.append(host)
                _ = inv.addHost(host, group: group)
            }
        }
        if let vars = data["vars"] {
            guard case .dict(let d) = vars else {
                throw Failure(message: "Value contains '\(group).vars' which is \(typeName(vars)) instead of 'dict'.")
            }
            for (k, v) in d { inv.groups[group]!.vars[k] = Combine.over(inv.groups[group]!.vars[k], v) }
        }
        if case .list(let children)? = data["children"] {
            for c in children { inv.addChild(group, inv.addGroup(c.pythonStr).name) }
        }
    }

    /// `script --host NAME`, for scripts without `_meta.hostvars`.
    static func hostVariables(_ path: String, _ host: String) throws -> Value {
        let (text, _, help) = try run(path, ["--host", host])
        guard text.contains(where: { !$0.isWhitespace }) else { return .dict([:]) }
        do { return try legacyDecode(text) } catch let e as JSONError {
            var at = SourceLocation(file: "<inventory script output from \(Value.string(path).pythonRepr)> for host \(Value.string(host).pythonRepr)",
                                    line: e.line, column: e.column)
            if e.message.hasPrefix("__ansible") { at.line = 0 }
            throw Failure(message: "Inventory script result for host \(Value.string(host).pythonRepr) could not be parsed as JSON.", help: help,
                          cause: .init(message: "JSON parsing failed: \(e.message.hasPrefix("__ansible") ? e.message : e.pythonDescription)", origin: at))
        }
    }

    /// The `--list` answer as a mapping, its `_meta.profile` checked as detect_profile_name does.
    static func decode(_ text: String, origin: SourceLocation) throws -> Dict {
        let head = "Unable to get JSON decoder for inventory script result"
        let value: Value
        do { value = try Value.parseJSON(text) } catch let e as JSONError {
            throw Failure(message: "\(head): Value could not be parsed as JSON: \(e.pythonDescription)")
        }
        guard case .dict(let d) = value else { throw Failure(message: "\(head): Value is \(typeName(value)) instead of 'dict'.") }
        if let meta = d["_meta"] {
            guard case .dict(let m) = meta else {
                throw Failure(message: "\(head): Value contains '_meta' which is \(typeName(meta)) instead of 'dict'.")
            }
            if let profile = m["profile"] {
                guard case .string(let name) = profile else {
                    throw Failure(message: "\(head): Value contains '_meta.profile' which is \(typeName(profile)) instead of 'str'.")
                }
                guard name.hasPrefix("inventory_") else { throw Failure(message: "\(head): Non-inventory profile '\(name)' is not allowed.") }
                guard name == "inventory_legacy" else { throw Failure(message: "\(head): Unknown profile name '\(name)'.") }
            }
        }
        do {
            guard case .dict(let tagged) = try legacyDecode(text) else { return [:] }
            return tagged
        } catch let e as JSONError {
            throw Failure(message: "Inventory script result could not be parsed as JSON.",
                          cause: .init(message: "JSON parsing failed: \(e.message)", origin: origin))
        }
    }

    /// JSON with the legacy forms (`{"__ansible_unsafe": text}`…) read; such a form holding
    /// something other than text is refused as the legacy decoder refuses it.
    static func legacyDecode(_ text: String) throws -> Value {
        let value = try Value.parseJSON(text)
        func check(_ v: Value) throws {
            switch v {
            case .list(let l): for x in l { try check(x) }
            case .dict(let d):
                if d.count == 1, let (k, inner) = d.elements.first, let key = k.stringValue, ["__ansible_vault", "__ansible_unsafe"].contains(key) {
                    guard inner.stringValue != nil else {
                        throw JSONError(message: "\(key) is <class '\(inner.typeName)'> not <class 'str'>", offset: 0)
                    }
                }
                for x in d.values { try check(x) }
            default: break
            }
        }
        try check(value)
        return value.legacyTagged
    }

    /// Runs the script: its stdout as text, its stderr (ending in a newline) and the help text
    /// that quotes it.
    static func run(_ path: String, _ options: [String]) throws -> (String, String, String?) {
        let argv = [path] + options
        let result: Subprocess.Result
        do { result = try Subprocess.run(argv) } catch {
            // Python's OSError names the file it could not run.
            throw Failure(message: "Failed to execute inventory script command \(Value.string(Shlex.join(argv)).pythonRepr): \(error): \(Value.string(path).pythonRepr)")
        }
        var stderr = String(decoding: result.stderr, as: UTF8.self)
        if !stderr.isEmpty, !stderr.hasSuffix("\n") { stderr += "\n" }
        let help = stderr.contains(where: { !$0.isWhitespace }) ? "Standard error from inventory script:\n\(stderr)" : nil
        guard result.status == 0 else {
            throw Failure(message: "Inventory script returned non-zero exit code \(result.status).", help: help)
        }
        if let bad = utf8Error(result.stdout) {
            throw Failure(message: "Inventory script result contained characters that cannot be interpreted as UTF-8: \(bad)", help: help)
        }
        let text = String(decoding: result.stdout, as: UTF8.self)
        return (text, stderr, help)
    }

    /// Python's UnicodeDecodeError text for the first byte that is not UTF-8, if any.
    static func utf8Error(_ b: [UInt8]) -> String? {
        var i = 0
        while i < b.count {
            let lead = b[i]
            let need = lead < 0x80 ? 0 : lead >= 0xC2 && lead <= 0xDF ? 1 : lead >= 0xE0 && lead <= 0xEF ? 2 : lead >= 0xF0 && lead <= 0xF4 ? 3 : -1
            func fail(_ why: String) -> String {
                "'utf-8' codec can't decode byte 0x\(lead < 16 ? "0" : "")\(String(lead, radix: 16)) in position \(i): \(why)"
            }
            if need < 0 { return fail("invalid start byte") }
            for k in stride(from: 1, through: need, by: 1) {
                guard i + k < b.count else { return fail("unexpected end of data") }
                // The second byte's range narrows after E0, ED, F0 and F4, as the codec checks.
                let lo: UInt8 = k == 1 && lead == 0xE0 ? 0xA0 : k == 1 && lead == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = k == 1 && lead == 0xED ? 0x9F : k == 1 && lead == 0xF4 ? 0x8F : 0xBF
                guard b[i + k] >= lo, b[i + k] <= hi else { return fail("invalid continuation byte") }
            }
            i += need + 1
        }
        return nil
    }

    /// native_type_name, quoted as the messages quote it.
    static func typeName(_ v: Value) -> String { "'\(v.typeName)'" }
}
