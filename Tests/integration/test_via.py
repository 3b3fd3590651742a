"""swansible_via: target3 is reached from target2's agent, which is reached from target1's:
each hop runs OpenSSH from the previous host's agent (seen through a logging ssh wrapper)."""
from conftest import FIXTURES, swansible_playbook


def test_two_hop_via_chain(sshd_hosts, tmp_path):
    _, hosts, key = sshd_hosts
    log = tmp_path / 'ssh.log'
    wrapper = tmp_path / 'ssh-wrapper'
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec ssh "$@"\n')
    wrapper.chmod(0o755)
    (n1, a1, p1), (n2, a2, p2), (n3, a3, p3) = hosts
    common = f'ansible_user=root ansible_ssh_private_key_file={key} ansible_python_interpreter=/usr/bin/python3'
    inv = tmp_path / 'inventory'
    inv.write_text(f'{n1} ansible_host={a1} ansible_port={p1} {common}\n'
                   f'{n2} ansible_host={a2} ansible_port={p2} {common} swansible_via={n1} ansible_ssh_executable={wrapper}\n'
                   f'{n3} ansible_host={a3} ansible_port={p3} {common} mitogen_via=root@{n2} ansible_ssh_executable={wrapper}\n')
    r = swansible_playbook('-i', inv, FIXTURES / 'via.yml', timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"msg": "reached as nobody"' in r.stdout
    calls = [line for line in log.read_text().splitlines() if line.startswith('-o BatchMode')]
    assert len(calls) == 2, calls
    assert f'-p {p2}' in calls[0] and f' {a2} ' in calls[0]
    assert f'-p {p3}' in calls[1] and f' {a3} ' in calls[1]
