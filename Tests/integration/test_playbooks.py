"""swansible-playbook end to end: files on disk, output lines and exit codes, on localhost and
on three sshd hosts, and the same task lines and recap as ansible-playbook."""
import pathlib
import re
import shutil

import pytest

from conftest import (BIN, FIXTURES, LIBRARY_219, NO_PIPELINING, TEST_USER, VENV, run, ansible_playbook, run_on_terminal, swansible_playbook, task_blocks,
                      write_password_inventory, write_ssh_inventory)

DEMO = FIXTURES / 'demo'


def test_demo_creates_files_and_prints_ansible_output():
    shutil.rmtree('/tmp/swansible-demo', ignore_errors=True)
    r = swansible_playbook('-i', DEMO / 'inventory', DEMO / 'site.yml')
    assert r.returncode == 0, r.stdout + r.stderr
    assert pathlib.Path('/tmp/swansible-demo/greeting.txt').read_text() == 'Hello from swansible\n'
    assert pathlib.Path('/tmp/swansible-demo/motd').read_text() == 'Managed host: localhost\n- first line\n- second line\n'
    assert 'TASK [Copy a file] ' in r.stdout
    assert '    "msg": "Linux says Hello from swansible"' in r.stdout
    assert 'localhost                  : ok=6    changed=3    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0' in r.stdout


def test_demo_second_run_changes_nothing():
    swansible_playbook('-i', DEMO / 'inventory', DEMO / 'site.yml')
    r = swansible_playbook('-i', DEMO / 'inventory', DEMO / 'site.yml')
    assert r.returncode == 0
    assert 'changed=0' in r.stdout
    assert 'changed: [' not in r.stdout


def test_demo_matches_ansible_playbook():
    shutil.rmtree('/tmp/swansible-demo', ignore_errors=True)
    theirs = ansible_playbook('-i', DEMO / 'inventory', DEMO / 'site.yml')
    shutil.rmtree('/tmp/swansible-demo', ignore_errors=True)
    ours = swansible_playbook('-i', DEMO / 'inventory', DEMO / 'site.yml')
    assert theirs.returncode == ours.returncode == 0
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)


@pytest.fixture
def ssh_inventory(sshd_hosts, tmp_path):
    d, hosts, key = sshd_hosts
    root = tmp_path / 'hosts'
    root.mkdir()
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts, key, test_root=root)
    return inv, root, hosts


def test_three_ssh_hosts_get_their_files(ssh_inventory):
    inv, root, hosts = ssh_inventory
    r = swansible_playbook('-i', inv, FIXTURES / 'ssh' / 'site.yml', '-f', '3')
    assert r.returncode == 0, r.stdout + r.stderr
    for name, _, _ in hosts:
        base = root / name
        assert (base / 'id.txt').read_text() == f'host={name}\n'
        conf = (base / 'app.conf').read_text()
        assert f'name = {name}\n' in conf and conf.endswith('# managed\n')
        assert ('primary = true' in conf) == (name == 'target1')
        assert (base / 'a').exists() and (base / 'b').exists()
        assert (base / 'raw.txt').read_text() == f'raw-{name}\n'
        assert (base / 'restarted').exists()
        recap = [l for l in r.stdout.splitlines() if l.startswith(name + ' ')]
        assert len(recap) == 1 and 'unreachable=0    failed=0' in recap[0] and 'changed=8' in recap[0]
    assert 'skipping: [target1]' in r.stdout
    assert 'RUNNING HANDLER [restart app]' in r.stdout


def test_ssh_run_matches_ansible_playbook(ssh_inventory, tmp_path):
    inv, root, hosts = ssh_inventory
    theirs = ansible_playbook('-i', inv, FIXTURES / 'ssh' / 'site.yml')
    shutil.rmtree(root)
    root.mkdir()
    ours = swansible_playbook('-i', inv, FIXTURES / 'ssh' / 'site.yml')
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)


def test_yaml_syntax_error_names_file_line_and_exits_4():
    r = swansible_playbook(FIXTURES / 'errors' / 'yaml_syntax.yml', timeout=30)
    assert r.returncode == 4
    assert '[ERROR]: YAML parsing failed:' in r.stderr
    assert f'Origin: {FIXTURES}/errors/yaml_syntax.yml:6:' in r.stderr
    assert 'Traceback' not in r.stderr and 'Fatal error' not in r.stderr


def test_unknown_keyword_is_an_error_with_location():
    r = swansible_playbook(FIXTURES / 'errors' / 'unknown_keyword.yml', timeout=30)
    assert r.returncode == 4
    assert '[ERROR]: conflicting action statements: debug, whenn' in r.stderr
    assert f'Origin: {FIXTURES}/errors/unknown_keyword.yml:4:7' in r.stderr


def test_missing_module_is_an_error_with_location():
    r = swansible_playbook(FIXTURES / 'errors' / 'missing_module.yml', timeout=30)
    assert r.returncode == 4
    assert "[ERROR]: couldn't resolve module/action 'not_a_real_module'" in r.stderr
    assert f'Origin: {FIXTURES}/errors/missing_module.yml:4:7' in r.stderr


