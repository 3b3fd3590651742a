// `k=v` free-form task arguments, split as Ansible's split_args/parse_kv split them: quotes and
// Jinja2 blocks keep their spaces, and command-like actions keep the rest as `_raw_params`.
import Values

public enum FreeForm {
    static let commandOptions: Set<String> = ["creates", "removes", "chdir", "executable", "warn", "stdin",
                                              "stdin_add_newline", "strip_empty_ends"]

    /// An open quote or Jinja2 block at the end: split_args refuses the text.
    public struct SplitError: Error, CustomStringConvertible {
        public var args: String
        public var description: String { "failed at splitting arguments, either an unbalanced jinja2 block or quotes: \(args)" }
    }

    /// ansible-core's split_args: words split on spaces and put back together where a quote or
    /// a Jinja2 block spans them; newlines kept (a trailing `\\` joins two lines).
    static func split(_ s: String) throws -> [String] {
        var params: [String] = []
        var quote: Character? = nil
        // Open `{{ }}`, `{% %}` and `{# #}` blocks.
        let delimiters = [("{{", "}}"), ("{%", "%}"), ("{#", "#}")]
        var depths = [0, 0, 0]
        let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
        for (lineIndex, line) in lines.enumerated() {
            var continuation = false
            for (index, token) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
                if token.isEmpty && index != 0 {
                    if params.isEmpty { params.append("") }
                    params[params.count - 1] += " "
                    continue
                }
                if token == "\\" && quote == nil {
                    continuation = true
                    continue
                }
                let wasQuoted = quote != nil
                quote = quoteState(token, quote)
                let inJinja = depths != [0, 0, 0]
                var appended = false
                if quote != nil && !wasQuoted && !inJinja {
                    params.append(String(token))
                    appended = true
                } else if inJinja || quote != nil || wasQuoted {
                    let spacer = index == 0 && wasQuoted ? "" : index > 0 ? " " : ""
                    params[params.count - 1] += spacer + token
                    appended = true
                }
                for (i, (open, close)) in delimiters.enumerated() {
                    let before = depths[i]
                    let opens = occurrences(of: open, in: token), closes = occurrences(of: close, in: token)
                    if opens != closes { depths[i] = max(0, before + opens - closes) }
                    if depths[i] != before && !appended {
                        params.append(String(token))
                        appended = true
                    }
                }
                if depths == [0, 0, 0] && quote == nil && !appended && !token.isEmpty {
                    params.append(String(token))
                }
            }
            if lines.count > 1 && lineIndex != lines.count - 1 && !continuation {
                if params.isEmpty { params.append("") }
                params[params.count - 1] += "\n"
            }
        }
        if quote != nil || depths != [0, 0, 0] { throw SplitError(args: s) }
        return params
    }

    /// _get_quote_state: the quote still open after `token`.
    static func quoteState(_ token: Substring, _ open: Character?) -> Character? {
        var quote = open
        var prev: Character? = nil
        for c in token {
            if (c == "\"" || c == "'") && prev != "\\" {
                if let q = quote { if c == q { quote = nil } } else { quote = c }
            }
            prev = c
        }
        return quote
    }

    /// str.count: non-overlapping occurrences.
    static func occurrences(of needle: String, in s: Substring) -> Int {
        var n = 0
        var rest = s[...]
        while let r = rest.firstRange(of: needle) {
            n += 1
            rest = rest[r.upperBound...]
        }
        return n
    }

    /// join_args: the words back together, none after a newline.
    static func join(_ words: [String]) -> String {
        var out = ""
        for w in words { out += out.isEmpty || out.hasSuffix("\n") ? w : " " + w }
        return out
    }

    static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == s.last, f == "'" || f == "\"" { return String(s.dropFirst().dropLast()) }
        return s
    }

    /// Ansible's _decode_escapes: backslash escapes of Python string literals (\\n, \\", \\xHH, \\uHHHH…).
    static func decodeEscapes(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        let simple: [Character: String] = ["\\": "\\", "'": "'", "\"": "\"", "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}",
                                           "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}"]
        var out = "", i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            let next = s.index(after: i)
            guard c == "\\", next < s.endIndex else { out.append(c); i = next; continue }
            let e = s[next]
            if let r = simple[e] {
                out += r
                i = s.index(after: next)
                continue
            }
            let width = e == "x" ? 2 : e == "u" ? 4 : e == "U" ? 8 : 0
            if width > 0, let end = s.index(next, offsetBy: width + 1, limitedBy: s.endIndex),
               let v = UInt32(s[s.index(after: next)..<end], radix: 16), let u = Unicode.Scalar(v) {
                out.unicodeScalars.append(u)
                i = end
                continue
            }
            out.append(c)
            i = next
        }
        return out
    }

    public static func parse(_ s: String, action: String) throws -> Dict {
        // Only the command-like actions keep `k=v` words in their text (FREEFORM_ACTIONS); for the
        // rest (include_tasks, include_vars…) `file=x.yml` is an argument, as parse_kv splits it.
        let checkRaw = ["command", "shell", "script", "raw", "win_command", "win_shell"].contains(action)
        var options = Dict()
        var raw: [String] = []
        for original in try split(s) {
            let word = Array(decodeEscapes(original))
            guard word.contains("=") else { raw.append(original); continue }
            // The first `=` after the first character that is not escaped splits key from value;
            // the key may be anything, a template included (`set_fact: "{{ item }}=x"`).
            guard let eq = word.indices.dropFirst().first(where: { word[$0] == "=" && word[$0 - 1] != "\\" }) else {
                raw.append(String(word).replacing("\\=", with: "="))
                continue
            }
            let k = String(word[..<eq]), v = String(word[(eq + 1)...])
            if checkRaw && !commandOptions.contains(k) {
                raw.append(original)
            } else {
                options[.string(String(k.trimmingCharacters))] = .string(unquote(String(v.trimmingCharacters)))
            }
        }
        if !raw.isEmpty { options["_raw_params"] = .string(join(raw)) }
        return options
    }
}
