// The actions that run on the controller alone: debug, set_fact, assert, fail.
import Jinja
import Playbook
import Values

enum DebugAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        // The action's argument spec: msg, var, verbosity; msg and var mutually exclusive.
        let unknown = c.args.keys.map(\.pythonStr).filter { !["msg", "var", "verbosity"].contains($0) }.sorted()
        if !unknown.isEmpty {
            throw TaskFailure.raise("Unsupported parameters for (debug) module: \(unknown.joined(separator: ", ")). Supported parameters include: msg, var, verbosity.")
        }
        if c.args["msg"] != nil, c.args["var"] != nil { throw TaskFailure.raise("parameters are mutually exclusive: msg|var") }
        if let v = c.args["verbosity"] {
            // check_type_int: an int, or text (or a float) whose decimal value is a whole number.
            let whole: Int? = switch v {
            case .int, .bool: v.intValue
            case .float(let f): Int(exactly: f)
            case .string(let t), .unsafe(let t): PythonNumber.float(stripping: t).flatMap { Int(exactly: $0) }
            default: nil
            }
            guard let level = whole else {
                throw TaskFailure.raise("argument 'verbosity' is of type \(v.typeName) and we were unable to convert to int: \"\(v.pythonRepr)\" cannot be converted to an int")
            }
            if level > c.runner.vars.verbosity {
                return ["changed": false, "skipped_reason": "Verbosity threshold not met.", "skipped": true, "failed": false]
            }
        }
        var r: Dict = ["changed": false, "_ansible_verbose_always": true]
        if let v = c.args["var"] {
            guard v.stringValue != nil else {
                throw TaskFailure.raise("argument 'var' is of type \(v.typeName) and we were unable to convert to _check_type_str_no_conversion: '\(v.pythonStr)' is not a string and conversion is not allowed")
            }
            let name = v.pythonStr
            do {
                // The name is an expression: evaluated only when trusted, undefined shown as such.
                if case .unsafe = v { throw AnsibleError(Templar.untrustedMessage, kind: .untrusted) }
                var errors: [String] = []
                let resolved = try Templar.$origin.withValue(c.task.argLocations["var"]) {
                    try DeprecatedValues.audited {
                        let r = try c.runner.vars.templar.resolve(.string("{{ \(name) }}"), c.scope).tupleFree()
                        try Templar.tripVaults(r)   // undefined items are shown in place; vault markers fail
                        return r
                    }
                }
                let value = DebugAction.markingErrors(resolved, &errors)
                if !errors.isEmpty {
                    // 2.19 shows each undefined item in place, numbered, and warns with the same words.
                    r[.string(name)] = value
                    let list = errors.enumerated().map { "error \($0.offset + 1) - \($0.element)" }.joined(separator: "\n")
                    r["warnings"] = [.unsafe("Encountered \(errors.count) template error\(errors.count > 1 ? "s" : "").\n" + list)]
                    r["_swansible_warning_origins"] = [c.task.argLocations["var"].map { .string($0.description) } ?? .none]
                } else if value.isOmit {
                    // 2.19 shows a placeholder for an omit it cannot apply, and says so.
                    r[.string(name)] = "<<Omit>>"
                    r["warnings"] = ["The result of the `var` expression could not be omitted; a placeholder was used instead."]
                    r["_swansible_warning_origins"] = [c.task.argLocations["var"].map { .string($0.description) } ?? .none]
                } else {
                    r[.string(name)] = value
                }
            } catch var e as AnsibleError where e.kind != .undefined {
                // The name is evaluated as an expression, and its errors say so.
                for (template, expression) in [("Error rendering template: ", "Error rendering expression: "),
                                               ("Syntax error in template: ", "Syntax error in expression: ")] where e.message.hasPrefix(template) {
                    e.message = expression + e.message.dropFirst(template.count)
                }
                let outer = "Error while resolving `var` expression"
                let at = c.task.argLocations["var"]
                var error = TaskError(links: [("Task failed.", c.task.location), (outer + ".", at), (e.message, at)],
                                      flat: "Task failed: \(outer): \(e.message)").with(e)
                if e.kind == .untrusted { error.help = Templar.untrustedHelp }
                throw error
            } catch {
                // 2.19 shows an undefined value in place, numbered, and warns with the same words.
                let message = (error as? AnsibleError)?.message ?? "\(error)"
                r[.string(name)] = .unsafe("<< error 1 - \(message) >>")
                r["warnings"] = [.unsafe("Encountered 1 template error.\nerror 1 - \(message)")]
                r["_swansible_warning_origins"] = [c.task.argLocations["var"].map { .string($0.description) } ?? .none]
            }
        } else {
            r["msg"] = c.args["msg"] ?? "Hello world!"
        }
        r["failed"] = false   // as Ansible's debug action says it (registered results show it)
        return r
    }

    /// The value with each undefined marker in it shown as `<< error N - message >>`.
    static func markingErrors(_ v: Value, _ errors: inout [String]) -> Value {
        switch v {
        case .undefined(let m):
            errors.append(m)
            return .unsafe("<< error \(errors.count) - \(m) >>")
        case .list(let l) where v.firstMarker != nil: return .list(l.map { markingErrors($0, &errors) })
        case .dict(let d) where v.firstMarker != nil:
            var out = Dict()
            for (k, x) in d { out[k] = markingErrors(x, &errors) }
            return .dict(out)
        default: return v
        }
    }
}

