// Lookup plugins as the template engine calls them (`lookup`, `query`/`q`, `with_<name>`):
// each takes its terms and keyword options and returns a list.
import Jinja
import Values

struct LookupContext {
    let scope: VarScope
    let playbookDir: String
    let templar: Templar
    /// The task's action when the lookup runs as `with_<name>` (first_found picks its subdir by it).
    var withAction: String? = nil

    var rolePath: String? { (try? scope.lookup("role_path"))??.stringValue }

    /// Ansible's find_file_in_search_path (path_dwim_relative_stack): in each of the task's
    /// search paths (its role, its file's dir) `<kind>/name` then `name` (a task file in a role's
    /// tasks/ subdir also tries the role's `<kind>/`), and last the playbook's dir the same way.
    func find(_ name: String, kind: String?) -> String? {
        let n = Files.expandUser(name)
        if n.hasPrefix("/") { return Files.exists(n) ? n : nil }
        let sub = kind ?? ""
        let addsSub = !sub.isEmpty && n.split(separator: "/").first.map(String.init) != sub
        let isRole = rolePath != nil
        var search: [String] = []
        let paths = ((try? scope.lookup("ansible_search_path"))??.listValue ?? []).map(\.pythonStr)
        for path in paths {
            let base = Files.dirname(path)
            if isRole, base.hasSuffix("/tasks") {
                if !sub.isEmpty { search.append(Files.join(Files.join(Files.dirname(base), sub), n)) }
                search.append(Files.join(base, n))
            }
            if addsSub { search.append(Files.join(Files.join(path, sub), n)) }
            search.append(Files.join(path, n))
        }
        if addsSub { search.append(Files.join(Files.join(playbookDir, sub), n)) }
        search.append(Files.join(playbookDir, n))
        return search.first(where: Files.exists)
    }
}

struct LookupNotFound: Error {}

typealias LookupPlugin = @Sendable (_ terms: [Value], _ options: [String: Value], _ c: LookupContext) throws -> [Value]

enum Lookups {
    static let all: [String: LookupPlugin] = FileLookups.all.merging(DataLookups.all) { a, _ in a }
    /// The engine's lookups whose options may be undefined (env's `default=undef()`, given back
    /// when the variable is not set).
    static let optionMarkers: Set<String> = ["env"]

    /// `lookup(name, …)` (wantlist false joins strings with ","), `query`/`q` always a list.
    static func invoke(_ name: String, _ a: Arguments, _ c: LookupContext, forceList: Bool) throws -> Value {
        var kw = a.keywords
        let wantlist = forceList || (kw.removeValue(forKey: "wantlist")?.truthy ?? false)
        let errors = kw.removeValue(forKey: "errors")?.pythonStr ?? "strict"
        let short = PlayTask.shortName(name)
        let result: [Value]
        do {
            if let plugin = all[short] {
                // The engine's lookups use every term: one undefined makes the result undefined.
                // Those that take undefined options get them (accept_args_markers).
                if optionMarkers.contains(short) { for t in a.positional { try UndefinedError.trip(t) } } else { try UndefinedError.trip(a) }
                result = try plugin(a.positional, kw, c)
            } else if let r = try PythonPlugins.shared.lookup(name, terms: a.positional, options: kw, context: c) {
                result = r
            } else {
                throw LookupNotFound()
            }
        } catch is LookupNotFound {
            throw AnsibleError("The lookup plugin '\(name)' was not found.")
        } catch let e as UndefinedError {
            throw e   // a value the lookup gives as undefined (vars' missing name): `default` applies
        } catch {
            if errors == "ignore" || errors == "warn" {
                if errors == "warn" { Output.warning("An error occurred while running the lookup plugin '\(name)'. \(error)") }
                return wantlist ? .list([]) : .none
            }
            throw AnsibleError("The lookup plugin '\(name)' failed: \(error)")
        }
        if wantlist || result.isEmpty { return .list(result) }
        if result.count == 1 { return result[0] }
        if result.allSatisfy({ $0.stringValue != nil }) { return .string(result.map(\.pythonStr).joined(separator: ",")) }
        return .list(result)
    }

    /// Terms as lookups see them: a single string may hold several comma-free terms.
    static func flatTerms(_ terms: [Value]) -> [Value] {
        terms.flatMap { $0.listValue ?? [$0] }
    }

    /// A term in the old `key opt=value ...` form (password): its first word, and
    /// the keyword options with the term's own `opt=value` words laid over them.
    static func keyAndOptions(_ term: Value, _ options: [String: Value]) -> (String, [String: Value]) {
        var opts = options
        let words = term.pythonStr.split(separator: " ")
        for w in words.dropFirst() {
            if let eq = w.firstIndex(of: "=") { opts[String(w[..<eq])] = .string(String(w[w.index(after: eq)...])) }
        }
        return (String(words.first ?? ""), opts)
    }
}
