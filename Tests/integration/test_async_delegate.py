"""async (poll and poll: 0 + async_status, with until) and delegate_to another host and
localhost, over real sshd hosts, against ansible-playbook."""
from conftest import FIXTURES, NO_PIPELINING, TEST_PASSWORD, TEST_USER, ansible_playbook, swansible_playbook, task_blocks


def test_async_and_delegation_match_ansible(sshd_hosts, tmp_path):
    _, hosts, key = sshd_hosts
    (n1, a1, p1), (n2, a2, p2) = hosts[0], hosts[1]
    inv = tmp_path / 'inventory'
    inv.write_text(
        f'{n1} ansible_host={a1} ansible_port={p1} ansible_user=root ansible_ssh_private_key_file={key} '
        f'ansible_python_interpreter=/usr/bin/python3\n'
        f'{n2} ansible_host={a2} ansible_port={p2} ansible_user={TEST_USER} ansible_password={TEST_PASSWORD} '
        f'ansible_python_interpreter=/usr/bin/python3\n'
        f'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n')
    ours = swansible_playbook('-i', inv, FIXTURES / 'async_delegate.yml', timeout=120)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert f'changed: [{n1} -> {n2}({a2})]' in ours.stdout
    assert f'changed: [{n1} -> localhost]' in ours.stdout
    assert f'"msg": "{TEST_USER} controller"' in ours.stdout
    assert 'ASYNC OK on target1: jid=' in ours.stdout
    # Under pipelining ansible-playbook's fire-and-forget job sometimes comes back finished with
    # no stdout (seen once in CI, session 23): it runs as it did before, without.
    theirs = ansible_playbook('-i', inv, FIXTURES / 'async_delegate.yml', timeout=120, env=NO_PIPELINING)
    assert theirs.returncode == 0, theirs.stdout
    ours_blocks, ours_recap = task_blocks(ours.stdout)
    theirs_blocks, theirs_recap = task_blocks(theirs.stdout)
    assert ours_recap == theirs_recap
    # The number of "FAILED - RETRYING" lines depends on timing; the task results must agree.
    assert ours_blocks == theirs_blocks
