// group_vars/ and host_vars/ next to an inventory source or a playbook: a file named for the
// group or host (no extension, .yml, .yaml, .json), or a directory of such files, read in order.
import Values
import Vault
import YAMLReader

public enum VarsFiles {
    static let extensions = ["", ".yml", ".yaml", ".json"]

    /// The vars for `name` under `dir` (`…/group_vars`), merged in file order.
    public static func load(dir: String, name: String) throws -> Dict {
        var out = Dict()
        for path in files(dir: dir, name: name) { for (k, v) in try readVarsFile(path) { out[k] = v } }
        return out
    }

    /// Where each of those variables was first set: its key in the first file that has it.
    static func keyOrigins(dir: String, name: String) throws -> [Value: SourceLocation] {
        var out: [Value: SourceLocation] = [:]
        for path in files(dir: dir, name: name) {
            for p in try YAMLReader.load(try Vault.shared.readText(path), file: path).pairs ?? [] where out[p.key.value] == nil {
                out[p.key.value] = p.key.location
            }
        }
        return out
    }

    /// Where each of those variables' values was written: in the last file that has it.
    static func valueOrigins(dir: String, name: String) throws -> [Value: SourceLocation] {
        var out: [Value: SourceLocation] = [:]
        for path in files(dir: dir, name: name) {
            for p in try YAMLReader.load(try Vault.shared.readText(path), file: path).pairs ?? [] { out[p.key.value] = p.value.location }
        }
        return out
    }

    /// The files for `name`, in the order they are read.
    static func files(dir: String, name: String) -> [String] {
        var out: [String] = []
        for ext in extensions {
            let path = Files.join(dir, name + ext)
            guard Files.exists(path) else { continue }
            if Files.isDirectory(path) {
                if ext == "" { out += filesUnder(path) }
            } else {
                out.append(path)
            }
        }
        return out
    }

    static func filesUnder(_ dir: String) -> [String] {
        var out: [String] = []
        for entry in Files.list(dir) where !entry.hasPrefix(".") {
            let p = Files.join(dir, entry)
            if Files.isDirectory(p) { out += filesUnder(p); continue }
            if extensions.dropFirst().contains(where: { entry.hasSuffix($0) }) || !entry.contains(".") { out.append(p) }
        }
        return out
    }

    /// A vars file: a mapping, or (for a play's vars_files, as Ansible's preprocess_vars) a list
    /// of mappings merged in order.
    public static func readVarsFile(_ path: String, listOfMappings: Bool = false) throws -> Dict {
        let node = try YAMLReader.load(try Vault.shared.readText(path), file: path)
        switch node.value {
        case .dict(let d): return d
        case .none: return Dict()
        case .list(let l) where listOfMappings:
            var out = Dict()
            for item in l {
                guard case .dict(let d) = item else {
                    throw InventoryError("variable files must contain either a dictionary of variables, or a list of dictionaries. Got: \(item.pythonRepr) (\(item.typeName))")
                }
                for (k, v) in d { out[k] = v }
            }
            return out
        default: throw InventoryError("\(node.location): Invalid vars file: expected a dictionary, got \(node.value.typeName)")
        }
    }

}
