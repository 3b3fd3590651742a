// gather_facts: the setup module in the host's agent; its facts become the host's facts.
import Values

enum GatherFactsAction: Action {
    static func run(_ c: ActionContext) async throws -> Dict {
        var args = c.args
        args.removeValue(forKey: "parallel")
        var r = try await c.runModule("ansible.builtin.setup", args)
        if var facts = r["ansible_facts"]?.dictValue, let python = c.runner.discoveredInterpreter(c) {
            facts["discovered_interpreter_python"] = .string(python)
            r["ansible_facts"] = .dict(facts)
        }
        r["_ansible_verbose_override"] = true
        return r
    }
}
