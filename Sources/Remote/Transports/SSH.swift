// The ssh transport over libssh: connect, check the host key as host_key_checking says,
// authenticate (key file, agent and ~/.ssh/config identities, password), then exec the
// agent's bootstrap on one channel that the broker drives non-blocking for the whole run.
#if canImport(Glibc)
import Glibc
#endif
import CSSH

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
    /// The OpenSSH client a via hop runs on the previous host (ansible_ssh_executable).
    public var executable: String?
    /// The inventory host this connection is for: each inventory host gets its own agent, as each
    /// gets its own connection in Ansible, even when two names lead to the same address.
    public var inventoryName: String?
    /// A pseudo-terminal for the command (ssh -tt: a raw command's, as the ssh plugin gives it).
    public var tty = false
    /// A private key given as text (2.19's private_key, unencrypted by the controller): the only
    /// identity tried, as the ssh plugin's IdentitiesOnly has it; a key file is then not used.
    public var privateKey: String?
    /// reconnection_retries: how many more times a login that fails is tried, pausing 2^n - 1 s
    /// (at most 30) between, as the ssh plugin retries an ssh that exits 255.
    public var retries = 0

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

final class SSHStream: BecomeTransport {
    let session: ssh_session
    let channel: ssh_channel
    var tail = TailBuffer()
    var closed = false
    var chunk = [UInt8](repeating: 0, count: 65536)
    /// `-o ServerAliveInterval=N`: after N seconds without sending, an SSH_MSG_IGNORE goes out so
    /// NAT and firewall state along the way stays open while the connection idles (0: off).
    var keepalive: UInt64 = 0
    var lastSent = Clock.nowNanos()

    init(session: ssh_session, channel: ssh_channel) {
        self.session = session
        self.channel = channel
    }

    var readFds: [Int32] { [ssh_get_fd(session)] }
    var writeFd: Int32 { ssh_get_fd(session) }
    var writePending: Bool { ssh_get_poll_flags(session) & SSH_WRITE_PENDING != 0 }
    var stderrTail: String { tail.text }
    func collectOutput() {
        tail.limit = Int.max
        ssh_channel_send_eof(channel)
    }
    var stderrBytes: [UInt8] { tail.bytes }

    func exitStatus() -> Int {
        ssh_set_blocking(session, 1)
        return Int(ssh_channel_get_exit_status(channel))
    }

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

    /// Sends a keepalive when the connection has been quiet for the interval; true if it did.
    func keepAlive(now: UInt64) -> Bool {
        guard keepalive > 0, !closed, now - lastSent >= keepalive else { return false }
        lastSent = now
        return ssh_send_ignore(session, "swansible-keepalive") == SSH_OK
    }

    func write(_ bytes: ArraySlice<UInt8>) -> Int {
        lastSent = Clock.nowNanos()
        let n = bytes.withUnsafeBytes { ssh_channel_write(channel, $0.baseAddress, UInt32(min($0.count, 1 << 20))) }
        return n < 0 ? -1 : Int(n)
    }

    /// A raw command's become stage: all of stderr kept, input open for the password.
    func keepOutput() { tail.limit = Int.max }
    func endStageInput() { ssh_channel_send_eof(channel) }
    /// From the watchdog's thread: the socket is shut, so the broker's next read ends the stream.
    func abort() { shutdown(ssh_get_fd(session), Int32(SHUT_RDWR)) }

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
    /// The `-o` options libssh has a setting for; others are ignored as libssh does in config files.
    static func error(_ s: ssh_session) -> String {
        String(cString: ssh_get_error(UnsafeMutableRawPointer(s)))
    }

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
}