def test_unreachable_host_is_reported_and_exits_4(tmp_path):
    inv = tmp_path / 'inventory'
    # Nothing listens on 127.0.0.9:1, so the connection is refused at once.
    inv.write_text('ghost ansible_host=127.0.0.9 ansible_port=1 ansible_python_interpreter=/usr/bin/python3\n')
    r = swansible_playbook('-i', inv, FIXTURES / 'unreachable.yml', timeout=60, env=NO_PIPELINING)
    assert r.returncode == 4
    assert 'fatal: [ghost]: UNREACHABLE! => {"changed": false, "msg": "Task failed: Failed to connect to the host via ssh: ssh: connect to host 127.0.0.9 port 1: Connection refused", "unreachable": true}' in r.stdout
    assert '[ERROR]: Task failed: Failed to connect to the host via ssh' in r.stdout   # 2.19's error block, as ansible-playbook
    assert 'ghost                      : ok=0    changed=0    unreachable=1    failed=0' in r.stdout


def test_a_loop_of_unreachable_items_makes_the_host_unreachable(tmp_path):
    """Each item shown failed, then the loop UNREACHABLE as TaskExecutor flags it (ignored under
    ignore_unreachable: the host goes on; else it is done, exit 4); results carry the exception
    place holder and no `failed`, as ansible-playbook registers them. swansible failed the host."""
    args = ['-i', 'h,', '-e', 'ansible_host=127.0.0.9', '-c', 'ssh', FIXTURES / 'failures_unreachable_loop.yml']
    ours, theirs = (f(*args, timeout=60, env=NO_PIPELINING) for f in (swansible_playbook, ansible_playbook))
    assert ours.returncode == theirs.returncode == 4
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '"msg": "True True 2 nf nf"' in ours.stdout
    assert 'h                          : ok=2    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=1' in ours.stdout
    # One item unreachable and one failed: the loop is failed (ignored here) and still unreachable.
    args[-1] = FIXTURES / 'failures_mixed_loop.yml'
    ours, theirs = (f(*args, timeout=60, env=NO_PIPELINING) for f in (swansible_playbook, ansible_playbook))
    assert ours.returncode == theirs.returncode == 0
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '"msg": "True True"' in ours.stdout


def test_ssh_args_variable_and_its_config_file_port(tmp_path):
    """`ansible_ssh_args` (the ssh plugin's variable for ssh_args) is read, and a port an ssh
    config file given there sets is the one connected to and named in the error."""
    (tmp_path / 'ssh.cfg').write_text('Host *\n\tPort 2\n')
    (tmp_path / 'site.yml').write_text(f'''- hosts: h
  gather_facts: false
  tasks:
    - ping:
      vars:
        ansible_ssh_args: "-F {tmp_path}/ssh.cfg"
''')
    r = swansible_playbook('-i', 'h,', '-e', 'ansible_host=127.0.0.9', '-c', 'ssh', tmp_path / 'site.yml', timeout=60)
    assert r.returncode == 4, r.stdout + r.stderr
    assert 'ssh: connect to host 127.0.0.9 port 2: Connection refused' in r.stdout


def test_wrong_ssh_password_is_unreachable_not_a_hang(sshd_hosts, tmp_path):
    _, hosts, _ = sshd_hosts
    _, addr, port = hosts[0]
    inv = tmp_path / 'inventory'
    write_password_inventory(inv, ('pw', addr, port), password='wrong-password')
    r = swansible_playbook('-i', inv, FIXTURES / 'unreachable.yml', timeout=60, env=NO_PIPELINING)
    assert r.returncode == 4
    assert f'fatal: [pw]: UNREACHABLE! => {{"changed": false, "msg": "Task failed: Failed to connect to the host via ssh: {TEST_USER}@{addr}: Permission denied (' in r.stdout


def test_right_ssh_password_works(sshd_hosts, tmp_path):
    _, hosts, _ = sshd_hosts
    _, addr, port = hosts[1]
    inv = tmp_path / 'inventory'
    write_password_inventory(inv, ('pw', addr, port))
    r = swansible_playbook('-i', inv, FIXTURES / 'unreachable.yml', timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'ok: [pw]' in r.stdout


def test_failed_task_exits_2_and_ignore_errors_counts_ignored(tmp_path):
    r = swansible_playbook('-i', DEMO / 'inventory', FIXTURES / 'failures.yml')
    theirs = ansible_playbook('-i', DEMO / 'inventory', FIXTURES / 'failures.yml')
    assert r.returncode == theirs.returncode == 2
    assert '...ignoring' in r.stdout
    assert task_blocks(r.stdout) == task_blocks(theirs.stdout)


@pytest.mark.parametrize('flag', ['--list-hosts', '--list-tasks', '--list-tags', '--syntax-check'])
def test_listing_matches_ansible_playbook(flag):
    args = ['-i', DEMO / 'inventory', DEMO / 'site.yml', flag]
    ours, theirs = swansible_playbook(*args), ansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0
    assert ours.stdout == theirs.stdout


def test_tags_select_tasks():
    args = ['-i', DEMO / 'inventory', FIXTURES / 'tags.yml', '--tags', 'b']
    ours, theirs = swansible_playbook(*args), ansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)


def test_roles_files_templates_handlers_match_ansible_playbook():
    book = FIXTURES / 'roles' / 'site.yml'
    shutil.rmtree('/tmp/swansible-roles', ignore_errors=True)
    theirs = ansible_playbook('-i', DEMO / 'inventory', book)
    shutil.rmtree('/tmp/swansible-roles', ignore_errors=True)
    ours = swansible_playbook('-i', DEMO / 'inventory', book)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    assert pathlib.Path('/tmp/swansible-roles/site.conf').read_text() == 'site=example port=8080 user=www-data\n'
    assert pathlib.Path('/tmp/swansible-roles/index.html').read_text() == '<h1>hello</h1>\n'
    assert pathlib.Path('/tmp/swansible-roles/reloaded').exists()
    assert 'TASK [web : Copy the static page]' in ours.stdout


