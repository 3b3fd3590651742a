// The few filesystem calls the parsers need, over the C library so the parsing layers stay
// free of Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    /// errno, where a system call failed.
    public var code: Int32 = 0
    public var description: String { "\(message): '\(path)'" }

    init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// The failed call's errno (read before anything else can change it) and its words.
    static func system(_ path: String, _ code: Int32 = errno) -> FileError {
        var e = FileError(path: path, message: String(cString: strerror(code)))
        e.code = code
        return e
    }

    /// Python's OSError for a bytes path: `[Errno 2] No such file or directory: b'/x'`.
    public var pythonDescription: String { "[Errno \(code)] \(message): b\(Value.string(path).pythonRepr)" }
}

public enum Files {
    public static func read(_ path: String) throws -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    public static func readBytes(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.system(path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65536) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.system(path)
            }
            if n == 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    /// Up to `count` bytes at `offset` (empty at the end).
    public static func readChunk(_ path: String, offset: Int, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.system(path) }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buf[got...].withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset + got)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.system(path)
            }
            if n == 0 { break }
            got += n
        }
        return Array(buf[0..<got])
    }

    /// When the file was last modified, in seconds since the epoch.
    public static func modificationTime(_ path: String) -> Double? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }

    public static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// Writes through a temporary file and a rename, so a reader never sees half a file.
    public static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let tmp = path + ".swansible-tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError.system(path) }
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                close(fd)
                unlink(tmp)
                throw FileError.system(path, code)
            }
            off += n
        }
        close(fd)
        guard Glibc.rename(tmp, path) == 0 else { throw FileError.system(path) }
    }

    /// A file open for writing, for data that arrives in pieces.
    public final class Writer {
        let fd: Int32
        let path: String

        public func write(_ bytes: [UInt8]) throws {
            var off = 0
            while off < bytes.count {
                let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError.system(path)
                }
                off += n
            }
        }

        public func close() { Glibc.close(fd) }

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }
    }

    public static func create(_ path: String, mode: mode_t = 0o644) throws -> Writer {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError.system(path) }
        return Writer(fd: fd, path: path)
    }

    public static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw FileError.system(to) }
    }

    public static func remove(_ path: String) { unlink(path) }

    /// mkdir -p.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        guard !path.isEmpty, !isDirectory(path) else { return }
        try makeDirectories(dirname(path), mode: mode)
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw FileError.system(path) }
    }

    /// os.path.normpath: `.` and `..` and repeated slashes folded, without touching the disk.
    public static func normalize(_ p: String) -> String {
        var parts: [Substring] = []
        for c in p.split(separator: "/") {
            if c == "." { continue }
            if c == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if c == "..", p.hasPrefix("/") { continue }
            parts.append(c)
        }
        let joined = parts.joined(separator: "/")
        return p.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    public static func isFIFO(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO
    }

    /// What a symlink points to, as written in it.
    public static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buf, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The path with every symlink resolved (realpath(3)); nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    public static func isExecutable(_ path: String) -> Bool { !isDirectory(path) && access(path, X_OK) == 0 }

    /// A directory's entries without `.` and `..`, sorted; `sorted: false` keeps readdir's order (Python's os.scandir,
    /// which glob follows).
    public static func list(_ path: String, sorted: Bool = true) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return sorted ? names.sorted() : names
    }

    public static func join(_ a: String, _ b: String) -> String {
        if b.hasPrefix("/") || a.isEmpty { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }

    public static func dirname(_ p: String) -> String {
        guard let i = p.lastIndex(of: "/") else { return "." }
        if i == p.startIndex { return "/" }
        return String(p[..<i])
    }

    public static func basename(_ p: String) -> String {
        guard let i = p.lastIndex(of: "/") else { return p }
        return String(p[p.index(after: i)...])
    }

    public static func cwd() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, 4096) != nil else { return "." }
        return String(nulTerminated: buf)
    }

    public static func absolute(_ p: String) -> String {
        let joined = p.hasPrefix("/") ? p : join(cwd(), p)
        var parts: [Substring] = []
        for c in joined.split(separator: "/") {
            if c == "." { continue }
            if c == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }

    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    public static var home: String { environment("HOME") ?? "/root" }

    /// os.path.expandvars: `$name` and `${name}` of the environment; an unset one stays as written.
    public static func expandVariables(_ p: String) -> String {
        guard p.contains("$") else { return p }
        var out = "", rest = Substring(p)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            let braced = after.first == "{"
            let nameStart = braced ? after.index(after: after.startIndex) : after.startIndex
            let nameEnd = braced ? (after[nameStart...].firstIndex(of: "}") ?? after.endIndex)
                                 : (after.firstIndex { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) } ?? after.endIndex)
            let name = String(after[nameStart..<nameEnd])
            let end = braced && nameEnd < after.endIndex ? after.index(after: nameEnd) : nameEnd
            if !name.isEmpty, !(braced && nameEnd == after.endIndex), let value = environment(name) {
                out += value
            } else {
                out += rest[dollar..<end]
            }
            rest = rest[end...]
        }
        return out + rest
    }

    public static func expandUser(_ p: String) -> String {
        if p == "~" { return home }
        if p.hasPrefix("~/") { return home + p.dropFirst(1) }
        return p
    }
}

extension String {
    /// The text a C call left in `buffer`, up to its NUL (all of it without one).
    public init(nulTerminated buffer: [CChar]) {
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        self.init(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
