// A run keeps one connection (and, on the local transport, one agent process on pipes) per host
// for its whole length: with a few hundred hosts that passes the usual soft limit of 1024 open
// files. The controller raises its soft limit to the hard one, as Mitogen does (#549); the
// agents it starts locally get the original back, so modules see the limit ansible-playbook's would.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

public enum OpenFileLimit {
    /// The soft limit the controller was started with, when it raised it.
    static let original = Mutex<rlim_t?>(nil)

    public static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        // An unlimited hard limit (RLIM_INFINITY, all ones) is capped: some programs close every descriptor up to the limit.
        let target = limit.rlim_max == rlim_t.max ? 524_288 : limit.rlim_max
        guard limit.rlim_cur < target else { return }
        var raised = limit
        raised.rlim_cur = target
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
            let soft = limit.rlim_cur
            original.withLock { if $0 == nil { $0 = soft } }
        }
    }

    /// The shell words that give a locally started agent the original soft limit back.
    static var restoreCommand: String {
        guard let soft = original.withLock({ $0 }) else { return "" }
        return "ulimit -S -n \(soft) 2>/dev/null; "
    }
}
