// argparse reads a short option's value attached to it (`-e@vars.yml`, `-f10`, `-ihosts`), and
// after flags grouped with it (`-bKe@x`); ArgumentParser does not. A command line it refuses is
// read again with those split apart, as Ansible's commands would read it.
public enum AttachedValues {
    /// `args` with each `-Xvalue` (X a short option in `valued`) as `-X value`. An argument after
    /// a valued `-X` is that option's value and is left alone.
    public static func split(_ args: [String], valued: Set<Character>) -> [String] {
        var out: [String] = []
        var valueNext = false
        for (i, arg) in args.enumerated() {
            if valueNext || arg == "--" {
                if arg == "--" { out += args[i...]; return out }
                out.append(arg)
                valueNext = false
                continue
            }
            guard arg.count > 2, arg.hasPrefix("-"), !arg.hasPrefix("--"), arg.dropFirst().first!.isLetter else {
                valueNext = arg.count == 2 && arg.hasPrefix("-") && valued.contains(arg.last!)
                out.append(arg)
                continue
            }
            // Flags up to the first valued option; the rest of the word is its value.
            var rest = Substring(arg.dropFirst())
            while let c = rest.first {
                rest = rest.dropFirst()
                out.append("-\(c)")
                if valued.contains(c) {
                    if rest.isEmpty { valueNext = true } else { out.append(String(rest)) }
                    break
                }
            }
        }
        return out
    }
}
