// package and service: Ansible's generic actions that pick the module the host uses (its
// pkg_mgr / service_mgr fact, a setup call for it when facts were not gathered, or `use:`).
import Values

enum PackageAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        var module = args.removeValue(forKey: "use")?.pythonStr ?? "auto"
        if module == "auto" {
            if let configured = try c.scope.lookup("ansible_package_use"), !configured.isNone, !configured.pythonStr.isEmpty {
                module = configured.pythonStr
            } else if let known = try c.scope.lookup("ansible_facts")?["pkg_mgr"], known.truthy {
                module = known.pythonStr
            } else {
                let facts = try await c.runModule("ansible.builtin.setup", ["filter": "ansible_pkg_mgr", "gather_subset": "!all"])
                if facts["failed"]?.truthy == true {
                    throw TaskFailure.raise("Failed to fetch ansible_pkg_mgr to determine the package action backend: \(facts["msg"]?.pythonStr ?? "")")
                }
                guard let found = facts["ansible_facts"]?["ansible_pkg_mgr"] else {
                    throw TaskFailure.raise("Could not detect a package manager. Try using the \"use\" option.")
                }
                module = found.pythonStr
            }
        }
        guard module != "auto", !module.isEmpty else {
            throw TaskFailure.raise("Could not detect which package manager to use. Try gathering facts or setting the \"use\" option.")
        }
        guard c.runner.library.findModule(module, searchDirs: c.moduleDirs) != nil else {
            throw TaskFailure.raise("Could not find a matching action for the \"\(module)\" package manager.")
        }
        return try await c.runModule(module, args)
    }
}

enum ServiceAction: Action {
    /// Options the systemd module does not take: dropped, each with Ansible's warning.
    static let unused: [String: [String]] = ["systemd": ["pattern", "runlevel", "sleep", "arguments", "args"]]

    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        var module = args.removeValue(forKey: "use")?.pythonStr.lowercased() ?? "auto"
        if module == "auto", let known = try? c.scope.lookup("ansible_facts")?["service_mgr"], !known.isNone {
            module = known.pythonStr
        }
        if module == "auto" {
            let facts = try await c.runModule("ansible.builtin.setup", ["gather_subset": "!all", "filter": "ansible_service_mgr"])
            module = facts["ansible_facts"]?["ansible_service_mgr"]?.pythonStr ?? "auto"
        }
        if module.isEmpty || module == "auto" || c.runner.library.findModule(module, searchDirs: c.moduleDirs) == nil { module = "service" }
        for name in unused[module] ?? [] where args.removeValue(forKey: .string(name)) != nil {
            Output.warning("Ignoring \"\(name)\" as it is not used in \"\(module)\"")
        }
        return try await c.runModule(module, args)
    }
}