def test_limit_from_file(tmp_path):
    """A limit file's patterns: one that leaves no inventory host stops the run (exit 1), as
    get_host_list does before anything is listed; one that matches lists that host."""
    limit = tmp_path / 'limit'
    for patterns, rc in (('nohost\n', 1), ('nohost\nlocalhost\n', 0)):
        limit.write_text(patterns)
        args = ('-i', DEMO / 'inventory', DEMO / 'site.yml', '--limit', f'@{limit}', '--list-hosts')
        theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
        assert theirs.returncode == ours.returncode == rc, ours.stdout + ours.stderr
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)


def test_command_line_errors_exit_as_ansible():
    """A command line the parser refuses (unknown option, bad value, missing argument) exits 2 in
    every command, as argparse makes Ansible's exit; the error names what was wrong."""
    for theirs_bin, ours_bin, args in (('ansible-playbook', 'swansible-playbook', ['--no-such-option', DEMO / 'site.yml']),
                                       ('ansible-playbook', 'swansible-playbook', ['-f', 'abc', DEMO / 'site.yml']),
                                       ('ansible-playbook', 'swansible-playbook', []),
                                       ('ansible', 'swansible', ['--no-such-option']),
                                       ('ansible-inventory', 'swansible-inventory', ['--no-such-option']),
                                       ('ansible-vault', 'swansible-vault', ['--no-such-option'])):
        theirs, ours = run([VENV / 'bin' / theirs_bin, *args]), run([BIN / ours_bin, *args])
        assert ours.returncode == theirs.returncode == 2, (ours_bin, args, ours.stderr)
        assert ours.stdout == '' and ours.stderr.startswith('[ERROR]: '), ours.stderr


def test_forks_below_one_is_refused():
    """-f below 1, or ANSIBLE_FORKS (the default -f has) below 1: a command-line error."""
    for theirs_bin, ours_bin, args, env in (('ansible-playbook', 'swansible-playbook', ['-f', '0', DEMO / 'site.yml'], {}),
                                            ('ansible', 'swansible', ['localhost', '--forks', '-3', '-m', 'ping'], {}),
                                            ('ansible-playbook', 'swansible-playbook', [DEMO / 'site.yml'], {'ANSIBLE_FORKS': '0'})):
        theirs, ours = run([VENV / 'bin' / theirs_bin, *args], env=env), run([BIN / ours_bin, *args], env=env)
        assert ours.returncode == theirs.returncode == 2
        assert 'The number of processes (--forks) must be >= 1' in ours.stderr


def test_extra_vars_files_and_text_refused_as_ansible(tmp_path):
    """-e @file that is missing (exit 1), a directory or bad YAML (exit 4), or data that is no
    mapping (exit 5): the error Ansible ends with, and its exit code, before anything runs."""
    (tmp_path / 'bad.yml').write_text('a: [\n')
    (tmp_path / 'list.yml').write_text('- 1\n')
    (tmp_path / 'hosts').write_text('localhost ansible_connection=local\n')
    (tmp_path / 'site.yml').write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=ran\n')
    for extra in ('@missing.yml', '@', '@bad.yml', '@list.yml', '{bad', '[1, 2]'):
        args = ['-i', 'hosts', 'site.yml', '-e', extra]
        theirs, ours = ansible_playbook(*args, cwd=tmp_path), swansible_playbook(*args, cwd=tmp_path)
        assert ours.returncode == theirs.returncode != 0, (extra, ours.stderr)
        error = lambda out: out[out.index('[ERROR]'):]   # Ansible warns first about the inventory it was reading
        assert error(ours.stderr) == error(theirs.stderr), extra
        assert 'ran' not in ours.stdout


def ssh_config_inventory(tmp_path, sshd_hosts, known_hosts_line):
    d, hosts, key = sshd_hosts
    name, addr, port = hosts[2]
    known = tmp_path / 'known_hosts'
    known.write_text(known_hosts_line(addr, port, d))
    cfg = tmp_path / 'ssh_config'
    cfg.write_text(f'Host aliased\n  HostName {addr}\n  Port {port}\n  User root\n  IdentityFile {key}\n'
                   f'  UserKnownHostsFile {known}\n')
    inv = tmp_path / 'inventory'
    inv.write_text(f"aliased ansible_ssh_common_args='-F {cfg}' ansible_python_interpreter=/usr/bin/python3\n")
    return inv


def test_ssh_config_file_and_known_hosts_are_honoured(sshd_hosts, tmp_path):
    """Host alias, port, user and key come from the ssh config; the host key is checked."""
    def good(addr, port, d):
        return f'[{addr}]:{port} ' + (d / 'host_key.pub').read_text().split(' ', 2)[0] + ' ' + \
            (d / 'host_key.pub').read_text().split(' ', 2)[1] + '\n'
    inv = ssh_config_inventory(tmp_path, sshd_hosts, good)
    env = {'ANSIBLE_HOST_KEY_CHECKING': 'True'}
    ours = swansible_playbook('-i', inv, FIXTURES / 'unreachable.yml', env=env, timeout=60)
    theirs = ansible_playbook('-i', inv, FIXTURES / 'unreachable.yml', env=env, timeout=60)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert 'ok: [aliased]' in ours.stdout


