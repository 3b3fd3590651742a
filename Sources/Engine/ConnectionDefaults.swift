// What the configuration (ansible.cfg, ANSIBLE_*, the command line) gives every connection,
// read once per run: each task-host's connection starts from these and its own variables.
import Values

struct ConnectionDefaults {
    // The magic variables' values (PlayContext.update_vars) where a host sets none.
    let transport: Value, shellExecutable: Value, pipelining: Value, sshPipelining: Value, magicTimeout: Value
    let magicRemoteUser: Value?, magicPrivateKeyFile: Value?, magicPort: Value?
    /// -k / connection_password_file: templates see it, never render it.
    let magicPassword: Value?

    // The connection plugins' options.
    let connection: String
    let remoteUser: String?
    let interpreter: String?
    let hostKeyChecking: Bool
    let port: Int?
    let password: String?
    let privateKeyFile: String?
    /// 2.19's private_key and its passphrase from the environment.
    let privateKey: String?, privateKeyPassphrase: String?
    let sshTimeout: Int
    let sshExecutable: String?
    let sshRetries: Int
    /// ssh_args, ssh_common_args, ssh_extra_args as configured (or given on the command line).
    let sshArgs: String?, sshCommonArgs: String?, sshExtraArgs: String?

    // Become.
    let become: Bool
    let becomeMethod: String
    let becomeAllowSameUser: Bool
    /// Each become plugin's options as configured, by its short name.
    let becomeOptions: [String: Become]
    let suPrompts: [String]?
    /// -K's password (or BECOME_PASSWORD_FILE's): a Python become plugin's `become_pass` task key.
    let askedBecomePassword: String?

    /// What ActionBase hands every module from the settings, where the task's variables say nothing.
    let modules: ModuleSettings

    struct ModuleSettings {
        let remoteTmp: String, syslogFacility: String, noTargetSyslog: Bool, keepRemoteFiles: Bool
        let selinuxSpecialFS: [String], targetLogInfo: String?

        init(_ settings: Settings) {
            // Of remote_tmp's two variables the later one wins, as ConfigManager reads env lists.
            remoteTmp = Files.environment("ANSIBLE_REMOTE_TMP") ?? settings.value(env: "ANSIBLE_REMOTE_TEMP", key: "remote_tmp") ?? "~/.ansible/tmp"
            syslogFacility = settings.value(env: "ANSIBLE_SYSLOG_FACILITY", key: "syslog_facility") ?? "LOG_USER"
            noTargetSyslog = settings.value(env: "ANSIBLE_NO_TARGET_SYSLOG", key: "no_target_syslog").map(Settings.truthy) ?? false
            keepRemoteFiles = settings.value(env: "ANSIBLE_KEEP_REMOTE_FILES", key: "keep_remote_files").map(Settings.truthy) ?? false
            selinuxSpecialFS = settings.value(env: "ANSIBLE_SELINUX_SPECIAL_FS", section: "selinux", key: "special_context_filesystems")
                .map(Settings.list) ?? ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"]
            targetLogInfo = settings.value(env: "ANSIBLE_TARGET_LOG_INFO", key: "target_log_info")
        }
    }

    struct Become {
        let user: String, password: String?, flags: String?, exe: String?
    }

    init(_ settings: Settings) {
        connection = settings.transport
        transport = .string(connection == "smart" ? "ssh" : connection)
        shellExecutable = .string(settings.value(env: "ANSIBLE_EXECUTABLE", key: "executable") ?? "/bin/sh")
        // ANSIBLE_PIPELINING (PlayContext's), and the ssh plugin's own `pipelining` option as its
        // definition reads it: each is the `ansible_pipelining` a task sees on its connection.
        pipelining = .bool(settings.option(envs: ["ANSIBLE_PIPELINING"], ini: [("defaults", "pipelining"), ("connection", "pipelining")])
            .map(Settings.truthy) ?? false)
        sshPipelining = .bool(settings.option(envs: ["ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING"],
                                              ini: [("defaults", "pipelining"), ("connection", "pipelining"), ("ssh_connection", "pipelining")])
            .map(Settings.truthy) ?? false)
        magicTimeout = .int(settings.timeout)
        remoteUser = settings.remoteUser
        privateKeyFile = settings.privateKeyFile
        port = settings.remotePort
        password = settings.connectionPassword
        magicRemoteUser = remoteUser.map(Value.string)
        magicPrivateKeyFile = privateKeyFile.map(Value.string)
        magicPort = port.map(Value.int)
        magicPassword = password.map(Value.unsafe)

        interpreter = settings.interpreterPython
        hostKeyChecking = settings.hostKeyChecking
        privateKey = Files.environment("ANSIBLE_PRIVATE_KEY")
        privateKeyPassphrase = Files.environment("ANSIBLE_PRIVATE_KEY_PASSPHRASE")
        sshTimeout = settings.sshTimeout
        sshExecutable = settings.sshExecutable
        sshRetries = settings.sshRetries
        sshArgs = settings.value(env: "ANSIBLE_SSH_ARGS", section: "ssh_connection", key: "ssh_args")
        sshCommonArgs = settings.value(env: "ANSIBLE_SSH_COMMON_ARGS", section: "ssh_connection", key: "ssh_common_args")
        sshExtraArgs = settings.value(env: "ANSIBLE_SSH_EXTRA_ARGS", section: "ssh_connection", key: "ssh_extra_args")

        become = settings.become
        becomeMethod = settings.becomeMethod
        becomeAllowSameUser = settings.becomeAllowSameUser
        var options: [String: Become] = [:]
        for m in ConnectionConfig.becomeMethods {
            options[m] = Become(user: settings.becomeUser(m), password: settings.becomePassword(m),
                                flags: settings.becomeFlags(m), exe: settings.becomeExe(m))
        }
        becomeOptions = options
        askedBecomePassword = settings.becomePassword
        suPrompts = settings.value(env: "ANSIBLE_SU_PROMPT_L10N", section: "su_become_plugin", key: "localized_prompts")
            .map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: " ") } }
        modules = ModuleSettings(settings)
    }
}
