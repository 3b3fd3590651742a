// Python's recursion limit, for templates: a template nested too deep (parentheses, blocks,
// filter chains), a macro that calls itself without end, or a long chain of variables made of
// each other stops with Ansible's "Recursive loop detected in template: maximum recursion depth
// exceeded" instead of overflowing the thread's stack. Rendering never suspends, so a count
// per thread is the depth of the render in progress.
#if canImport(Glibc)
import Glibc
#endif

public struct RecursionLimitError: Error, CustomStringConvertible, Sendable {
    public var description: String { "maximum recursion depth exceeded" }
}

public enum RecursionGuard {
    /// Levels of parsing and evaluation; Jinja2 under Python's limit of 1,000 frames stops
    /// sooner (several frames a level), and a debug build's frames fit well within 8 MiB here.
    public static let limit = 400

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { free($0) }
        return k
    }()

    /// This thread's count. A renderer or parser takes it once and keeps it (it runs on one
    /// thread from start to end), so that a level costs an increment, not a lookup.
    public static var counter: UnsafeMutablePointer<Int> {
        if let p = pthread_getspecific(key) { return p.assumingMemoryBound(to: Int.self) }
        let p = malloc(MemoryLayout<Int>.size)!.bindMemory(to: Int.self, capacity: 1)
        p.initialize(to: 0)
        pthread_setspecific(key, p)
        return p
    }

    /// One level deeper on `c`; the caller decrements it (in a defer) when this did not throw.
    @inline(__always)
    public static func enter(_ c: UnsafeMutablePointer<Int>) throws {
        guard c.pointee < limit else { throw RecursionLimitError() }
        c.pointee += 1
    }
}
