// ansible.builtin tests: task results, regexes, versions, sets, files on the controller.
import Jinja
import Values
#if canImport(Glibc)
import Glibc
#endif

enum AnsibleTests {
    static func result(_ v: Value, _ test: String) throws -> Dict {
        guard case .dict(let d) = v else { throw AnsibleError("The '\(test)' test expects a dictionary") }
        return d
    }

    static func regex(_ v: Value, _ a: Arguments, mode: String) throws -> Bool {
        guard let p = a.get(0, "pattern")?.pythonStr else { return false }
        let re = try RegexFilters.compile(p, ignorecase: a.keywords["ignorecase"]?.truthy ?? false, multiline: a.keywords["multiline"]?.truthy ?? false)
        let s = v.pythonStr
        switch mode {
        case "match": return try re.prefixMatch(in: s) != nil
        default: return try re.firstMatch(in: s) != nil
        }
    }

    /// Compares versions as LooseVersion does: numbers numerically, words alphabetically.
    static func compareVersions(_ a: String, _ b: String) -> Int {
        func parts(_ s: String) -> [Value] {
            var out: [Value] = []
            var cur = ""
            var digits = false
            for c in s {
                let d = c.isNumber
                if c == "." || c == "-" || c == "+" || c == "_" {
                    if !cur.isEmpty { out.append(digits ? .int(Int(cur) ?? 0) : .string(cur)) }
                    cur = ""
                    continue
                }
                if !cur.isEmpty && d != digits {
                    out.append(digits ? .int(Int(cur) ?? 0) : .string(cur))
                    cur = ""
                }
                digits = d
                cur.append(c)
            }
            if !cur.isEmpty { out.append(digits ? .int(Int(cur) ?? 0) : .string(cur)) }
            return out
        }
        let x = parts(a), y = parts(b)
        for (p, q) in zip(x, y) where p != q {
            switch (p, q) {
            case (.int(let i), .int(let j)): return i < j ? -1 : 1
            case (.int, _): return 1
            case (_, .int): return -1
            default: return p.pythonStr < q.pythonStr ? -1 : 1
            }
        }
        return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }

    /// LooseVersion comparisons here; `strict`, the other `version_type`s (StrictVersion,
    /// SemanticVersion, PEP 440) and every error case are ansible-core's own test, in the helper.
    static func version(_ v: Value, _ a: Arguments) throws -> Bool {
        let other = a.get(0, "version")?.pythonStr ?? ""
        let op = a.get(1, "operator")?.pythonStr ?? "eq"
        let special = [a.get(2, "strict"), a.get(3, "version_type")].contains { $0.map { !$0.isNone } ?? false }
        let operators: Set<String> = ["==", "=", "eq", "<", "lt", "<=", "le", ">", "gt", ">=", "ge", "!=", "<>", "ne"]
        if special || v.pythonStr.isEmpty || other.isEmpty || !operators.contains(op) {
            guard let test = PythonPlugins.shared.test("ansible.builtin.version") else {
                throw AnsibleError("Version comparison: ansible-core's version test is not available")
            }
            return try test(v, a, Environment())
        }
        let c = compareVersions(v.pythonStr, other)
        switch op {
        case "==", "=", "eq": return c == 0
        case "!=", "<>", "ne": return c != 0
        case "<", "lt": return c < 0
        case "<=", "le": return c <= 0
        case ">", "gt": return c > 0
        case ">=", "ge": return c >= 0
        default: throw AnsibleError("Invalid operator type (\(op))")
        }
    }

    /// A result's `changed`, or for a loop's result without one, whether any item changed.
    static func changed(_ v: Value) throws -> Bool {
        let r = try result(v, "changed")
        if let c = r["changed"] { return c.truthy }
        guard case .list(let items)? = r["results"], case .dict? = items.first else { return false }
        return items.contains { $0["changed"]?.truthy ?? false }
    }

