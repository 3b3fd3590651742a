// The embedded agent.py and the one-line first stage that starts it: the transport runs the
// first stage, which reads `<length>\n<agent source>` from stdin and executes it.
import CShim

public enum Agent {
    public static let source: [UInt8] = {
        var n = 0
        let p = swansible_agent_py(&n)
        return Array(UnsafeBufferPointer(start: p, count: n))
    }()

    /// Ansible 2.19's interpreter fallback list, tried in order when none is configured.
    public static let fallbackInterpreters = ["python3.13", "python3.12", "python3.11", "python3.10", "python3.9",
                                              "python3.8", "/usr/bin/python3", "python3"]

    /// Says it is ready on stderr (a become parent waits for that before sending the source), reads
    /// `<length>\n<zlib-compressed source>` from stdin, runs it with SOURCE set so it can start
    /// children of its own.
    public static let firstStage = """
        import os,sys,zlib
        os.write(2,b"SWANSIBLE-READY\\n")
        b=b""
        while b[-1:]!=b"\\n":
         c=os.read(0,1)
         if not c:sys.exit(1)
         b+=c
        n=int(b);s=b""
        while len(s)<n:
         c=os.read(0,n-len(s))
         if not c:sys.exit(1)
         s+=c
        s=zlib.decompress(s)
        exec(compile(s,"<swansible-agent>","exec"),{"__name__":"__main__","SOURCE":s})
        """

    /// The line the shell writes on stderr as it hands over to the interpreter: an agent that ends
    /// before its hello, with this line said, ran on a broken interpreter (a task failure in
    /// Ansible); without it the shell or the login never got that far (the host is unreachable).
    /// A discovered interpreter follows it on the line (its path, for Ansible's
    /// `discovered_interpreter_python` when it then fails).
    public static let execMarker = "SWANSIBLE-EXEC"
    static let execMark = "echo \(execMarker) >&2"

    /// Lines of the agent's stderr that are the bootstrap's own markers.
    public static func isMarker<S: StringProtocol>(_ line: S) -> Bool {
        line == "SWANSIBLE-READY" || line == execMarker || line.hasPrefix(execMarker + " /")
    }

    /// The shell command that starts the agent: the given interpreter, or the first of the
    /// fallback list that exists (one round trip, no separate discovery probe).
    public static func bootstrapCommand(interpreter: String?) -> String {
        let code = "CODE='\(firstStage)'"
        if let interpreter {
            // A missing interpreter is first run bare, on line 1, so the shell words it as it
            // does for Ansible's own module command ("sh: 1: /x: not found").
            return "command -v \(interpreter) >/dev/null 2>&1 || { \(interpreter); exit 127; }; \(code); \(execMark); exec \(interpreter) -c \"$CODE\""
        }
        let candidates = fallbackInterpreters.joined(separator: " ")
        return "\(code); for p in \(candidates); do if command -v \"$p\" >/dev/null 2>&1; then D=\"$(command -v \"$p\")\"; echo \"\(execMarker) $D\" >&2; exec \"$p\" -c \"$CODE\" \"$D\"; fi; done; echo 'swansible: no Python interpreter found (tried \(candidates))' >&2; exit 127"
    }

    /// helper.py, which the controller's own helper agent runs before agent.py: what serves
    /// Python plugins there, never sent to a target.
    static let helperSource: [UInt8] = {
        var n = 0
        let p = swansible_helper_py(&n)
        return Array(UnsafeBufferPointer(start: p, count: n))
    }()

    /// The agent as the first stage reads it: its length, a newline, the zlib-compressed source.
    static let payload = framed(source)

    /// The helper agent's: helper.py, then agent.py.
    static let helperPayload = framed(helperSource + Array("\n".utf8) + source)

    private static func framed(_ code: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: code.count + 1024)
        let n = cshim_deflate(code, code.count, &out, out.count)
        precondition(n > 0, "zlib could not compress the agent")
        return Array("\(n)\n".utf8) + out[0..<Int(n)]
    }
}
