// `k=v` free-form task arguments, split as Ansible's split_args/parse_kv split them: quotes and
// Jinja2 blocks keep their spaces, and command-like actions keep the rest as `_raw_params`.
import Values

public enum FreeForm {
    static let commandOptions: Set<String> = ["creates", "removes", "chdir", "executable", "warn", "stdin",
                                              "stdin_add_newline", "strip_empty_ends"]

    static func split(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quote: Character? = nil
        var depth = 0
        var prev: Character = " "
        for c in s {
            if let q = quote {
                cur.append(c)
                if c == q && prev != "\\" { quote = nil }
            } else if (c == "'" || c == "\"") && prev != "\\" {   // an escaped quote opens nothing
                quote = c
                cur.append(c)
            } else if (c == "{" || c == "%") && prev == "{" {
                depth += 1
                cur.append(c)
            } else if (c == "}" && (prev == "}" || prev == "%")) && depth > 0 {
                depth -= 1
                cur.append(c)
            } else if (c == " " || c == "\t") && depth == 0 {
                if !cur.isEmpty { out.append(cur); cur = "" }
            } else {
                cur.append(c)
            }
            prev = c
        }
        if !cur.isEmpty { out.append(cur) }
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

    public static func parse(_ s: String, action: String) -> Dict {
        // Only the command-like actions keep `k=v` words in their text (FREEFORM_ACTIONS); for the
        // rest (include_tasks, include_vars…) `file=x.yml` is an argument, as parse_kv splits it.
        let checkRaw = ["command", "shell", "script", "raw", "win_command", "win_shell"].contains(action)
        var options = Dict()
        var raw: [String] = []
        for original in split(s) {
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
        if !raw.isEmpty { options["_raw_params"] = .string(raw.joined(separator: " ")) }
        return options
    }
}
