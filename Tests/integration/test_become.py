"""Become as child agents of the login agent: sudo with a password, su to another user,
and the failures Ansible reports for a wrong or missing password (a task failure, no hang)."""
import os
import pathlib

from conftest import FIXTURES, TEST_PASSWORD, TEST_USER, ansible_playbook, swansible_playbook, task_blocks


def inventory(tmp_path, sshd_hosts, **extra):
    _, hosts, _ = sshd_hosts
    name, addr, port = hosts[0]
    inv = tmp_path / 'inventory'
    more = ' '.join(f'{k}={v}' for k, v in extra.items())
    inv.write_text(f'{name} ansible_host={addr} ansible_port={port} ansible_user={TEST_USER} '
                   f'ansible_password={TEST_PASSWORD} ansible_python_interpreter=/usr/bin/python3 {more}\n')
    return inv


def test_sudo_and_su_run_as_the_right_users(sshd_hosts, tmp_path):
    target = pathlib.Path('/tmp/swansible-become-test.txt')
    target.unlink(missing_ok=True)
    inv = inventory(tmp_path, sshd_hosts, ansible_become_password=TEST_PASSWORD)
    ours = swansible_playbook('-i', inv, FIXTURES / 'become.yml', timeout=120)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert '"msg": "swansible-it root swansible-it2"' in ours.stdout
    assert target.read_text() == 'made by sudo\n' and target.stat().st_uid == 0
    target.unlink()
    # Ansible needs ACLs (or world-readable temp files) to become an unprivileged user; a child agent does not.
    theirs = ansible_playbook('-i', inv, FIXTURES / 'become.yml', timeout=120, env={'ANSIBLE_SHELL_ALLOW_WORLD_READABLE_TEMP': 'True'})
    assert theirs.returncode == 0, theirs.stdout
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)


def test_wrong_sudo_password_fails_the_task(sshd_hosts, tmp_path):
    inv = inventory(tmp_path, sshd_hosts, ansible_become_password='not-the-password')
    r = swansible_playbook('-i', inv, FIXTURES / 'become_fail.yml', timeout=60)
    assert r.returncode == 2
    assert 'fatal: [target1]: FAILED! => {"changed": false, "msg": "Task failed: Incorrect sudo password"}' in r.stdout
    theirs = ansible_playbook('-i', inv, FIXTURES / 'become_fail.yml', timeout=60)
    assert r.stdout == theirs.stdout


def test_missing_sudo_password_fails_the_task(sshd_hosts, tmp_path):
    inv = inventory(tmp_path, sshd_hosts)
    r = swansible_playbook('-i', inv, FIXTURES / 'become_fail.yml', timeout=60)
    assert r.returncode == 2
    assert 'fatal: [target1]: FAILED! => {"changed": false, "msg": "Task failed: Missing sudo password"}' in r.stdout
    theirs = ansible_playbook('-i', inv, FIXTURES / 'become_fail.yml', timeout=60)
    assert r.stdout == theirs.stdout
