"""Users' Python filter, test and lookup plugins (playbooks-fixtures/plugins), run in the
controller's helper agent: the same results and errors as ansible-playbook."""
from conftest import BIN, FIXTURES, LIBRARY_219, ansible_playbook, run, swansible_playbook

PLUGINS = FIXTURES / 'plugins'


@LIBRARY_219
def test_python_plugins_as_ansible():
    """Beside the playbook, in a role, in a collection; a lookup's own error; a filter that raises (exit 2)."""
    theirs, ours = ansible_playbook(PLUGINS / 'python_plugins.yml'), swansible_playbook(PLUGINS / 'python_plugins.yml')
    assert theirs.returncode == ours.returncode == 2, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '"msg": "42 [\'a:1\', \'b:2\'] [2, 4, 6, 8] [2, 4] True [1, 3]"' in ours.stdout
    assert "The filter plugin 'boom' failed: it went boom on 1" in ours.stdout


def test_collection_filter_in_ad_hoc_args():
    """Ad-hoc arguments reach collection plugins by full name (configured paths, not the cwd's dirs)."""
    env = {'ANSIBLE_COLLECTIONS_PATH': str(PLUGINS / 'collections')}
    out = run([BIN / 'swansible', 'localhost', '-m', 'debug', '-a', "msg={{ 'hi' | acme.tools.shout }}"], env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert '"msg": "HI!"' in out.stdout


def test_module_path_flag_as_ansible():
    """-M adds a directory of modules (as ANSIBLE_LIBRARY): the playbook's module is found there."""
    args = ('-M', PLUGINS / 'modules_elsewhere', PLUGINS / 'module_path.yml')
    theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout and '"g.greeting": "hello world"' in ours.stdout


def test_version_names_the_module_library():
    out = run([BIN / 'swansible-playbook', '--version'])
    assert out.returncode == 0
    first = out.stdout.splitlines()[0]
    assert first.startswith('swansible-playbook ') and '[core 2.' in first
    assert 'ansible python module location = ' in out.stdout


@LIBRARY_219
def test_lookup_terms_that_cannot_render():
    """A Python lookup gets an undefined template term unread; the file lookup fails on it with
    the undefined variable's message, as Ansible's does."""
    out = swansible_playbook(PLUGINS / 'lookup_terms.yml')
    assert out.returncode == 2, out.stdout + out.stderr
    assert '"msg": "KEPT"' in out.stdout
    assert "Error while resolving value for 'msg': 'nope' is undefined" in out.stdout


def test_python_action_plugins_as_ansible():
    """A user's action plugin and a collection's run as Ansible runs them: modules, commands and
    files on the target through the host's agent, another action plugin of ansible-core's, a
    non-boolean `_ansible_no_log` (masked, warned), `_VALID_ARGS`, module_defaults by full name,
    a raised AnsibleActionFail (exit 2)."""
    import re
    args = (PLUGINS / 'action_plugins.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3')
    theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
    assert theirs.returncode == ours.returncode == 2, ours.stdout + ours.stderr

    def timeless(text):
        return re.sub(r'"(delta|end|start)": "[^"]*"', r'"\1": ""', text)
    assert (timeless(ours.stdout), ours.stderr) == (timeless(theirs.stdout), theirs.stderr)
    for line in ('"msg": "via-module localhost True"', '"msg": "9 some data"', '"msg": "4 from-shell True"',
                 '"msg": "from defaults [\'data\', \'extra\']"', 'Task failed: probe refused: nope'):
        assert line in ours.stdout
    assert 'should be masked' not in ours.stdout
    assert "Invalid _ansible_no_log value of type 'str' in task result, output will be masked." in ours.stderr


@LIBRARY_219
def test_task_args_finalized_as_ansible():
    """Task arguments as 2.19 finalizes them (module_defaults, an `args:` template, one-template
    free-form text, k=v words over an `args:` mapping, omit taking a key away), free-form text an
    action does not take, a plugin's plain exception and unsendable result, dict keys left as
    written, a module renamed with a leading underscore, a playbook's filter over a builtin's name."""
    here = PLUGINS / 'args'
    args = (here / 'args.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3')
    theirs, ours = ansible_playbook(*args, cwd=here), swansible_playbook(*args, cwd=here)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    for line in ('"a": "a from action"', '"c": "c from args"', '"a": "kv"', '"f": "from args"',
                 "Action 'ansible.builtin.debug' does not support raw params.",
                 "Task args must resolve to a 'dict' not 'str'.", '"{{ n }}": 1', '"r.msg": "Task failed: it broke"',
                 'Task result omitted due to queue send failure: not for pickling', '"r.source": "underscored"',
                 '[ERROR]: a warning of sorts', '"msg": "flattened by the playbook [1, 2]"'):
        assert line in ours.stdout
    assert "Merging legacy k=v args ('a', 'e') into task args." in ours.stderr
    assert "Plugin 'old' automatically redirected to '_old'." in ours.stderr


def test_python_vars_plugins_are_named_as_not_run(tmp_path):
    """A vars plugin written in Python (named in VARS_ENABLED, or a file in the playbook's
    vars_plugins/ that does not wait to be enabled) is not run: each is named in a warning at the
    start, so a variable it would give is not silently missing; one that waits is not named."""
    (tmp_path / 'vars_plugins').mkdir()
    (tmp_path / 'vars_plugins' / 'legacy_vars.py').write_text('from ansible.plugins.vars import BaseVarsPlugin\n')
    (tmp_path / 'vars_plugins' / 'waiting_vars.py').write_text('REQUIRES_ENABLED = True\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=ran\n')
    out = swansible_playbook(book, env={'ANSIBLE_VARS_ENABLED': 'host_group_vars,community.sops.sops'})
    assert out.returncode == 0, out.stdout + out.stderr
    said = [line for line in out.stderr.splitlines() if 'vars plugin' in line]
    assert said == [f"[WARNING]: swansible does not run the Python vars plugin '{name}' (see docs/compatibility.md): the variables it gives are not set"
                    for name in ('community.sops.sops', 'legacy_vars')]
    # Without either, nothing is said.
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'site.yml').write_text(book.read_text())
    assert 'vars plugin' not in swansible_playbook(tmp_path / 'other' / 'site.yml').stderr
