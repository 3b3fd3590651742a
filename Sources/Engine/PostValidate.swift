// Keyword values checked as ansible-core's FieldAttributes check them once rendered
// (post_validate): a task's keywords on each host when it runs, after its `when`; a play's own
// keywords when it starts. A value of the wrong type is the task's failure, or the play's error.
import Jinja
import Playbook
import Values

enum FieldType: String {
    case string, int, float, bool, percent, list
}

enum KeywordTypes {
    /// The task keywords post_validate converts, in the order Task declares its fields: the first
    /// bad one is reported. (`delegate_to`, `when`, `loop`, `environment`… are worked out by
    /// their own steps; strings never fail.)
    static let task: [(String, FieldType)] = [
        ("delegate_facts", .bool), ("notify", .list), ("tags", .list), ("port", .int), ("no_log", .bool),
        ("run_once", .bool), ("ignore_errors", .bool), ("ignore_unreachable", .bool), ("check_mode", .bool),
        ("diff", .bool), ("any_errors_fatal", .bool), ("throttle", .int), ("timeout", .int), ("become", .bool),
        ("async", .int), ("delay", .float), ("poll", .int), ("retries", .int),
    ]

    /// The play keywords Play validates before its banner (its `always_post_validate` fields).
    static let play: [(String, FieldType)] = [
        ("gather_facts", .bool), ("gather_subset", .list), ("gather_timeout", .int), ("force_handlers", .bool),
        ("max_fail_percentage", .percent), ("serial", .list), ("strategy", .string), ("order", .string),
    ]

    /// loop_control's keywords that LoopControl always validates.
    static let loopControl: [(String, FieldType)] = [
        ("loop_var", .string), ("index_var", .string), ("pause", .float), ("extended", .bool), ("extended_allitems", .bool),
    ]

    /// List keywords whose items must be of these Python types.
    static let listOf: [String: [String]] = ["tags": ["str", "int"], "gather_subset": ["str"]]

    /// A value that is not of its keyword's type: the message, and whether 2.19 raised it while
    /// handling Python's own exception (a section of its own, not joined to its effect).
    struct Invalid: Error {
        var message: String
        var implicit = true
    }

    /// Whether rendering could change the value (a string in it is not plain text).
    static func hasTemplate(_ v: Value) -> Bool {
        switch v {
        case .string(let s): return !Template.isPlain(s)
        case .list(let l): return l.contains(where: hasTemplate)
        case .dict(let d): return d.values.contains(where: hasTemplate)
        default: return false
        }
    }

    /// The value as its type holds it (FieldAttributeBase.get_validated_value).
    static func converted(_ name: String, _ v: Value, _ type: FieldType) throws(Invalid) -> Value {
        let wrong = Invalid(message: "The value \(v.pythonRepr) could not be converted to '\(type.rawValue)'.")
        switch type {
        case .string: return v
        case .bool:
            guard let b = v.strictBool else { throw wrong }
            return .bool(b)
        case .int:
            switch v {
            case .int, .bigInt, .bool: return v
            case .float(let f):
                guard f.isFinite, f == f.rounded(.towardZero) else { throw wrong }
                return PythonNumber.truncated(f)
            case .string(let s), .unsafe(let s):
                // decimal.Decimal(text), which must hold a whole number.
                if let i = PythonNumber.int(s, base: 10) { return i }
                guard let f = PythonNumber.float(stripping: s), f.isFinite, f == f.rounded(.towardZero) else { throw wrong }
                return PythonNumber.truncated(f)
            default: throw wrong
            }
        case .float, .percent:
            switch v {
            case .int, .bigInt: return .float(v.number!)
            case .bool(let b): return .float(b ? 1 : 0)
            case .float: return v
            case .string(let s), .unsafe(let s):
                let text = type == .percent ? s.replacing("%", with: "") : s
                guard let f = PythonNumber.float(stripping: text) else { throw wrong }
                return .float(f)
            default: throw wrong
            }
        case .list:
            let items = v.isNone ? [] : v.listValue ?? [v]
            // Python's bool is an int.
            if let types = listOf[name], let bad = items.first(where: { !types.contains($0.typeName == "bool" ? "int" : $0.typeName) }) {
                let names = types.map { "'\($0)'" }.joined(separator: " or ")
                throw Invalid(message: "Keyword '\(name)' items must be of type \(names), not '\(bad.typeName)'.", implicit: false)
            }
            return .list(items)
        }
    }
}

