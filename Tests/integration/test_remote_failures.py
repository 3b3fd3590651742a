"""A host whose agent is killed, and one whose agent stops answering, end as UNREACHABLE
within the time limit while the other hosts finish the play."""
import os
import pathlib
import pwd
import signal
import subprocess
import time

import pytest

from conftest import BIN, FIXTURES, LIBRARY_219, TEST_USER, ansible_playbook, swansible_playbook, task_blocks, write_password_inventory, write_ssh_inventory


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
    assert 'changed: [target1]' in survivors and 'target2' not in survivors and 'target3' not in survivors, r.stdout
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


def test_ctrl_c_stops_every_agent(sshd_hosts, tmp_path):
    """Ctrl-C during a task exits 99 after "User interrupted execution", prints nothing more (as
    ansible-playbook does), and leaves no agent and no agent temp dir on the target."""
    _, hosts, _ = sshd_hosts
    inv = tmp_path / 'inventory'
    write_password_inventory(inv, hosts[0])
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 31\n')
    home = pathlib.Path(pwd.getpwnam(TEST_USER).pw_dir)
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_NOCOLOR='1')
    p = subprocess.Popen([BIN / 'swansible-playbook', '-i', inv, book], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        end = time.monotonic() + 20
        while subprocess.run(['pgrep', '-u', TEST_USER, '-f', 'sleep 31'], capture_output=True).returncode != 0:
            assert time.monotonic() < end, 'the task never started'
            time.sleep(0.1)
        assert agents_alive(TEST_USER)
        assert list(home.glob('.ansible/tmp/swansible-*'))
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=15)
    finally:
        p.kill()
        subprocess.run(['pkill', '-u', TEST_USER, '-f', 'sleep 31'], capture_output=True)
    assert p.returncode == 99, out + err
    assert err.endswith('[ERROR]: User interrupted execution\n'), err
    assert out.rstrip().endswith('TASK [command] ' + '*' * 65) and 'PLAY RECAP' not in out, out
    end = time.monotonic() + 5
    while agents_alive(TEST_USER):
        assert time.monotonic() < end, 'the agent outlived the run'
        time.sleep(0.1)
    assert not list(home.glob('.ansible/tmp/swansible-*'))


def agents_alive(user):
    """Live (not zombie) python3 processes of a user."""
    ps = subprocess.run(['ps', '-u', user, '-o', 'stat=,comm='], capture_output=True, text=True).stdout
    return [l for l in ps.splitlines() if l.split()[1:] == ['python3'] and not l.startswith('Z')]


def wait_for_process(pattern, failure, seconds=20):
    """Waits until a process whose command line matches `pattern` runs."""
    end = time.monotonic() + seconds
    while subprocess.run(['pgrep', '-f', pattern], capture_output=True).returncode != 0:
        assert time.monotonic() < end, failure
        time.sleep(0.1)


