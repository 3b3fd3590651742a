// Ctrl-C ends the run as Ansible does (exit 99), SIGTERM as it ends it (killed by the signal),
// but only after every agent was told to stop, so no process and no temp dir is left behind.
import Dispatch
import Remote
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum Interrupt {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    /// The stopping of every agent, once Ctrl-C or SIGTERM came; it ends the process.
    static let stopping = Mutex<_Concurrency.Task<Void, Never>?>(nil)

    public static func install() {
        for signum in [SIGINT, SIGTERM] {
            signal(signum, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: signum, queue: .global())
            s.setEventHandler { stop(signum) }
            s.resume()
            sources.append(s)
        }
    }

    /// As ansible-core's workers: the signal goes on to every process group started on this
    /// machine (a local agent and the command it runs die of it), agents elsewhere are told to
    /// stop; then Ctrl-C exits 99 with Ansible's error, SIGTERM kills the process as it would have.
    /// (The task debugger's `quit` says its own words.)
    static func stop(_ signum: Int32, saying: Bool = true) {
        if signum == SIGINT, saying { Output.line("[ERROR]: User interrupted execution", .error, stderr: true) }
        Output.mute()
        Spawn.signalAll(signum)
        LocalCommand.interruptAll(signum)   // frees the threads they hold, which the stopping needs
        stopping.withLock { t in
            guard t == nil else { return }
            t = _Concurrency.Task {
                await ContextService.shared.shutdownAll()
                if signum == SIGINT { exit(ExitCodes.keyboardInterrupt) }
                dieOf(signum)
            }
        }
    }

    /// Ends the process as the signal's default action would (its parent sees it killed by it):
    /// the signal is taken back from the dispatch source and unblocked first.
    static func dieOf(_ signum: Int32) -> Never {
        for s in sources { s.cancel() }
        signal(signum, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signum)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        kill(getpid(), signum)
        exit(128 + signum)   // if it was not delivered
    }

    /// Called when the run ends: a run that ended because Ctrl-C stopped its agents must not exit
    /// with the run's own code; this waits for the stopping, which exits 99.
    public static func settle() async {
        guard let t = stopping.withLock({ $0 }) else { return }
        await t.value
    }
}