extension PlaybookRunner {
    /// Where a keyword that applies to the task was written: its own, its blocks', or its play's.
    func keywordLocation(_ task: PlayTask, _ k: String) -> SourceLocation? {
        if task.keywords[k] != nil { return task.keywordLocations[k] }
        if task.inheritedKeywords[k] != nil { return task.inheritedKeywordLocations[k] }
        return playKeywordLocations[k]
    }

    /// Task.post_validate for one host: each keyword that applies to the task rendered and
    /// converted to its type; a level that renders to `omit` gives way to the one above it.
    func postValidate(_ task: PlayTask, _ scope: VarScope) throws {
        // An entry that is no mapping is warned about for every task, whatever its action does
        // with the rest (a render error is the action's); mappings are left to the action alone.
        let levels = [playKeywords["environment"], task.inheritedKeywords["environment"], task.keywords["environment"]]
        if levels.contains(where: { $0.map { $0.dictValue == nil && !$0.isNone && ($0.listValue ?? [$0]).contains { $0.dictValue == nil } } ?? false }) {
            _ = try? environment(task, scope)
        }
        for (k, type) in KeywordTypes.task {
            let levels = [task.keywords[k], task.inheritedKeywords[k], playKeywords[k]]
            guard levels.contains(where: { $0 != nil }) else { continue }
            for case let raw? in levels {
                let v = try keywordValue(task, k, raw, scope)
                if v.isOmit { continue }
                if !v.isNone { try checked(task, k, v, type) }
                break
            }
        }
    }

    /// A keyword's value rendered; a template that fails is the keyword's error.
    func keywordValue(_ task: PlayTask, _ k: String, _ raw: Value, _ scope: VarScope) throws -> Value {
        guard KeywordTypes.hasTemplate(raw) else { return raw }
        do { return try vars.templar.template(raw, scope) } catch let e as AnsibleError {
            let at = keywordLocation(task, k)
            throw PlaybookRunner.keywordError(k, e.message, causeAt: e.location ?? at, at: at, apart: false, under: task).with(e)
        }
    }

    /// "Error processing keyword 'k'." and its cause, under "Task failed." when `task` is given;
    /// `apart`: the cause was raised while Python's own exception was handled.
    static func keywordError(_ k: String, _ cause: String, causeAt: SourceLocation?, at: SourceLocation?, apart: Bool,
                             under task: PlayTask?) -> TaskError {
        let outer = "Error processing keyword '\(k)'"
        var links: [(message: String, location: SourceLocation?)] = [(outer + ".", at), (cause, causeAt)]
        if let task { links.insert(("Task failed.", task.location), at: 0) }
        var e = TaskError(links: links, flat: (task == nil ? "" : "Task failed: ") + "\(outer): \(cause)")
        if apart { e.apart = [links.count - 1] }
        return e
    }

    /// LoopControl.post_validate, before a loop's first item: its keywords rendered and converted
    /// (a bad one fails the task as itself, not as "Task failed").
    func loopControl(_ task: PlayTask, _ scope: VarScope) throws -> [String: Value] {
        guard case .dict(let control)? = task["loop_control"] else { return [:] }
        var out: [String: Value] = [:]
        for (k, type) in KeywordTypes.loopControl {
            guard let raw = control[.string(k)] else { continue }
            let at = task.keywordLocations["loop_control." + k]
            var v = raw
            if KeywordTypes.hasTemplate(raw) {
                do { v = try vars.templar.template(raw, scope) } catch let e as AnsibleError {
                    throw PlaybookRunner.keywordError(k, e.message, causeAt: e.location ?? at, at: at, apart: false, under: nil).with(e)
                }
            }
            if v.isOmit || v.isNone { continue }
            do { out[k] = try KeywordTypes.converted(k, v, type) } catch {
                throw PlaybookRunner.keywordError(k, error.message, causeAt: at, at: at, apart: error.implicit, under: nil)
            }
        }
        return out
    }

