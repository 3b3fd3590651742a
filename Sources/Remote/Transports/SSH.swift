// The ssh transport over libssh: connect, check the host key as host_key_checking says,
// authenticate (key file, agent and ~/.ssh/config identities, password), then exec the
// agent's bootstrap on one channel that the broker drives non-blocking for the whole run.
#if canImport(Glibc)
import Glibc
#endif
import CSSH
import Synchronization

public struct SSHOptions: Sendable, Hashable {
    public var host: String
    public var port: Int?
    public var user: String?
    public var password: String?
    public var privateKeyFile: String?
    public var hostKeyChecking: Bool
    public var timeout: Int
    /// `-F file` from the ssh args: read instead of ~/.ssh/config.
    public var configFile: String?
    /// `-o Key=Value` from the ssh args, applied after the config file, in order.
    public var options: [String: String] = [:]

    public init(host: String, port: Int? = nil, user: String? = nil, password: String? = nil, privateKeyFile: String? = nil,
                hostKeyChecking: Bool = true, timeout: Int = 10) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.privateKeyFile = privateKeyFile
        self.hostKeyChecking = hostKeyChecking
        self.timeout = timeout
    }
}

final class SSHStream: StreamIO {
    let session: ssh_session
    let channel: ssh_channel
    var tail = TailBuffer()
    var closed = false
    var chunk = [UInt8](repeating: 0, count: 65536)

    init(session: ssh_session, channel: ssh_channel) {
        self.session = session
        self.channel = channel
    }

    var readFds: [Int32] { [ssh_get_fd(session)] }
    var writeFd: Int32 { ssh_get_fd(session) }
    var writePending: Bool { ssh_get_poll_flags(session) & SSH_WRITE_PENDING != 0 }
    var stderrTail: String { tail.text }

    func read(into buf: inout [UInt8]) -> ReadResult {
        // libssh leaves the socket readable until it has parsed what arrived: always drain both.
        while true {
            let n = chunk.withUnsafeMutableBytes { ssh_channel_read_nonblocking(channel, $0.baseAddress, 65536, 1) }
            if n > 0 { tail.append(chunk[0..<Int(n)]) } else { break }
        }
        var total = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { ssh_channel_read_nonblocking(channel, $0.baseAddress, 65536, 0) }
            if n > 0 {
                buf += chunk[0..<Int(n)]
                total += Int(n)
                continue
            }
            if n == 0 && ssh_channel_is_eof(channel) == 0 && ssh_channel_is_open(channel) != 0 {
                return total > 0 ? .data(total) : .wouldBlock
            }
            return total > 0 ? .data(total) : .eof
        }
    }

    func write(_ bytes: ArraySlice<UInt8>) -> Int {
        let n = bytes.withUnsafeBytes { ssh_channel_write(channel, $0.baseAddress, UInt32(min($0.count, 1 << 20))) }
        return n < 0 ? -1 : Int(n)
    }

    func close() {
        guard !closed else { return }
        closed = true
        ssh_set_blocking(session, 1)
        ssh_channel_send_eof(channel)
        ssh_channel_close(channel)
        ssh_channel_free(channel)
        ssh_disconnect(session)
        ssh_free(session)
    }
}

enum SSHConnector {
    /// libssh's global state (crypto, GSSAPI) is not safe to set up from several threads at once:
    /// initialise it once and make connection set-up one at a time (a crash was seen otherwise).
    static let setup: Mutex<Bool> = Mutex(false)

    static func error(_ s: ssh_session) -> String {
        String(cString: ssh_get_error(UnsafeMutableRawPointer(s)))
    }

    /// Connects and authenticates a blocking session (run on a helper thread).
    static func connect(_ o: SSHOptions) throws -> ssh_session {
        try setup.withLock { initialised in
            if !initialised {
                ssh_init()
                initialised = true
            }
            return try connectLocked(o)
        }
    }

