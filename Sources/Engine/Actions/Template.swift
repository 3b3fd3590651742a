// template: rendered on the controller with the host's variables, then sent as copy sends.
import Jinja
import Remote
import Synchronization
import Values
import Vault

enum TemplateAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        guard let src = args.removeValue(forKey: "src")?.pythonStr, args["dest"] != nil else {
            throw TaskFailure(message: "src and dest are required")
        }
        let path = try c.findFile(src, kind: "templates", notFound: .caused)
        var source = try Vault.shared.readText(path)
        var options = TemplateOptions(
            trimBlocks: args.removeValue(forKey: "trim_blocks")?.truthy ?? true,
            lstripBlocks: args.removeValue(forKey: "lstrip_blocks")?.truthy ?? false,
            keepTrailingNewline: args.removeValue(forKey: "keep_trailing_newline")?.truthy ?? false)
        var given: [String: Value] = [:]
        for k in TemplateAction.delimiterOptions + ["newline_sequence", "output_encoding"] {
            if let v = args.removeValue(forKey: .string(k)) { given[k] = v }
        }
        if let v = given["newline_sequence"]?.pythonStr {
            // Written as `\r\n` in YAML, it arrives with its backslashes.
            let sequence = ["\\n": "\n", "\\r": "\r", "\\r\\n": "\r\n"][v] ?? v
            guard ["\n", "\r", "\r\n"].contains(sequence) else {
                throw TaskFailure(message: "newline_sequence needs to be one of: \n, \r or \r\n")
            }
            given["newline_sequence"] = .string(sequence)
        }
        TemplateAction.applyDelimiters(given, to: &options)
        // `#jinja2:` first-line overrides, Jinja2 Environment options as Python literals.
        if source.hasPrefix("#jinja2:"), let nl = source.firstIndex(of: "\n") {
            var header: [String: Value] = [:]
            for opt in source[source.index(source.startIndex, offsetBy: 8)..<nl].split(separator: ",") {
                guard let colon = opt.firstIndex(of: ":") else {
                    throw TaskError.templateFile(c.task, file: path, line: 0,
                                                   "Syntax error in template: Missing key-value separator `:` in '#jinja2:' override pair '\(opt)'.")
                }
                let key = opt[..<colon].trimmingCharacters(in: " ")
                var value = opt[opt.index(after: colon)...].trimmingCharacters(in: " ")
                if value.count >= 2, let q = value.first, q == "'" || q == "\"", value.last == q {
                    value = String(value.dropFirst().dropLast())
                    header[key] = .string(value)
                } else {
                    header[key] = .bool(value == "True")
                }
            }
            if let v = header["trim_blocks"] { options.trimBlocks = v.truthy }
            if let v = header["lstrip_blocks"] { options.lstripBlocks = v.truthy }
            if let v = header["keep_trailing_newline"] { options.keepTrailingNewline = v.truthy }
            TemplateAction.applyDelimiters(header, to: &options)
            source = String(source[source.index(after: nl)...])
        }
        let templateVars = TemplateAction.templateVars(path: path, fullPath: Files.absolute(path), dest: args["dest"],
                                                       scope: c.scope)
        let scope = c.scope.with(templateVars)
        let text: String
        let searchDirs = (c.task.role.map { [$0.path] } ?? []) + [c.runner.vars.playbookDir, Files.dirname(path)]
        do { text = try c.runner.vars.templar.render(source, scope, options: options, searchDirs: searchDirs) } catch let e as AnsibleError where e.kind == .syntax {
            throw TaskError.templateFile(c.task, file: path, line: e.line, e.message)
        } catch let e as AnsibleError {
            throw TaskError.templateFile(c.task, file: path, line: 0, e.message).with(e)
        }
        args["_original_basename"] = .string(Files.basename(path))
        CopyAction.preserveMode(&args, of: path)
        let encoding = given["output_encoding"].flatMap { $0.isNone ? nil : $0.pythonStr } ?? ""
        let bytes = try TemplateAction.encode(text, as: encoding.isEmpty ? "utf-8" : encoding)
        return try await CopyAction.sendFile(c, .bytes(bytes), args: args, diffSource: path)
    }
}

extension TemplateAction {
    /// The variables a template sees besides the task's (generate_ansible_template_vars), for the
    /// template action and the template lookup. Names are data, never templates (a file may be
    /// called `{{ 1/0 }}.j2`).
    /// DEFAULT_MANAGED_STR, set once from the configuration before anything runs.
    static let managedFormat = Mutex("Ansible managed")

