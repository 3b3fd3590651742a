"""Become as child agents of the login agent: sudo with a password, su to another user,
and the failures Ansible reports for a wrong or missing password (a task failure, no hang)."""
import os
import pathlib

from conftest import FIXTURES, SECOND_PASSWORD, SECOND_USER, TEST_PASSWORD, TEST_USER, ansible_playbook, swansible_playbook, task_blocks


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


def test_agent_limit_evicts_the_least_recently_used(sshd_hosts, tmp_path):
    """With SWANSIBLE_MAX_AGENTS=2, a third become user on one connection stops the least
    recently used idle agent (its process ends); the others keep theirs; the evicted user gets a
    new agent when it comes back. Each task reports its agent's pid ($PPID of the command)."""
    import json
    from conftest import SECOND_USER
    _, hosts, key = sshd_hosts
    from conftest import write_ssh_inventory
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts[:1], key)
    users = ['nobody', TEST_USER, SECOND_USER, 'nobody', SECOND_USER]
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  become: true\n  tasks:\n'
                    + ''.join(f'    - shell: echo $PPID\n      become_user: {u}\n      register: r{i}\n' for i, u in enumerate(users))
                    + '    - shell: "kill -0 {{ r0.stdout }} 2>&1 || echo gone"\n      register: first\n'
                    + '      become_user: root\n'
                    + '    - debug: {msg: "{{ [r0.stdout, r1.stdout, r2.stdout, r3.stdout, r4.stdout, first.stdout] | to_json }}"}\n')
    r = swansible_playbook('-i', inv, book, env={'SWANSIBLE_MAX_AGENTS': '2'}, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    line = [l for l in r.stdout.splitlines() if '"msg":' in l][-1]
    pids = json.loads(json.loads(line.split('"msg": ', 1)[1]))
    nobody1, it1, it2, nobody2, it2_again, first = pids
    assert len({nobody1, it1, it2}) == 3
    assert nobody2 != nobody1          # evicted by the third user, restarted on return
    assert it2_again == it2            # recently used: kept
    assert first.endswith('gone')      # the evicted agent's process ended


def test_doas_with_and_without_a_password(sshd_hosts, tmp_path):
    """doas: to another user without a password (-n, a `nopass` rule), and to root with the
    become password typed at doas's prompt on a terminal; a wrong or missing password fails the
    task, as Ansible reports it, without a hang."""
    import shutil
    from conftest import write_ssh_inventory
    if not shutil.which('doas'):
        import pytest
        pytest.skip('doas is not installed (make setup installs it)')
    conf = pathlib.Path('/etc/doas.conf')
    saved = conf.read_bytes() if conf.exists() else None
    conf.write_text(f'permit nopass root as {TEST_USER}\npermit {TEST_USER} as root\n')
    try:
        _, hosts, key = sshd_hosts
        as_root = tmp_path / 'root-inventory'
        write_ssh_inventory(as_root, hosts[:1], key)
        book = tmp_path / 'site.yml'
        book.write_text('- hosts: all\n  gather_facts: false\n  become: true\n  become_method: doas\n  tasks:\n'
                        '    - command: whoami\n      register: w\n    - debug: {var: w.stdout}\n')
        r = swansible_playbook('-i', as_root, book, '-e', f'ansible_become_user={TEST_USER}', timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert f'"w.stdout": "{TEST_USER}"' in r.stdout
        for password, expect in ((TEST_PASSWORD, None), ('wrong', 'Incorrect doas password'), (None, 'Missing doas password')):
            extra = {'ansible_become_password': password} if password else {}
            inv = inventory(tmp_path, sshd_hosts, **extra)
            r = swansible_playbook('-i', inv, book, timeout=60)
            if expect is None:
                assert r.returncode == 0, r.stdout + r.stderr
                assert '"w.stdout": "root"' in r.stdout
            else:
                assert r.returncode == 2, r.stdout + r.stderr
                assert f'"msg": "Task failed: {expect}"' in r.stdout, r.stdout
    finally:
        if saved is None:
            conf.unlink(missing_ok=True)
        else:
            conf.write_bytes(saved)


def test_python_become_plugin_as_ansible(sshd_hosts, tmp_path):
    """A become plugin written in Python (become_plugins/ beside the playbook, as community.general's
    dzdo or sudosu): it builds the command, its password prompt is answered, and modules, commands
    and raw run under it as the users ansible-playbook runs them as; a wrong or missing password
    and a method no plugin has fail as Ansible reports them."""
    src = FIXTURES / 'become_plugin'
    inv = inventory(tmp_path, sshd_hosts, ansible_become_password=TEST_PASSWORD)
    env = {'ANSIBLE_SHELL_ALLOW_WORLD_READABLE_TEMP': 'True'}   # Ansible's temp files for the second user
    ours, theirs = (f('-i', inv, src / 'site.yml', timeout=120, env=env) for f in (swansible_playbook, ansible_playbook))
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    assert f'"msg": "root via=1 / {SECOND_USER} via=1 / root via=1"' in ours.stdout
    for extra in ({'ansible_become_password': 'not-the-password'}, {}):
        inv = inventory(tmp_path, sshd_hosts, **extra)
        ours, theirs = (f('-i', inv, src / 'fail.yml', timeout=60) for f in (swansible_playbook, ansible_playbook))
        assert ours.returncode == theirs.returncode == 2, ours.stdout + ours.stderr
        assert ours.stdout == theirs.stdout
    assert 'Missing viasudo password' in ours.stdout and 'could not find matching plugin' in ours.stdout


def test_vaulted_login_and_become_passwords(sshd_hosts, tmp_path):
    """ansible_password and ansible_become_password kept as !vault values (the usual way) are
    decrypted for the login and for sudo's prompt, as ansible-playbook decrypts them."""
    from conftest import VENV, run
    _, hosts, _ = sshd_hosts
    name, addr, port = hosts[0]
    (tmp_path / 'pass').write_text('vault-pw\n')
    texts = []
    for var, secret in (('ansible_password', TEST_PASSWORD), ('ansible_become_password', TEST_PASSWORD)):
        r = run([VENV / 'bin' / 'ansible-vault', 'encrypt_string', '--vault-password-file', tmp_path / 'pass', secret, '--name', var])
        assert r.returncode == 0, r.stderr
        texts.append(r.stdout)
    (tmp_path / 'secrets.yml').write_text(''.join(texts))
    (tmp_path / 'inventory').write_text(f'{name} ansible_host={addr} ansible_port={port} ansible_user={TEST_USER} '
                                        'ansible_python_interpreter=/usr/bin/python3\n')
    (tmp_path / 'site.yml').write_text('- hosts: all\n  gather_facts: false\n  vars_files: [secrets.yml]\n  tasks:\n'
                                       '    - command: id -un\n      become: true\n      register: w\n    - debug: {var: w.stdout}\n')
    args = ('-i', tmp_path / 'inventory', tmp_path / 'site.yml', '--vault-password-file', tmp_path / 'pass')
    ours, theirs = swansible_playbook(*args, timeout=60), ansible_playbook(*args, timeout=60)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert '"w.stdout": "root"' in ours.stdout and task_blocks(ours.stdout) == task_blocks(theirs.stdout)


def test_raw_answers_the_become_password_prompt(sshd_hosts, tmp_path):
    # root first drops to the test user, who then has to give a password (as ansible-core's
    # become_su and become_sudo targets arrange it); a wrong one or an unknown prompt ends in
    # Ansible's words, not a hang.
    shim = tmp_path / 'as-test-user.sh'
    shim.write_text(f'#!/bin/sh\nexec sudo -n -u {TEST_USER} "$@"\n')
    shim.chmod(0o755)
    inv = tmp_path / 'inventory'
    inv.write_text(f'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3 shim={shim} '
                   f'second_user={SECOND_USER} second_password={SECOND_PASSWORD} test_password={TEST_PASSWORD}\n')
    ours = swansible_playbook('-i', inv, FIXTURES / 'raw_become.yml', timeout=60)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert f'"msg": "[\'{SECOND_USER}\'] [\'{SECOND_USER}\', \'/\'] "' in ours.stdout
    assert 'Task failed: Premature end of stream waiting for become success.\\n>>> Standard Error\\nPassword: \\nsu: Authentication failure' in ours.stdout
    assert 'UNREACHABLE! => {"changed": false, "msg": "Task failed: Timed out waiting for become success or become password prompt.' in ours.stdout
    theirs = ansible_playbook('-i', inv, FIXTURES / 'raw_become.yml', timeout=60)
    assert theirs.returncode == 0
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)


def test_a_user_can_be_deleted_after_being_become(sshd_hosts, tmp_path):
    """Ansible's become ends with its task, so a playbook may delete a user it has just become.
    Our agent for that user outlives the task: it is ended before `user: state=absent` runs
    (userdel refuses a user with a running process), and the user is gone afterwards."""
    import pwd
    from conftest import write_ssh_inventory
    _, hosts, key = sshd_hosts
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts[:1], key)
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  become: true\n  tasks:\n'
                    '    - user: {name: swansible-gone, state: present}\n'
                    '    - command: id -un\n      become_user: swansible-gone\n      register: who\n'
                    '    - user: {name: swansible-gone, state: absent, remove: true}\n'
                    '    - debug: {msg: "ran as {{ who.stdout }}"}\n')
    try:
        r = swansible_playbook('-i', inv, book, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert '"msg": "ran as swansible-gone"' in r.stdout
        try:
            pwd.getpwnam('swansible-gone')
            assert False, 'the user is still there'
        except KeyError:
            pass
    finally:
        os.system('userdel -rf swansible-gone >/dev/null 2>&1')


def test_su_prompt_l10n_names_the_prompts_answered(sshd_hosts, tmp_path):
    """ansible_su_prompt_l10n is the list of prompts su is answered on, for modules as for raw:
    without su's own prompt, the wait for one ends UNREACHABLE after the ssh timeout + 2 s, as
    Ansible's ssh connection has it; with it, su runs."""
    inv = inventory(tmp_path, sshd_hosts)
    ours = swansible_playbook('-i', inv, FIXTURES / 'su_prompt_l10n.yml', timeout=60)
    assert ours.returncode == 4, ours.stdout + ours.stderr
    assert 'UNREACHABLE! => {"changed": false, "msg": "Task failed: Timeout (5s) waiting for privilege escalation prompt:' in ours.stdout
    play = FIXTURES / 'su_prompt_l10n.yml'
    ours = swansible_playbook('-i', inv, play, '--start-at-task', 'su with the prompt it prints', timeout=60)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert f'"who.stdout": "{SECOND_USER}"' in ours.stdout
    # Ansible's module files must be readable by the unprivileged user: with setfacl (the acl
    # package, which a fresh machine may not have) or, as here, world-readable.
    theirs = ansible_playbook('-i', inv, play, '--start-at-task', 'su with the prompt it prints', timeout=60,
                              env={'ANSIBLE_SHELL_ALLOW_WORLD_READABLE_TEMP': 'True'})
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)


