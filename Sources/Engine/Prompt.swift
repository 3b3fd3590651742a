// Reading an answer on the terminal, with echo off for private prompts (vars_prompt).
#if canImport(Glibc)
import Glibc
#endif

public enum Prompt {
    /// Reads a line from the terminal (echo off when hidden).
    public static func read(hidden: Bool) -> String { readLine(hidden: hidden) }

    /// -k / -K: as getpass asks, on stderr, the line ended there whether or not a terminal echoes.
    public static func password(_ prompt: String) -> String {
        Output.write(prompt, fd: 2, logged: false)
        let typed = readLine(hidden: true, newline: false)
        Output.write("\n", fd: 2, logged: false)
        return typed
    }

    static func readLine(hidden: Bool, newline: Bool = true) -> String {
        var saved = termios()
        let restore = hidden && tcgetattr(0, &saved) == 0
        if restore {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSANOW, &quiet)
        }
        defer {
            if restore {
                tcsetattr(0, TCSANOW, &saved)
                if newline { Output.write("\n", logged: false) }
            }
        }
        return line() ?? ""
    }

    /// A line of standard input without its newline; nil at the end of the input.
    static func line() -> String? {
        LiveStatus.prompting(true)
        defer { LiveStatus.prompting(false) }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        var got = false
        while Glibc.read(0, &c, 1) == 1 {
            got = true
            if c == 10 { break }
            bytes.append(c)
        }
        return got ? String(decoding: bytes, as: UTF8.self) : nil
    }
}
