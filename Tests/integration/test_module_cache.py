"""Module code is cached on the target by content hash, in a private per-user directory: a second
run sends at most 20 KB per host before its first task (the agent is sent compressed)."""
import marshal
import os
import pathlib
import pwd
import shutil

from conftest import TEST_USER, swansible_playbook, write_password_inventory


def sent_bytes(r):
    line = [l for l in r.stderr.splitlines() if l.startswith('swansible:')][-1]
    return int(line.split(',')[1].split()[0])


def test_second_run_sends_little(sshd_hosts, tmp_path):
    _, hosts, _ = sshd_hosts
    cache = pathlib.Path(pwd.getpwnam(TEST_USER).pw_dir) / '.cache' / 'swansible'
    shutil.rmtree(cache, ignore_errors=True)
    inv = tmp_path / 'inventory'
    write_password_inventory(inv, hosts[0])
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: hostname\n')
    env = {'SWANSIBLE_STATS': '1'}
    first = swansible_playbook('-i', inv, book, env=env)
    second = swansible_playbook('-i', inv, book, env=env)
    assert first.returncode == second.returncode == 0, first.stdout + first.stderr
    assert sent_bytes(first) > 50_000   # module_utils of ansible-core 2.17+ alone are ~90 kB
    assert sent_bytes(second) <= 20_000, second.stderr
    assert oct((cache / 'modules').stat().st_mode & 0o777) == '0o700'
    assert oct(cache.stat().st_mode & 0o777) == '0o700'
    # The code compiled from those sources is kept too, per Python, as .pyc files are.
    [code] = (cache / 'modules').glob('code-*')
    assert oct(code.stat().st_mode & 0o777) == '0o700' and len(list(code.iterdir())) > 20
    # A damaged cache entry is noticed (its name is the SHA-256 of its content) and sent again;
    # damaged code is compiled again.
    for f in (cache / 'modules').iterdir():
        if f.is_file():
            f.write_text('raise SystemExit("damaged")\n')
    for i, f in enumerate(code.iterdir()):
        f.write_bytes(b'\xff\x00garbage' if i % 2 else marshal.dumps(42))
    damaged = swansible_playbook('-i', inv, book, env=env)
    assert damaged.returncode == 0, damaged.stdout + damaged.stderr
    assert 'changed=1' in damaged.stdout
    # Turned off, everything travels again (and still works).
    off = swansible_playbook('-i', inv, book, env=dict(env, SWANSIBLE_MODULE_CACHE='0'))
    assert off.returncode == 0 and sent_bytes(off) > 50_000


def received_bytes(r):
    line = [l for l in r.stderr.splitlines() if l.startswith('swansible:')][-1]
    return int(line.split(',')[2].split()[0])


def test_a_command_task_costs_under_500_bytes(sshd_hosts, tmp_path):
    """Requests and replies are compressed on one stream per agent, so a task that repeats the
    previous one's shape travels as its differences: 50 more tasks cost < 500 bytes each, both
    directions, while every result still arrives whole."""
    _, hosts, _ = sshd_hosts
    inv = tmp_path / 'inventory'
    write_password_inventory(inv, hosts[0])
    runs = {}
    for n in (1, 51):
        book = tmp_path / f'site{n}.yml'
        book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n'
                        + ''.join(f'    - command: echo task-{i}\n      register: r{i}\n' for i in range(n))
                        + f'    - debug: {{msg: "{{{{ r{n - 1}.stdout }}}} {{{{ r{n - 1}.cmd }}}}"}}\n')
        runs[n] = swansible_playbook('-i', inv, book, env={'SWANSIBLE_STATS': '1'})
        assert runs[n].returncode == 0, runs[n].stdout + runs[n].stderr
    assert '"msg": "task-50 [\'echo\', \'task-50\']"' in runs[51].stdout
    per_task = (sent_bytes(runs[51]) + received_bytes(runs[51]) - sent_bytes(runs[1]) - received_bytes(runs[1])) / 50
    assert 0 < per_task < 500, per_task