def test_unknown_host_key_fails_when_checking(sshd_hosts, tmp_path):
    inv = ssh_config_inventory(tmp_path, sshd_hosts, lambda addr, port, d: '')
    env = {'ANSIBLE_HOST_KEY_CHECKING': 'True'}
    r = swansible_playbook('-i', inv, FIXTURES / 'unreachable.yml', env=env, timeout=60)
    assert r.returncode == 4
    assert 'fatal: [aliased]: UNREACHABLE!' in r.stdout and 'Host key verification failed.' in r.stdout


@pytest.mark.parametrize('book', ['failure_lines.yml', 'failure_kinds.yml'])
def test_failures_print_as_ansible_playbook(book):
    """Failed tasks as 2.19 prints them: the `[ERROR]: Task failed: Module failed: …` (or `Action
    failed`) block with origin and snippet, then fatal/failed lines without a `failed` key,
    `failed: [host] (item=…)`, no summary after a loop, assert expanded, `...ignoring`."""
    import re
    def normal(out):
        return re.sub(r'"(start|end|delta)": "[^"]*"', r'"\1": "T"', out)
    theirs = ansible_playbook(FIXTURES / book)
    ours = swansible_playbook(FIXTURES / book)
    assert ours.returncode == theirs.returncode, ours.stdout + ours.stderr
    assert normal(ours.stdout) == normal(theirs.stdout)


def test_block_rescue_always_as_ansible_playbook():
    """block/rescue/always on two hosts as the linear strategy runs them: rescue only where the
    block failed (with ansible_failed_task/result), always everywhere, an unrescued failure kept,
    nested rescues, and the recap's `rescued` column: the same output as ansible-playbook."""
    import re
    def normal(out):
        return re.sub(r'"(start|end|delta)": "[^"]*"', r'"\1": "T"', out)
    args = ('-i', FIXTURES / 'blocks_hosts', FIXTURES / 'blocks.yml')
    theirs = ansible_playbook(*args)
    ours = swansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 2, ours.stdout + ours.stderr
    # Hosts finish a task in either order; each task's lines and the recap must be the same.
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    assert sorted(normal(ours.stdout).splitlines()) == sorted(normal(theirs.stdout).splitlines())
    assert 'rescued task fails on h2 rc=1' not in ours.stdout and '"msg": "rescued fails on h2 rc=1"' in ours.stdout


def test_group_by_and_add_host_as_ansible_playbook():
    """group_by (with parents) and add_host (groups, vars, host:port, in a loop) change the
    inventory for later tasks and plays: the same output as ansible-playbook, -v included."""
    args = ('-v', '-i', FIXTURES / 'blocks_hosts', FIXTURES / 'inventory_actions.yml')
    theirs = ansible_playbook(*args)
    ours = swansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    strip = lambda out: sorted(l for l in out.splitlines() if '"start"' not in l and 'config file' not in l)
    assert strip(ours.stdout) == strip(theirs.stdout)


@pytest.mark.parametrize('book', ['include_role.yml', 'dependencies.yml'])
def test_import_role_include_role_and_dependencies_as_ansible_playbook(book):
    """import_role (static, tasks_from, defaults_from, vars), include_role (templated name,
    when, tasks_from), meta dependencies once per play (params, allow_duplicates, include_role
    against the play's roles): the same output as ansible-playbook, `included:` lines and recap."""
    theirs = ansible_playbook(FIXTURES / 'roles' / book)
    ours = swansible_playbook(FIXTURES / 'roles' / book)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout


def test_any_errors_fatal_and_force_handlers_as_ansible_playbook():
    """any_errors_fatal with rescue (every host rescued), with always at the end of a block
    (always, then the play ends), force_handlers: as ansible-playbook."""
    import re
    def normal(out):
        return sorted(re.sub(r'"(start|end|delta)": "[^"]*"', r'"\1": "T"', out).splitlines())
    args = ('-i', FIXTURES / 'blocks_hosts', FIXTURES / 'any_errors_fatal.yml')
    theirs = ansible_playbook(*args)
    ours = swansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 2, ours.stdout + ours.stderr
    assert 'SHOULD NOT HAPPEN' not in ours.stdout and 'handler1 ran' in ours.stdout
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    assert normal(ours.stdout) == normal(theirs.stdout)


def test_imports_exposure_run_once_as_ansible_playbook():
    """import_playbook (templated name, vars, tags, when, another dir with its own vars_files and
    playbook_dir), role vars seen after import_role and public include_role but not a private
    one, include_role loops, include apply, run_once sharing its result and facts,
    loop_control.break_when and a templated action: the same output as ansible-playbook."""
    import re

    def normal(out):
        # Ansible lists an include's hosts in the order their results came back.
        return re.sub(r'^(included: .* for )([^=]*?)( =>.*)?$',
                      lambda m: m.group(1) + ', '.join(sorted(m.group(2).split(', '))) + (m.group(3) or ''), out, flags=re.M)
    args = ('-i', FIXTURES / 'blocks_hosts', FIXTURES / 'imports' / 'site.yml')
    theirs = ansible_playbook(*args)
    ours = swansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert task_blocks(normal(ours.stdout)) == task_blocks(normal(theirs.stdout))
    assert sorted(normal(ours.stdout).splitlines()) == sorted(normal(theirs.stdout).splitlines())
    assert ours.stderr == theirs.stderr


