// Container and namespace connections (docker, podman, kubectl, lxc, lxd, incus, chroot,
// buildah, machinectl, setns): each is a command that runs a shell inside the target, and the
// agent starts through it on local pipes, as with the local transport.
enum CommandTransport {
    static func start(_ argv: [String], interpreter: String?) throws -> StreamIO {
        try Spawn.start(argv + ["/bin/sh", "-c", Agent.bootstrapCommand(interpreter: interpreter)])
    }
}
