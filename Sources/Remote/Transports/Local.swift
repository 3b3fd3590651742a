// The local transport: the agent as a child process of the controller, on pipes.
import Values

enum LocalTransport {
    static func start(interpreter: String?) throws -> StreamIO {
        try Spawn.start(["/bin/sh", "-c", OpenFileLimit.restoreCommand + Agent.bootstrapCommand(interpreter: interpreter)])
    }
}

#if canImport(Glibc)
import Glibc
#endif
