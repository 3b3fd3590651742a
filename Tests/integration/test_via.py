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


def test_explain_connection_prints_the_stack_without_connecting(tmp_path):
    inv = tmp_path / 'inventory'
    # Addresses from the documentation range: nothing may connect to them.
    inv.write_text('bastion ansible_host=203.0.113.9\n'
                   'web ansible_host=10.0.0.6 swansible_via=admin@bastion ansible_become=true ansible_become_user=app\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks: []\n')
    r = swansible_playbook('-i', inv, book, '--explain-connection', 'web', timeout=20)
    assert r.returncode == 0, r.stderr
    import json
    stack = json.loads(r.stdout)
    assert [h['method'] for h in stack] == ['ssh', 'ssh (from the previous hop)', 'sudo']
    assert stack[0]['kwargs']['hostname'] == '203.0.113.9' and stack[0]['kwargs']['username'] == 'admin'
    assert stack[1]['kwargs']['hostname'] == '10.0.0.6'
    assert stack[2]['kwargs']['username'] == 'app'
