"""`swansible` (ad-hoc) against `ansible` itself: the minimal callback's lines, the [ERROR] block
naming the ad-hoc task, the warnings when no host matches, and the exit codes."""
import re

import pytest

from conftest import BIN, NO_PIPELINING, VENV, run

HOSTS = ('h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
         'h2 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
         'bad ansible_host=127.0.0.9 ansible_port=1\n')


@pytest.mark.parametrize('args,code', [
    (['h1', '-m', 'command', '-a', 'echo hi'], 0),
    (['h1', '-m', 'shell', '-a', 'echo out; echo err >&2; exit 3'], 2),
    (['h1', '-m', 'ping'], 0),
    (['h1', '-m', 'file', '-a', 'path=/nonexistent/x state=file'], 2),
    (['h1', '-m', 'debug', '-a', 'msg=hello'], 0),
    (['bad', '-m', 'ping'], 4),
    (['nomatch', '-m', 'ping'], 0),
    (['all', '-m', 'command', '-a', 'true', '-l', 'h2'], 0),
    # -o (the oneline callback, with its deprecations), one line per result
    (['all', '-o', '-l', 'h1,h2', '-m', 'shell', '-a', 'printf "a\\nb"; echo err >&2'], 0),
    (['h1', '-o', '-m', 'ping'], 0),
    (['h1', '-o', '-m', 'command', '-a', 'false'], 2),
    (['h1', '-o', '-m', 'fail', '-a', 'msg=bad'], 2),
    (['bad', '-o', '-m', 'ping'], 4),
    # -c/-u/-C/-D as the configuration's defaults: the inventory's ansible_connection still wins
    (['h1', '-c', 'ssh', '-u', 'nobody', '-m', 'ping'], 0),
    # --list-hosts and --task-timeout
    (['all', '--list-hosts'], 0),
    (['nomatch', '--list-hosts'], 0),
    (['h1', '--task-timeout', '1', '-m', 'command', '-a', 'sleep 3'], 2),
    # -B/-P: async with polling (only the final result shown), and fire-and-forget
    (['h1', '-B', '10', '-P', '1', '-m', 'command', '-a', 'sleep 1'], 0),
    (['h1', '-B', '10', '-P', '0', '-m', 'command', '-a', 'sleep 1'], 0),
    (['h1', '-C', '-D', '-m', 'copy', '-a', 'content=x dest=/nonexistent-dir/f'], 0),   # check mode: changed, no module run
    # a templated pattern (matched as written first, with its warning) and module; -e JSON's legacy unsafe form
    (['{{ "h1" }}', '-m', '{{ "debug" }}', '-a', 'var=fromcli',
      '-e', '{"fromcli": {"no_trust": {"__ansible_unsafe": "{{ 1 }}"}, "trust": "{{ 1 }}"}}'], 0),
])
def test_adhoc_output_matches_ansible(tmp_path, args, code):
    """One fork where several hosts answer, so their lines come in order."""
    if '-l' in args and ',' in args[args.index('-l') + 1]:
        args = args + ['-f', '1']
    (tmp_path / 'hosts').write_text(HOSTS)
    ours = run([BIN / 'swansible', *args, '-i', tmp_path / 'hosts'], env=NO_PIPELINING)
    theirs = run([VENV / 'bin' / 'ansible', *args, '-i', tmp_path / 'hosts'], env=NO_PIPELINING)
    assert theirs.returncode == ours.returncode == code, ours.stdout + ours.stderr
    times = lambda text: re.sub(r'"(start|end|delta|ansible_job_id|results_file)": "[^"]*"', r'"\1": "T"', text)
    assert (times(ours.stdout), ours.stderr) == (times(theirs.stdout), theirs.stderr)


def test_task_timeout_setting_as_ansible(tmp_path):
    """TASK_TIMEOUT (ANSIBLE_TASK_TIMEOUT): the timeout of an ad-hoc task given no --task-timeout."""
    (tmp_path / 'hosts').write_text(HOSTS)
    args = ['h1', '-m', 'command', '-a', 'sleep 3', '-i', tmp_path / 'hosts']
    env = {'ANSIBLE_TASK_TIMEOUT': '1'}
    ours, theirs = run([BIN / 'swansible', *args], env=env), run([VENV / 'bin' / 'ansible', *args], env=env)
    assert theirs.returncode == ours.returncode == 2, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert 'Timed out after 1 second(s)' in ours.stderr + ours.stdout


