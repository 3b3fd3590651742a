// template: rendered on the controller with the host's variables, then sent as copy sends.
import Jinja
import Remote
import Values
import Vault

enum TemplateAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        guard let src = args.removeValue(forKey: "src")?.pythonStr, args["dest"] != nil else {
            throw TaskFailure(message: "src and dest are required")
        }
        let path = try c.findFile(src, kind: "templates")
        var source = try Vault.shared.read(path)
        var options = TemplateOptions(
            trimBlocks: args.removeValue(forKey: "trim_blocks")?.truthy ?? true,
            lstripBlocks: args.removeValue(forKey: "lstrip_blocks")?.truthy ?? false,
            keepTrailingNewline: args.removeValue(forKey: "keep_trailing_newline")?.truthy ?? false)
        for k in ["newline_sequence", "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
                  "comment_start_string", "comment_end_string", "output_encoding"] { args[.string(k)] = nil }
        // `#jinja2:` first-line overrides, as Jinja2's Environment options.
        if source.hasPrefix("#jinja2:"), let nl = source.firstIndex(of: "\n") {
            for opt in source[source.index(source.startIndex, offsetBy: 8)..<nl].split(separator: ",") {
                let kv = opt.split(separator: ":").map { $0.trimmingCharacters(in: " ") }
                guard kv.count == 2 else { continue }
                let on = kv[1] == "True"
                if kv[0] == "trim_blocks" { options.trimBlocks = on }
                if kv[0] == "lstrip_blocks" { options.lstripBlocks = on }
                if kv[0] == "keep_trailing_newline" { options.keepTrailingNewline = on }
            }
            source = String(source[source.index(after: nl)...])
        }
        var templateVars: [String: Value] = [
            "template_path": .string(path), "template_fullpath": .string(Files.absolute(path)),
            "template_host": .string(Hostname.local), "template_destpath": args["dest"] ?? .none,
            "template_uid": .string(Hostname.user),
            "template_mtime": Files.modificationTime(path).map(naiveLocal) ?? .none,
            "template_run_date": naiveLocal(Double(time(nil))),
        ]
        // A user's own `ansible_managed` var is kept (and rendered as any var); else the configured string.
        if c.scope.raw["ansible_managed"] == nil {
            templateVars["ansible_managed"] = .string(c.runner.settings.value(env: "ANSIBLE_MANAGED_STR", key: "ansible_managed") ?? "Ansible managed")
        }
        let scope = c.scope.with(templateVars)
        let text: String
        let searchDirs = (c.task.role.map { [$0.path] } ?? []) + [c.runner.vars.playbookDir, Files.dirname(path)]
        do { text = try c.runner.vars.templar.render(source, scope, options: options, searchDirs: searchDirs) } catch let e as AnsibleError where e.kind == .syntax {
            throw TaskError.templateSyntax(c.task, file: path, line: e.line, e.message)
        } catch let e as AnsibleError {
            throw TaskFailure(message: "\(e.message). \(e.message.contains("undefined") ? "'\(src)' could not be rendered" : "")".trimmingCharacters(in: " ."))
        }
        args["_original_basename"] = .string(Files.basename(path))
        return try await CopyAction.sendFile(c, .bytes(Array(text.utf8)), args: args, diffSource: path)
    }
}

/// datetime.fromtimestamp: a naive datetime in local time, as Ansible's template vars are.
func naiveLocal(_ epoch: Double) -> Value {
    var t = time_t(epoch)
    var tmv = tm()
    localtime_r(&t, &tmv)
    return naiveDatetime(tmv, fraction: epoch - epoch.rounded(.down))
}

/// A naive datetime (Python's, without a zone) from broken-down time.
func naiveDatetime(_ tmv: tm, fraction: Double = 0) -> Value {
    .datetime(DateParts.timestamp(year: Int(tmv.tm_year) + 1900, month: Int(tmv.tm_mon) + 1, day: Int(tmv.tm_mday),
                                  hour: Int(tmv.tm_hour), minute: Int(tmv.tm_min), second: Int(tmv.tm_sec)) + fraction)
}

enum Hostname {
    static let local: String = {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        return String(cString: buf)
    }()
    static let user: String = Files.environment("USER") ?? "root"
}
#if canImport(Glibc)
import Glibc
#endif