    static func connectLocked(_ o: SSHOptions) throws -> ssh_session {
        guard let s = ssh_new() else { throw RemoteError.unreachable("Failed to connect to the host via ssh: out of memory") }
        var ok = false
        defer { if !ok { ssh_free(s) } }
        ssh_options_set(s, SSH_OPTIONS_HOST, o.options["hostname"] ?? o.host)
        ssh_options_parse_config(s, o.configFile)
        apply(o.options, to: s)
        if let port = o.port {
            var p = UInt32(port)
            ssh_options_set(s, SSH_OPTIONS_PORT, &p)
        }
        if let user = o.user { ssh_options_set(s, SSH_OPTIONS_USER, user) }
        var timeout = Int(o.timeout)
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout)
        var one: Int32 = 1
        ssh_options_set(s, SSH_OPTIONS_NODELAY, &one)
        let target = "\(o.user.map { $0 + "@" } ?? "")\(o.host)"
        guard ssh_connect(s) == SSH_OK else {
            let msg = error(s)
            throw RemoteError.unreachable("Failed to connect to the host via ssh: ssh: connect to host \(o.host) port \(o.port ?? 22): \(cleanConnectError(msg))")
        }
        if o.hostKeyChecking {
            let state = ssh_session_is_known_server(s)
            switch state {
            case SSH_KNOWN_HOSTS_OK: break
            case SSH_KNOWN_HOSTS_CHANGED, SSH_KNOWN_HOSTS_OTHER:
                ssh_disconnect(s)
                throw RemoteError.unreachable("Failed to connect to the host via ssh: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nHost key for \(o.host) has changed and you have requested strict checking.\nHost key verification failed.")
            default:
                ssh_disconnect(s)
                throw RemoteError.unreachable("Failed to connect to the host via ssh: Host key verification failed.")
            }
        }
        var authed = false
        if let keyFile = o.privateKeyFile {
            var key: ssh_key? = nil
            if ssh_pki_import_privkey_file(keyFile, nil, nil, nil, &key) == SSH_OK, let key {
                authed = ssh_userauth_publickey(s, nil, key) == SSH_AUTH_SUCCESS.rawValue
                ssh_key_free(key)
            }
        }
        if !authed && o.password == nil {
            authed = ssh_userauth_publickey_auto(s, nil, nil) == SSH_AUTH_SUCCESS.rawValue
        }
        if !authed, let pw = o.password {
            authed = ssh_userauth_password(s, nil, pw) == SSH_AUTH_SUCCESS.rawValue
            if !authed {
                // Some servers only offer keyboard-interactive for passwords.
                authed = keyboardInteractive(s, pw)
            }
        }
        guard authed else {
            let methods = authMethods(s)
            ssh_disconnect(s)
            throw RemoteError.unreachable("Failed to connect to the host via ssh: \(target): Permission denied (\(methods)).")
        }
        ok = true
        return s
    }

    /// The `-o` options libssh has a setting for; others are ignored as libssh does in config files.
    static func apply(_ options: [String: String], to s: ssh_session) {
        for (key, value) in options {
            switch key {
            case "port":
                var p = UInt32(value) ?? 22
                ssh_options_set(s, SSH_OPTIONS_PORT, &p)
            case "user": ssh_options_set(s, SSH_OPTIONS_USER, value)
            case "identityfile": ssh_options_set(s, SSH_OPTIONS_ADD_IDENTITY, value)
            case "userknownhostsfile": ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, value)
            case "globalknownhostsfile": ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, value)
            case "proxycommand": ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, value)
            case "proxyjump": ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, "ssh -W '[%h]:%p' \(value)")
            case "compression": ssh_options_set(s, SSH_OPTIONS_COMPRESSION, value)
            case "connecttimeout":
                var t = Int(value) ?? 10
                ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &t)
            default: break
            }
        }
    }

    static func cleanConnectError(_ m: String) -> String {
        if m.contains("Connection refused") { return "Connection refused" }
        if m.contains("timeout") || m.contains("Timeout") { return "Connection timed out" }
        if m.contains("No route") { return "No route to host" }
        if m.contains("resolve") || m.contains("Name or service") { return "Could not resolve hostname" }
        return m
    }

    static func authMethods(_ s: ssh_session) -> String {
        let m = ssh_userauth_list(s, nil)
        var names: [String] = []
        if m & Int32(SSH_AUTH_METHOD_PUBLICKEY) != 0 { names.append("publickey") }
        if m & Int32(SSH_AUTH_METHOD_PASSWORD) != 0 { names.append("password") }
        if m & Int32(SSH_AUTH_METHOD_INTERACTIVE) != 0 { names.append("keyboard-interactive") }
        return names.isEmpty ? "publickey,password" : names.joined(separator: ",")
    }

    static func keyboardInteractive(_ s: ssh_session, _ password: String) -> Bool {
        var r = ssh_userauth_kbdint(s, nil, nil)
        var rounds = 0
        while r == SSH_AUTH_INFO.rawValue, rounds < 5 {
            let n = ssh_userauth_kbdint_getnprompts(s)
            for i in 0..<max(0, n) { ssh_userauth_kbdint_setanswer(s, UInt32(i), password) }
            r = ssh_userauth_kbdint(s, nil, nil)
            rounds += 1
        }
        return r == SSH_AUTH_SUCCESS.rawValue
    }

    /// Opens a session channel and starts `command` on it.
    static func exec(_ s: ssh_session, _ command: String) throws -> ssh_channel {
        guard let ch = ssh_channel_new(s) else { throw RemoteError.unreachable("Failed to open a channel: \(error(s))") }
        guard ssh_channel_open_session(ch) == SSH_OK, ssh_channel_request_exec(ch, command) == SSH_OK else {
            let m = error(s)
            ssh_channel_free(ch)
            throw RemoteError.unreachable("Failed to run the agent over ssh: \(m)")
        }
        return ch
    }

    /// Runs one command to completion on a fresh session: `raw` needs no Python and no agent.
    static func runCommand(_ o: SSHOptions, _ command: String) throws -> (Int, [UInt8], [UInt8]) {
        let s = try connect(o)
        defer {
            ssh_disconnect(s)
            ssh_free(s)
        }
        let ch = try exec(s, command)
        defer { ssh_channel_free(ch) }
        var out: [UInt8] = [], err: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        for isErr: Int32 in [0, 1] {
            while true {
                let n = buf.withUnsafeMutableBytes { ssh_channel_read(ch, $0.baseAddress, 65536, isErr) }
                if n <= 0 { break }
                if isErr == 1 { err += buf[0..<Int(n)] } else { out += buf[0..<Int(n)] }
            }
        }
        ssh_channel_send_eof(ch)
        let rc = ssh_channel_get_exit_status(ch)
        ssh_channel_close(ch)
        return (Int(rc), out, err)
    }
}