enum SetFactAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var facts = Dict()
        for (k, v) in c.args where k.pythonStr != "cacheable" {
            // Keys are templated too, and must make a variable name, as Ansible checks.
            let key = try c.runner.vars.templar.template(k, c.scope)
            guard let name = key.stringValue, VariableName.isValid(name) else {
                let msg = VariableName.invalid(key)
                var e = TaskError(links: [("Task failed.", c.task.location), (msg, c.task.argKeyLocations[k.pythonStr] ?? c.task.argLocations[k.pythonStr])],
                                  flat: "Task failed: \(msg)")
                e.help = VariableName.help
                throw e
            }
            // A `!vault` value stays encrypted in the fact (decrypted where it is used, and still
            // `vault_encrypted`), as Ansible keeps its VaultedValue.
            if case .vault? = c.task.args[k] { facts[.string(name)] = c.task.args[k] } else { facts[.string(name)] = v }
        }
        guard !facts.isEmpty else {
            throw TaskFailure(message: "No key/value pairs provided, at least one is required for this action to succeed")
        }
        var r: Dict = ["changed": false, "ansible_facts": .dict(facts)]
        if let cacheable = c.args["cacheable"], AnsibleFilters.boolean(try c.runner.vars.templar.template(cacheable, c.scope)).truthy {
            r["_ansible_facts_cacheable"] = true
        }
        return r
    }
}

