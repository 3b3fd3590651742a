// Ctrl-C ends the run as Ansible does (exit 99), but only after every agent was told to stop,
// so no process and no temp dir is left behind on any target.
import Dispatch
import Remote
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum Interrupt {
    nonisolated(unsafe) static var source: DispatchSourceSignal?
    /// The stopping of every agent, once Ctrl-C came; it ends the process with exit 99.
    static let stopping = Mutex<_Concurrency.Task<Void, Never>?>(nil)

    public static func install() {
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        s.setEventHandler {
            Output.line("[ERROR]: User interrupted execution", .error, stderr: true)
            Output.mute()
            LocalCommand.interruptAll()   // frees the threads they hold, which the stopping needs
            stopping.withLock { t in
                guard t == nil else { return }
                t = _Concurrency.Task {
                    await ContextService.shared.shutdownAll()
                    exit(ExitCodes.keyboardInterrupt)
                }
            }
        }
        s.resume()
        source = s
    }

    /// Called when the run ends: a run that ended because Ctrl-C stopped its agents must not exit
    /// with the run's own code; this waits for the stopping, which exits 99.
    public static func settle() async {
        guard let t = stopping.withLock({ $0 }) else { return }
        await t.value
    }
}