def test_connection_flag_and_extra_vars_with_templates(tmp_path):
    """`-c local` reaches a host with no connection var; `-e k={{ template }}` keeps its spaces
    (parse_kv), and an unused undefined var does not break anything."""
    args = ['web', '-i', 'web,', '-c', 'local', '-m', 'assert', '-a', 'that=var3=="ok"',
            '-e', 'vars1={{ bogus_var }}', '-e', 'var3=ok', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = run([BIN / 'swansible', *args]), run([VENV / 'bin' / 'ansible', *args])
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout and 'web | SUCCESS' in ours.stdout


def test_tree_writes_each_hosts_result(tmp_path):
    """-t DIR (the tree callback, with its deprecations): each host's result as JSON in DIR/<host>."""
    (tmp_path / 'hosts').write_text(HOSTS)
    files = []
    for tool in ('ansible', 'swansible'):
        out_dir = tmp_path / f'tree-{tool}'
        exe = VENV / 'bin' / 'ansible' if tool == 'ansible' else BIN / 'swansible'
        out = run([exe, 'h1,h2', '-f', '1', '-t', out_dir, '-m', 'ping', '-i', tmp_path / 'hosts'])
        assert out.returncode == 0, out.stdout + out.stderr
        files.append({p.name: p.read_text() for p in out_dir.iterdir()})
    assert files[0] == files[1] == {'h1': '{"changed": false, "ping": "pong"}', 'h2': '{"changed": false, "ping": "pong"}'}


def test_hostvars_of_a_host_list_as_ansible():
    """hostvars in an ad-hoc run: the host's own vars and magic variables (no tags, no play), and
    a `host,` list's inventory_file/inventory_dir as Ansible words them."""
    args = ['web', '-i', 'web,', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3', '-m', 'debug', '-a',
            'msg="{{ hostvars[inventory_hostname].keys() | sort }} {{ inventory_file }} {{ inventory_dir }}"']
    ours, theirs = run([BIN / 'swansible', *args]), run([VENV / 'bin' / 'ansible', *args])
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout and 'web, None' in ours.stdout



def without_terminal(args, answers, cwd, **env):
    """ansible's and swansible's runs of `args` with no controlling terminal (a new session), so
    that both read the answers to their prompts from stdin."""
    import os
    import subprocess
    outs = []
    for exe in (VENV / 'bin' / 'ansible', BIN / 'swansible'):
        e = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_STDOUT_CALLBACK='default', **env)
        if 'ANSIBLE_CONFIG' not in env:
            e.pop('ANSIBLE_CONFIG', None)
        p = subprocess.run([str(exe), *args], input=answers, capture_output=True, text=True, timeout=120,
                           env=e, cwd=cwd, start_new_session=True)
        assert p.returncode == 0, p.stdout + p.stderr
        outs.append(p)
    return outs


def test_ask_pass_is_asked_first_and_seen_as_ansible_password(tmp_path):
    """-k: the prompt comes before the inventory is read (its warning follows it) and the typed
    password is `ansible_password` to templates, never rendered (ansible-core's cli target)."""
    theirs, ours = without_terminal(['localhost', '-m', 'debug', '-a', 'msg={{ ansible_password }}', '-k'],
                                    '{{ 1 + 2 }}\n', tmp_path)
    assert ours.stdout == theirs.stdout and '"msg": "{{ 1 + 2 }}"' in ours.stdout
    assert ours.stderr.index('SSH password:') < ours.stderr.index('No inventory was parsed')


@pytest.mark.parametrize('extra,method', [('', 'BECOME'), ('agnostic_become_prompt = False\nbecome_method = su\n', 'SU')])
def test_ask_pass_and_become_ask_pass_from_the_configuration(tmp_path, extra, method):
    """ANSIBLE_ASK_PASS and `[privilege_escalation] become_ask_pass` are -k's and -K's defaults:
    both passwords are asked for, as by ansible; without `agnostic_become_prompt` the become
    prompt names the method."""
    (tmp_path / 'ansible.cfg').write_text('[privilege_escalation]\nbecome_ask_pass = True\n' + extra)
    theirs, ours = without_terminal(['localhost', '-m', 'debug', '-a', 'msg={{ ansible_password }}'], 'sshpw\n\n', tmp_path,
                                    ANSIBLE_ASK_PASS='True', ANSIBLE_CONFIG=str(tmp_path / 'ansible.cfg'))
    assert ours.stdout == theirs.stdout and '"msg": "sshpw"' in ours.stdout
    # (without a terminal, ansible's getpass also warns that the input may be echoed)
    for prompt in ('SSH password: \n', f'{method} password[defaults to SSH password]: \n'):
        assert prompt in ours.stderr and prompt in theirs.stderr


