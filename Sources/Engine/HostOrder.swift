// One task's output on several hosts, in the order Ansible's would nearly always come. Its forks
// start one by one, and a host that skips or runs an action on the controller is done long
// before one that runs a module: the quick ones show first, in inventory order, then the rest in
// inventory order. Ours run side by side and finish in any order, so each host's output is held
// until every host that would come before it is done, never longer than `patience` (a slow host
// is overtaken in Ansible too).
import Synchronization

final class HostOrder: Sendable {
    /// The host slot the current task writes into, when its output is being ordered.
    @TaskLocal static var slot: (order: HostOrder, index: Int)?

    private struct Slot {
        /// Set once the host runs a module on its target; until then it may still be a quick one.
        var remote = false
        var done = false
        /// Its output goes straight out.
        var live = false
        var held: [(text: String, fd: Int32, logged: Bool, once: String?)] = []
    }
    private let slots: Mutex<[Slot]>
    private let patience: Duration

    init(hosts: Int, patience: Duration = .milliseconds(500)) {
        slots = Mutex(Array(repeating: Slot(), count: hosts))
        self.patience = patience
        slots.withLock { advance(&$0) }
    }

    /// The current task's host starts work on its target: the quick hosts after it may pass it.
    static func runsRemotely() {
        guard let slot else { return }
        slot.order.slots.withLock { s in
            s[slot.index].remote = true
            slot.order.advance(&s)
        }
    }

    /// Text from host `index`: written now when its turn has come, else held until it does or its
    /// patience runs out. Text shown `once` a run is checked when written: of hosts that say the
    /// same, the one shown first has it.
    func write(_ index: Int, _ text: String, fd: Int32, logged: Bool, once: String? = nil) {
        let holdStarted = slots.withLock { s -> Bool? in
            guard !s[index].live else { return nil }
            s[index].held.append((text, fd, logged, once))
            return s[index].held.count == 1
        }
        guard let holdStarted else { return Output.emit(text, fd: fd, logged: logged, once: once) }
        if holdStarted {
            Task {
                try? await Task.sleep(for: patience)
                self.release(index)
            }
        }
    }

    /// Host `index` has shown all it will.
    func finish(_ index: Int) {
        slots.withLock { s in
            s[index].done = true
            advance(&s)
        }
    }

    /// A held host waited long enough: what it has is shown and the rest comes as it is written.
    private func release(_ index: Int) {
        slots.withLock { s in
            flush(&s, index)
            s[index].live = true
        }
    }

    /// Where a host comes: quick before remote, then by inventory order.
    private func key(_ s: Slot, _ index: Int) -> (Int, Int) { (s.remote ? 1 : 0, index) }

    /// Lets out, in order, every host that no unfinished host would come before.
    private func advance(_ s: inout [Slot]) {
        var first: (Int, Int)?, second: (Int, Int)?   // the two earliest keys among unfinished hosts
        for (i, slot) in s.enumerated() where !slot.done {
            let k = key(slot, i)
            if first == nil || k < first! { (first, second) = (k, first) } else if second == nil || k < second! { second = k }
        }
        let ready = s.indices.filter { i in
            guard !s[i].live else { return false }
            let k = key(s[i], i)
            let earliestOther = (!s[i].done && first.map { $0 == k } == true) ? second : first
            return earliestOther.map { k < $0 } ?? true
        }.sorted { key(s[$0], $0) < key(s[$1], $1) }
        for i in ready {
            flush(&s, i)
            s[i].live = true
        }
    }

    private func flush(_ s: inout [Slot], _ index: Int) {
        for h in s[index].held { Output.emit(h.text, fd: h.fd, logged: h.logged, once: h.once) }
        s[index].held = []
    }
}
