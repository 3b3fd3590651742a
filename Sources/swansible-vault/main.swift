// `swansible-vault`: ansible-vault's encrypt, decrypt, view, encrypt_string, rekey, create and
// edit, writing and reading the same files as ansible-vault. Files are replaced through a
// temporary file and a rename, mode 0600, so a failure never leaves half a file.
import ArgumentParser
import CLI
import CShim
import Engine
import Values
import Vault
#if canImport(Glibc)
import Glibc
#endif

@main
struct SwansibleVault: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swansible-vault", abstract: "encryption/decryption utility for Ansible data files",
        version: Version.text("swansible-vault"),
        subcommands: [Create.self, Decrypt.self, Edit.self, View.self, Encrypt.self, EncryptString.self, Rekey.self])

    /// Vault errors exit 1 and refused options 5, as ansible-vault's do (a command line it cannot parse 2).
    static func main() {
        Preflight.check()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as VaultError {
            Output.error(e.message)
            Glibc.exit(ExitCodes.error)
        } catch let e as OptionsError {
            Output.error(e.message)
            Glibc.exit(ExitCodes.badOption)
        } catch {
            refuse(error)
        }
    }
}

/// A bad combination of options (Ansible's AnsibleOptionsError): the message alone, exit 5.
struct OptionsError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// What every subcommand takes: the vault options and -v.
struct Common: ParsableArguments {
    @OptionGroup var vault: VaultOptions
    @Flag(name: .short, help: "Verbose mode.") var verbose: Int

    func validate() throws {
        for id in vault.vaultIDs where id.contains(";") {
            throw OptionsError("'\(id)' is not a valid vault id. The character ';' is not allowed in vault ids")
        }
    }

    /// The secrets for reading (decrypt, view, rekey, edit).
    func readSecrets() throws -> Settings {
        let settings = Settings.load()
        try vault.load(settings, autoPrompt: true)
        guard !Vault.shared.secrets.isEmpty else { throw OptionsError("A vault password is required to use Ansible's Vault") }
        return settings
    }

    /// The secret to encrypt with (encrypt, encrypt_string, create): the one --encrypt-vault-id names when several are given.
    func encryptID(_ flag: String?) throws -> String {
        let settings = Settings.load()
        try vault.load(settings, autoPrompt: true, newPassword: true)
        let secrets = Vault.shared.secrets
        let wanted = flag ?? settings.vaultEncryptIdentity
        if secrets.count > 1, wanted == nil {
            throw OptionsError("The vault-ids \(secrets.map(\.id).joined(separator: ",")) are available to encrypt. Specify the vault-id to encrypt with --encrypt-vault-id")
        }
        guard let first = secrets.first else { throw OptionsError("A vault password is required to use Ansible's Vault") }
        return wanted ?? first.id
    }
}

/// Ansible's read_data/write_data: `-` is stdin or stdout; files are replaced whole, mode 0600.
enum VaultIO {
    static func read(_ name: String) throws -> [UInt8] {
        if name == "-" { return Subprocess.drain(0) }
        do { return try Files.readBytes(name) } catch let e as FileError {
            throw VaultError("\(e.message): \(name)")
        }
    }

    static func write(_ bytes: [UInt8], to name: String) throws {
        if name == "-" {
            Output.write(String(decoding: bytes, as: UTF8.self))
            return
        }
        let dir = Files.dirname(Files.absolute(name))
        guard access(dir, W_OK) == 0 else { throw VaultError("Destination '\(dir)' not writable") }
        do { try Files.write(name, bytes, mode: 0o600) } catch let e as FileError {
            throw VaultError("Unable to write to temporary vault file: \(e.message)")
        }
        chmod(name, 0o600)
    }

    /// The real path of a file (symlinks followed), as ansible-vault edits the target.
    static func real(_ name: String) -> String { name == "-" ? name : Files.realPath(name) ?? name }

