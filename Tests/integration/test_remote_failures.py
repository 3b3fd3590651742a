"""A host whose agent is killed, and one whose agent stops answering, end as UNREACHABLE
within the time limit while the other hosts finish the play."""
import subprocess
import time

from conftest import FIXTURES, swansible_playbook, write_ssh_inventory


def test_killed_and_stopped_agents_fail_alone(sshd_hosts, tmp_path):
    _, hosts, key = sshd_hosts
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts, key)
    start = time.monotonic()
    try:
        r = swansible_playbook('-i', inv, FIXTURES / 'failures_remote.yml', env={'SWANSIBLE_AGENT_TIMEOUT': '3'}, timeout=90)
    finally:
        subprocess.run(['pkill', '-CONT', '-f', 'SWANSIBLE-READY'], capture_output=True)
    elapsed = time.monotonic() - start
    assert r.returncode == 4, r.stdout + r.stderr
    assert 'fatal: [target2]: UNREACHABLE!' in r.stdout
    assert 'fatal: [target3]: UNREACHABLE!' in r.stdout and 'stopped answering' in r.stdout
    survivors = r.stdout.split('TASK [the survivors carry on]')[1].split('PLAY RECAP')[0]
    assert 'changed: [target1]' in survivors and 'target2' not in survivors and 'target3' not in survivors
    assert 'target1                    : ok=3    changed=2    unreachable=0    failed=0' in r.stdout
    assert 'target2                    : ok=1    changed=0    unreachable=1    failed=0' in r.stdout
    assert 'target3                    : ok=1    changed=0    unreachable=1    failed=0' in r.stdout
    assert elapsed < 30


def test_fifty_hosts_one_agent_killed(sshd_hosts, tmp_path):
    """50 inventory hosts (each its own connection and agent) over the three sshd instances; one
    agent is killed mid-run: it fails alone, the run finishes and the recap counts it."""
    _, hosts, key = sshd_hosts
    lines = ['[targets]']
    for i in range(50):
        name, addr, port = hosts[i % 3]
        lines.append(f'h{i:02d} ansible_host={addr} ansible_port={port} ansible_user=root '
                     f'ansible_ssh_private_key_file={key} ansible_python_interpreter=/usr/bin/python3')
    inv = tmp_path / 'inventory'
    inv.write_text('\n'.join(lines) + '\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n'
                    '    - ping:\n'
                    '    - shell: "{{ \'kill -9 $PPID\' if inventory_hostname == \'h17\' else \'true\' }}"\n'
                    '    - command: echo done\n')
    r = swansible_playbook('-i', inv, book, '-f', '50', timeout=180)
    assert r.returncode == 4, r.stdout[-2000:] + r.stderr
    assert 'fatal: [h17]: UNREACHABLE!' in r.stdout
    recap = r.stdout.split('PLAY RECAP')[1]
    assert 'h17                        : ok=1    changed=0    unreachable=1    failed=0' in recap
    for i in range(50):
        if i != 17:
            assert f'h{i:02d}                        : ok=3    changed=2    unreachable=0    failed=0' in recap
