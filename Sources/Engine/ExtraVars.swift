// -e/--extra-vars: `k=v` pairs, inline YAML/JSON, or @file.
import Playbook
import Values
import Vault
import YAMLReader

public enum ExtraVars {
    /// What the command line says when -e is refused, and the exit code Ansible's error has.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public var exitCode: Int32
    }

    /// The exit code for an error `parse` threw (a vault error is a bad option, as Ansible's).
    public static func exitCode(_ error: Error) -> Int32 { (error as? Failure)?.exitCode ?? ExitCodes.badOption }

    public static func parse(_ items: [String]) throws -> Dict {
        var out = Dict()
        for item in items {
            var d = Dict()
            if item.hasPrefix("@") {
                let path = Files.absolute(String(item.dropFirst()))
                let value = try load(file: path)
                guard value.isNone || value.dictValue != nil else { throw invalid("@" + path) }
                d = value.dictValue ?? Dict()
            } else if item.hasPrefix("{") || item.hasPrefix("[") {
                let value: Value
                do { value = try YAMLReader.loadValue(item, file: "<CLI option '-e'>") } catch let e as YAMLError {
                    throw Failure(description: Origin.report(e), exitCode: ExitCodes.parserError)
                }
                guard let v = value.dictValue else { throw invalid(item) }
                d = v
            } else if item.hasPrefix("/") || item.hasPrefix(".") {
                throw AnsibleError("Please prepend extra_vars filename '\(item)' with '@'")
            } else if !item.isEmpty {
                d = try FreeForm.parse(item, action: "")   // parse_kv: quotes and {{ }} keep their spaces
            }
            for (k, v) in d { out[k] = v.legacyTagged }
        }
        return out
    }

    static func invalid(_ item: String) -> Failure {
        Failure(description: "Invalid extra vars data supplied. '\(item)' could not be made into a dictionary", exitCode: ExitCodes.badOption)
    }

    /// An @file, with DataLoader's words for one that is not there or not a file.
    static func load(file path: String) throws -> Value {
        guard Files.exists(path) else {
            throw Failure(description: "Unable to retrieve file contents.\nCould not find or access '\(path)' on the Ansible Controller.\n"
                          + "If you are using a module and expect the file to exist on the remote, see the remote_src option: "
                          + "[Errno 2] No such file or directory: '\(path)'", exitCode: ExitCodes.error)
        }
        guard !Files.isDirectory(path) else {
            throw Failure(description: "An error occurred while trying to read the file '\(path)': [Errno 21] Is a directory: '\(path)'",
                          exitCode: ExitCodes.parserError)
        }
        do { return try YAMLReader.loadValue(try Vault.shared.readText(path), file: path) } catch let e as YAMLError {
            throw Failure(description: Origin.report(e), exitCode: ExitCodes.parserError)
        }
    }
}
