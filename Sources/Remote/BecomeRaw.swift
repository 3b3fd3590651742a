// A raw command wrapped by a become method (sudo, su), as ansible-core's connection plugins run
// one (_ensure_become_success): what the command writes before the method's success marker is
// the become stage — a password prompt there is answered once, the marker line is dropped — and
// a stage that ends, repeats its prompt or outlasts the timeout fails with Ansible's words.
import Glibc
import Synchronization

/// What the become stage of one raw command looks for.
public struct BecomeExchange: Sendable {
    /// The line the wrapped command echoes once the method has let it run.
    public var marker: String
    public var password: String?
    /// The method's password prompt as it appears in a line of output, if it does.
    public var findPrompt: @Sendable (String) -> String?
    /// Seconds the stage may take (the local connection's become_success_timeout).
    public var timeout: Double
    /// The method's name and its words for a wrong or a missing password (the plugin's `fail`
    /// and `missing`), which the ssh plugin looks for while it awaits escalation.
    public var method = ""
    public var fail: [String] = []
    public var missing: [String] = []

    public init(marker: String, password: String?, findPrompt: @escaping @Sendable (String) -> String?, timeout: Double) {
        self.marker = marker
        self.password = password
        self.findPrompt = findPrompt
        self.timeout = timeout
    }

    /// A prompt is waited for and answered only when there is a password to give.
    var expectsPrompt: Bool { password != nil }

    /// The ssh plugin's _examine_output while it awaits escalation: the first line that holds
    /// the marker is suppressed; everything else passes through.
    func withoutSuccessLine(_ out: [UInt8]) -> [UInt8] {
        let marker = Array(marker.utf8)
        var start = 0
        while start < out.count {
            let end = out[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? out.count
            if out[start..<end].firstRange(of: marker) != nil { return Array(out[..<start] + out[end...]) }
            start = end
        }
        return out
    }
}

/// Why the become stage did not reach its marker.
public struct BecomeStageError: Error, CustomStringConvertible, Sendable {
    public enum Reason: String, Sendable { case premature = "Premature end of stream", timedOut = "Timed out",
                                               duplicatePrompt = "Duplicate become password prompt encountered",
                                               incorrect = "Incorrect", missing = "Missing" }
    public var reason: Reason
    public var message: String
    public var description: String { message }
}

/// What a become stage runs over: a local process, or an ssh channel.
protocol BecomeTransport: StreamIO {
    /// Keeps all of stderr; input stays open for the password.
    func keepOutput()
    /// Ends the command's input once the stage is over (not a terminal's, where it was typed).
    func endStageInput()
    /// Stops the command (a duplicate prompt, the stage's time is up); safe from any thread.
    func abort()
}

extension PipeStream: BecomeTransport {
    func keepOutput() { tail.limit = Int.max }
    func endStageInput() { if !terminalInput { endInput() } }
    func abort() { kill(-pid, SIGKILL) }
}

/// A become stage over ssh starts once the session is up: the broker puts the stream here, and
/// the watchdog's expiry reaches it (or waits for it) here.
public final class BecomeSlot: @unchecked Sendable {
    private let state = Mutex<(stream: BecomeStream?, expired: Bool)>((nil, false))
    public init() {}

    func attach(_ stream: BecomeStream) {
        let expired = state.withLock { s in
            s.stream = stream
            return s.expired
        }
        if expired { stream.expire() }
    }

    var stream: BecomeStream? { state.withLock { $0.stream } }

    func expire() {
        let stream = state.withLock { s in
            s.expired = true
            return s.stream
        }
        stream?.expire()
    }
}

/// Read on the broker's thread; only `expire()` comes from elsewhere, and it goes through `state`.
final class BecomeStream: StreamIO, @unchecked Sendable {
    let inner: any BecomeTransport
    private let exchange: BecomeExchange
    /// Output of the become stage, searched for the prompt and the marker.
    private var stageOut: [UInt8] = []
    private var promptOffsets = (stdout: 0, stderr: 0)
    private var sentPassword = false
    /// The prompt as it was seen (only looked for when there is a password), and how much of
    /// stderr the stage wrote.
    private var seenPrompt: String?
    private var stageStderr = 0
    /// succeeded, timed out, reaped: the watchdog kills the process only while none holds.
    private let state = Mutex<(succeeded: Bool, timedOut: Bool, reaped: Bool)>((false, false, false))
    private(set) var failure: BecomeStageError.Reason?

    /// The ssh plugin's stage (_examine_output) rather than the local plugin's: the marker's
    /// line alone is dropped, and a wrong or missing password is said in the method's words.
    let overSSH: Bool
    /// Seconds the ssh plugin's stage may take, for its timeout message.
    var sshTimeout = 0

    init(_ inner: any BecomeTransport, _ exchange: BecomeExchange, overSSH: Bool = false) {
        self.inner = inner
        self.exchange = exchange
        self.overSSH = overSSH
    }

