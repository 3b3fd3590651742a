// The command each container or namespace connection runs to reach its target, from Ansible's
// (and Mitogen's) variables: the target is ansible_host (or the inventory name), the user
// ansible_user, and each tool can be replaced with swansible_<kind>_path.
import Values

enum ContainerConnections {
    /// Connection names as playbooks write them, short and FQCN, to the kind.
    static let kinds: [String: String] = [
        "docker": "docker", "community.docker.docker": "docker",
        "podman": "podman", "containers.podman.podman": "podman",
        "kubectl": "kubectl", "kubernetes.core.kubectl": "kubectl",
        "lxc": "lxc", "community.general.lxc": "lxc",
        "lxd": "lxd", "community.general.lxd": "lxd",
        "incus": "incus", "community.general.incus": "incus",
        "chroot": "chroot", "community.general.chroot": "chroot",
        "buildah": "buildah", "containers.podman.buildah": "buildah",
        "machinectl": "machinectl", "community.general.machinectl": "machinectl",
        "setns": "setns", "mitogen_setns": "setns",
    ]

    static func argv(kind: String, target: String, user: String?, scope: VarScope) throws -> [String] {
        func v(_ name: String) throws -> String? { try scope.lookup(name).flatMap { $0.isNone ? nil : $0.pythonStr } }
        let tool = try v("swansible_\(kind)_path") ?? v("mitogen_\(kind)_path") ?? (kind == "lxd" ? "lxc" : kind == "lxc" ? "lxc-attach" : kind)
        switch kind {
        case "docker":
            var a = [tool]
            if let h = try v("ansible_docker_host") { a += ["-H", h] }
            a += ["exec", "-i"]
            if let u = user { a += ["-u", u] }
            return a + [target]
        case "podman":
            return [tool, "exec", "-i"] + (user.map { ["--user", $0] } ?? []) + [target]
        case "kubectl":
            var a = [tool]
            if let k = try v("ansible_kubectl_kubeconfig") { a += ["--kubeconfig", k] }
            if let ctx = try v("ansible_kubectl_context") { a += ["--context", ctx] }
            a += ["exec", "-i"]
            if let n = try v("ansible_kubectl_namespace") { a += ["-n", n] }
            if let c = try v("ansible_kubectl_container") { a += ["-c", c] }
            return a + [try v("ansible_kubectl_pod") ?? target, "--"]
        case "lxc":
            return [tool, "--clear-env", "-n", target, "--"]
        case "lxd", "incus":
            var a = [tool, "exec"]
            if let p = try v("ansible_\(kind)_project") { a += ["--project", p] }
            return a + [try v("ansible_\(kind)_remote").map { "\($0):\(target)" } ?? target, "--"]
        case "chroot":
            return [tool, target]
        case "buildah":
            return [tool, "run"] + (user.map { ["--user", $0] } ?? []) + [target, "--"]
        case "machinectl":
            return [tool, "-q", "shell"] + (user.map { ["--uid", $0] } ?? []) + [target]
        case "setns":
            // Enter every namespace of the container's first process (kind: docker or podman).
            let engine = try v("mitogen_kind") ?? v("swansible_setns_kind") ?? "docker"
            let pid = "$(\(engine) inspect --format '{{.State.Pid}}' \(target))"
            return ["/bin/sh", "-c", "exec nsenter --target \(pid) --all -- \"$@\"", "setns"]
        default:
            throw AnsibleError("the connection plugin '\(kind)' was not found")
        }
    }
}