def test_serial_and_meta_as_ansible_playbook():
    """serial batches (templated, the play banner again per batch), meta end_host/end_batch with
    `when` per host and their META lines at -vv, clear_host_errors in always, templated tags."""
    args = ('-vv', '-i', FIXTURES / 'blocks_hosts', FIXTURES / 'serial_meta.yml')
    theirs = ansible_playbook(*args)
    ours = swansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    # -vv's version header is Ansible's own; the rest must match, hosts in either order.
    body = lambda out: out[out.index('PLAYBOOK:'):]
    assert task_blocks(body(ours.stdout)) == task_blocks(body(theirs.stdout))
    assert sorted(body(ours.stdout).splitlines()) == sorted(body(theirs.stdout).splitlines())
    listed = lambda r: [l for l in r.stdout.splitlines() if 'TAGS' in l]
    args = ('--list-tasks', '--tags', 'chosen', '-i', FIXTURES / 'blocks_hosts', FIXTURES / 'serial_meta.yml')
    assert listed(swansible_playbook(*args)) == listed(ansible_playbook(*args))


def test_locale_preflight_as_ansible():
    """Every command checks the locale first, as ansible.cli does: one that does not load, or
    that is not UTF-8 (LC_ALL=C), stops it with exit 1; a plain C LC_CTYPE is coerced to UTF-8."""
    book = FIXTURES / 'demo' / 'site.yml'
    for env in ({'LC_ALL': 'C'}, {'LC_ALL': 'ham_sandwich', 'LC_CTYPE': 'C.UTF-8'}, {'LC_ALL': '', 'LC_CTYPE': 'C'}):
        for theirs_bin, ours_bin, args in (('ansible-playbook', 'swansible-playbook', ['--syntax-check', book]),
                                           ('ansible-inventory', 'swansible-inventory', ['--graph']),
                                           ('ansible', 'swansible', ['--version'])):
            theirs = run([VENV / 'bin' / theirs_bin, *args], env=env)
            ours = run([BIN / ours_bin, *args], env=env)
            assert theirs.returncode == ours.returncode, (env, ours_bin, ours.stderr)
            if theirs.returncode:
                assert ours.stderr == theirs.stderr and ours.stdout == '', (env, ours_bin)


@pytest.mark.parametrize('vars_at', [
    'play: {a-b: 1}',                  # play vars; a name that is not an identifier
    'task: {none: 1}',                 # a Jinja keyword
    'block: {1: 2}, task: {none: 1}',  # a number (with its type); the block's vars before its tasks'
    'play: {yes: 1}',                  # a boolean: no origin of its own, shown as data
    'play: {null: 1}',                 # None: not even that
])
def test_invalid_variable_names_as_ansible(tmp_path, vars_at):
    """validate_variable_name on `vars:` keys while the playbook loads: Ansible's message and
    help, exit 1, nothing run."""
    import yaml
    where = yaml.safe_load('{' + vars_at.replace(': {', ': "{').replace('}', '}"') + '}')
    play = ['- hosts: localhost', '  gather_facts: false']
    if 'play' in where:
        play.append(f'  vars: {where["play"]}')
    play += ['  tasks:', '    - block:', '        - debug: msg=ran']
    if 'task' in where:
        play.append(f'          vars: {where["task"]}')
    if 'block' in where:
        play.append(f'      vars: {where["block"]}')
    (tmp_path / 'book.yml').write_text('\n'.join(play) + '\n')
    theirs, ours = ansible_playbook(tmp_path / 'book.yml'), swansible_playbook(tmp_path / 'book.yml')
    assert theirs.returncode == ours.returncode == 1, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert 'Invalid variable name' in ours.stderr and 'ran' not in ours.stdout


CONFIG_CASES = [
    ({'ANSIBLE_TIMEOUT': 'lola'}, None),                     # not an integer
    ({'ANSIBLE_FORKS': '2.5'}, None),                        # an integer's fraction must be 0
    ({'ANSIBLE_GATHERING': 'Smart'}, None),                  # choices are case-sensitive
    pytest.param({'ANSIBLE_DISPLAY_TRACEBACK': 'error,foo'}, None, marks=LIBRARY_219),   # each item of a list (a 2.19 setting)
    ({}, '[defaults]\nforks = "3"\n'),                      # quotes come off after the type check
    ({}, '[defaults]\nforks = 3\nFORKS = 4\n'),            # option names are lowercased, no twice
    ({}, 'forks = 3\n'),                                    # no section header
    ({}, '[defaults]\nforks\n= 3\n'),                       # lines that are not options
    ({}, '[defaults]\n[defaults]\n'),
    ({}, '[defaults]\ntimeout = 5;x\ngathering: explicit ; comment\n'),  # `;` after a space only
    ({'ANSIBLE_TIMEOUT': ''}, '[defaults]\nforks = 1e1\ntimeout = \n  3\n'),  # these are fine
]