    /// The value converted to its keyword's type, or the task's failure naming the keyword.
    /// `at`: where the value was written when it is not a keyword's (include_role's arguments).
    @discardableResult
    func checked(_ task: PlayTask, _ k: String, _ v: Value, _ type: FieldType, at place: SourceLocation? = nil) throws -> Value {
        do { return try KeywordTypes.converted(k, v, type) } catch {
            let at = place ?? keywordLocation(task, k)
            throw PlaybookRunner.keywordError(k, error.message, causeAt: at, at: at, apart: error.implicit, under: task)
        }
    }

    /// Every play of a playbook validated as for a run (--syntax-check and the listings do it too).
    public func validatePlays(_ book: PlaybookFile) throws {
        for var play in book.plays {
            for (k, v) in try prompts(play, asking: false) { play.vars[.string(k)] = v }
            try readStaticVarsFiles(play)
            _ = try postValidate(play)
        }
    }

    /// Play.post_validate before the banner: the play's own keywords rendered with its vars and
    /// converted, kept so for the run; a bad one is a parser error (exit 4).
    func postValidate(_ play: Play) throws -> Play {
        var play = play
        let scope = playScope(play, hosts: [])
        for (k, type) in KeywordTypes.play {
            guard let raw = play.keywords[k] else { continue }
            let at = play.keywordLocations[k]
            let outer = "Error processing keyword '\(k)'"
            func failure(_ message: String, _ place: SourceLocation?, apart: Bool) -> PlaybookError {
                // A cause at the keyword's own place joins it in one section, unless raised while
                // Python's own exception was handled.
                let joined = !apart && (place == nil || place == at)
                var e = PlaybookError(outer + (joined ? ": " + message : "."), at: at)
                if !joined { e.causes = [(message, place, nil)] }
                e.parse = true
                return e
            }
            var v = raw
            if KeywordTypes.hasTemplate(raw) {
                do { v = try vars.templar.template(raw, scope) } catch let e as AnsibleError { throw failure(e.message, e.location ?? at, apart: false) }
            }
            if v.isOmit || v.isNone { play.keywords[k] = nil; continue }
            do { play.keywords[k] = try KeywordTypes.converted(k, v, type) } catch { throw failure(error.message, at, apart: error.implicit) }
        }
        return play
    }
}

extension PlaybookRunner {
    /// `environment:` of the play, its blocks and the task rendered into one mapping (the nearest
    /// wins for a name), as Task._post_validate_environment makes it.
    func environment(_ task: PlayTask, _ scope: VarScope) throws -> Dict {
        var out = Dict()
        // The levels' entries, outermost first, as the keyword's extend/prepend list holds them.
        let levels = [playKeywords["environment"], task.inheritedKeywords["environment"], task.keywords["environment"]]
        let entries = levels.compactMap { $0 }.flatMap { $0.isNone ? [] : $0.listValue ?? [$0] }
        for entry in entries {
            // A dict's values one by one: one that needs `ansible_env` before facts exist is left out.
            if case .dict(let raw) = entry {
                for (k, v) in raw {
                    let r: Value
                    do { r = try vars.templar.template(v, scope) } catch let e as AnsibleError
                        where e.kind == .undefined && (e.message.contains("ansible_env") || e.message.contains("ansible_facts.env")) { continue }
                    if !r.isOmit { out[k] = .string(r.pythonStr) }
                }
                continue
            }
            let rendered = try vars.templar.template(entry, scope)
            guard case .dict(let d) = rendered else {
                if !rendered.isOmit { Output.warning("could not parse environment value, skipping: \(Value.list(entries).pythonRepr)") }
                continue
            }
            for (k, v) in d where !v.isOmit { out[k] = .string(v.pythonStr) }
        }
        return out
    }
}
