// Ctrl-C ends the run as Ansible does (exit 99), but only after every agent was told to stop,
// so no process and no temp dir is left behind on any target.
import Dispatch
import Remote
#if canImport(Glibc)
import Glibc
#endif

public enum Interrupt {
    nonisolated(unsafe) static var source: DispatchSourceSignal?

    public static func install() {
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        s.setEventHandler {
            Output.line("[ERROR]: User interrupted execution", .error, stderr: true)
            _Concurrency.Task {
                await ContextService.shared.shutdownAll()
                exit(ExitCodes.keyboardInterrupt)
            }
        }
        s.resume()
        source = s
    }
}
