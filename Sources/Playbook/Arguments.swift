// `k=v` free-form task arguments, split as Ansible's split_args/parse_kv split them: quotes and
// Jinja2 blocks keep their spaces, and command-like actions keep the rest as `_raw_params`.
import Values

enum FreeForm {
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
            } else if c == "'" || c == "\"" {
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

    static func parse(_ s: String, action: String) -> Dict {
        let checkRaw = Keywords.freeFormActions.contains(action)
        var options = Dict()
        var raw: [String] = []
        for word in split(s) {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else { raw.append(word); continue }
            let k = String(word[..<eq]), v = String(word[word.index(after: eq)...])
            if checkRaw && !commandOptions.contains(k) || !k.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                raw.append(word)
            } else {
                options[.string(k)] = .string(unquote(v))
            }
        }
        if !raw.isEmpty { options["_raw_params"] = .string(raw.joined(separator: " ")) }
        return options
    }
}
