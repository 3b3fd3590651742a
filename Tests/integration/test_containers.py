"""Container and namespace connections through stand-in binaries: each stand-in records the
argument vector it was given, checks its shape, and runs the agent's bootstrap locally."""
import json

from conftest import swansible_playbook

STANDIN = r'''#!/usr/bin/env python3
import json, os, sys
name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
if name == 'docker' and args[:1] == ['inspect']:
    print(4242)
    sys.exit(0)
with open(os.environ['STANDIN_LOG'], 'a') as f:
    f.write(json.dumps([name] + [a for a in args if not a.startswith('CODE=')]) + '\n')
# What follows the tool's own arguments is the command to run inside the target.
i = args.index('/bin/sh')
os.execvp(args[i], args[i:])
'''

HOSTS = {
    'web-docker': ('docker', 'ansible_user=app', ['docker', 'exec', '-i', '-u', 'app', 'web-docker']),
    'db-podman': ('containers.podman.podman', '', ['podman', 'exec', '-i', 'db-podman']),
    'pod1': ('kubectl', 'ansible_kubectl_namespace=prod ansible_kubectl_container=app',
             ['kubectl', 'exec', '-i', '-n', 'prod', '-c', 'app', 'pod1', '--']),
    'box-lxc': ('lxc', '', ['lxc-attach', '--clear-env', '-n', 'box-lxc', '--']),
    'box-lxd': ('lxd', '', ['lxc', 'exec', 'box-lxd', '--']),
    'box-incus': ('community.general.incus', 'ansible_incus_project=p1', ['incus', 'exec', '--project', 'p1', 'box-incus', '--']),
    'jail': ('chroot', 'ansible_host=/srv/jail', ['chroot', '/srv/jail']),
    'build1': ('buildah', '', ['buildah', 'run', 'build1', '--']),
    'vm1': ('machinectl', 'ansible_user=ops', ['machinectl', '-q', 'shell', '--uid', 'ops', 'vm1']),
    'ns1': ('setns', '', ['nsenter', '--target', '4242', '--all', '--']),
}


def test_each_container_connection_runs_its_tool(tmp_path):
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    for tool in ['docker', 'podman', 'kubectl', 'lxc-attach', 'lxc', 'incus', 'chroot', 'buildah', 'machinectl', 'nsenter']:
        (bindir / tool).write_text(STANDIN)
        (bindir / tool).chmod(0o755)
    inv = tmp_path / 'inventory'
    inv.write_text(''.join(f'{h} ansible_connection={c} ansible_python_interpreter=/usr/bin/python3 {extra}\n'
                           for h, (c, extra, _) in HOSTS.items()))
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n'
                    '    - command: echo {{ inventory_hostname }}\n      register: r\n'
                    '    - assert: {that: [r.stdout == inventory_hostname]}\n')
    log = tmp_path / 'argv.log'
    import os
    env = {'PATH': f'{bindir}:{os.environ["PATH"]}', 'STANDIN_LOG': str(log)}
    r = swansible_playbook('-i', inv, book, '-f', '10', env=env, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    for host, (_, _, expected) in HOSTS.items():
        matching = [c for c in calls if c[:len(expected)] == expected]
        assert len(matching) == 1, (host, expected, calls)