@pytest.mark.parametrize('env,cfg', CONFIG_CASES)
def test_config_values_checked_as_ansible(tmp_path, env, cfg):
    """Every command checks the configuration before anything else, as importing ansible's
    constants does: a value of the wrong type or outside its choices, or an ansible.cfg that
    configparser refuses, stops it with exit 5 and Ansible's message naming the setting and
    where the value came from."""
    if cfg is not None:
        (tmp_path / 'ansible.cfg').write_text(cfg)
    env = {'ANSIBLE_CONFIG': str(tmp_path / 'ansible.cfg'), **env}
    for theirs_bin, ours_bin, args in (('ansible-playbook', 'swansible-playbook', ['--syntax-check', DEMO / 'site.yml']),
                                       ('ansible-inventory', 'swansible-inventory', ['-i', 'localhost,', '--graph']),
                                       ('ansible', 'swansible', ['localhost', '-m', 'ping'])):
        theirs = run([VENV / 'bin' / theirs_bin, *args], env=env, cwd=tmp_path)
        ours = run([BIN / ours_bin, *args], env=env, cwd=tmp_path)
        assert ours.returncode == theirs.returncode, (ours_bin, ours.stderr)
        if theirs.returncode == 5:
            assert ours.stdout == ''
            assert ours.stderr.rstrip('\n') == theirs.stderr.split('\n\nTraceback')[0]
    theirs = run([VENV / 'bin' / 'ansible-playbook', '/dev/null'], env=env, cwd=tmp_path)
    ours = run([BIN / 'swansible-playbook', '/dev/null'], env=env, cwd=tmp_path)
    assert (ours.returncode, ours.stderr.splitlines()[-1:]) == (theirs.returncode, theirs.stderr.split('\n\nTraceback')[0].splitlines()[-1:])


def test_relative_paths_of_the_config_file_are_its_own(tmp_path):
    """ansible.cfg's path settings (inventory, roles_path, log_path, the fact cache's…) are
    relative to the file's directory, whatever the current one, as ConfigManager resolves them;
    a configured inventory that is not there is warned about (`localhost,` is a path there too)."""
    proj, elsewhere = tmp_path / 'proj', tmp_path / 'elsewhere'
    (proj / 'myroles' / 'r2' / 'tasks').mkdir(parents=True)
    elsewhere.mkdir()
    (proj / 'ansible.cfg').write_text('[defaults]\nroles_path = myroles:$HOME/nosuch\ninventory = inv.ini,nosuch.ini\nlog_path = ./run.log\n'
                                      'fact_caching = jsonfile\nfact_caching_connection = facts\n')
    (proj / 'inv.ini').write_text('h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n')
    (proj / 'myroles' / 'r2' / 'tasks' / 'main.yml').write_text('- debug: msg="r2 {{ inventory_hostname }}"\n')
    (proj / 'site.yml').write_text('- hosts: all\n  gather_facts: false\n  roles: [r2]\n'
                                   '  tasks:\n    - set_fact: {kept: 1, cacheable: true}\n')
    env = {'ANSIBLE_CONFIG': str(proj / 'ansible.cfg')}
    ours = swansible_playbook(proj / 'site.yml', env=env, cwd=elsewhere, merged=True)
    logged = (proj / 'run.log').read_text()
    (proj / 'run.log').unlink()
    cached = sorted(p.name for p in (proj / 'facts').iterdir())   # the jsonfile plugin's: no prefix by default
    shutil.rmtree(proj / 'facts')
    theirs = ansible_playbook(proj / 'site.yml', env=env, cwd=elsewhere, merged=True)
    assert ours.returncode == theirs.returncode == 0, ours.stdout
    assert ours.stdout == theirs.stdout
    assert f'Unable to parse {proj}/nosuch.ini as an inventory source' in ours.stdout and '"msg": "r2 h1"' in ours.stdout
    assert 'r2 h1' in logged and not (elsewhere / 'run.log').exists()
    assert cached == sorted(p.name for p in (proj / 'facts').iterdir()) == ['s1_h1']


@pytest.mark.parametrize('book', sorted(p.name for p in (FIXTURES / 'errors' / 'yaml').glob('*.yml')))
def test_yaml_mistakes_worded_as_ansible(book):
    """YAML syntax errors as 2.19 words them: the common mistakes (a tab, an unquoted template or
    colon, unbalanced quotes) named at their column with Ansible's help, others as one sentence;
    a vars file's too; k=v text split_args refuses; an empty playbook or one that is no list, a
    file that is not UTF-8 (2.19's deprecation, then PyYAML's encoding error) or holds a control
    character (PyYAML's reader error at its byte offset). Exit 4."""
    theirs, ours = ansible_playbook(FIXTURES / 'errors' / 'yaml' / book), swansible_playbook(FIXTURES / 'errors' / 'yaml' / book)
    assert theirs.returncode == ours.returncode == 4, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)


def test_a_live_status_line_on_a_terminal_only(tmp_path):
    """On a terminal a task that has run 2 s gets a status line (which task, how long, which
    hosts), erased before the next output: what remains is the same text as without a terminal.
    Neither log_path nor a pipe ever gets it."""
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: sleep 4\n    - debug: msg=done\n')
    log = tmp_path / 'ansible.log'
    out, rc = run_on_terminal([BIN / 'swansible-playbook', book], [], env={'ANSIBLE_LOG_PATH': str(log)}, cwd=tmp_path)
    assert rc == 0, out
    # Drawn once a second from 2 s on (when exactly depends on the machine's load), erased
    # before the result.
    assert re.search(r'\r\x1b\[KTASK \[command\]: waiting [2-9]s for 1 host: localhost\r\x1b\[Kchanged: \[localhost\]\n', out), out
    assert 'waiting 1s' not in out and 'TASK [debug]:' not in out
    shown = re.sub(r'\r\x1b\[K[^\r\n]*(?=\r)', '', out).replace('\r\x1b[K', '')   # each status line, then its erasure
    plain = swansible_playbook(book, cwd=tmp_path)
    assert shown == plain.stderr + plain.stdout
    assert '\x1b' not in plain.stdout + plain.stderr
    assert 'waiting' not in log.read_text() and 'changed: [localhost]' in log.read_text()


