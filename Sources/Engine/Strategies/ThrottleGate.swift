// throttle under the free and host_pinned strategies: at most N hosts in one task at a time,
// whichever host gets there first (a host over the limit waits its turn).
actor ThrottleGate {
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ key: String, limit: Int) async {
        if running[key, default: 0] < limit {
            running[key, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    /// Hands the place to the next host waiting for it, if any.
    func release(_ key: String) {
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue
            next.resume()
        } else {
            running[key, default: 1] -= 1
        }
    }
}