    static func decrypt(_ name: String, reported: String) throws -> [UInt8] {
        let text = String(decoding: try read(name), as: UTF8.self)
        do { return try Vault.shared.decrypt(text) } catch let e as VaultError {
            throw VaultError("\(e.message) for \(reported)")
        }
    }

    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
}

struct Encrypt: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Encrypt YAML file")
    @OptionGroup var common: Common
    @Option(name: .customLong("output"), help: "Output file name for encrypt or decrypt; use - for stdout.") var output: String?
    @Option(name: .customLong("encrypt-vault-id"), help: "The vault id used to encrypt (required if more than one vault-id is provided).")
    var encryptVaultID: String?
    @Argument(help: "Filename") var files: [String] = []

    func validate() throws {
        if output != nil, files.count > 1 { throw OptionsError("At most one input file may be used with the --output option") }
    }

    func run() throws {
        let id = try common.encryptID(encryptVaultID)
        let salt = Settings.load().vaultEncryptSalt.map { Array($0.utf8) }   // VAULT_ENCRYPT_SALT, read once
        if files.isEmpty, isatty(0) == 1 { Output.write("Reading plaintext input from stdin\n", fd: 2) }
        for f in files.isEmpty ? ["-"] : files {
            let path = VaultIO.real(f)
            let text = try Vault.shared.encrypt(try VaultIO.read(path), vaultID: id, salt: salt)
            try VaultIO.write(Array(text.utf8), to: output.map(Files.expandUser) ?? path)
        }
        if VaultIO.stdoutIsTerminal { Output.write("Encryption successful\n", fd: 2) }
    }
}

struct Decrypt: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decrypt vault encrypted file or string")
    @OptionGroup var common: Common
    @Option(name: .customLong("output"), help: "Output file name for encrypt or decrypt; use - for stdout.") var output: String?
    @Argument(help: "Filename") var files: [String] = []

    func validate() throws {
        if output != nil, files.count > 1 { throw OptionsError("At most one input file may be used with the --output option") }
    }

    func run() throws {
        _ = try common.readSecrets()
        if files.isEmpty, isatty(0) == 1 { Output.write("Reading ciphertext input from stdin\n", fd: 2) }
        for f in files.isEmpty ? ["-"] : files {
            let path = VaultIO.real(f)
            let plain = try VaultIO.decrypt(path, reported: path)
            try VaultIO.write(plain, to: output.map(Files.expandUser) ?? path)
        }
        if VaultIO.stdoutIsTerminal { Output.write("Decryption successful\n", fd: 2) }
    }
}

struct View: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "View vault encrypted file")
    @OptionGroup var common: Common
    @Argument(help: "Filename") var files: [String] = []

    func run() throws {
        _ = try common.readSecrets()
        for f in files {
            let text = String(decoding: try VaultIO.decrypt(f, reported: f), as: UTF8.self)
            Output.write(text.hasSuffix("\n") || text.isEmpty ? text : text + "\n")
        }
    }
}