@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_ad_hoc(tmp_path, signum):
    """`swansible` ad-hoc stops the same way on Ctrl-C (exit 99, Ansible's error) and dies of
    SIGTERM (as ansible does, after its workers passed it on); either way the command running on
    the local connection gets the signal too, as under ansible-core's workers: none is left."""
    p = subprocess.Popen([BIN / 'swansible', 'localhost', '-m', 'command', '-a', 'sleep 32'], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_process('^sleep 32$', 'the task never started')
        p.send_signal(signum)
        out, err = p.communicate(timeout=15)
        time.sleep(0.5)
        left = subprocess.run(['pgrep', '-f', '^sleep 32$'], capture_output=True).returncode == 0
    finally:
        p.kill()
        subprocess.run(['pkill', '-f', '^sleep 32$'], capture_output=True)
    assert not left, 'the command outlived the run'
    if signum == signal.SIGINT:
        assert p.returncode == 99, out + err
        assert err.endswith('[ERROR]: User interrupted execution\n'), err
    else:
        assert p.returncode == -signal.SIGTERM and 'ERROR' not in err, out + err


def test_ctrl_c_stops_pipe_lookups_at_once(tmp_path):
    """Ctrl-C while ten hosts each wait in a `pipe` lookup (ansible-core's signal_propagation):
    the commands are stopped with the run, which ends at once (exit 99), nothing left running."""
    inv = tmp_path / 'inventory'
    inv.write_text(''.join(f'host{i} ansible_connection=local\n' for i in range(10)))
    p = subprocess.Popen([BIN / 'swansible', 'all', '-i', inv, '-f', '10', '-m', 'debug', '-a', 'msg={{ lookup("pipe", "sleep 33") }}'],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_process('^sleep 33$', 'no lookup started')
        p.send_signal(signal.SIGINT)
        started = time.monotonic()
        out, err = p.communicate(timeout=15)
        assert time.monotonic() - started < 5
    finally:
        p.kill()
        subprocess.run(['pkill', '-f', '^sleep 33$'], capture_output=True)
    assert p.returncode == 99, out + err
    assert err.endswith('[ERROR]: User interrupted execution\n'), err
    assert subprocess.run(['pgrep', '-f', '^sleep 33$'], capture_output=True).returncode != 0


def run_with_interpreter(sshd_hosts, tmp_path, interpreter):
    """A ping on localhost and an SSH host with `interpreter`, ignored, then one with the host's
    own: both tools' output (the task blocks compared), after checking the hosts stayed reachable."""
    _, hosts, key = sshd_hosts
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts[:1], key, ansible_ssh_common_args='"-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost,targets\n  gather_facts: false\n  tasks:\n'
                    f'    - ping:\n      vars:\n        ansible_python_interpreter: {interpreter}\n      ignore_errors: true\n'
                    '    - ping:\n')
    ours = swansible_playbook('-i', inv, book, '-e', 'ansible_host_key_checking=false')
    theirs = ansible_playbook('-i', inv, book, '-e', 'ansible_host_key_checking=false')
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    for host in ('localhost', 'target1'):
        assert f'{host}' + ' ' * (27 - len(host)) + ': ok=2    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=1' in ours.stdout
    return ours


def test_missing_interpreter_fails_the_task(sshd_hosts, tmp_path):
    """An interpreter that is not on the host fails the task as Ansible words it (the shell's
    output, rc 127), over the local and SSH transports; the host stays reachable."""
    ours = run_with_interpreter(sshd_hosts, tmp_path, '/bogus/path')
    for host in ('localhost', 'target1'):
        assert f"fatal: [{host}]: FAILED! =>" in ours.stdout
    assert "The module interpreter '/bogus/path' was not found. Consider overriding" in ours.stdout + ours.stderr


def test_interpreter_that_fails_to_start_fails_the_task(sshd_hosts, tmp_path):
    """An interpreter that runs but exits without starting the agent (a broken pyenv shim, a
    Python too old) fails each task as Ansible's "Module result deserialization failed", with
    its output and exit status, over the local and SSH transports; the host stays reachable."""
    broken = tmp_path / 'python3.13'
    broken.write_text('#!/bin/sh\necho "a line on stdout that is longer than a frame header"\n'
                      'echo "pyenv: python3.13: command not found" >&2\nexit 3\n')
    broken.chmod(0o755)
    ours = run_with_interpreter(sshd_hosts, tmp_path, broken)
    for host in ('localhost', 'target1'):
        assert (f'fatal: [{host}]: FAILED! => {{"changed": false, "module_stderr": "pyenv: python3.13: command not found\\n", '
                '"module_stdout": "a line on stdout that is longer than a frame header\\n", '
                '"msg": "Module result deserialization failed: No start of json char found", "rc": 3}') in ours.stdout
    assert 'Module result deserialization failed: No start of json char found See stdout/stderr for the returned output.' in ours.stdout


MODULE_THAT_FAILS = '''from ansible.module_utils.basic import AnsibleModule


class Die(BaseException):
    pass


def main():
    module = AnsibleModule(argument_spec=dict(how=dict(type='str')))
    how = module.params['how']
    if how == 'chained':
        try:
            raise Exception('two')
        except Exception as ex:
            raise Exception('one') from ex
    if how == 'die':
        raise Die('boom')
    if how == 'return':
        return
    module.exit_json()


if __name__ == '__main__':
    main()
'''


@LIBRARY_219
def test_module_that_raises_or_returns_as_ansible(tmp_path):
    """2.19's AnsiballZ: an exception the module did not handle fails it naming the chain, one
    that is no Exception leaves output without a result ("Module result deserialization failed"),
    and a module that returns without printing a result fails ("did not handle its own exit").
    With DISPLAY_TRACEBACK=error a result's `exception` holds the module's traceback."""
    (tmp_path / 'library').mkdir()
    (tmp_path / 'library' / 'fails.py').write_text(MODULE_THAT_FAILS)
    (tmp_path / 'site.yml').write_text('''- hosts: localhost
  gather_facts: false
  tasks:
    - fails: {how: chained}
      register: chained
      ignore_errors: true
    - fails: {how: return}
      ignore_errors: true
    - fails: {how: die}
      register: die
      ignore_errors: true
    - debug: {msg: "{{ chained.exception }} / {{ die.module_stderr.splitlines() | last }}"}
''')
    args = [tmp_path / 'site.yml', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = swansible_playbook(*args, cwd=tmp_path), ansible_playbook(*args, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    # The die task's module_stderr names the files its traceback went through, which differ.
    def without_frames(text):
        return [line for line in text.splitlines() if '"module_stderr": "Traceback' not in line]
    assert without_frames(ours.stdout) == without_frames(theirs.stdout)
    assert ours.stderr == theirs.stderr
    assert '[ERROR]: Task failed: Module failed: one: two' in ours.stdout
    assert '[ERROR]: Task failed: Module failed: New-style module did not handle its own exit.' in ours.stdout
    assert '"msg": "Module result deserialization failed: No start of json char found"' in ours.stdout
    assert '"msg": "(traceback unavailable) / Die: boom"' in ours.stdout
    traced = swansible_playbook(*args, cwd=tmp_path, env={'ANSIBLE_DISPLAY_TRACEBACK': 'error'})
    msg = traced.stdout.split('"msg": "Traceback (most recent call last):')[1].split('"\n')[0]
    assert 'Exception: two\\n\\nThe above exception was the direct cause of the following exception:\\n\\nTraceback' in msg
    assert msg.endswith('Exception: one\\n / Die: boom')


def test_a_discovered_interpreter_that_fails_is_reported(tmp_path):
    """Discovery finds a broken python3.13 first on PATH (a pyenv shim for a Python that is not
    installed, as on this machine): the task fails as ansible-playbook's, with the discovery
    warning and `discovered_interpreter_python` in the result, on every task it is found again."""
    (tmp_path / 'bin').mkdir()
    broken = tmp_path / 'bin' / 'python3.13'
    broken.write_text('#!/bin/sh\necho "pyenv: python3.13: command not found" >&2\nexit 127\n')
    broken.chmod(0o755)
    (tmp_path / 'site.yml').write_text('- hosts: h\n  gather_facts: false\n  tasks:\n'
                                       '    - {ping: {}, ignore_errors: true, register: r}\n'
                                       '    - debug: var=r.ansible_facts\n'
                                       '    - {ping: {}, ignore_errors: true}\n')
    env = {'PATH': f'{tmp_path / "bin"}:{os.environ["PATH"]}'}
    args = ['-i', 'h,', '-c', 'local', tmp_path / 'site.yml']
    ours, theirs = swansible_playbook(*args, env=env, cwd=tmp_path), ansible_playbook(*args, env=env, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert ours.stdout.count(f'"ansible_facts": {{"discovered_interpreter_python": "{broken}"}}') == 2
    assert f"[WARNING]: Host 'h' is using the discovered Python interpreter at '{broken}'" in ours.stderr
