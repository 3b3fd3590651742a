// List and set filters: unique/union/intersect/difference keep first-seen order as Ansible's
// do for unhashable-safe lists; product/permutations/combinations/zip as itertools.
import Jinja
import Values

enum SetFilters {
    static func list(_ v: Value) throws -> [Value] {
        switch v {
        case .list(let l), .tuple(let l, _): return l
        case .dict(let d): return Array(d.keys)
        case .string(let s), .unsafe(let s): return s.unicodeScalars.map { .string(String(Character($0))) }
        case .bytes(let b): return b.map { .int(Int($0)) }
        default: throw AnsibleError("'\(v.typeName)' object is not iterable")
        }
    }

    static func unique(_ l: [Value]) -> [Value] {
        var out: [Value] = []
        for x in l where !out.contains(x) { out.append(x) }
        return out
    }

    static func combos(_ l: [Value], _ r: Int, permutations: Bool) -> [[Value]] {
        guard r <= l.count, r >= 0 else { return [] }
        var out: [[Value]] = []
        func walk(_ prefix: [Value], _ used: [Int], _ start: Int) {
            if prefix.count == r { out.append(prefix); return }
            for i in (permutations ? 0 : start)..<l.count where !used.contains(i) {
                walk(prefix + [l[i]], used + [i], i + 1)
            }
        }
        walk([], [], 0)
        return out
    }

    static let filters: [String: Filter] = [
        "unique": { v, a, _ in
            // Jinja's do_unique (case-insensitive unless told, by attribute if given); where it
            // cannot hash an item, Ansible's equality-based version, which takes no options.
            let caseSensitive = a.get(0, "case_sensitive").flatMap { $0.isNone ? nil : $0 }
            let attribute = a.get(1, "attribute").flatMap { $0.isNone ? nil : $0.pythonStr }
            let optioned = caseSensitive.map { !$0.truthy } == true || attribute != nil
            let cannot = AnsibleError("Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied.")
            let items: [Value]
            do { items = try list(v) } catch { throw optioned ? cannot : error }
            var seen: Set<Value> = [], out: [Value] = []
            for item in items {
                var key = item
                if let attribute, case .dict(let d) = item {
                    guard let k = d[.string(attribute)] else { throw optioned ? cannot : AnsibleError("'dict object' has no attribute '\(attribute)'") }
                    key = k
                }
                if caseSensitive?.truthy != true, let text = key.stringValue { key = .string(text.lowercased()) }
                switch key {
                case .dict, .list:
                    // Python names the lazy containers 2.19 wraps a template's dicts and lists in.
                    let type = key.dictValue != nil ? "_AnsibleLazyTemplateDict" : "_AnsibleLazyTemplateList"
                    if optioned { throw AnsibleError(cannot.message.dropLast() + ": unhashable type: '\(type)'") }
                    return .list(unique(items))
                default: break
                }
                if seen.insert(key).inserted { out.append(item) }
            }
            return .list(out)
        },
        "union": { v, a, _ in
            let x = try list(v), y = try list(a.positional.first ?? .list([]))
            return .list(PySet.hashable(x + y) ? PySet.union(x, y) : unique(x + y))
        },
        "intersect": { v, a, _ in
            let x = try list(v), y = try list(a.positional.first ?? .list([]))
            return .list(PySet.hashable(x + y) ? PySet.intersection(x, y) : unique(x.filter { y.contains($0) }))
        },
        "difference": { v, a, _ in
            let x = try list(v), y = try list(a.positional.first ?? .list([]))
            return .list(PySet.hashable(x + y) ? PySet.difference(x, y) : unique(x.filter { !y.contains($0) }))
        },
        "symmetric_difference": { v, a, _ in
            let x = try list(v), y = try list(a.positional.first ?? .list([]))
            if PySet.hashable(x + y) { return .list(PySet.symmetricDifference(x, y)) }
            let common = unique(x.filter { y.contains($0) })
            return .list(unique(x + y).filter { !common.contains($0) })
        },
        "product": { v, a, _ in
            var result: [[Value]] = [[]]
            for pool in [try list(v)] + (try a.positional.map(list)) {
                result = result.flatMap { prefix in pool.map { prefix + [$0] } }
            }
            return .list(result.map { Value.tuple($0) })
        },
        "permutations": { v, a, _ in
            let l = try list(v)
            return .list(combos(l, a.get(0, "r")?.intValue ?? l.count, permutations: true).map { Value.tuple($0) })
        },
        "combinations": { v, a, _ in
            .list(combos(try list(v), a.get(0, "r")?.intValue ?? 0, permutations: false).map { Value.tuple($0) })
        },
        "zip": { v, a, _ in
            let lists = [try list(v)] + (try a.positional.map(list))
            let n = lists.map(\.count).min() ?? 0
            return .list((0..<n).map { i in .tuple(lists.map { $0[i] }) })
        },
        "zip_longest": { v, a, _ in
            let lists = [try list(v)] + (try a.positional.map(list))
            let n = lists.map(\.count).max() ?? 0
            let fill = a.keywords["fillvalue"] ?? .none
            return .list((0..<n).map { i in .tuple(lists.map { i < $0.count ? $0[i] : fill }) })
        },
        "subelements": { v, a, _ in
            let elements: [Value]
            switch v {
            case .dict(let d): elements = Array(d.values)
            case .list(let l), .tuple(let l, _): elements = l
            default: throw AnsibleError("obj must be a list of dicts or a nested dict")
            }
            let keys: [Value]
            switch a.get(0, "subelements") {
            case .list(let l)?, .tuple(let l, _)?: keys = l
            case .string(let k)?, .unsafe(let k)?: keys = k.split(separator: ".", omittingEmptySubsequences: false).map { .string(String($0)) }
            default: throw AnsibleError("subelements must be a list or a string")
            }
            let skipMissing = a.get(1, "skip_missing")?.truthy ?? false
            var out: [Value] = []
            for element in elements {
                var values = element
                for key in keys {
                    guard case .dict(let d) = values else {
                        // Raised from the TypeError of subscripting it, whose words follow.
                        let why: String
                        switch values {
                        case .list, .tuple: why = "\(values.typeName) indices must be integers or slices, not str"
                        case .string, .unsafe: why = "string indices must be integers, not 'str'"
                        default: why = "'\(values.typeName)' object is not subscriptable"
                        }
                        throw AnsibleError("the key \(key.pythonStr) should point to a dictionary, got '\(values.pythonStr)': \(why)")
                    }
                    guard let next = d[key] else {
                        if skipMissing { values = .list([]); break }
                        throw ChainedError("could not find \(key.pythonRepr) key in iterated item \(values.pythonRepr)")
                    }
                    values = next
                }
                guard let subs = values.listValue else { throw AnsibleError("the key \(keys.last?.pythonRepr ?? "") should point to a list, got \(values.pythonRepr)") }
                for s in subs { out.append(.tuple([element, s])) }
            }
            return .list(out)
        },
        "extract": { v, a, _ in
            guard let container = a.positional.first else { throw AnsibleError("extract needs a container") }
            // container[item], then each of morekeys in turn; a missing one is undefined where it failed.
            var cur = container
            let more = a.get(1, "morekeys").map { $0.listValue ?? [$0] } ?? []
            for k in [v] + more {
                let next = cur.dictValue?[k] ?? k.intValue.flatMap { i in cur.listValue.flatMap { i >= 0 && i < $0.count ? $0[i] : nil } }
                guard let next else { throw UndefinedError.noAttribute(cur, k) }
                cur = next
            }
            return cur
        },
    ]
}
