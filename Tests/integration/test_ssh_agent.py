"""2.19's SSH_AGENT and private_key: a key given as text (a vaulted variable, an environment
variable in CI) is put in an ssh-agent the run starts (`auto`) or one already running (its
socket), and the host is logged into with it; without an agent it is Ansible's error."""
import os
import pathlib
import re
import subprocess
import time

from conftest import LIBRARY_219, ansible_playbook, swansible_playbook

PLAY = """- hosts: all
  gather_facts: false
  tasks:
    - command: whoami
    - name: the agent the run uses
      command: sh -c 'echo "$SSH_AUTH_SOCK"; ssh-add -l'
      delegate_to: localhost
      vars: {ansible_python_interpreter: /usr/bin/python3}
      register: listed
    - debug: {var: listed.stdout_lines}
    - command: whoami
"""


def key_inventory(tmp_path, sshd_hosts, passphrase=''):
    """A host of the fixture's whose only way in is a new key, given as text in the inventory."""
    d, hosts, _ = sshd_hosts
    key = tmp_path / 'k'
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', passphrase, '-C', 'test key', '-f', key], check=True)
    name, addr, port = hosts[0]
    text = ''.join(f'        {line}\n' for line in key.read_text().splitlines())
    inv = tmp_path / 'inventory.yml'
    inv.write_text(f'all:\n  hosts:\n    {name}:\n      ansible_host: {addr}\n      ansible_port: {port}\n'
                   f'      ansible_user: root\n      ansible_python_interpreter: /usr/bin/python3\n'
                   f'      ansible_ssh_private_key_passphrase: "{passphrase}"\n'
                   f'      ansible_ssh_private_key: |\n{text}')
    fingerprint = subprocess.run(['ssh-keygen', '-lf', f'{key}.pub'], capture_output=True, text=True, check=True).stdout.split()[1]
    return inv, key, fingerprint


class authorized:
    """The key may log in for the test's length: the fixture's authorized_keys put back after."""
    def __init__(self, sshd_hosts, key):
        self.path, self.key = sshd_hosts[0] / 'authorized_keys', key

    def __enter__(self):
        self.before = self.path.read_text()
        self.path.write_text(self.before + pathlib.Path(f'{self.key}.pub').read_text())

    def __exit__(self, *_):
        self.path.write_text(self.before)


@LIBRARY_219
def test_private_key_text_goes_into_an_agent_the_run_starts_and_ends(sshd_hosts, tmp_path):
    inv, key, fingerprint = key_inventory(tmp_path, sshd_hosts)
    book = tmp_path / 'site.yml'
    book.write_text(PLAY)
    with authorized(sshd_hosts, key):
        r = swansible_playbook('-vvv', '-i', inv, book, env={'ANSIBLE_SSH_AGENT': 'auto'}, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    started = re.search(r'SSH_AGENT: ssh-agent\[(\d+)\] started and bound to (\S+)', r.stdout)
    assert started, r.stdout
    pid, sock = started[1], started[2]
    # Added once, found there by the next task that logs in (as the ssh plugin says at -vvv).
    short = fingerprint.removeprefix('SHA256:')
    addr = sshd_hosts[1][0][1]
    assert r.stdout.count(f'<{addr}> SSH: SSH_AGENT adding {short} to agent') == 1, r.stdout
    assert r.stdout.count(f'<{addr}> SSH: SSH_AGENT {short} exists in agent') == 1, r.stdout
    assert r.stdout.count('changed: [target1] =>') == 2
    # Local commands see it, and the key is in it with Ansible's comment.
    assert f'"{sock}",' in r.stdout
    assert re.search(rf'"256 {re.escape(fingerprint)} \[added by ansible: PID=\d+, UID=0, EUID=0, TIME=[\d.]+\] \(ED25519\)"', r.stdout), r.stdout
    # The run's agent ended with it, and its directory is gone.
    assert subprocess.run(['kill', '-0', pid], capture_output=True).returncode != 0
    assert not os.path.exists(os.path.dirname(os.path.dirname(sock)))


@LIBRARY_219
def test_private_key_with_a_running_agent_and_without_one(sshd_hosts, tmp_path):
    """SSH_AGENT naming a socket: the key is added to that agent (which keeps it), none is
    started. SSH_AGENT none (the default): the host is UNREACHABLE, as with ansible-playbook."""
    inv, key, fingerprint = key_inventory(tmp_path, sshd_hosts)
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: whoami\n')
    sock = tmp_path / 'agent.sock'
    agent = subprocess.Popen(['ssh-agent', '-D', '-a', sock], stdout=subprocess.DEVNULL)
    try:
        with authorized(sshd_hosts, key):
            for _ in range(100):
                if sock.exists():
                    break
                time.sleep(0.05)
            r = swansible_playbook('-vvv', '-i', inv, book, env={'ANSIBLE_SSH_AGENT': str(sock)}, timeout=120)
            assert r.returncode == 0, r.stdout + r.stderr
            assert 'started and bound to' not in r.stdout and 'SSH_AGENT adding' in r.stdout
            listed = subprocess.run(['ssh-add', '-l'], env=dict(os.environ, SSH_AUTH_SOCK=str(sock)), capture_output=True, text=True)
            assert fingerprint in listed.stdout
            results = [run('-i', inv, book, env={'ANSIBLE_SSH_AGENT': 'none'}, timeout=120)
                       for run in (ansible_playbook, swansible_playbook)]
    finally:
        agent.terminate()
        agent.wait(timeout=10)
    a, s = results
    assert s.returncode == a.returncode == 4, s.stdout + s.stderr
    fatal = [line for line in s.stdout.splitlines() if line.startswith('fatal:')]
    assert fatal == [line for line in a.stdout.splitlines() if line.startswith('fatal:')]
    assert 'Failed to authenticate: Failed to add configured private key into ssh-agent: Cannot utilize private_key with SSH_AGENT disabled' in fatal[0]


def test_an_agent_that_does_not_start_stops_the_run_as_in_ansible(tmp_path):
    """SSH_AGENT=auto with an executable that is missing, exits early or says something else:
    ansible-playbook's warnings, error and exit code, before anything runs."""
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: ran}\n')
    early = tmp_path / 'early-agent'
    # Its stdout stays open in a child for a moment, so the agent has surely exited when
    # ansible-core's launcher reads to the end of it and polls (else it races with the exit).
    early.write_text("#!/bin/sh\necho 'bogus stderr output' >&2\necho 'SSH_AUTH_S'\n(sleep 0.5) 2>/dev/null &\nexit 42\n")
    other = tmp_path / 'other-agent'
    other.write_text('#!/bin/sh\necho bogusbogusbogus\nsleep 1\n')
    for f in (early, other):
        f.chmod(0o755)
    for executable in (tmp_path / 'missing-agent', early, other):
        env = {'ANSIBLE_SSH_AGENT': 'auto', 'ANSIBLE_SSH_AGENT_EXECUTABLE': str(executable)}
        a, s = (run(book, env=env) for run in (ansible_playbook, swansible_playbook))
        same = re.compile(r'ansible-local-[^/]+')
        assert (s.returncode, same.sub('', s.stderr)) == (a.returncode, same.sub('', a.stderr)) == (1, same.sub('', a.stderr)), s.stderr
        assert 'ran' not in s.stdout and '[ERROR]: Failed to launch ssh agent: ' in s.stderr