def test_raw_becomes_over_ssh_as_the_ssh_plugin(sshd_hosts, tmp_path):
    """raw under become over ssh runs on a terminal (ssh -tt) as the ssh plugin runs it: the
    success marker's line is dropped (swansible left `BECOME-SUCCESS-…` in stdout), a sudo or su
    password is answered at its prompt on the channel (it was never answered), and a wrong or a
    missing one is "Incorrect sudo password" / "Missing sudo password"."""
    from conftest import write_password_inventory, write_ssh_inventory
    _, hosts, key = sshd_hosts
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts[:1], key)
    book = tmp_path / 'site.yml'
    book.write_text(f'''- hosts: targets
  gather_facts: false
  tasks:
    - raw: whoami; echo err >&2
      become: true
      register: r
    - raw: whoami
      become: true
      become_user: {TEST_USER}
      register: q
    - debug: {{msg: "{{{{ r.stdout_lines + q.stdout_lines }}}} {{{{ r.stdout }}}}"}}
''')
    ours, theirs = swansible_playbook('-i', inv, book, timeout=120), ansible_playbook('-i', inv, book, timeout=120)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout
    assert '"msg": "[\'root\', \'err\', \'%s\'] root\\r\\nerr\\r\\n"' % TEST_USER in ours.stdout
    # Logged in as the test user, whose sudo asks for a password.
    _, addr, port = hosts[0]
    write_password_inventory(inv, ('pw', addr, port))
    with open(inv, 'a') as f:
        f.write(f'[all:vars]\ntest_password={TEST_PASSWORD}\nsecond_password={SECOND_PASSWORD}\n')
    args = ['-i', inv, FIXTURES / 'raw_become_ssh.yml']
    ours, theirs = swansible_playbook(*args, timeout=120), ansible_playbook(*args, timeout=120)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout
    assert 'Task failed: Incorrect sudo password' in ours.stdout and 'Task failed: Missing sudo password' in ours.stdout
    assert '"r.stdout_lines": [\n        "",\n        "root",\n        "done"\n    ]' in ours.stdout


