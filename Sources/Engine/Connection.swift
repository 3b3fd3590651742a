// The seam between Ansible's names and the connection layer's: the connection variables of a
// host (and the play's keywords) become the Hop that reaches its agent.
import Remote
import Values

struct ConnectionConfig {
    var connection: String
    var host: String
    var port: Int?
    var user: String?
    var password: String?
    var privateKeyFile: String?
    var hostKeyChecking: Bool
    var timeout: Int
    var interpreter: String?

    static func first(_ scope: VarScope, _ names: [String]) throws -> Value? {
        for n in names { if let v = try scope.lookup(n), !v.isNone { return v } }
        return nil
    }

    static func build(host: String, scope: VarScope, keywords: [String: Value], settings: Settings, library: ModuleLibrary) throws -> ConnectionConfig {
        let connection = try keywords["connection"]?.pythonStr ?? first(scope, ["ansible_connection"])?.pythonStr ?? "ssh"
        let user = try first(scope, ["ansible_user", "ansible_ssh_user"])?.pythonStr ?? keywords["remote_user"]?.pythonStr ?? settings.remoteUser
        var interpreter = try first(scope, ["ansible_python_interpreter"])?.pythonStr ?? settings.interpreterPython
        if let i = interpreter, i.hasPrefix("auto") { interpreter = nil }
        let checking = try first(scope, ["ansible_host_key_checking", "ansible_ssh_host_key_checking"]).map {
            $0.isBool ? $0.truthy : Settings.truthy($0.pythonStr)
        } ?? settings.hostKeyChecking
        return ConnectionConfig(
            connection: connection,
            host: try first(scope, ["ansible_host", "ansible_ssh_host"])?.pythonStr ?? host,
            port: try first(scope, ["ansible_port", "ansible_ssh_port"]).flatMap { $0.intValue ?? Int($0.pythonStr) },
            user: user,
            password: try first(scope, ["ansible_password", "ansible_ssh_pass", "ansible_ssh_password"])?.pythonStr,
            privateKeyFile: (try first(scope, ["ansible_ssh_private_key_file", "ansible_private_key_file"])?.pythonStr ?? settings.privateKeyFile).map(Files.expandUser),
            hostKeyChecking: checking,
            timeout: try first(scope, ["ansible_ssh_timeout", "ansible_timeout"])?.intValue ?? settings.timeout,
            interpreter: interpreter)
    }

    var hop: Hop {
        get throws {
            switch connection {
            case "local": return .local(interpreter: interpreter)
            case "ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.ssh", "ansible.builtin.local":
                if connection == "ansible.builtin.local" { return .local(interpreter: interpreter) }
                return .ssh(SSHOptions(host: host, port: port, user: user, password: password, privateKeyFile: privateKeyFile,
                                       hostKeyChecking: hostKeyChecking, timeout: timeout), interpreter: interpreter)
            default:
                throw AnsibleError("the connection plugin '\(connection)' was not found")
            }
        }
    }
}

extension Value {
    var isBool: Bool { if case .bool = self { return true }; return false }
}