def test_shell_executable_and_remote_tmp_reach_modules_as_ansible(tmp_path):
    """ActionBase gives each module the task's shell (`ansible_shell_executable`, else the
    `executable` setting) and remote_tmp: `shell:` runs under bash when told, and a module's
    temporary files go to a remote_tmp that is made 0700 if missing, a later task's own one too
    (swansible used /bin/sh and ~/.ansible/tmp whatever was set, then the first task's)."""
    book = tmp_path / 'site.yml'
    book.write_text("""- hosts: localhost
  gather_facts: false
  vars:
    ansible_remote_tmp: "{{ base }}/rtmp"
  tasks:
    - shell: echo "$0 ${BASH_VERSION:+bash}"
      register: default_shell
    - shell: echo "$0 ${BASH_VERSION:+bash}"
      register: bash_shell
      vars: {ansible_shell_executable: /bin/bash}
    - shell: echo "$0"
      args: {executable: /bin/dash}
      register: own_shell
      vars: {ansible_shell_executable: /bin/bash}
    - stat: {path: "{{ base }}/rtmp"}
      register: rtmp
    - command: "true"
      vars: {ansible_remote_tmp: "{{ base }}/rtmp2"}
    - stat: {path: "{{ base }}/rtmp2"}
      register: rtmp2
    - debug: msg="{{ [default_shell.stdout, bash_shell.stdout, own_shell.stdout, rtmp.stat.exists, rtmp.stat.mode, rtmp2.stat.mode] }}"
""")
    results = []
    for tool in (ansible_playbook, swansible_playbook):
        for env in ({}, {'ANSIBLE_EXECUTABLE': '/bin/bash'}):
            base = tmp_path / f'{tool.__name__}-{len(env)}'
            base.mkdir()
            # Without pipelining (Ansible's default) every module task makes its files in remote_tmp.
            results.append(tool(book, '-e', f'base={base}', env={**env, 'ANSIBLE_PIPELINING': '0'}))
    theirs, ours = results[:2], results[2:]
    for t, o in zip(theirs, ours):
        assert t.returncode == o.returncode == 0, t.stdout + t.stderr + o.stdout
        assert o.stdout == t.stdout
    assert '"/bin/sh ",\n        "/bin/bash bash",\n        "/bin/dash",\n        true,\n        "0700",\n        "0700"' in ours[0].stdout
    assert '"/bin/bash bash",\n        "/bin/bash bash"' in ours[1].stdout


@LIBRARY_219
@pytest.mark.parametrize('requires,behaviour', [('<2.10', None), ('>=2.9,<2.11', 'error'), ('>=2.9.10', None), ('xyz', None)])
def test_collection_requires_ansible_as_ansible(tmp_path, requires, behaviour):
    """A collection whose meta/runtime.yml `requires_ansible` leaves this ansible-core out is
    warned about when first used (once), or stops the run under
    COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH=error (exit 1); a specifier that does not parse is
    warned about as such."""
    coll = tmp_path / 'ansible_collections' / 'my' / 'old'
    (coll / 'plugins' / 'modules').mkdir(parents=True)
    (coll / 'meta').mkdir()
    (coll / 'meta' / 'runtime.yml').write_text(f'requires_ansible: "{requires}"\n')
    (coll / 'plugins' / 'modules' / 'hi.py').write_text(
        'from ansible.module_utils.basic import AnsibleModule\nAnsibleModule(argument_spec={}).exit_json(changed=False)\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - my.old.hi:\n    - my.old.hi:\n')
    env = {'ANSIBLE_COLLECTIONS_PATH': str(tmp_path)}
    if behaviour:
        env['ANSIBLE_COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH'] = behaviour
    theirs, ours = (f(book, env=env, merged=True) for f in (ansible_playbook, swansible_playbook))
    assert ours.returncode == theirs.returncode == (1 if behaviour else 0), ours.stdout
    assert ours.stdout == theirs.stdout
    said = {'<2.10': '[WARNING]: Collection my.old does not support Ansible version ',
            '>=2.9,<2.11': '[ERROR]: Collection my.old does not support Ansible version ',
            'xyz': "[WARNING]: Error parsing collection metadata requires_ansible value from collection my.old: Invalid specifier: 'xyz'"}
    if requires in said:
        assert ours.stdout.count(said[requires]) == 1
    else:
        assert 'my.old does not' not in ours.stdout