enum AssertAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        // `that` is not rendered as other args are: its entries are expressions. Only a `that`
        // wholly inside `{{ }}` is resolved, and used when it gives a list (finalize_task_arg).
        guard var that = c.task.args["that"] ?? c.args["that"] else { throw TaskFailure.raise("missing required arguments: that") }
        if case .string(let s) = that, Keywords.isPossiblyAllTemplate(s) {
            // resolve_to_container: a variable's own list keeps its entries as written (each is a
            // conditional of its own, `{{ }}` ones with their deprecation); else the rendered list.
            let inner = s.dropFirst(2).dropLast(2).trimmingCharacters(in: " ")
            if inner.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), case .list(let l)? = c.scope.raw[inner] {
                that = .list(l)
            } else if case .list(let l)? = try? c.runner.vars.templar.template(that, c.scope) {
                that = .list(l)
            }
        }
        let conditions: [Value] = that.listValue ?? [that]
        let quiet = c.args["quiet"]?.truthy ?? false
        let at = c.task.argLocations["that"]
        // The items' own places when `that` was written as a list (not a template giving one).
        let itemOrigins = c.task.args["that"]?.listValue != nil ? c.task.argItemLocations["that"] ?? [] : []
        for (i, cond) in conditions.enumerated() {
            let ok: Bool
            let itemAt = i < itemOrigins.count ? itemOrigins[i] : at
            do { (ok, _) = try c.runner.vars.templar.conditional(cond, c.scope, origin: itemAt) } catch let e as BrokenConditional {
                throw TaskError.broken(c.task, at: e.location ?? itemAt, e.message, help: e.help)
            } catch let e as AnsibleError {
                // An untrusted condition with no place (typed at the debugger) is shown under `<unknown>`.
                let place = e.location ?? itemAt ?? (e.kind == .untrusted ? SourceLocation.unknown(showing: cond.pythonStr) : nil)
                var error = TaskError(links: [("Task failed.", c.task.location), (e.message, place)], flat: "Task failed: \(e.message)").with(e)
                if e.kind == .untrusted { error.help = Templar.untrustedHelp }
                throw error
            }
            if !ok {
                // The assertion as written, kept as data: registered, it is not rendered again.
                var r: Dict = ["changed": false, "failed": true, "assertion": cond.untrusted, "evaluated_to": false]
                r["msg"] = c.args["fail_msg"] ?? c.args["msg"] ?? "Assertion failed"
                if !quiet { r["_ansible_verbose_always"] = true }
                return r
            }
        }
        var r: Dict = ["changed": false, "msg": c.args["success_msg"] ?? "All assertions passed"]
        if !quiet { r["_ansible_verbose_always"] = true }
        return r
    }
}

enum FailAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        ["changed": false, "failed": true, "msg": c.args["msg"] ?? "Failed as requested from task"]
    }
}

/// validate_argument_spec (and the task a role with an argument spec starts with): the spec's
/// options checked against the given arguments over the variables of the same names, by
/// module_utils' own ArgumentSpecValidator in the controller's Python helper.
enum ValidateArgumentSpecAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        let context = c.args["validate_args_context"] ?? .dict([:])
        guard let raw = c.args["argument_spec"] else {
            throw TaskFailure.raise("\"argument_spec\" arg is required in args: \(Value.dict(c.args).pythonRepr)")
        }
        guard case .dict(let spec) = raw else { throw TaskFailure.raise("Incorrect type for argument_spec, expected dict and got \(raw.typeName)") }
        let provided = c.args["provided_arguments"] ?? .dict([:])
        guard case .dict(let given) = provided else {
            throw TaskFailure.raise("Incorrect type for provided_arguments, expected dict and got \(provided.typeName)")
        }
        var params = Dict()
        for (k, _) in spec { if let v = try c.scope.lookup(k.pythonStr) { params[k] = v } }
        for (k, v) in given { params[k] = v }
        let errors = try PythonPlugins.shared.validateArgumentSpec(spec, params)
        guard errors.isEmpty else {
            return ["failed": true, "changed": false, "msg": .unsafe("Validation of arguments failed:\n" + errors.joined(separator: "\n")),
                    "argument_spec_data": .dict(spec), "argument_errors": .list(errors.map(Value.unsafe)), "validate_args_context": context]
        }
        return ["changed": false, "msg": "The arg spec validation passed", "validate_args_context": context]
    }
}

/// set_stats: data for the run's custom stats (per host or for the whole run, added to what is
/// there or set), shown after the recap when show_custom_stats is on.
enum SetStatsAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var stats: Dict = ["data": .dict([:]), "per_host": false, "aggregate": true]
        if let data = c.args["data"] {
            guard case .dict(let d) = data else {
                return ["failed": true, "changed": false, "msg": "The 'data' option needs to be a dictionary/hash"]
            }
            for opt in ["per_host", "aggregate"] {
                if let v = c.args[.string(opt)] { stats[.string(opt)] = AnsibleFilters.boolean(v) }
            }
            var out = Dict()
            for (k, v) in d {
                guard VariableName.isValid(k.pythonStr) else {
                    throw TaskFailure.raise("Invalid variable name \(Value.string(k.pythonStr).pythonRepr).")
                }
                out[k] = v
            }
            stats["data"] = .dict(out)
        }
        return ["changed": false, "ansible_stats": .dict(stats)]
    }
}