struct EncryptString: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encrypt_string", abstract: "Encrypt a string")
    @OptionGroup var common: Common
    @Option(name: .customLong("output"), help: "Output file name; use - for stdout.") var output: String?
    @Option(name: .customLong("encrypt-vault-id"), help: "The vault id used to encrypt (required if more than one vault-id is provided).")
    var encryptVaultID: String?
    @Flag(name: [.short, .customLong("prompt")], help: "Prompt for the string to encrypt.") var prompt = false
    @Flag(name: .customLong("show-input"), help: "Do not hide input when prompted for the string to encrypt.") var showInput = false
    @Option(name: [.short, .customLong("name")], help: "Specify the variable name (repeatable).") var names: [String] = []
    @Option(name: .customLong("stdin-name"), help: "Specify the variable name for stdin.") var stdinName: String?
    @Argument(help: "String to encrypt") var strings: [String] = []

    var readsStdin: Bool { strings.contains("-") || stdinName != nil || (strings.isEmpty && !prompt) }

    func validate() throws {
        if prompt, readsStdin { throw OptionsError("The --prompt option is not supported if also reading input from stdin") }
    }

    func run() throws {
        let id = try common.encryptID(encryptVaultID)
        var inputs: [(text: [UInt8], source: String, name: String?)] = []
        if prompt {
            Output.write("Variable name (enter for no name): ")
            let name = Prompt.read(hidden: false)
            Output.write(showInput ? "String to encrypt:" : "String to encrypt (hidden): ")
            let text = Prompt.read(hidden: !showInput)
            guard !text.isEmpty else { throw OptionsError("The plaintext provided from the prompt was empty, not encrypting") }
            inputs.append((Array(text.utf8), "the interactive prompt", name.isEmpty ? nil : name))
        }
        if readsStdin {
            if VaultIO.stdoutIsTerminal {
                Output.write("Reading plaintext input from stdin. (ctrl-d to end input, twice if your content does not already have a newline)\n", fd: 2)
            }
            let text = Subprocess.drain(0)
            guard !text.isEmpty else { throw OptionsError("stdin was empty, not encrypting") }
            inputs.append((text, "stdin", stdinName))
        }
        let args = strings.filter { $0 != "-" }
        if !names.isEmpty, args.count > names.count {
            Output.write("The number of --name options do not match the number of args.\n", fd: 2)
            Output.write("The last named variable will be \"\(names.last!)\". The rest will not have names.\n", fd: 2)
        }
        for (i, a) in args.enumerated() {
            guard !a.isEmpty else { throw OptionsError("The plaintext provided from the command line args was empty, not encrypting") }
            inputs.append((Array(a.utf8), "the command line args", i < names.count ? names[i] : nil))
        }
        var outs: [String] = []
        for (i, input) in inputs.enumerated() {
            let envelope = try Vault.shared.encrypt(input.text, vaultID: id)
            let lines = envelope.split(separator: "\n").map { String(repeating: " ", count: 10) + $0 }
            outs.append(([(input.name.map { "\($0): " } ?? "") + "!vault |"] + lines).joined(separator: "\n"))
            if inputs.count > 1 {
                Output.write(input.name.map { "# The encrypted version of variable (\"\($0)\", the string #\(i + 1) from \(input.source)).\n" }
                             ?? "# The encrypted version of the string #\(i + 1) from \(input.source).)\n", fd: 2)
            }
        }
        try VaultIO.write(Array((outs + [""]).joined(separator: "\n").utf8), to: output.map(Files.expandUser) ?? "-")
        if VaultIO.stdoutIsTerminal { Output.write("Encryption successful\n", fd: 2) }
    }
}

struct Rekey: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-key a vault encrypted file")
    @OptionGroup var common: Common
    @Option(name: .customLong("encrypt-vault-id"), help: "The vault id used to encrypt.") var encryptVaultID: String?
    @Option(name: .customLong("new-vault-password-file"), help: "New vault password file for rekey.") var newPasswordFile: String?
    @Option(name: .customLong("new-vault-id"), help: "The new vault identity to use for rekey.") var newVaultID: String?
    @Argument(help: "Filename") var files: [String] = []

    func validate() throws {
        if newPasswordFile != nil, newVaultID != nil {
            throw OptionsError("argument --new-vault-id: not allowed with argument --new-vault-password-file")
        }
    }

    func run() throws {
        let settings = try common.readSecrets()
        var r = SecretRequest()
        r.vaultIDs = newVaultID.map { [$0] } ?? []
        r.passwordFiles = newPasswordFile.map { [$0] } ?? []
        r.askVaultPass = common.vault.ask
        r.autoPrompt = true
        r.newPassword = true
        r.defaultIdentity = settings.vaultIdentity
        let fresh = try Secrets.load(r, prompt: { q in Output.write(q); return Prompt.read(hidden: true) }, warn: { Output.warning($0) })
        guard !fresh.isEmpty else { throw OptionsError("A new vault password is required to use Ansible's Vault rekey") }
        let wanted = encryptVaultID ?? settings.vaultEncryptIdentity
        let newVault = Vault(secrets: fresh)
        for f in files {
            let path = VaultIO.real(f)
            var st = stat()
            stat(path, &st)
            let plain = try VaultIO.decrypt(path, reported: path)
            try VaultIO.write(Array(try newVault.encrypt(plain, vaultID: wanted).utf8), to: path)
            chmod(path, st.st_mode & 0o7777)
            chown(path, st.st_uid, st.st_gid)
        }
        Output.write("Rekey successful\n", fd: 2)
    }
}

