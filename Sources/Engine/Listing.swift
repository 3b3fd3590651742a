// --list-hosts, --list-tasks, --list-tags and --syntax-check output, as ansible-playbook prints it.
import Inventory
import Playbook
import Values

public enum Listing {
    public static func print(_ book: PlaybookFile, inventory: Inventory, options: RunOptions, hosts: Bool, tasks: Bool, tags: Bool) throws {
        var out = "\nplaybook: \(book.given.isEmpty ? book.path : book.given)\n"
        for (i, play) in book.plays.enumerated() {
            let pattern: [String]
            switch play.hosts {
            case .list(let l): pattern = l.map(\.pythonStr)
            default: pattern = [play.hosts.pythonStr]
            }
            // An unnamed play goes by its host pattern, as Ansible names it.
            let name = PlaybookRunner.playName(play, extraVars: options.extraVars, templar: Templar()) ?? pattern.joined(separator: ",")
            out += "\n  play #\(i + 1) (\(pattern.joined(separator: ","))): \(name)\tTAGS: [\(play.tags.joined(separator: ","))]\n"
            if hosts {
                let hs = try PlaybookRunner.playHosts(play, inventory, limit: options.limit, extraVars: options.extraVars)
                out += "    pattern: [\(pattern.map { "'\($0)'" }.joined(separator: ", "))]\n"
                out += "    hosts (\(hs.count)):\n"
                for h in hs { out += "      \(h)\n" }
            }
            if tasks || tags {
                var allTags: [String] = []
                if tasks { out += "    tasks:\n" }
                let templar = Templar()
                // Listing tags without choosing any lists every one, `never` included.
                let only = tags && options.tags.isEmpty && options.skipTags.isEmpty ? ["never", "all"] : options.tags
                for t in (play.preTasks + play.tasks + play.postTasks).flattened where !t.implicit {
                    let own = PlaybookRunner.rendered(t.tags, playVars: play.vars, extraVars: options.extraVars, templar: templar)
                    guard PlaybookRunner.tagsAllow(own, only: only, skip: options.skipTags) else { continue }
                    for tag in own where !allTags.contains(tag) { allTags.append(tag) }
                    // A task without a name goes by its action alone, role or not.
                    let name = t.name == nil ? t.writtenAction ?? t.action : t.displayName
                    if tasks { out += "      \(name)\tTAGS: [\(own.sorted().joined(separator: ", "))]\n" }
                }
                if tags { out += "      TASK TAGS: [\(allTags.sorted().joined(separator: ", "))]\n" }
            }
        }
        Output.write(out)
    }
}