    static func templateVars(path: String, fullPath: String, dest: Value?, scope: VarScope) -> [String: Value] {
        var st = stat()
        let found = stat(fullPath, &st) == 0
        let mtime = found ? Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9 : 0
        let owner = found ? getpwuid(st.st_uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? String(st.st_uid) : Hostname.user
        var vars: [String: Value] = [
            "template_path": .unsafe(path), "template_fullpath": .unsafe(fullPath),
            "template_host": .unsafe(Hostname.local), "template_destpath": dest.map { .unsafe($0.pythonStr) } ?? .none,
            "template_uid": .unsafe(owner),
            "template_mtime": found ? naiveLocal(mtime) : .none,
            "template_run_date": naiveLocal(Double(time(nil))),
        ]
        // A user's own `ansible_managed` var is kept (and rendered as any var); else the configured string.
        if scope.raw["ansible_managed"] == nil {
            vars["ansible_managed"] = .string(TemplateAction.managed(managedFormat.withLock { $0 }, mtime: mtime))
        }
        return vars
    }

    /// DEFAULT_MANAGED_STR as 2.19 builds it: `{host}`, `{uid}`, `{file}` (str.format, `{{` for a
    /// brace) become template expressions, then strftime with the template's mtime.
    static func managed(_ configured: String, mtime: Double) -> String {
        let fields = ["host": "{{ template_host }}", "uid": "{{ template_uid }}", "file": "{{ template_path }}"]
        var formatted = ""
        var rest = Substring(configured)
        while let c = rest.popFirst() {
            if c == "{", rest.first == "{" || c == "}" && rest.first == "}" {
                formatted.append(c)
                rest.removeFirst()
            } else if c == "{", let close = rest.firstIndex(of: "}"), let value = fields[String(rest[..<close])] {
                formatted += value
                rest = rest[rest.index(after: close)...]
            } else {
                formatted.append(c)
            }
        }
        let text = Clock.format(formatted, mtime)
        return text.isEmpty && !formatted.isEmpty ? formatted : text
    }

    static let delimiterOptions = ["variable_start_string", "variable_end_string", "block_start_string", "block_end_string",
                                   "comment_start_string", "comment_end_string"]

    /// The template module's and lookup's *_start_string / *_end_string options.
    static func applyDelimiters(_ given: [String: Value], to o: inout TemplateOptions) {
        func text(_ k: String) -> String? { given[k].flatMap { $0.isNone ? nil : $0.pythonStr } }
        if let v = text("variable_start_string") { o.variableStart = v }
        if let v = text("variable_end_string") { o.variableEnd = v }
        if let v = text("block_start_string") { o.blockStart = v }
        if let v = text("block_end_string") { o.blockEnd = v }
        if let v = text("comment_start_string") { o.commentStart = v }
        if let v = text("comment_end_string") { o.commentEnd = v }
        if let v = text("newline_sequence") { o.newlineSequence = v }
        if let v = text("line_statement_prefix") { o.lineStatementPrefix = v }
    }
}

extension TemplateAction {
    /// The rendered text in the template's output_encoding (iconv's names cover Python's codecs).
    static func encode(_ text: String, as encoding: String) throws -> [UInt8] {
        if ["utf-8", "utf8"].contains(encoding.lowercased()) { return Surrogates.escapedBytes(text) }
        let utf8 = Array(text.utf8)
        let cd = iconv_open(encoding, "UTF-8")
        guard let cd, cd != iconv_t(bitPattern: -1) else { throw TaskFailure(message: "unknown encoding: \(encoding)") }
        defer { iconv_close(cd) }
        var input = utf8.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: utf8.count * 4 + 16)
        let written: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = inBuf.baseAddress, outPtr = outBuf.baseAddress
                var inLeft = inBuf.count, outLeft = outBuf.count
                guard iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1 else { return nil }
                return outBuf.count - outLeft
            }
        }
        guard let written else {
            throw TaskFailure(message: "'\(encoding)' codec can't encode the rendered template")
        }
        return output[0..<written].map { UInt8(bitPattern: $0) }
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
        return String(nulTerminated: buf)
    }()
    static let user: String = Files.environment("USER") ?? "root"
}
#if canImport(Glibc)
import Glibc
#endif