/// create and edit: the plaintext goes to a private temporary file for $EDITOR, then back, encrypted.
enum Editor {
    static func run(plaintext: [UInt8], into path: String, vaultID: String?, vault: Vault) throws {
        var template = Array("/tmp/swansible-vault-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw VaultError("Problem creating temporary vault file.") }
        let tmpDir = String(cString: dir)
        let tmp = Files.join(tmpDir, Files.basename(path))
        defer { Files.remove(tmp); rmdir(tmpDir) }
        try Files.write(tmp, plaintext, mode: 0o600)
        let editor = Files.environment("EDITOR") ?? "vi"
        let pid = Subprocess.spawn(editor.split(separator: " ").map(String.init) + [tmp])
        guard pid > 0, Subprocess.wait(pid) == 0 else { throw VaultError("Failed to open editor '\(editor)'") }
        let edited = try Files.readBytes(tmp)
        // An unchanged file is left as it was, as ansible-vault does.
        if edited == plaintext, Files.exists(path) { return }
        try VaultIO.write(Array(try vault.encrypt(edited, vaultID: vaultID).utf8), to: path)
    }
}

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create new vault encrypted file")
    @OptionGroup var common: Common
    @Option(name: .customLong("encrypt-vault-id"), help: "The vault id used to encrypt.") var encryptVaultID: String?
    @Flag(name: .customLong("skip-tty-check"), help: "Allows editor to be opened when no tty attached.") var skipTTYCheck = false
    @Argument(help: "Filename") var files: [String] = []

    func run() throws {
        let id = try common.encryptID(encryptVaultID)
        guard files.count == 1 else { throw OptionsError("ansible-vault create can take only one filename argument") }
        guard VaultIO.stdoutIsTerminal || skipTTYCheck else { throw OptionsError("not a tty, editor cannot be opened") }
        let path = files[0]
        let dir = Files.dirname(path)
        if !dir.isEmpty, dir != ".", !Files.exists(dir) {
            Output.warning("\(dir) does not exist, creating...")
            try Files.makeDirectories(dir)
        }
        if Files.isRegularFile(path) { throw VaultError("\(path) exists, please use 'edit' instead") }
        try Editor.run(plaintext: [], into: path, vaultID: id, vault: Vault.shared)
    }
}

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Edit vault encrypted file")
    @OptionGroup var common: Common
    @Argument(help: "Filename") var files: [String] = []

    func run() throws {
        _ = try common.readSecrets()
        for f in files {
            let path = VaultIO.real(f)
            let text = String(decoding: try VaultIO.read(path), as: UTF8.self)
            let plain = try VaultIO.decrypt(path, reported: path)
            // Kept under the vault id in its header; the secret that opened it encrypts it again.
            let id = try Envelope(parsing: text).vaultID
            let opener = Vault.shared.secrets.first { s in (try? Vault(secrets: [s]).decrypt(text)) != nil }
            try Editor.run(plaintext: plain, into: path, vaultID: id, vault: Vault(secrets: opener.map { [VaultSecret(id: id ?? $0.id, bytes: $0.bytes)] } ?? []))
        }
    }
}
