// Ansible's ini inventory format: [group], [group:vars], [group:children], inline host vars.
import Values

enum INISource {
    /// A host line shlex cannot split: told as the cause of the plugin's failure.
    struct HostLineError: Error, CustomStringConvertible { var description: String }

    static func parse(_ text: String, path: String, into inv: InventoryData) throws {
        var group = "ungrouped"
        var state = "hosts"
        var pending: [String: (line: Int, state: String, parents: [String])] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = n + 1
            func fail(_ m: String) -> InventoryError { InventoryError(m) }
            // A key's origin is its line, without a column: the line is underlined.
            let wholeLine = SourceLocation(file: path, line: lineNo, column: SourceLocation.wholeLine)
            let line = raw.trimmingSpaces
            guard let first = line.first, first != "#", first != ";" else { continue }
            if first == "[", line.last == "]" {
                let inner = line.dropFirst().dropLast()
                guard !inner.contains(" "), !inner.isEmpty else {
                    throw fail("Invalid section entry: '\(line)'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters")
                }
                let parts = inner.split(separator: ":", maxSplits: 1).map(String.init)
                group = inv.safeGroupName(parts[0])
                state = parts.count > 1 ? parts[1] : "hosts"
                guard ["hosts", "children", "vars"].contains(state) else {
                    throw fail("Section [\(inner)] has unknown type: \(state)")
                }
                if inv.groups[group] == nil {
                    if state == "vars", pending[group] == nil { pending[group] = (lineNo, state, []) }
                    inv.addGroup(group)
                }
                if let p = pending[group], state != "vars" {
                    if p.state == "children" { addPending(group, &pending, inv) } else if p.state == "vars" { pending[group] = nil }
                }
                continue
            }
            switch state {
            case "hosts":
                let tokens: [String]
                do { tokens = try Shlex.split(String(line)) } catch {
                    throw HostLineError(description: "Error parsing host definition '\(line)': \(error)")
                }
                guard let pattern = tokens.first else { continue }
                let (hostPattern, port) = HostRange.splitPort(pattern)
                let names: [String]
                do { names = try HostRange.expand(hostPattern) } catch let e as InventoryError { throw fail(e.message) }
                if port == nil, pattern.trimmingSpaces.hasSuffix(":") {
                    throw fail("Invalid host pattern '\(pattern)' supplied, ending in ':' is not allowed, this character is reserved to provide a port.")
                }
                if names.contains(where: { $0.trimmingSpaces == "---" }) {
                    throw fail("Invalid host pattern '\(pattern)' supplied, '---' is normally a sign this is a YAML file.")
                }
                var vars = Dict()
                for t in tokens.dropFirst() {
                    guard let eq = t.firstIndex(of: "=") else { throw fail("Expected key=value host variable assignment, got: \(t)") }
                    vars[.string(String(t[..<eq]))] = Literal.parse(String(t[t.index(after: eq)...]))
                }
                for name in names {
                    let h = inv.addHost(name, group: group, source: path)
                    if let port { h.vars["ansible_port"] = .int(port) }
                    for (k, v) in vars { inv.setVariable(name, k, v, keyOrigin: wholeLine, valueOrigin: wholeLine) }
                }
            case "vars":
                guard let eq = line.firstIndex(of: "=") else { throw fail("Expected key=value, got: \(line)") }
                let k = line[..<eq].trimmingSpaces, v = line[line.index(after: eq)...].trimmingSpaces
                inv.setVariable(group, .string(String(k)), Literal.parse(String(v)), keyOrigin: wholeLine, valueOrigin: wholeLine)
            default:
                let child = String(line.split(separator: " ").first ?? "")
                if inv.groups[child] == nil {
                    if var p = pending[child] {
                        p.parents.append(group)
                        pending[child] = p
                    } else { pending[child] = (lineNo, "children", [group]) }
                } else {
                    inv.addChild(group, child)
                }
            }
        }
        for (name, p) in pending.sorted(by: { $0.value.line < $1.value.line }) {
            if p.state == "vars" {
                throw InventoryError("Section [\(name):vars] not valid for undefined group '\(name)'.")
            }
            throw InventoryError("Section [\(p.parents.last!):children] includes undefined group '\(name)'.")
        }
    }

    static func addPending(_ group: String, _ pending: inout [String: (line: Int, state: String, parents: [String])], _ inv: InventoryData) {
        guard let p = pending[group] else { return }
        pending[group] = nil
        for parent in p.parents {
            inv.addChild(parent, group)
            if pending[parent]?.state == "children" { addPending(parent, &pending, inv) }
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}
