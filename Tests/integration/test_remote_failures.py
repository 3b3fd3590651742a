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