    var readFds: [Int32] { inner.readFds }
    var writeFd: Int32 { inner.writeFd }
    var writePending: Bool { inner.writePending }
    var stderrTail: String { inner.stderrTail }
    /// stderr with the stage's prompt stripped (strip_become_prompt), then what the command wrote.
    var stderrBytes: [UInt8] {
        let all = inner.stderrBytes, cut = min(stageStderr, all.count)
        guard let seenPrompt else { return all }
        return Array(BecomeStream.stripThrough(seenPrompt, String(decoding: all[..<cut], as: UTF8.self)).utf8) + all[cut...]
    }
    func write(_ bytes: ArraySlice<UInt8>) -> Int { inner.write(bytes) }
    func close() { inner.close() }
    /// Input stays open for the password; it ends once the stage is over.
    func collectOutput() { inner.keepOutput() }

    func exitStatus() -> Int {
        state.withLock { $0.reaped = true }
        return inner.exitStatus()
    }

    var succeeded: Bool { state.withLock { $0.succeeded } }

    func read(into buf: inout [UInt8]) -> ReadResult {
        if succeeded { return inner.read(into: &buf) }
        var chunk: [UInt8] = []
        let result = inner.read(into: &chunk)
        stageOut += chunk
        let stage = String(decoding: stageOut, as: UTF8.self)
        if stage.split(separator: "\n").contains(where: { $0.contains(exchange.marker) }) {
            state.withLock { $0.succeeded = true }
            stageStderr = inner.stderrBytes.count
            // strip_become_prompt, then strip_become_success: each drops all up to it and the space after.
            var text = stage
            if overSSH {
                text = String(decoding: exchange.withoutSuccessLine(stageOut), as: UTF8.self)
                // The prompt's line as far as the prompt (on a terminal the newline typed after it stays).
                if let seenPrompt, let r = text.firstRange(of: seenPrompt) {
                    let lineStart = text[..<r.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
                    let rest = text[r.upperBound...].drop { $0 == " " || $0 == "\t" }
                    text = String(text[..<lineStart]) + rest
                }
            } else {
                if let seenPrompt { text = BecomeStream.stripThrough(seenPrompt, text) }
                text = BecomeStream.stripThrough(exchange.marker, text)
            }
            let start = buf.count
            buf += Array(text.utf8)
            inner.endStageInput()
            if case .eof = result { return buf.count > start ? .data(buf.count - start) : .eof }
            return .data(buf.count - start)
        }
        if overSSH, failure == nil {
            // A wrong or a missing password, in what the stage wrote so far.
            let written = stage + "\n" + String(decoding: inner.stderrBytes, as: UTF8.self)
            if exchange.fail.contains(where: { written.contains($0) }) {
                failure = .incorrect
            } else if exchange.missing.contains(where: { written.contains($0) }) {
                failure = .missing
            }
            if failure != nil { inner.abort() }
        }
        if exchange.expectsPrompt, failure == nil {
            let out = String(decoding: stageOut[promptOffsets.stdout...], as: UTF8.self)
            let err = String(decoding: inner.stderrBytes[min(promptOffsets.stderr, inner.stderrBytes.count)...], as: UTF8.self)
            if let prompt = (out + "\n" + err).split(separator: "\n").lazy.compactMap({ self.exchange.findPrompt(String($0)) }).first {
                seenPrompt = prompt
                if sentPassword {
                    failure = overSSH ? .incorrect : .duplicatePrompt   // the ssh plugin: "Escalation prompt repeated"
                    inner.abort()
                } else {
                    promptOffsets = (stageOut.count, inner.stderrBytes.count)
                    sentPassword = true
                    _ = inner.write(ArraySlice(Array(((exchange.password ?? "") + "\n").utf8)))
                }
            }
        }
        if case .eof = result {
            if failure == nil { failure = state.withLock { $0.timedOut } ? .timedOut : .premature }
            return .eof
        }
        return .wouldBlock
    }

    /// The watchdog's call once the stage has had its time.
    func expire() {
        state.withLock {
            guard !$0.succeeded, !$0.reaped else { return }
            $0.timedOut = true
            inner.abort()
        }
    }

    /// Ansible's become_error_msg: the reason, what it waited for, the stage's output.
    func stageError(_ reason: BecomeStageError.Reason) -> BecomeStageError {
        if overSSH {
            switch reason {
            case .incorrect, .missing: return BecomeStageError(reason: reason, message: "\(reason.rawValue) \(exchange.method) password")
            case .timedOut:
                let out = String(decoding: exchange.withoutSuccessLine(stageOut), as: UTF8.self)
                return BecomeStageError(reason: reason, message: "Timeout (\(sshTimeout)s) waiting for privilege escalation prompt: \(out)")
            default: break
            }
        }
        var message = "\(reason.rawValue) waiting for become success"
        if exchange.expectsPrompt, !sentPassword { message += " or become password prompt" }
        message += "."
        if !stageOut.isEmpty { message += "\n>>> Standard Output\n" + String(decoding: stageOut, as: UTF8.self) }
        if !inner.stderrBytes.isEmpty { message += "\n>>> Standard Error\n" + String(decoding: inner.stderrBytes, as: UTF8.self) }
        while let last = message.last, last.isWhitespace { message.removeLast() }
        return BecomeStageError(reason: reason, message: message)
    }

    /// `re.sub(r'^.*?MATCH\s*', '', data, count=1, flags=re.DOTALL)`.
    static func stripThrough(_ match: String, _ text: String) -> String {
        guard let r = text.firstRange(of: match) else { return text }
        return String(text[r.upperBound...].drop { $0.isWhitespace })
    }
}