def test_collections_path_may_name_ansible_collections_dir(tmp_path):
    """A COLLECTIONS_PATHS entry may name the ansible_collections dir itself, as the collection
    finder accepts it."""
    coll = tmp_path / 'ansible_collections' / 'my' / 'own'
    (coll / 'plugins' / 'modules').mkdir(parents=True)
    (coll / 'plugins' / 'modules' / 'hi.py').write_text(
        'from ansible.module_utils.basic import AnsibleModule\nAnsibleModule(argument_spec={}).exit_json(changed=False, said="hi")\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - my.own.hi:\n      register: r\n    - debug: var=r.said\n')
    env = {'ANSIBLE_COLLECTIONS_PATH': str(tmp_path / 'ansible_collections')}
    theirs, ours = (f(book, env=env, merged=True) for f in (ansible_playbook, swansible_playbook))
    assert ours.returncode == theirs.returncode == 0, ours.stdout
    assert ours.stdout == theirs.stdout
    assert '"r.said": "hi"' in ours.stdout


@LIBRARY_219
def test_collection_role_checks_requires_ansible_as_ansible(tmp_path):
    """A role of a collection loads the collection too: its requires_ansible is warned about."""
    coll = tmp_path / 'ansible_collections' / 'my' / 'old'
    (coll / 'roles' / 'r' / 'tasks').mkdir(parents=True)
    (coll / 'meta').mkdir()
    (coll / 'meta' / 'runtime.yml').write_text('requires_ansible: "<2.10"\n')
    (coll / 'roles' / 'r' / 'tasks' / 'main.yml').write_text('- debug: msg=in-role\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n  roles: [my.old.r]\n')
    env = {'ANSIBLE_COLLECTIONS_PATH': str(tmp_path)}
    theirs, ours = (f(book, env=env, merged=True) for f in (ansible_playbook, swansible_playbook))
    assert ours.returncode == theirs.returncode == 0, ours.stdout
    assert ours.stdout == theirs.stdout
    assert ours.stdout.count('[WARNING]: Collection my.old does not support Ansible version ') == 1


def test_more_hosts_than_the_soft_open_file_limit(tmp_path):
    """Each host keeps its connection (locally, an agent on pipes) for the whole run: under a
    soft limit of 64 open files, 40 local hosts all run (the controller raises its soft limit to
    the hard one), and a module still sees the limit it was started with, as under ansible-playbook."""
    inv = tmp_path / 'hosts'
    inv.write_text(''.join(f'h{i:02d} ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' for i in range(40)))
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n'
                    '    - command: sh -c "ulimit -Sn"\n      register: limit\n      changed_when: false\n'
                    '    - debug: {var: limit.stdout}\n      when: inventory_hostname == "h39"\n')
    r = run(['sh', '-c', f'ulimit -Sn 64 && exec "$0" "$@"', BIN / 'swansible-playbook', '-f', '20', '-i', inv, book], timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count('ok: [') == 41 and r.stdout.count('unreachable=0    failed=0') == 40, r.stdout
    assert '"limit.stdout": "64"' in r.stdout


@pytest.mark.parametrize('pipelining', ['1', '0'])
@pytest.mark.parametrize('interpreter', ['/usr/bin/python3', None])
def test_unreachable_words_follow_pipelining_as_ansible(pipelining, interpreter):
    """With pipelining on, a module's failed ssh login is "Data could not be sent to remote
    host" (its data goes with the command), except where ActionBase first makes a temporary
    directory (copy, async, su); an interpreter still to be discovered fails first, as the cause
    of "Task failed."; off, always "Failed to connect to the host via ssh"."""
    extra = 'ansible_host=127.0.0.9 ansible_port=1' + (f' ansible_python_interpreter={interpreter}' if interpreter else '')
    args = ['-i', 'h,', '-e', extra, '-c', 'ssh', FIXTURES / 'failures_unreachable_pipelined.yml']
    env = {'ANSIBLE_PIPELINING': pipelining}
    ours, theirs = (f(*args, timeout=60, env=env) for f in (swansible_playbook, ansible_playbook))
    assert ours.returncode == theirs.returncode == 4
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert ('Data could not be sent to remote host \\"127.0.0.9\\"' in ours.stdout) == (pipelining == '1' and interpreter is not None)
    assert ('<<< caused by >>>' in ours.stdout) == (pipelining == '1' and interpreter is None)


@pytest.mark.parametrize('connection', ['local', 'ssh'])
def test_ansible_pipelining_follows_the_connection_as_ansible(tmp_path, connection):
    """`ansible_pipelining` is the ssh plugin's option on ssh (ANSIBLE_SSH_PIPELINING and
    [ssh_connection] count there), PlayContext's ANSIBLE_PIPELINING elsewhere."""
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {var: ansible_pipelining}\n')
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text('[ssh_connection]\npipelining = true\n')
    for env in ({'ANSIBLE_PIPELINING': None, 'ANSIBLE_SSH_PIPELINING': '1'}, {'ANSIBLE_PIPELINING': None, 'ANSIBLE_CONFIG': str(cfg)}):
        ours, theirs = (f('-i', 'h,', '-c', connection, book, env=env) for f in (swansible_playbook, ansible_playbook))
        assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
        assert ours.stdout == theirs.stdout
        assert f'"ansible_pipelining": {"true" if connection == "ssh" else "false"}' in ours.stdout


def test_group_vars_that_do_not_parse_end_the_run_as_ansible():
    """A group_vars file that does not parse ends the run after the play's banner, with the
    vars plugin's "YAML parsing failed" (exit 4); it used to fail every task instead."""
    d = FIXTURES / 'errors' / 'yaml_group_vars'
    theirs, ours = (f('-i', d / 'hosts', d / 'site.yml') for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 4, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert 'TASK' not in ours.stdout
