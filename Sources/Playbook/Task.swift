// One task (or handler) as written: its action, arguments and keywords, and where it came from.
import Values

public struct Task: Sendable {
    public var name: String?
    /// The action as written (`copy`, `ansible.builtin.copy`).
    public var action: String
    public var args: Dict
    /// The action as written when it names an action plugin that only re-exports a built-in one
    /// (`action` is then that built-in): names and lookups that look at the action see this.
    public var writtenAction: String?
    /// Every other keyword (`when`, `loop`, `register`, `notify`, `tags`…), values as written.
    public var keywords: [String: Value]
    public var location: SourceLocation
    /// The role the task came from, for its files/, templates/ and its vars.
    public var role: Role?
    /// Tags inherited from the play, roles and blocks, merged with the task's own.
    public var inheritedTags: [String] = []
    /// `when:` of enclosing blocks and role entries, evaluated before the task's own.
    public var inheritedWhen: [Value] = []
    /// Where each of `inheritedWhen` was written, when known (a block's, an import's).
    public var inheritedWhenPlaces: [WhenPlace] = []
    /// Vars of enclosing blocks (level 16), lowest first.
    public var blockVars: [Dict] = []
    /// Params of the include_tasks that brought this task in (level 21).
    public var includeParams = Dict()
    /// Connection and become keywords of enclosing blocks and role entries (the task's own win).
    public var inheritedKeywords: [String: Value] = [:]
    /// Where each of `inheritedKeywords` was written.
    public var inheritedKeywordLocations: [String: SourceLocation] = [:]
    /// A block with `rescue` or `always` stays one entry (action `block`) holding its sections;
    /// a plain block is flattened into its tasks when loaded.
    public var sections: BlockSections?
    /// Added by the loader, not written by the user (a role's closing `role_complete`): never shown.
    public var implicit = false

    /// A keyword as it applies to this task: its own, else the nearest enclosing block's.
    public func effective(_ keyword: String) -> Value? { keywords[keyword] ?? inheritedKeywords[keyword] }

    public static let inheritable: Set<String> = ["become", "become_user", "become_method", "become_flags", "become_exe",
                                                  "remote_user", "connection", "environment", "no_log", "check_mode", "diff",
                                                  "any_errors_fatal", "throttle", "delegate_to", "delegate_facts", "run_once", "notify",
                                                  "ignore_errors", "ignore_unreachable", "module_defaults"]
    /// Inherited keywords that add up rather than replace (Ansible's extend+prepend fields): the
    /// outer level's entries first.
    public static let accumulating: Set<String> = ["environment", "module_defaults"]
    /// Where each keyword's value was written, the action key itself under "@action", and
    /// `loop_control.label` (and its other keys) for those values.
    public var keywordLocations: [String: SourceLocation] = [:]
    /// Where each of the task's own vars was written.
    public var varLocations: [String: SourceLocation] = [:]
    /// Where each of the task's own vars' names was written.
    public var varKeyLocations: [String: SourceLocation] = [:]
    /// Where each argument's value was written (a free-form string: that string, for every key;
    /// `apply.when` for include_*'s `apply: {when: …}`).
    public var argLocations: [String: SourceLocation] = [:]
    /// Where each argument's key was written (a mapping's), for errors about the key itself.
    public var argKeyLocations: [String: SourceLocation] = [:]
    /// Where each item of a list was written, for the task's own `when` and for arguments
    /// (assert's `that`): an error in one condition names that one.
    public var whenItemLocations: [SourceLocation] = []
    /// Where each item of a `loop` or `with_` list was written: an item that does not render is
    /// shown there.
    public var loopItemLocations: [SourceLocation] = []
    public var argItemLocations: [String: [SourceLocation]] = [:]

    public init(name: String?, action: String, args: Dict, keywords: [String: Value], location: SourceLocation, role: Role?) {
        self.name = name
        self.action = action
        self.args = args
        self.keywords = keywords
        self.location = location
        self.role = role
    }

    public subscript(keyword: String) -> Value? { keywords[keyword] }