def test_become_password_and_options_from_the_configuration(sshd_hosts, tmp_path):
    """The sudo plugin's options as its config definition reads them: ANSIBLE_BECOME_PASS,
    ANSIBLE_SUDO_PASS (the later name wins), `[sudo_become_plugin] password` and `user` in
    ansible.cfg, with host variables over all of them — each run as ansible-playbook runs it."""
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n    - command: whoami\n      register: w\n'
                    '    - debug: {var: w.stdout}\n')
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text(f'[sudo_become_plugin]\npassword = {TEST_PASSWORD}\nuser = {SECOND_USER}\n')
    cases = [
        ({}, {'ANSIBLE_BECOME_PASS': TEST_PASSWORD}, '"w.stdout": "root"'),
        ({}, {'ANSIBLE_BECOME_PASS': TEST_PASSWORD, 'ANSIBLE_SUDO_PASS': 'not-the-password'}, 'Incorrect sudo password'),
        ({'ansible_become_password': TEST_PASSWORD}, {'ANSIBLE_SUDO_PASS': 'not-the-password'}, '"w.stdout": "root"'),
        ({}, {'ANSIBLE_CONFIG': str(cfg)}, f'"w.stdout": "{SECOND_USER}"'),
        ({}, {'ANSIBLE_CONFIG': str(cfg), 'ANSIBLE_BECOME_USER': 'root'}, '"w.stdout": "root"'),
    ]
    for host_vars, env, expected in cases:
        inv = inventory(tmp_path, sshd_hosts, **host_vars)
        ours = swansible_playbook('-i', inv, book, env=env, timeout=60)
        assert expected in ours.stdout, (env, ours.stdout + ours.stderr)
        theirs = ansible_playbook('-i', inv, book, env=dict(env, ANSIBLE_SHELL_ALLOW_WORLD_READABLE_TEMP='True'), timeout=60)
        assert (ours.returncode, task_blocks(ours.stdout)) == (theirs.returncode, task_blocks(theirs.stdout)), (env, theirs.stdout)
