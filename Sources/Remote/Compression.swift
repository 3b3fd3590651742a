// Frame bodies compressed end to end between the controller and each agent: one raw-deflate
// stream per direction and agent, flushed at every frame (see agent.py). Only the broker thread
// touches these, in the order frames go out and come in, which is what keeps both ends in step.
import CShim
import Glibc

final class ZStream {
    private let z: UnsafeMutableRawPointer
    private let deflating: Bool

    init?(deflating: Bool) {
        guard let z = cshim_zstream_new(deflating ? 1 : 0) else { return nil }
        self.z = z
        self.deflating = deflating
    }

    deinit { cshim_zstream_free(z, deflating ? 1 : 0) }

    /// The next frame's body through the stream; nil when it is corrupt or inflates past `max`.
    func run(_ input: ArraySlice<UInt8>, max: Int) -> [UInt8]? {
        var n = 0
        let out = input.withUnsafeBufferPointer { cshim_zstream_run(z, deflating ? 1 : 0, $0.baseAddress, $0.count, max, &n) }
        guard let out else { return nil }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: n))
    }
}
