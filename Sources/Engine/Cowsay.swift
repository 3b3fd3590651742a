// Banners drawn by cowsay, as Display draws them when cowsay is installed and `nocows` is off:
// ansible-playbook's output on such a machine has a cow for every banner.
import Synchronization
import Values

struct Cowsay: Sendable {
    /// Where Display looks for cowsay when `cowpath` is not set (the last one there is used).
    static let paths = ["/usr/bin/cowsay", "/usr/games/cowsay", "/usr/local/bin/cowsay", "/opt/local/bin/cowsay"]
    /// ANSIBLE_COW_ACCEPTLIST's default.
    static let defaultAcceptList = [
        "bud-frogs", "bunny", "cheese", "daemon", "default", "dragon", "elephant-in-snake", "elephant", "eyes", "hellokitty", "kitty",
        "luke-koala", "meow", "milk", "moofasa", "moose", "ren", "sheep", "small", "stegosaurus", "stimpy", "supermilker",
        "three-eyes", "turkey", "turtle", "tux", "udder", "vader-koala", "vader", "www",
    ]

    let path: String
    /// ANSIBLE_COW_SELECTION: the stencil (`-f`), `random`, or none when empty.
    let selection: String
    /// The stencils `cowsay -l` lists, those of the accept list only when it names any.
    let available: [String]

    /// The run's cowsay, looked for at the first banner as Display looks when it starts: none
    /// with `nocows`, when there is no cowsay, or when `cowsay -l` fails.
    static let configured = Mutex<Cowsay??>(nil)
    nonisolated(unsafe) static var settings: Settings?

    static var current: Cowsay? {
        configured.withLock { c in
            if let c { return c }
            let found = settings.flatMap(find)
            c = .some(found)
            return found
        }
    }

    static func find(_ settings: Settings) -> Cowsay? {
        if settings.value(env: "ANSIBLE_NOCOWS", key: "nocows").map(Settings.truthy) == true { return nil }
        guard let path = settings.value(env: "ANSIBLE_COW_PATH", key: "cowpath") ?? paths.last(where: Files.exists),
              let listed = try? Subprocess.run([path, "-l"]), listed.status == 0 else { return nil }
        var cows = String(decoding: listed.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace).map(String.init)
        let accepted = settings.value(env: "ANSIBLE_COW_ACCEPTLIST", key: "cowsay_enabled_stencils").map(Settings.list) ?? defaultAcceptList
        if accepted.contains(where: { !$0.isEmpty }) { cows = cows.filter(accepted.contains) }
        return Cowsay(path: path, selection: settings.value(env: "ANSIBLE_COW_SELECTION", key: "cow_selection") ?? "default",
                      available: cows)
    }

    /// cowsay's drawing of a banner's text (`TASK [x]` said as `TASK x`), 60 columns wide.
    func draw(_ text: String) throws -> String {
        var msg = text
        if msg.contains(": [") {
            msg.removeAll { $0 == "[" }
            if msg.hasSuffix("]") { msg.removeLast() }
        }
        var argv = [path, "-W", "60"]
        if !selection.isEmpty {
            let cow = selection == "random" ? available.randomElement() ?? "default" : selection
            argv += ["-f", cow]
        }
        let out = try Subprocess.run(argv + [msg], captureStderr: true)
        return String(decoding: out.stdout, as: UTF8.self)
    }
}
