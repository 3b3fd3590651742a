// What every Ansible command checks before anything else: the configuration's values (importing
// ansible's constants), then the user's locale, which must load and use UTF-8 (initialize_locale).
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Engine
import Values

public enum Preflight {
    /// Both checks, in Ansible's order.
    public static func check() {
        config()
        locale()
    }

    /// Settings of the wrong type or outside their choices stop every command before its
    /// arguments are read, as importing ansible's constants does (exit 5).
    public static func config() {
        let settings = Settings.load()
        do {
            if let problem = settings.problem { throw ConfigError(description: problem) }
            if let library = ModuleLibrary.locate(collectionsPaths: settings.collectionsPaths) {
                let path = Files.join(library.ansibleDir, "config/base.yml")
                if let text = try? Files.read(path) { try settings.checkValues(definitions: text, file: path) }
            }
        } catch {
            Output.write("ERROR: \(error)\n", fd: 2, logged: false)
            exit(ExitCodes.badOption)
        }
    }

    public static func locale() {
        if let problem = localeProblem() {
            Output.write("ERROR: Ansible \(problem)\n", fd: 2, logged: false)
            exit(1)
        }
    }

    /// Python's view of the locale: setlocale(LC_ALL, "") must succeed, and LC_CTYPE's codeset
    /// be UTF-8. A plain C or POSIX LC_CTYPE passes when LC_ALL is unset, as Python coerces it
    /// to C.UTF-8 (PEP 538); under LC_ALL it has no encoding at all.
    static func localeProblem() -> String? {
        defer { setlocale(LC_ALL, "C") }   // the controller's own formatting stays the C locale's
        guard setlocale(LC_ALL, "") != nil else { return "could not initialize the preferred locale: unsupported locale setting" }
        let ctype = setlocale(LC_CTYPE, nil).map { String(cString: $0) } ?? "C"
        let env = { (name: String) in Files.environment(name).flatMap { $0.isEmpty ? nil : $0 } }
        if ctype == "C" || ctype == "POSIX" {
            if env("LC_ALL") == nil, env("PYTHONCOERCECLOCALE") != "0" { return nil }
            return "requires the locale encoding to be UTF-8; Detected None."
        }
        let name = ctype.split(separator: "@").first.map(String.init) ?? ctype
        var encoding = name.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init)
            ?? nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? "None"
        let plain = encoding.lowercased().filter { $0 != "-" && $0 != "_" }
        if plain == "utf8" { return nil }
        if encoding.uppercased().hasPrefix("ISO-") { encoding = "ISO" + encoding.dropFirst(4) }   // Python's normalized name
        return "requires the locale encoding to be UTF-8; Detected \(encoding)."
    }
}

extension ParsableCommand {
    /// A command line ArgumentParser refuses (an unknown option, a bad or missing value) exits 2,
    /// as argparse makes Ansible's commands exit (not ArgumentParser's 64); other errors as they are.
    public static func refuse(_ error: Error) -> Never {
        if exitCode(for: error) == .validationFailure {
            Output.error(fullMessage(for: error))
            Glibc.exit(ExitCodes.usage)
        }
        exit(withError: error)
    }
}

extension AsyncParsableCommand {
    /// The commands' entry: the configuration and locale checked first, then the arguments
    /// parsed and run.
    /// `valued`: the short options that take a value, which argparse also reads attached.
    public static func launch(valued: Set<Character>) async {
        Preflight.check()
        do {
            var command: ParsableCommand
            let args = Array(CommandLine.arguments.dropFirst())
            do { command = try parseAsRoot(args) } catch {
                let split = AttachedValues.split(args, valued: valued)
                guard split != args, let again = try? parseAsRoot(split) else { throw error }
                command = again
            }
            if var c = command as? AsyncParsableCommand { try await c.run() } else { try command.run() }
        } catch {
            refuse(error)
        }
    }
}
