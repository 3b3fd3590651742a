// The `password` lookup as ansible-core's: a random password kept in a file on the controller
// (`path length= chars= encrypt= ident= seed=`). An encrypted one keeps its salt (and bcrypt's
// ident) beside it in the file, `password salt=… ident=…`, so each run gives the same hash.
import Jinja
import Playbook
import Synchronization
import Values

enum PasswordLookup {
    static let validParams: Set<String> = ["length", "encrypt", "chars", "ident", "seed"]
    static let defaultChars: [String] = ["ascii_letters", "digits", ".,:-_"]
    /// The attributes of Python's `string` module a `chars` entry may name.
    static let stringModule: [String: String] = {
        let lower = "abcdefghijklmnopqrstuvwxyz", upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", digits = "0123456789"
        let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", whitespace = " \t\n\r\u{0B}\u{0C}"
        return ["ascii_letters": lower + upper, "ascii_lowercase": lower, "ascii_uppercase": upper, "digits": digits,
                "hexdigits": digits + "abcdefABCDEF", "octdigits": "01234567", "punctuation": punctuation,
                "whitespace": whitespace, "printable": digits + lower + upper + punctuation + whitespace]
    }()
    /// BaseHash.algorithms: the salt each algorithm gets, and the ident one implies.
    static let saltSizes = ["md5_crypt": 8, "bcrypt": 22, "sha256_crypt": 16, "sha512_crypt": 16]
    static let implicitIdents = ["bcrypt": "2b"]
    /// Hosts look their passwords up at once: one writes the file, the others read it (the
    /// plugin's lock file, for the threads of one process).
    static let lock = Mutex<Void>(())

    static func run(_ terms: [Value], _ options: [String: Value], _ c: LookupContext) throws -> [Value] {
        try Lookups.flatTerms(terms).map { term in
            let (relpath, params) = try parameters(term.pythonStr, options)
            let path = relpath.hasPrefix("/") ? relpath : Files.join(c.playbookDir, relpath)
            let chars = Array(candidates(params["chars"] ?? .list(defaultChars.map(Value.string))))
            let length = try integer(params["length"]) ?? 20
            let encrypt = params["encrypt"].flatMap { $0.truthy ? $0.pythonStr : nil }
            let wantedIdent = params["ident"].flatMap { $0.truthy ? $0.pythonStr : nil }
            let seed = params["seed"].flatMap { $0.isNone ? nil : $0 }
            let (plain, salt, ident) = try lock.withLock { _ in
                var changed = false
                var plain: String, salt: String?, ident: String?
                if path != "/dev/null", let content = try? Files.read(path) {
                    (plain, salt, ident) = parse(Strings.strip(content, nil, left: false, right: true))
                } else {
                    plain = try random(length, chars, seed: seed)
                    changed = true
                }
                if encrypt != nil, salt == nil {
                    changed = true
                    salt = try random(saltSizes[encrypt!] ?? 8, Array(HashFilters.saltChars), seed: nil)
                }
                if ident == nil {
                    ident = wantedIdent
                } else if let wantedIdent, ident != wantedIdent {
                    // (ansible-core names the two the other way round)
                    throw AnsibleError("The ident parameter provided (\(ident!)) does not match the stored one (\(wantedIdent)).")
                }
                if let encrypt, ident == nil, let implicit = implicitIdents[encrypt] {
                    ident = implicit
                    changed = true
                }
                if changed, path != "/dev/null" {
                    var content = plain
                    if encrypt != nil || salt != nil { content += " salt=\(salt ?? "")" + (ident.map { " ident=\($0)" } ?? "") }
                    let dir = Files.dirname(path)
                    if !Files.isDirectory(dir) { try Files.makeDirectories(dir, mode: 0o700) }
                    try Files.write(path, Array((content + "\n").utf8), mode: 0o600)
                }
                return (plain, salt, ident)
            }
            guard let encrypt else { return .string(plain) }
            return .string(try HashFilters.passwordHash(plain, scheme: encrypt, salt: salt, saltSize: nil, rounds: nil,
                                                        ident: encrypt == "bcrypt" ? ident : nil))
        }
    }

    /// The term's path and its `k=v` words over the lookup's keyword options, as _parse_parameters
    /// splits them: words without `=` belong to the path.
    static func parameters(_ term: String, _ options: [String: Value]) throws -> (String, [String: Value]) {
        var params = options
        guard let space = term.firstIndex(of: " ") else { return (term, params) }
        var relpath = String(term[..<space])
        var words = try FreeForm.parse(String(term[term.index(after: space)...]), action: "")
        if let raw = words.removeValue(forKey: "_raw_params") {
            relpath += " " + raw.pythonStr
            guard term.hasPrefix(relpath) else { throw AnsibleError("Unrecognized value after key=value parameters given to password lookup") }
        }
        let invalid = Set(words.keys.map(\.pythonStr)).subtracting(validParams)
        if !invalid.isEmpty {
            throw AnsibleError("Unrecognized parameter(s) given to password lookup: \(invalid.sorted().joined(separator: ", "))")
        }
        for (k, v) in words { params[k.pythonStr] = v }
        return (relpath, params)
    }

    /// The characters to choose from: each entry a `string` attribute or itself, without quotes; a
    /// text entry is split at commas, `,,` standing for a comma.
    static func candidates(_ chars: Value) -> String {
        var specs: [String]
        if let text = chars.stringValue {
            specs = text.contains(",,") ? [","] : []
            specs += text.replacing(",,", with: ",").split(separator: ",").map(String.init)
        } else {
            specs = (chars.listValue ?? []).map(\.pythonStr)
        }
        return specs.map { stringModule[$0] ?? $0 }.joined().filter { $0 != "\"" && $0 != "'" }
    }

    /// random_password: SystemRandom's choices, or random.Random(seed)'s (the same as Python's).
    static func random(_ length: Int, _ chars: [Character], seed: Value?) throws -> String {
        guard !chars.isEmpty || length <= 0 else { throw AnsibleError("Cannot choose from an empty sequence") }
        guard var r = try seed.map({ try PyRandom(seed: .string($0.pythonStr)) }) else {
            return String((0..<max(0, length)).map { _ in chars.randomElement()! })
        }
        return String((0..<max(0, length)).map { _ in chars[r.below(chars.count)] })
    }

    /// _parse_content: `password salt=… ident=…`, split at the last ` salt=` and ` ident=`.
    static func parse(_ content: String) -> (String, String?, String?) {
        guard let s = content.ranges(of: " salt=").last else { return (content, nil, nil) }
        let rest = String(content[s.upperBound...]), password = String(content[..<s.lowerBound])
        if rest.isEmpty { return (password, nil, nil) }
        guard let i = rest.ranges(of: " ident=").last else { return (password, rest, nil) }
        return (password, String(rest[..<i.lowerBound]), String(rest[i.upperBound...]))
    }

    /// An integer option as the plugin's option type reads it.
    static func integer(_ v: Value?) throws -> Int? {
        guard let v, !v.isNone else { return nil }
        if let i = v.intValue { return i }
        guard let i = Int(v.pythonStr.trimmingCharacters(in: " ")) else {
            throw AnsibleError("Config 'length' for 'password' lookup plugin from 'Direct' has an invalid value: Invalid value provided for 'integer': \(Value.string(v.pythonStr).pythonRepr)")
        }
        return i
    }
}
