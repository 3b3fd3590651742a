// Regular-expression filters over Swift Regex, which accepts Python's syntax for the patterns
// playbooks use (groups, named groups, classes, anchors).
import Jinja
import Values

enum RegexFilters {
    static func compile(_ pattern: String, ignorecase: Bool, multiline: Bool) throws -> Regex<AnyRegexOutput> {
        do {
            var re = try Regex(pattern)
            if ignorecase { re = re.ignoresCase() }
            if multiline { re = re.anchorsMatchLineEndings() }
            return re
        } catch {
            throw AnsibleError("invalid regular expression '\(pattern)': \(pythonWording(pattern, error))")
        }
    }

    /// Python's words for the pattern errors users meet (`re.error`), else Swift's.
    static func pythonWording(_ pattern: String, _ error: any Error) -> String {
        let text = "\(error)"
        guard text.contains("must appear after expression") else { return text }
        let p = Array(pattern)
        let at = p.indices.first { "*+?".contains(p[$0]) && ($0 == 0 || "(|".contains(p[$0 - 1])) } ?? 0
        return "nothing to repeat at position \(at)"
    }

    static func flags(_ a: Arguments) -> (Bool, Bool) {
        (a.keywords["ignorecase"]?.truthy ?? false, a.keywords["multiline"]?.truthy ?? false)
    }

    static func group(_ m: Regex<AnyRegexOutput>.Match, _ ref: String) -> Value {
        if let n = Int(ref) { return n < m.output.count ? m.output[n].substring.map { .string(String($0)) } ?? .none : .none }
        return m.output[ref]?.substring.map { .string(String($0)) } ?? .none
    }

    static let filters: [String: Filter] = [
        "regex_replace": { v, a, _ in
            let (ic, ml) = flags(a)
            let re = try compile(a.get(0, "pattern")?.pythonStr ?? "", ignorecase: ic, multiline: ml)
            let replacement = a.get(1, "replacement")?.pythonStr ?? ""
            let count = a.get(4, "count")?.intValue ?? 0
            var done = 0
            let s = v.pythonText
            var out = ""
            var pos = s.startIndex
            for m in s.matches(of: re) {
                if count > 0 && done >= count { break }
                out += s[pos..<m.range.lowerBound]
                var it = Array(replacement)[...]
                while let c = it.first {
                    it = it.dropFirst()
                    if c == "\\", let d = it.first {
                        it = it.dropFirst()
                        if let n = d.wholeNumberValue { out += group(m, String(n)).stringValue ?? "" } else if d == "g", it.first == "<", let close = it.firstIndex(of: ">") {
                            out += group(m, String(it[(it.startIndex + 1)..<close])).stringValue ?? ""
                            it = it[(close + 1)...]
                        } else if d == "n" { out += "\n" } else if d == "t" { out += "\t" } else if d == "\\" { out += "\\" } else { out += "\\" + String(d) }
                    } else { out.append(c) }
                }
                pos = m.range.upperBound
                done += 1
            }
            // mandatory_count: the number of substitutions asked for (the message gives `count`, as Ansible's does).
            if let wanted = a.get(5, "mandatory_count")?.intValue, wanted != 0, wanted != done {
                throw AnsibleError("'\(a.get(0, "pattern")?.pythonStr ?? "")' should match \(wanted) times, but matches \(count) times in '\(s)'")
            }
            return .string(out + s[pos...])
        },
        "regex_search": { v, a, _ in
            let (ic, ml) = flags(a)
            let re = try compile(a.get(0, "regex")?.pythonStr ?? "", ignorecase: ic, multiline: ml)
            let s = v.pythonText
            // Back-references name the groups wanted: \\g<name> or \\N; anything else is refused.
            var names: [String] = []
            for r in a.positional.dropFirst().map(\.pythonStr) {
                if r.hasPrefix("\\g") {
                    guard r.hasPrefix("\\g<"), r.hasSuffix(">"), r.count > 4 else { throw AnsibleError("'NoneType' object has no attribute 'group'") }
                    names.append(String(r.dropFirst(3).dropLast()))
                } else if r.hasPrefix("\\") {
                    let digits = r.dropFirst().prefix { $0.isASCII && $0.isNumber }
                    guard !digits.isEmpty else { throw AnsibleError("'NoneType' object has no attribute 'group'") }
                    names.append(String(digits))
                } else {
                    throw AnsibleError("Unknown argument")
                }
            }
            guard let m = try re.firstMatch(in: s) else { return .none }
            if names.isEmpty { return .string(String(s[m.range])) }
            return .list(try names.map { name in
                let known = Int(name).map { $0 < m.output.count } ?? (m.output[name] != nil)
                guard known else { throw AnsibleError("no such group") }
                return group(m, name)
            })
        },
        "regex_findall": { v, a, _ in
            let (ic, ml) = flags(a)
            let re = try compile(a.get(0, "regex")?.pythonStr ?? "", ignorecase: ic, multiline: ml)
            let s = v.pythonText
            return .list(s.matches(of: re).map { m in
                switch m.output.count {
                case 1: return .string(String(s[m.range]))
                case 2: return group(m, "1")
                default: return .tuple((1..<m.output.count).map { group(m, String($0)) })   // re.findall: a tuple of the groups
                }
            })
        },
        "regex_escape": { v, a, _ in
            var out = ""
            let reType = a.get(0, "re_type")?.pythonStr ?? "python"
            guard reType == "python" || reType == "posix_basic" else {
                throw AnsibleError(reType == "posix_extended" ? "Regex type (posix_extended) not yet implemented" : "Invalid regex type (\(reType))")
            }
            let special = reType == "posix_basic" ? "\\[]^$.*" : "\\.^$*+?{}[]|()-#&~ \t\n\r\u{0B}\u{0C}"
            for c in v.pythonStr { if special.contains(c) { out += "\\" }; out.append(c) }
            return .string(out)
        },
        "split": { v, a, _ in
            let sep = a.get(0, "sep")?.stringValue
            let max = a.get(1, "maxsplit")?.intValue ?? -1
            let s = v.pythonText
            if let sep { return .list(splitOn(s, sep, max).map(Value.string)) }
            return .list(s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map { .string(String($0)) })
        },
    ]

    static func splitOn(_ s: String, _ sep: String, _ max: Int) -> [String] {
        guard !sep.isEmpty else { return [s] }
        var out: [String] = []
        var rest = Substring(s)
        while max < 0 || out.count < max, let r = rest.firstRange(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}