    /// Every `when` the task must pass: its blocks' and role entries', then its own.
    public var conditions: [Value] { inheritedWhen + (keywords["when"].map { [$0] } ?? []) }
    /// Where `conditions[index]` and its items were written, when known.
    public func conditionPlace(_ index: Int) -> WhenPlace {
        if index == inheritedWhen.count { return WhenPlace(keywordLocations["when"], items: whenItemLocations) }
        return index < inheritedWhenPlaces.count ? inheritedWhenPlaces[index] : WhenPlace(nil)
    }

    /// The name Ansible prints in banners: the task's name, or `role : action`.
    public var displayName: String {
        if name == nil, shortAction == "include_role", let role = args["name"] { return "\(action) : \(role.pythonStr)" }
        let base = name ?? writtenAction ?? action
        if let role { return "\(role.name) : \(base)" }
        return base
    }

    public var tags: [String] {
        var out = inheritedTags
        for t in Task.tagList(keywords["tags"]) where !out.contains(t) { out.append(t) }
        return out
    }

    static func tagList(_ v: Value?) -> [String] {
        switch v {
        case .string(let s)?: return s.split(separator: ",").map { String($0.trimmingCharacters) }
        case .list(let l)?: return l.map(\.pythonStr)
        case .int(let i)?: return [String(i)]
        default: return []
        }
    }

    /// Short action name: `ansible.builtin.copy` → `copy`.
    public var shortAction: String { Task.shortName(action) }

    public static func shortName(_ action: String) -> String {
        for p in ["ansible.builtin.", "ansible.legacy."] where action.hasPrefix(p) { return String(action.dropFirst(p.count)) }
        return action
    }
}

/// The three parts of a block that has rescue or always; each task already carries what it
/// inherits from the block (when, tags, vars, become…).
public final class BlockSections: Sendable {
    public let block: [Task]
    public let rescue: [Task]
    public let always: [Task]

    init(block: [Task], rescue: [Task], always: [Task]) {
        self.block = block
        self.rescue = rescue
        self.always = always
    }
}

extension Task {
    /// The task with an include's params beneath its own (those of a nearer include win),
    /// tasks in its block sections too.
    public func including(_ params: Dict) -> Task {
        guard !params.isEmpty else { return self }
        var t = self
        for (k, v) in params {
            if let mine = t.includeParams[k] {
                // The chain of roles that brought a role in goes on through the outer include.
                if k == "ansible_parent_role_names" || k == "ansible_parent_role_paths" {
                    t.includeParams[k] = .list((mine.listValue ?? []) + (v.listValue ?? []))
                }
            } else {
                t.includeParams[k] = v
            }
        }
        if let s = sections {
            t.sections = BlockSections(block: s.block.map { $0.including(params) }, rescue: s.rescue.map { $0.including(params) },
                                       always: s.always.map { $0.including(params) })
        }
        return t
    }
}

extension Task {
    /// The task under an import_playbook's `when` and `tags` (its block sections too).
    public func imported(when: [Value], places: [WhenPlace], tags: [String]) -> Task {
        var t = self
        t.inheritedWhenPlaces = places + t.whenPlacesPadded
        t.inheritedWhen = when + t.inheritedWhen
        t.inheritedTags = tags + t.inheritedTags
        if let s = sections {
            func map(_ l: [Task]) -> [Task] { l.map { $0.imported(when: when, places: places, tags: tags) } }
            t.sections = BlockSections(block: map(s.block), rescue: map(s.rescue), always: map(s.always))
        }
        return t
    }
}

extension Array where Element == Task {
    /// Every task, those in block/rescue/always sections included, in file order.
    public var flattened: [Task] {
        flatMap { t in t.sections.map { ($0.block + $0.rescue + $0.always).flattened } ?? [t] }
    }
}

extension StringProtocol {
    var trimmingCharacters: SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return s
    }
}

/// Where a condition was written: the keyword's value, and each item of a list.
public struct WhenPlace: Sendable {
    public var location: SourceLocation?
    public var items: [SourceLocation]
    public init(_ location: SourceLocation?, items: [SourceLocation] = []) {
        self.location = location
        self.items = items
    }
}

extension Task {
    /// The places of `inheritedWhen`, one for each (unknown ones empty).
    var whenPlacesPadded: [WhenPlace] {
        inheritedWhenPlaces + Array(repeating: WhenPlace(nil), count: max(0, inheritedWhen.count - inheritedWhenPlaces.count))
    }
}
