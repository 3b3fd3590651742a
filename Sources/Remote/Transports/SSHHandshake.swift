// A libssh connection being set up without blocking: TCP connect and key exchange, the host
// key check, authentication (key file, agent, default identities when no key file is named,
// password, keyboard-interactive), then a channel running one command. The broker thread steps it on
// every readiness event, so hundreds of hosts connect in parallel on one thread.
#if canImport(Glibc)
import Glibc
#endif
import CSSH

final class SSHHandshake {
    enum Auth {
        case keyFile(ssh_key)
        /// The agent's keys, then the default identities (`~/.ssh/id_*`) and ssh_config's.
        case auto
        /// The agent's keys only: OpenSSH adds no default identity once one is named.
        case agent
        case password(String)
        case keyboardInteractive(String)
    }

    enum Progress {
        case again
        case ready(SSHStream)
        case failed(RemoteError)
    }

    enum Step {
        case connect, auth, openChannel, pty, exec
    }

    let options: SSHOptions
    let command: String
    let session: ssh_session
    let deadline: UInt64
    var step = Step.connect
    var methods: [Auth] = []
    var channel: ssh_channel?
    var finished = false

    init(_ o: SSHOptions, command: String) throws {
        guard let s = ssh_new() else { throw RemoteError.unreachable("Failed to connect to the host via ssh: out of memory") }
        session = s
        options = o
        self.command = command
        deadline = Clock.nowNanos() + UInt64(max(1, o.timeout)) * 1_000_000_000
        ssh_options_set(s, SSH_OPTIONS_HOST, o.options["hostname"] ?? o.host)
        ssh_options_parse_config(s, o.configFile)
        SSHConnector.apply(o.options, to: s)
        if let port = o.port {
            var p = UInt32(port)
            ssh_options_set(s, SSH_OPTIONS_PORT, &p)
        }
        if let user = o.user { ssh_options_set(s, SSH_OPTIONS_USER, user) }
        var timeout = o.timeout
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout)
        var one: Int32 = 1
        ssh_options_set(s, SSH_OPTIONS_NODELAY, &one)
        if let text = o.privateKey {
            var key: ssh_key? = nil
            if ssh_pki_import_privkey_base64(text, nil, nil, nil, &key) == SSH_OK, let key { methods.append(.keyFile(key)) }
        } else if let keyFile = o.privateKeyFile {
            var key: ssh_key? = nil
            if ssh_pki_import_privkey_file(keyFile, nil, nil, nil, &key) == SSH_OK, let key { methods.append(.keyFile(key)) }
        }
        // As the ssh plugin's `-o IdentityFile=…` has OpenSSH do: with a key file named, the
        // agent's keys are tried too (a passphrase-protected key is usually there), never ~/.ssh/id_*.
        if o.password == nil, o.privateKey == nil { methods.append(o.privateKeyFile == nil ? .auto : .agent) }
        if let pw = o.password { methods += [.password(pw), .keyboardInteractive(pw)] }
        ssh_set_blocking(s, 0)
    }

    var fd: Int32 { ssh_get_fd(session) }
    var wantsWrite: Bool { step == .connect || ssh_get_poll_flags(session) & SSH_WRITE_PENDING != 0 }

    /// The user libssh will log in as (after ~/.ssh/config), for Ansible's error text.
    var target: String {
        var p: UnsafeMutablePointer<CChar>? = nil
        var user = options.user ?? ""
        if ssh_options_get(session, SSH_OPTIONS_USER, &p) == SSH_OK, let p {
            user = String(cString: p)
            ssh_string_free_char(p)
        }
        return (user.isEmpty ? "" : user + "@") + options.host
    }

    func fail(_ message: String) -> Progress {
        finished = true
        release()
        return .failed(.unreachable(RemoteError.sshConnectFailure + message))
    }

    /// Frees everything when the handshake does not end in a stream.
    func release() {
        for m in methods { if case .keyFile(let k) = m { ssh_key_free(k) } }
        methods = []
        if let channel { ssh_channel_free(channel) }
        channel = nil
        ssh_disconnect(session)
        ssh_free(session)
    }

    /// The port libssh connects to: the one given, else ssh_config's, else 22.
    var port: UInt32 {
        var p: UInt32 = 0
        return ssh_options_get_port(session, &p) == SSH_OK && p != 0 ? p : UInt32(options.port ?? 22)
    }

    func timedOut() -> Progress {
        fail(step == .connect ? "ssh: connect to host \(options.host) port \(port): Connection timed out"
                              : "Timeout while waiting for the ssh handshake with \(options.host)")
    }

    /// Moves as far as libssh lets it without blocking.
    func advance() -> Progress {
        while true {
            switch step {
            case .connect:
                let r = ssh_connect(session)
                if r == SSH_AGAIN { return .again }
                guard r == SSH_OK else {
                    let msg = SSHConnector.cleanConnectError(SSHConnector.error(session))
                    // OpenSSH's words: a name that does not resolve is not a failed connect.
                    if msg == "Could not resolve hostname" {
                        return fail("ssh: Could not resolve hostname \(options.host.lowercased()): Name or service not known")
                    }
                    return fail("ssh: connect to host \(options.host) port \(port): \(msg)")
                }
                if options.hostKeyChecking {
                    let state = ssh_session_is_known_server(session)
                    if state == SSH_KNOWN_HOSTS_CHANGED || state == SSH_KNOWN_HOSTS_OTHER {
                        return fail("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nHost key for \(options.host) has changed and you have requested strict checking.\nHost key verification failed.")
                    }
                    if state != SSH_KNOWN_HOSTS_OK { return fail("Host key verification failed.") }
                }
                step = .auth
            case .auth:
                guard let method = methods.first else {
                    return fail("\(target): Permission denied (\(SSHConnector.authMethods(session))).")
                }
                let r: Int32
                switch method {
                case .keyFile(let key): r = ssh_userauth_publickey(session, nil, key)
                case .auto: r = ssh_userauth_publickey_auto(session, nil, nil)
                case .agent: r = ssh_userauth_agent(session, nil)
                case .password(let pw): r = ssh_userauth_password(session, nil, pw)
                case .keyboardInteractive(let pw):
                    r = ssh_userauth_kbdint(session, nil, nil)
                    if r == SSH_AUTH_INFO.rawValue {
                        let n = ssh_userauth_kbdint_getnprompts(session)
                        for i in 0..<max(0, n) { ssh_userauth_kbdint_setanswer(session, UInt32(i), pw) }
                        continue
                    }
                }
                if r == SSH_AUTH_AGAIN.rawValue { return .again }
                if r == SSH_AUTH_SUCCESS.rawValue {
                    for m in methods { if case .keyFile(let k) = m { ssh_key_free(k) } }
                    methods = []
                    step = .openChannel
                    continue
                }
                if case .keyFile(let k) = method { ssh_key_free(k) }
                methods.removeFirst()
            case .openChannel:
                if channel == nil {
                    guard let ch = ssh_channel_new(session) else { return fail("cannot open a channel: \(SSHConnector.error(session))") }
                    channel = ch
                }
                let r = ssh_channel_open_session(channel)
                if r == SSH_AGAIN { return .again }
                guard r == SSH_OK else { return fail("cannot open a channel: \(SSHConnector.error(session))") }
                step = options.tty ? .pty : .exec
            case .pty:
                let r = ssh_channel_request_pty(channel)
                if r == SSH_AGAIN { return .again }
                guard r == SSH_OK else { return fail("cannot allocate a terminal: \(SSHConnector.error(session))") }
                step = .exec
            case .exec:
                let r = ssh_channel_request_exec(channel, command)
                if r == SSH_AGAIN { return .again }
                guard r == SSH_OK else { return fail("cannot run a command: \(SSHConnector.error(session))") }
                finished = true
                let stream = SSHStream(session: session, channel: channel!)
                stream.keepalive = UInt64(options.options["serveraliveinterval"].flatMap { Int($0) } ?? 0) * 1_000_000_000
                channel = nil
                return .ready(stream)
            }
        }
    }
}
