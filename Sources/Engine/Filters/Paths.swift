// Path filters: basename/dirname are in AnsibleFilters; these follow Python's os.path.
import Jinja
import Values

enum PathFilters {
    static func normalize(_ p: String) -> String {
        guard !p.isEmpty else { return "." }
        let absolute = p.hasPrefix("/")
        var parts: [Substring] = []
        for c in p.split(separator: "/") {
            if c == "." { continue }
            if c == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if c == "..", absolute { continue }
            parts.append(c)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    static let filters: [String: Filter] = [
        "expanduser": { v, _, _ in .string(Files.expandUser(v.pythonStr)) },
        "realpath": { v, _, _ in .string(Files.absolute(v.pythonStr)) },
        "relpath": { v, a, _ in
            let target = Files.absolute(v.pythonStr).split(separator: "/")
            let start = Files.absolute(a.get(0, "start")?.pythonStr ?? Files.cwd()).split(separator: "/")
            var i = 0
            while i < min(target.count, start.count), target[i] == start[i] { i += 1 }
            let parts = Array(repeating: "..", count: start.count - i) + target[i...].map(String.init)
            return .string(parts.isEmpty ? "." : parts.joined(separator: "/"))
        },
        "splitext": { v, _, _ in
            let p = v.pythonStr
            let base = Files.basename(p)
            guard let dot = base.lastIndex(of: "."), dot != base.startIndex, !base[..<dot].allSatisfy({ $0 == "." }) else {
                return .tuple([.string(p), ""])
            }
            let ext = String(base[dot...])
            return .tuple([.string(String(p.dropLast(ext.count))), .string(ext)])
        },
        "path_join": { v, _, _ in
            let parts: [String]
            switch v {
            case .string(let p), .unsafe(let p): parts = [p]
            case .list(let l), .tuple(let l, _):
                parts = try l.map {
                    guard let p = $0.stringValue else { throw AnsibleError("join() argument must be str, bytes, or os.PathLike object, not '\($0.typeName)'") }
                    return p
                }
            default: throw AnsibleError("|path_join expects string or sequence, got <class '\(v.typeName)'> instead.")
            }
            var out = ""
            for p in parts { out = p.hasPrefix("/") ? p : (out.isEmpty || out.hasSuffix("/") ? out + p : out + "/" + p) }
            return .string(out)
        },
        "normpath": { v, _, _ in .string(normalize(v.pythonStr)) },
        "win_basename": { v, _, _ in .string(String(v.pythonStr.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? "")) },
    ]
}