def test_module_name_from_the_configuration(tmp_path):
    """`[defaults] module_name` is -m's default (there is no environment variable for it)."""
    (tmp_path / 'ansible.cfg').write_text('[defaults]\nmodule_name = ping\n')
    outs = [run([exe, 'localhost'], cwd=tmp_path) for exe in (VENV / 'bin' / 'ansible', BIN / 'swansible')]
    assert outs[0].returncode == outs[1].returncode == 0, outs[1].stdout + outs[1].stderr
    assert outs[0].stdout == outs[1].stdout and '"ping": "pong"' in outs[1].stdout

def test_plugin_filters_and_unknown_modules_as_ansible(tmp_path):
    """plugin_filters_cfg's module_rejectlist: a rejected module does not resolve in a playbook
    (a load error) nor with -m (each host fails, caused by the option), its FQCN still does;
    rejecting stat stops every command; a filter file that is not there is warned about. An
    unknown -m module fails the same way."""
    (tmp_path / 'hosts').write_text(HOSTS)
    (tmp_path / 'reject.yml').write_text('filter_version: 1.0\nmodule_rejectlist:\n  - copy\n  - pause\n')
    (tmp_path / 'stat.yml').write_text('---\nfilter_version: 1.0\nmodule_rejectlist: [stat]\n')
    for name, target in (('reject', './reject.yml'), ('stat', 'stat.yml'), ('missing', 'nowhere.yml')):
        (tmp_path / f'{name}.cfg').write_text(f'[defaults]\nplugin_filters_cfg = {target}\n')
    (tmp_path / 'short.yml').write_text(f'- hosts: h1\n  gather_facts: false\n  tasks:\n    - copy: content=x dest={tmp_path}/out\n')
    (tmp_path / 'fqcn.yml').write_text(f'- hosts: h1\n  gather_facts: false\n  tasks:\n    - ansible.builtin.copy: content=x dest={tmp_path}/out\n')
    runs = [('reject', ['ansible-playbook', 'short.yml']), ('reject', ['ansible-playbook', 'fqcn.yml']),
            ('stat', ['ansible-playbook', 'fqcn.yml']), ('missing', ['ansible-playbook', 'fqcn.yml']),
            ('reject', ['ansible', 'h1:h2', '-m', 'copy', '-a', f'content=x dest={tmp_path}/out', '-f', '1']),
            ('missing', ['ansible', 'h1', '-m', 'no_such_module'])]
    for cfg, (tool, *args) in runs:
        env = {'ANSIBLE_CONFIG': str(tmp_path / f'{cfg}.cfg')}
        (tmp_path / 'out').unlink(missing_ok=True)
        theirs = run([VENV / 'bin' / tool, '-i', 'hosts', *args], env=env, cwd=tmp_path)
        (tmp_path / 'out').unlink(missing_ok=True)
        ours = run([BIN / tool.replace('ansible', 'swansible'), '-i', 'hosts', *args], env=env, cwd=tmp_path)
        assert theirs.returncode == ours.returncode, (cfg, args, ours.stdout + ours.stderr)
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), (cfg, args)


def test_values_attached_to_short_options_as_argparse_reads_them(tmp_path):
    """`-e@vars.yml`, `-f1`, `-ihosts`, `-mdebug`: argparse takes a short option's value attached
    to it (ArgumentParser alone refused them: "Unknown option '-e@vars.yml'")."""
    (tmp_path / 'hosts').write_text(HOSTS)
    (tmp_path / 'vars.yml').write_text('greeting: attached\n')
    (tmp_path / 'site.yml').write_text('- hosts: h1\n  gather_facts: false\n  tasks:\n    - debug: var=greeting\n')
    book = run([BIN / 'swansible-playbook', f'-e@{tmp_path}/vars.yml', '-f1', f'-i{tmp_path}/hosts', tmp_path / 'site.yml'])
    assert book.returncode == 0, book.stdout + book.stderr
    assert '"greeting": "attached"' in book.stdout
    adhoc = run([BIN / 'swansible', 'h1', f'-i{tmp_path}/hosts', '-mdebug', '-avar=greeting', f'-e@{tmp_path}/vars.yml'])
    assert adhoc.returncode == 0 and '"greeting": "attached"' in adhoc.stdout, adhoc.stdout + adhoc.stderr
    refused = run([BIN / 'swansible-playbook', '-Z', tmp_path / 'site.yml'])
    assert refused.returncode == 2 and "Unknown option '-Z'" in refused.stderr
