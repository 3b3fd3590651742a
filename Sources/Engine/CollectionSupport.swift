// A collection's `requires_ansible` (meta/runtime.yml) against the running ansible-core, as the
// plugin loader checks it when the collection is first loaded: PEP 440's version specifiers.
import Synchronization
import Playbook
import Values

enum CollectionSupport {
    private static let checked = Mutex<Set<String>>([])

    /// The first time a collection is used: said when its requires_ansible leaves this ansible-core
    /// out (COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH: warning, error or ignore), as the loader does.
    static func check(_ collection: String, library: ModuleLibrary, settings: Settings, at location: SourceLocation?) throws {
        guard !collection.hasPrefix("ansible."), checked.withLock({ $0.insert(collection).inserted }) else { return }
        guard let requirement = library.runtime(collection)["requires_ansible"], !requirement.isNone else { return }
        let supported: Bool
        do { supported = try Specifiers(requirement.pythonStr).contain(library.version) } catch {
            Output.warning("Error parsing collection metadata requires_ansible value from collection \(collection): \(error)")
            return
        }
        guard !supported else { return }
        let message = "Collection \(collection) does not support Ansible version \(library.version)"
        switch settings.value(env: "ANSIBLE_COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH", key: "collections_on_ansible_version_mismatch") {
        case "error":
            var e = PlaybookError(message, at: location)
            e.generic = true   // AnsibleCollectionUnsupportedVersionError: exit 1
            throw e
        case "ignore": break
        default: Output.warning(message)
        }
    }
}

/// A comma-separated PEP 440 specifier set (`>=2.9.10,<2.11`, `~=2.15`, `==2.19.*`, `!=2.19.1`).
struct Specifiers {
    struct Invalid: Error, CustomStringConvertible {
        let text: String
        var description: String { "Invalid specifier: '\(text)'" }
    }

    private var clauses: [(op: String, version: PEP440Version, wildcard: Bool, text: String)] = []

    init(_ text: String) throws {
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let clause = part.trimmingCharacters(in: " \t\n")
            if clause.isEmpty { continue }
            guard let op = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].first(where: { clause.hasPrefix($0) }) else { throw Invalid(text: clause) }
            var body = clause.dropFirst(op.count).trimmingCharacters(in: " \t")
            let wildcard = body.hasSuffix(".*") && (op == "==" || op == "!=")
            if wildcard { body.removeLast(2) }
            guard let version = PEP440Version(body), op != "~=" || version.release.count > 1 else { throw Invalid(text: clause) }
            clauses.append((op, version, wildcard, body))
        }
    }

    /// SpecifierSet.contains of a release version (the loader checks ansible-core's base version).
    func contain(_ text: String) -> Bool {
        guard let v = PEP440Version(text)?.base else { return false }
        return clauses.allSatisfy { c in
            switch c.op {
            case "===": return text == c.text
            case "==": return c.wildcard ? v.hasPrefix(c.version.release) : v == c.version
            case "!=": return !(c.wildcard ? v.hasPrefix(c.version.release) : v == c.version)
            case "~=": return v >= c.version && v.hasPrefix(Array(c.version.release.dropLast()))
            case "<=": return v <= c.version
            case ">=": return v >= c.version
            case "<": return v < c.version
            default: return v > c.version
            }
        }
    }
}

/// A PEP 440 version: its release numbers, then dev < a < b < rc < the release < post.
struct PEP440Version: Comparable {
    var release: [Int]
    var phase = 4, number = 0

    init?(_ text: String) {
        var s = Substring(text.lowercased())
        if s.hasPrefix("v") { s = s.dropFirst() }
        if let plus = s.firstIndex(of: "+") { s = s[..<plus] }   // a local label does not order
        let digits = s.prefix { $0.isNumber || $0 == "." }
        release = digits.split(separator: ".", omittingEmptySubsequences: false).compactMap { Int($0) }
        guard !release.isEmpty, release.count == digits.split(separator: ".", omittingEmptySubsequences: false).count else { return nil }
        var rest = s.dropFirst(digits.count)
        while rest.first == "." || rest.first == "-" || rest.first == "_" { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return }
        let phases: [(String, Int)] = [("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("rc", 3), ("c", 3), ("post", 5)]
        guard let (word, p) = phases.first(where: { rest.hasPrefix($0.0) }), let n = Int(rest.dropFirst(word.count).isEmpty ? "0" : rest.dropFirst(word.count)) else {
            return nil
        }
        (phase, number) = (p, n)
    }

    var base: PEP440Version { var b = self; (b.phase, b.number) = (4, 0); return b }

    func hasPrefix(_ prefix: [Int]) -> Bool { padded(max(release.count, prefix.count)).starts(with: prefix) }

    private func padded(_ n: Int) -> [Int] { release + Array(repeating: 0, count: max(0, n - release.count)) }

    static func == (a: PEP440Version, b: PEP440Version) -> Bool {
        let n = max(a.release.count, b.release.count)
        return a.padded(n) == b.padded(n) && a.phase == b.phase && a.number == b.number
    }

    static func < (a: PEP440Version, b: PEP440Version) -> Bool {
        let n = max(a.release.count, b.release.count)
        let (x, y) = (a.padded(n), b.padded(n))
        if x != y { return x.lexicographicallyPrecedes(y) }
        return (a.phase, a.number) < (b.phase, b.number)
    }
}
