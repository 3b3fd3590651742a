"""Users' Python filter, test and lookup plugins (playbooks-fixtures/plugins), run in the
controller's helper agent: the same results and errors as ansible-playbook."""
from conftest import BIN, FIXTURES, LIBRARY_219, VENV, ansible_playbook, run, swansible_playbook

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


@LIBRARY_219
def test_python_vars_plugins_as_ansible():
    """Vars plugins written in Python run as ansible-playbook runs them: a legacy one in the
    playbook's vars_plugins/ (asked for `all`, then the host's other groups, then the host, at
    each dir, before host_group_vars, so group_vars/all.yml shadows what it gives `all` while its
    value for `web` wins over both), a collection's when VARS_ENABLED names it (after
    host_group_vars; its text untrusted); the same in ansible-inventory's listings."""
    src = PLUGINS / 'vars'
    env = {'ANSIBLE_COLLECTIONS_PATH': str(src / 'collections')}
    enabled = dict(env, ANSIBLE_VARS_ENABLED='host_group_vars,ns.coll.coll_vars')
    runs = [(env, ['ansible-playbook', '-i', 'hosts', 'play.yml', '-f', '1']),
            (enabled, ['ansible-playbook', '-i', 'hosts', 'play.yml', '-f', '1']),
            (enabled, ['ansible-inventory', '-i', 'hosts', '--list', '--playbook-dir', '.']),
            (enabled, ['ansible-inventory', '-i', 'hosts', '--graph', '--vars', '--playbook-dir', '.']),
            (enabled, ['ansible-inventory', '-i', 'hosts', '--list', '--export', '--playbook-dir', '.']),
            # Run while the inventory is read: merged into each group's and host's own variables.
            (dict(enabled, ANSIBLE_VARS_PLUGIN_STAGE='inventory'), ['ansible-playbook', '-i', 'hosts', 'play.yml', '-f', '1'])]
    for e, (tool, *args) in runs:
        theirs = run([VENV / 'bin' / tool, *args], env=e, cwd=src)
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args], env=e, cwd=src)
        assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr), args
    ours = run([BIN / 'swansible-playbook', *runs[1][1][1:]], env=enabled, cwd=src)
    assert '"msg": "[\'web\'] w1@vars plugin for web f {{ 6 * 7 }}"' in ours.stdout


def test_role_vars_plugins_as_ansible():
    """A role's vars_plugins/ joins the search when the role loads, as add_all_plugin_dirs adds
    it: a role of the second play gives variables from the first play's first task on, an
    included role from its include on."""
    book = PLUGINS / 'role_vars' / 'site.yml'
    theirs, ours = ansible_playbook(book), swansible_playbook(book)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '"msg": "first play yes unset"' in ours.stdout and '"msg": "after dyn yes"' in ours.stdout


def test_lookup_plugin_sees_vaulted_variables_decrypted(tmp_path):
    """A Python lookup reading a !vault variable from `variables` gets its text, as ansible-core's
    EncryptedString gives it (swansible handed the ciphertext)."""
    import shutil
    shutil.copytree(PLUGINS / 'lookup_plugins', tmp_path / 'lookup_plugins')
    shutil.copytree(PLUGINS / 'files', tmp_path / 'files')
    (tmp_path / 'pass').write_text('vault-pw\n')
    r = run([VENV / 'bin' / 'ansible-vault', 'encrypt_string', '--vault-password-file', tmp_path / 'pass', '!!', '--name', 'suffix'])
    assert r.returncode == 0, r.stderr
    (tmp_path / 'vars.yml').write_text(r.stdout)
    (tmp_path / 'site.yml').write_text('- hosts: localhost\n  gather_facts: false\n  vars_files: [vars.yml]\n  tasks:\n'
                                       '    - debug: msg="{{ lookup(\'shout\', \'greeting.txt\') }}"\n')
    args = (tmp_path / 'site.yml', '--vault-password-file', tmp_path / 'pass')
    ours, theirs = swansible_playbook(*args), ansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout and '"msg": "HELLO FROM A FILE!!"' in ours.stdout