    static func fileStat(_ path: String, link: Bool = false) -> Glibc.stat? {
        var st = Glibc.stat()
        if link { return lstat(path, &st) == 0 ? st : nil }
        return stat(path, &st) == 0 ? st : nil
    }

    static let tests: [String: Test] = [
        "failed": { v, _, _ in try result(v, "failed")["failed"]?.truthy ?? false },
        "failure": { v, _, _ in try result(v, "failed")["failed"]?.truthy ?? false },
        "succeeded": { v, _, _ in !(try result(v, "failed")["failed"]?.truthy ?? false) },
        "success": { v, _, _ in !(try result(v, "failed")["failed"]?.truthy ?? false) },
        "successful": { v, _, _ in !(try result(v, "failed")["failed"]?.truthy ?? false) },
        "changed": { v, _, _ in try changed(v) },
        "change": { v, _, _ in try changed(v) },
        "skipped": { v, _, _ in try result(v, "skipped")["skipped"]?.truthy ?? false },
        "skip": { v, _, _ in try result(v, "skipped")["skipped"]?.truthy ?? false },
        "finished": { v, _, _ in (try result(v, "finished")["finished"]?.truthy) ?? true },
        "started": { v, _, _ in (try result(v, "started")["started"]?.truthy) ?? true },
        "match": { v, a, _ in try regex(v, a, mode: "match") },
        "search": { v, a, _ in try regex(v, a, mode: "search") },
        "regex": { v, a, _ in try regex(v, a, mode: a.keywords["match_type"]?.pythonStr ?? "search") },
        "version": { v, a, _ in try version(v, a) },
        "version_compare": { v, a, _ in try version(v, a) },
        "subset": { v, a, _ in
            let big = try SetFilters.list(a.positional.first ?? .list([]))
            return try SetFilters.list(v).allSatisfy { big.contains($0) }
        },
        "superset": { v, a, _ in
            let small = try SetFilters.list(a.positional.first ?? .list([]))
            let me = try SetFilters.list(v)
            return small.allSatisfy { me.contains($0) }
        },
        "contains": { v, a, _ in
            // Python's `in`: a substring of a string, else a member.
            if let s = v.stringValue, let sub = a.positional.first?.stringValue { return sub.isEmpty || s.contains(sub) }
            return try SetFilters.list(v).contains(a.positional.first ?? .none)
        },
        "any": { v, _, _ in try SetFilters.list(v).contains { $0.truthy } },
        "all": { v, _, _ in try SetFilters.list(v).allSatisfy { $0.truthy } },
        // convert_bool: a value boolean() knows is taken as that, any other by its truth.
        "truthy": { v, a, _ in a.get(0, "convert_bool")?.truthy == true ? v.strictBool ?? v.truthy : v.truthy },
        "falsy": { v, a, _ in !(a.get(0, "convert_bool")?.truthy == true ? v.strictBool ?? v.truthy : v.truthy) },
        "file": { v, _, _ in fileStat(v.pythonStr).map { ($0.st_mode & S_IFMT) == S_IFREG } ?? false },
        "directory": { v, _, _ in fileStat(v.pythonStr).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false },
        "link": { v, _, _ in fileStat(v.pythonStr, link: true).map { ($0.st_mode & S_IFMT) == S_IFLNK } ?? false },
        "exists": { v, _, _ in fileStat(v.pythonStr) != nil },
        "abs": { v, _, _ in
            guard let s = v.stringValue else { throw AnsibleError("expected str, bytes or os.PathLike object, not \(v.typeName)") }
            return s.hasPrefix("/")
        },
        "same_file": { v, a, _ in
            guard let x = fileStat(v.pythonStr), let y = fileStat(a.positional.first?.pythonStr ?? "") else { return false }
            return x.st_dev == y.st_dev && x.st_ino == y.st_ino
        },
        "nan": { v, _, _ in v.number?.isNaN ?? false },
        "vault_encrypted": { v, _, _ in if case .vault = v { return true }; return false },
    ]
}
