"""swansible-inventory prints what ansible-inventory prints for the same sources."""
import json
import shutil

import pytest

from conftest import BIN, FIXTURES, LIBRARY_219, VENV, ansible_playbook, run, swansible_playbook

INV = FIXTURES / 'inventory'


def both(*args):
    ours = run([BIN / 'swansible-inventory', *args])
    theirs = run([VENV / 'bin' / 'ansible-inventory', *args])
    return ours, theirs


def listings_match(runs):
    """Each run's exit code, stdout and stderr are ansible-inventory's; an unexpected exception
    (exit 250) its first line only (Ansible adds the Python traceback of its "bug")."""
    for args in runs:
        ours, theirs = both(*args)
        assert ours.returncode == theirs.returncode, (args, ours.stderr)
        if theirs.returncode == 250:
            assert ours.stderr.splitlines()[0] == theirs.stderr.splitlines()[0]
            continue
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), args


def test_list_matches_ansible_inventory():
    ours, theirs = both('-i', INV / 'hosts.ini', '--list')
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def test_yaml_source_list_matches():
    ours, theirs = both('-i', INV / 'hosts.yml', '--list')
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def test_graph_matches_ansible_inventory():
    ours, theirs = both('-i', INV / 'hosts.ini', '--graph')
    assert ours.returncode == theirs.returncode == 0
    assert ours.stdout == theirs.stdout


def test_graph_vars_and_output_file_as_ansible(tmp_path):
    """--graph --vars (each host's variables under it, each group's after its members) and
    --output (the text written as it is, an unwritable destination refused with exit 1)."""
    for source in ('hosts.ini', 'hosts.yml'):
        for args in (['--graph', '--vars'], ['--graph', 'web', '--vars']):
            ours, theirs = both('-i', INV / source, *args)
            assert ours.returncode == theirs.returncode == 0, ours.stderr
            assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), (source, args)
        assert '--{' in ours.stdout
    for args in (['--list'], ['--list', '--yaml'], ['--host', 'web02'], ['--graph', '--vars']):
        ours = run([BIN / 'swansible-inventory', '-i', INV / 'hosts.ini', *args, '--output', tmp_path / 'ours'])
        theirs = run([VENV / 'bin' / 'ansible-inventory', '-i', INV / 'hosts.ini', *args, '--output', tmp_path / 'theirs'])
        assert ours.returncode == theirs.returncode == 0 and ours.stdout == theirs.stdout == '', ours.stderr
        assert (tmp_path / 'ours').read_bytes() == (tmp_path / 'theirs').read_bytes(), args
    ours, theirs = both('-i', INV / 'hosts.ini', '--graph', '--output', tmp_path / 'no' / 'such')
    assert ours.returncode == theirs.returncode == 1 and ours.stderr == theirs.stderr
    for args in ([], ['--list', '--graph']):   # one action, checked before the inventory is read
        ours, theirs = both('-i', INV / 'hosts.ini', *args)
        assert ours.returncode == theirs.returncode == 5 and ours.stderr == theirs.stderr


def test_host_vars_match():
    ours, theirs = both('-i', INV / 'hosts.ini', '--host', 'web02')
    assert ours.returncode == theirs.returncode == 0
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def test_yaml_output_matches():
    """--list --yaml and --host --yaml: the same text as ansible-inventory (group tree, host vars once)."""
    for source in ('hosts.ini', 'hosts.yml'):
        for args in (['--list', '--yaml'], ['--host', 'web02', '--yaml'] if source == 'hosts.ini' else ['--list', '--yaml', 'app']):
            ours, theirs = both('-i', INV / source, *args)
            assert ours.returncode == theirs.returncode == 0, ours.stderr
            assert ours.stdout == theirs.stdout, (source, args)


def test_pattern_mismatch_as_ansible(tmp_path):
    """HOST_PATTERN_MISMATCH: each term that matches nothing is warned about before the play's
    banner (whitespace separates terms too), fails the run, or is passed over; ad-hoc goes on
    with a warning; advanced_host_list's bad ranges as Ansible words them."""
    (tmp_path / 'hosts').write_text('h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n')
    (tmp_path / 'play.yml').write_text('- hosts: "nomatch h1 other*"\n  gather_facts: false\n  tasks:\n    - ping:\n')
    runs = []
    for mode in ('warning', 'error', 'ignore'):
        env = {'ANSIBLE_HOST_PATTERN_MISMATCH': mode}
        runs.append((['-i', tmp_path / 'hosts', tmp_path / 'play.yml'], 'ansible-playbook', 'swansible-playbook', env))
        runs.append((['-i', tmp_path / 'hosts', '{{ "nomatch" }}', '-m', 'ping'], 'ansible', 'swansible', env))
    adv = {'ANSIBLE_INVENTORY_ENABLED': 'advanced_host_list'}
    runs.append((['-i', 'local[1:j],', '-c', 'local', 'all', '-m', 'ping'], 'ansible', 'swansible', adv))
    runs.append((['-i', 'local[1:],', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3',
                  'all', '-m', 'ping', '-vvv'], 'ansible', 'swansible', adv))
    for args, theirs_bin, ours_bin, env in runs:
        theirs, ours = run([VENV / 'bin' / theirs_bin, *args], env=env), run([BIN / ours_bin, *args], env=env)
        if '-vvv' in args:   # Ansible's -vvv shows its own execution; the inventory's lines must be there
            for line in ('Unable to parse address from hostname, leaving unchanged: host range must specify end value',
                         'Parsed local[1:], inventory source with advanced_host_list plugin', 'local[1:] | SUCCESS'):
                assert line in ours.stdout and line in theirs.stdout
            continue
        assert theirs.returncode == ours.returncode, (args, env, ours.stdout + ours.stderr)
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), (args, env)


def test_invalid_group_chars_and_limits_as_ansible(tmp_path):
    """TRANSFORM_INVALID_GROUP_CHARS keeps or replaces `local-` as Ansible does (with its warning);
    a --limit that leaves no inventory host stops the run (rc 1); an inventory without hosts is
    warned about even when it parsed."""
    (tmp_path / 'inv.ini').write_text('[local-:children]\nweb\n[web]\nh1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
                                      '[3rd]\nh1\n')
    (tmp_path / 'empty.ini').write_text('')
    (tmp_path / 'play.yml').write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n')
    runs = []
    for mode in ('never', 'always', 'ignore', 'silently'):
        env = {'ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS': mode}
        for limit in ('local-', 'local_'):
            runs.append((['ansible-playbook', '-i', tmp_path / 'inv.ini', tmp_path / 'play.yml', '-l', limit], env))
        runs.append((['ansible-inventory', '-i', tmp_path / 'inv.ini', '--graph'], env))
    runs.append((['ansible-playbook', '-i', tmp_path / 'empty.ini', tmp_path / 'play.yml', '-l', 'foo'], None))
    runs.append((['ansible-playbook', '-i', tmp_path / 'inv.ini', tmp_path / 'play.yml', '-l', 'foo'], None))
    for (tool, *args), env in runs:
        theirs = run([VENV / 'bin' / tool, *args], env=env)
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args], env=env)
        assert theirs.returncode == ours.returncode, (args, env, ours.stdout + ours.stderr)
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), (args, env)


SCRIPT = '''#!/usr/bin/python3
import json, os, sys
mode = os.environ.get('MODE', 'meta')
if sys.argv[1] == '--host':
    print(json.dumps({'from_host': sys.argv[2], 'secret': {'__ansible_unsafe': '{{ not_rendered }}'}}))
    sys.exit(0)
sys.stderr.write('script says hello\\n')
groups = {
    'web': {'hosts': ['w1', 'w2'], 'vars': {'http_port': 80}, 'children': ['db']},
    'db': {'hosts': ['d1']},
    'loose': ['x1'],
    'lone': {'a': 1},
}
if mode == 'meta':
    groups['_meta'] = {'hostvars': {'w1': {'num': 1, 'templ': '{{ http_port + 1 }}'}}}
if mode == 'fail':
    sys.exit(3)
print('{not json' if mode == 'badjson' else json.dumps(groups))
'''


def test_sources_as_ansible(tmp_path):
    """Each source goes to the plugins Ansible would try, in INVENTORY_ENABLED's order: an
    executable is an inventory script (`--list`, `_meta.hostvars` or `--host` per host, its
    stderr, 2.19's deprecations for old forms), a file without an extension may be YAML, and when
    no plugin reads a source each one's failure is told as 2.19 tells it. Directories are read
    with their subdirectories, skipping Ansible's ignored extensions."""
    script = tmp_path / 'inv.py'
    script.write_text(SCRIPT)
    script.chmod(0o755)
    (tmp_path / 'noext').write_text('all:\n  hosts:\n    y1:\n  children:\n    g:\n      hosts: {y2: {v: 1}}\n      other: 3\n      bad: [1]\n')
    (tmp_path / 'broken.yml').write_text('all:\n  hosts: [1\n  vars: {}\n')
    (tmp_path / 'half.ini').write_text('[web]\nw1 a=1\n[web:vars]\nnovalue\n')
    (tmp_path / 'quote.ini').write_text('[web]\nw1 a="open\n')
    d = tmp_path / 'dir'
    (d / 'sub').mkdir(parents=True)
    (d / 'a.ini').write_text('[top]\nt1\n')
    (d / 'sub' / 'b.yml').write_text('all:\n  hosts:\n    s1:\n')
    (d / 'README.md').write_text('# not an inventory\n')
    (tmp_path / 'play.yml').write_text(
        '- hosts: all\n  gather_facts: false\n  connection: local\n  tasks:\n'
        '    - debug: msg="{{ group_names }} {{ http_port | default(0) }} {{ num | default(0) }} {{ templ | default(0) }} '
        '{{ from_host | default(0) }} {{ secret | default(0) }} {{ a | default(0) }}"\n')
    runs = []
    for mode in ('meta', 'host', 'fail', 'badjson'):
        env = {'MODE': mode, 'ANSIBLE_DEPRECATION_WARNINGS': '1'}
        runs.append((['ansible-playbook', '-i', script, tmp_path / 'play.yml', '-f', '1'], env))
        runs.append((['ansible-inventory', '-i', script, '--list'], env))
    runs.append((['ansible-inventory', '-i', script, '--list', '--export'], {'MODE': 'host'}))
    runs.append((['ansible-inventory', '-i', script, '--graph'], {'ANSIBLE_INVENTORY_PLUGIN_SCRIPT_STDERR': 'false'}))
    for source in ('noext', 'broken.yml', 'half.ini', 'quote.ini', 'dir'):
        runs.append((['ansible-inventory', '-i', tmp_path / source, '--graph'], None))
    runs.append((['ansible-playbook', '-i', tmp_path / 'half.ini', tmp_path / 'play.yml'], None))
    for (tool, *args), env in runs:
        theirs = run([VENV / 'bin' / tool, *args], env=env)
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args], env=env)
        assert theirs.returncode == ours.returncode, (args, env, ours.stdout + ours.stderr)
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), (args, env)


def test_constructed_and_generator_as_ansible(tmp_path):
    """`plugin: constructed` composes variables and groups from expressions over each host's
    inventory vars (keyed groups from strings, lists and mappings, defaults, parents, strict
    errors), `plugin: generator` makes hosts and groups from layers: the same inventory as
    ansible-inventory shows, and the composed variables in a play."""
    (tmp_path / 'static.yml').write_text(
        'all:\n  hosts:\n'
        '    a1: {os: debian, labels: {env: prod, role: web}, zones: [z1, ""], ip: 10.0.0.1}\n'
        '    a2: {os: redhat, labels: {env: dev, role: ""}, zones: [], ip: 10.0.0.2}\n'
        '  children:\n    dc1:\n      hosts: {a1: }\n      vars: {site: north}\n')
    (tmp_path / 'constructed.yml').write_text(
        'plugin: ansible.builtin.constructed\n'
        'compose:\n  ansible_host: ip\n  label: "os ~ \'-\' ~ (site | default(\'none\'))"\n  broken: nosuchvar.attr\n'
        'groups:\n  debian_hosts: os == "debian"\n  in_north: site is defined and site == "north"\n  not_bool: os\n'
        'keyed_groups:\n'
        '  - key: os\n    prefix: os\n  - key: tags\n    prefix: tag\n    default_value: unset\n'
        '  - key: zones\n    separator: ""\n    parent_group: zones\n  - key: tags.role\n    leading_separator: false\n'
        '  - key: missing_var\n')
    (tmp_path / 'strict.yml').write_text('plugin: constructed\nstrict: true\ncompose:\n  broken: nosuchvar.attr\n')
    (tmp_path / 'gen.yml').write_text(
        'plugin: generator\nhosts:\n  name: "{{ app }}-{{ env }}"\n  parents:\n'
        '    - name: "{{ app }}"\n      vars: {app_name: "{{ app }}"}\n      parents: [{name: apps}]\n    - name: "{{ env }}"\n'
        'layers:\n  app: [web, api]\n  env: [dev, prod]\n')
    (tmp_path / 'extra.yml').write_text('plugin: constructed\nuse_extra_vars: true\ncompose:\n  z: "myextra ~ os"\n'
                                        'groups:\n  picked: os == wanted\n')
    (tmp_path / 'play_all.yml').write_text('- hosts: all\n  gather_facts: false\n  connection: local\n  tasks:\n'
                                           '    - debug: msg="{{ z }} {{ group_names }}"\n')
    (tmp_path / 'play.yml').write_text(
        '- hosts: debian_hosts:tag_env_prod\n  gather_facts: false\n  connection: local\n  tasks:\n'
        '    - debug: msg="{{ ansible_host }} {{ label }} {{ group_names }}"\n')
    runs = [
        ['ansible-inventory', '-i', tmp_path / 'static.yml', '-i', tmp_path / 'constructed.yml', '--list'],
        ['ansible-inventory', '-i', tmp_path / 'static.yml', '-i', tmp_path / 'constructed.yml', '--graph'],
        ['ansible-inventory', '-i', tmp_path / 'static.yml', '-i', tmp_path / 'strict.yml', '--graph'],
        ['ansible-inventory', '-i', tmp_path / 'gen.yml', '--list'],
        ['ansible-inventory', '-i', tmp_path / 'gen.yml', '--graph', '-v'],
        ['ansible-playbook', '-i', tmp_path / 'static.yml', '-i', tmp_path / 'constructed.yml', tmp_path / 'play.yml'],
        ['ansible-playbook', '-i', tmp_path / 'static.yml', '-i', tmp_path / 'extra.yml', tmp_path / 'play_all.yml',
         '-e', 'myextra=X', '-e', 'wanted=debian', '-f', '1'],
    ]
    for tool, *args in runs:
        theirs = run([VENV / 'bin' / tool, *args])
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args])
        assert theirs.returncode == ours.returncode, (args, ours.stdout + ours.stderr)
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), args


def test_toml_inventory_and_output_as_ansible(tmp_path):
    """A TOML inventory (Ansible's toml plugin, enabled by default) reads as ansible-inventory
    reads it with tomllib — groups, ranges and ports, nested and inline tables, the document's
    order — and `--toml` writes tomli_w's text for any source, with `--export` and `--limit`;
    `--limit` narrows every listing."""
    src = INV / 'toml' / 'hosts.toml'
    runs = [['-i', src, *a] for a in (
        ['--list'], ['--list', '--yaml'], ['--list', '--toml'], ['--list', '--toml', '--export'], ['--list', '--export'],
        ['--list', '--yaml', '--export'], ['--graph', '--vars'], ['--host', 'app2', '--toml'],
        ['--list', '--limit', 'app'], ['--list', '--toml', '--limit', 'web[0]'], ['--list', '--yaml', '--limit', '!web01'])]
    runs += [['-i', INV / s, '--list', *a] for s in ('hosts.ini', 'hosts.yml')
             for a in (['--toml'], ['--toml', '--export'], ['--limit', 'db'], ['--yaml', '--limit', 'web0[1:2]'])]
    # What the plugin refuses, skips or warns about; a None tomli_w cannot write (exit 250).
    bad = {'invalid.toml': 'a = \n', 'empty.toml': '', 'plugin.toml': 'plugin = "constructed"\n',
           'hosts.toml': '[g]\nhosts = "h1"\n', 'children.toml': '[g]\nchildren = "x"\n', 'vars.toml': '[g]\nvars = [1]\n',
           'skips.toml': 'web = 1\n[g]\nother = 2\n[g.hosts]\nh1 = {}\n', 'hostvars.toml': '[g.hosts]\nh1 = 3\n'}
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
        runs.append(['-i', tmp_path / name, '--list'])
    (tmp_path / 'none.yml').write_text('all:\n  hosts:\n    h1:\n      a: null\n')
    runs.append(['-i', tmp_path / 'none.yml', '--list', '--toml'])
    listings_match(runs)
    # The hosts run in the document's order, with the variables as templates see them.
    args = ['all', '-i', src, '-c', 'local', '-f', '1', '-m', 'debug', '-a', 'msg="{{ ntp }} {{ started }} {{ limits | default({}) }}"']
    ours, theirs = run([BIN / 'swansible', *args]), run([VENV / 'bin' / 'ansible', *args])
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert 'zeta | SUCCESS' in ours.stdout and "{'nofile': 65536, 'nproc': 4096}" in ours.stdout


def test_variable_names_and_shared_values_as_ansible(tmp_path):
    """Inventory variables named as no variable may be are taken with 2.19's deprecation at the
    key's place (an INI line underlined, a YAML key's column, a TOML key shown as data); reserved
    names are warned about at the place they were first set, in the inventory's order, the first
    host's before the task's banner, another's when its vars are first got (hostvars). A group's container variables are one object for all its
    hosts, which --list --yaml writes once and aliases after, as PyYAML does."""
    (tmp_path / 'r.ini').write_text('[web]\nh1 when=1 port=2\nh5\n[web:vars]\nname=x\nbad-name=1\nd={"a": [1]}\n')
    (tmp_path / 'r.yml').write_text('all:\n  vars:\n    tags: 1\n    l: [1]\n  hosts:\n    h2:\n      when: 1\n      "bad-name": 2\n    h3:\n')
    (tmp_path / 'r.toml').write_text('[g.hosts.h4]\n"odd key" = 1\nwhen = 2\n')
    (tmp_path / 'group_vars').mkdir()
    (tmp_path / 'group_vars' / 'web.yml').write_text('m: {k: v}\nasync: 1\n')
    (tmp_path / 'play.yml').write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n')
    srcs = ['-i', tmp_path / 'r.ini', '-i', tmp_path / 'r.yml', '-i', tmp_path / 'r.toml']
    runs = [('ansible-inventory', *srcs, *a) for a in (['--list'], ['--list', '--yaml'], ['--graph', '--vars'], ['--host', 'h1'])]
    runs.append(('ansible-playbook', *srcs, tmp_path / 'play.yml', '-c', 'local', '-f', '1'))

    for tool, *args in runs:
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args])
        theirs = run([VENV / 'bin' / tool, *args])
        assert ours.returncode == theirs.returncode == 0, ours.stderr
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), args
    listing = run([BIN / 'swansible-inventory', *srcs, '--list', '--yaml']).stdout
    assert 'l: &id' in listing and 'l: *id' in listing and 'm: *id' in listing and 'd: *id' in listing
    assert "Origin: <unknown>\n\nodd key" in ours.stderr and 'r.ini:5\n' in ours.stderr
    # Reading hostvars[h] gets that host's vars, which warns about its reserved names then (in the
    # first batch); the hostvars mapping's length gets none.
    (tmp_path / 'serial.yml').write_text('- hosts: all\n  gather_facts: false\n  serial: 1\n  tasks:\n'
                                         '    - debug: msg="{{ hostvars | length }} {{ hostvars.h1.port }}"\n'
                                         '      run_once: true\n')
    args = (*srcs, tmp_path / 'serial.yml', '-c', 'local')
    ours, theirs = (run([b, *args], merged=True) for b in (BIN / 'swansible-playbook', VENV / 'bin' / 'ansible-playbook'))
    assert ours.returncode == theirs.returncode == 0 and ours.stdout == theirs.stdout, ours.stdout
    assert ours.stdout.index('r.ini:2\n') < ours.stdout.index('"msg": "5 2"')


def test_localhost_names_find_the_inventory_localhost(tmp_path):
    """A localhost name no host has (`localhost`, `127.0.0.1`, `::1`) finds the inventory's first
    localhost-like host, as InventoryData.get_host does: in `hosts:`, hostvars and delegate_to
    (its variables, the label keeps the name). Another localhost-like host is warned about."""
    local = 'ansible_connection=local ansible_python_interpreter=/usr/bin/python3'
    (tmp_path / 'hosts').write_text(f'127.0.0.1 {local} foo=from_inv\n[g]\nother {local}\n')
    (tmp_path / 'dup').write_text('localhost ansible_connection=local\n127.0.0.1\n::1\n')
    (tmp_path / 'play.yml').write_text("""
- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg="{{ inventory_hostname }} {{ foo | default('none') }} {{ groups.all }}"
- hosts: other
  gather_facts: false
  tasks:
    - debug: msg="{{ hostvars['localhost'].foo | default('none') }} {{ hostvars['::1'].inventory_hostname }}"
    - debug: msg="{{ ansible_delegated_vars['localhost'].foo }} {{ foo | default('none') }}"
      delegate_to: localhost
- hosts: localhost,other
  gather_facts: false
  tasks:
    - debug: msg="{{ inventory_hostname }} {{ ansible_play_hosts }}"
""")
    for inv in (['-i', tmp_path / 'hosts'], ['-i', 'localhost,127.0.0.1,', '-i', tmp_path / 'dup']):
        ours, theirs = (f(tmp_path / 'play.yml', *inv, merged=True) for f in (swansible_playbook, ansible_playbook))
        assert ours.returncode == theirs.returncode == 0, ours.stdout
        assert ours.stdout == theirs.stdout
    assert '"msg": "from_inv 127.0.0.1"' in run([BIN / 'swansible-playbook', tmp_path / 'play.yml', '-i', tmp_path / 'hosts']).stdout
    assert 'duplicate localhost-like entry was found (::1). First found localhost was localhost' in ours.stdout


def test_playbook_dir_as_ansible(tmp_path):
    """--playbook-dir brings that directory's group_vars/host_vars into every listing; without it a
    host's variables read the current directory's (a VariableManager's basedir), its groups' do not."""
    (tmp_path / 'inv').mkdir()
    (tmp_path / 'inv' / 'hosts').write_text('[web]\nh1 a=1\n')
    for d, kind, name, text in [('pb', 'group_vars', 'web.yml', 'from_pb: 1\n'), ('pb', 'host_vars', 'h1.yml', 'from_pb_host: 2\n'),
                                ('.', 'group_vars', 'all.yml', 'from_cwd: 3\n')]:
        (tmp_path / d / kind).mkdir(parents=True, exist_ok=True)
        (tmp_path / d / kind / name).write_text(text)
    seen = {}
    for args in (['--list'], ['--graph', '--vars'], ['--list', '--playbook-dir', 'pb'], ['--host', 'h1', '--playbook-dir', 'pb'],
                 ['--graph', '--vars', '--playbook-dir', 'pb'], ['--list', '--export', '--playbook-dir', 'pb'],
                 ['--list', '--yaml', '--export', '--playbook-dir', 'pb'], ['--list', '--playbook-dir', 'nodir']):
        ours = run([BIN / 'swansible-inventory', '-i', 'inv/hosts', *args], cwd=tmp_path)
        theirs = run([VENV / 'bin' / 'ansible-inventory', '-i', 'inv/hosts', *args], cwd=tmp_path)
        assert ours.returncode == theirs.returncode == 0, ours.stderr
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr), args
        seen[args[0] + ' ' + args[-1]] = ours
    assert '"from_cwd": 3' in seen['--list --list'].stdout
    assert '"from_pb": 1' in seen['--host pb'].stdout and '"from_pb_host": 2' in seen['--host pb'].stdout
    assert 'is not a directory' in seen['--list nodir'].stderr


def test_dates_and_times_as_ansible(tmp_path):
    """TOML's offset and local datetimes, dates and times, and YAML's dates and zoned timestamps
    are Python's date, time and datetime values, as tomllib and PyYAML make them: listed in
    ISO form, written back by tomli_w and PyYAML (a time PyYAML cannot write: exit 250), and
    seen by templates with their types, attributes and comparisons."""
    (tmp_path / 'd.toml').write_text('[g.hosts.h1]\noffset = 2020-01-01T12:42:42-07:00\nutc = 1979-05-27T07:32:00Z\n'
                                     'local = 2020-01-01T12:42:42.5\nday = 2020-01-01\nclock = 12:42:42\n')
    (tmp_path / 'd.yml').write_text('all:\n  hosts:\n    h2:\n      day: 2020-01-01\n      zoned: 2001-12-14t21:59:43.10-05:00\n'
                                    '      z: 2001-12-14 21:59:43.10 Z\n      short: 2020-1-1\n')
    runs = [['-i', tmp_path / 'd.toml', *a] for a in (['--list'], ['--list', '--toml'], ['--host', 'h1'], ['--list', '--yaml'])]
    runs += [['-i', tmp_path / 'd.yml', *a] for a in (['--list'], ['--list', '--toml'], ['--list', '--yaml'])]
    listings_match(runs)
    book = tmp_path / 'play.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  vars:\n    naive: 2020-01-01T12:42:42\n  tasks:\n'
                    '    - debug:\n        msg: "{{ item }}"\n      loop:\n'
                    '        - "{{ [hostvars.h1.offset, hostvars.h1.utc, hostvars.h1.local, hostvars.h1.day, hostvars.h1.clock] | map(\'type_debug\') }}"\n'
                    '        - "{{ [hostvars.h1.offset, hostvars.h1.local.time(), hostvars.h1.day, hostvars.h2.zoned] | map(\'string\') }}"\n'
                    '        - "{{ hostvars.h1.offset == hostvars.h1.utc }} {{ hostvars.h1.utc < hostvars.h1.offset }} {{ hostvars.h1.day == hostvars.h2.day }}"\n'
                    '        - "{{ hostvars.h1.offset.hour }} {{ hostvars.h1.day.weekday() }} {{ hostvars.h1.offset.isoformat() }} {{ naive.date() == hostvars.h1.day }}"\n'
                    '        - "{{ (hostvars.h1.offset - hostvars.h1.utc) }} {{ hostvars.h1.offset.strftime(\'%d.%m.%Y %H:%M %z\') }}"\n'
                    '        - "{{ [hostvars.h1.day, hostvars.h2.z] | to_json }} {{ [hostvars.h1.day, hostvars.h2.z] | to_yaml }}"\n'
                    '      run_once: true\n')
    args = ['-i', tmp_path / 'd.toml', '-i', tmp_path / 'd.yml', book, '-c', 'local']
    ours, theirs = swansible_playbook(*args), ansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout
    assert "['datetime', 'datetime', 'datetime', 'date', 'time']" in ours.stdout


def test_binary_values_as_ansible(tmp_path):
    """YAML's !!binary in an inventory is Python bytes: written back by PyYAML as !!binary, shown
    as b'…' by --graph --vars, refused by the JSON and TOML listings (exit 250)."""
    (tmp_path / 'b.yml').write_text('all:\n  hosts:\n    h1:\n      blob: !!binary aGk=\n')
    listings_match([['-i', tmp_path / 'b.yml', *a] for a in (['--list'], ['--list', '--toml'], ['--host', 'h1'],
                                                             ['--list', '--yaml'], ['--graph', '--vars'])])


def test_inventory_directory_ignore_settings_as_ansible(tmp_path):
    """INVENTORY_IGNORE_EXTS and INVENTORY_IGNORE_PATTERNS decide which files of an inventory
    directory are read (the defaults skip `.bak`, `.txt`…)."""
    for name, host in (('hosts', 'a1'), ('hosts.bak', 'b1'), ('extra.ini', 'c1'), ('notes.txt', 'd1'), ('skipme.ini', 'e1')):
        (tmp_path / name).write_text(host + '\n')
    for env in ({}, {'ANSIBLE_INVENTORY_IGNORE': '.ini, ~'}, {'ANSIBLE_INVENTORY_IGNORE_REGEX': 'skip,^ex'}):
        args = [BIN / 'swansible-inventory', '-i', tmp_path, '--list']
        ours = run(args, env=env)
        theirs = run([VENV / 'bin' / 'ansible-inventory', *args[1:]], env=env)
        assert ours.returncode == theirs.returncode == 0, ours.stderr
        assert json.loads(ours.stdout) == json.loads(theirs.stdout), env


@pytest.mark.parametrize('env', [{'ANSIBLE_INVENTORY_UNPARSED_FAILED': '1'}, {'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': '1'},
                                 {'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0'}])
@pytest.mark.parametrize('sources', [['bad'], ['bad', 'good'], ['missing']])
def test_unparsed_inventory_settings_as_ansible(tmp_path, env, sources):
    """A source nothing parses, or no parsed source at all: warned about, or the command stopped
    before anything runs (exit 1), as the settings say — ansible-playbook's exact output."""
    (tmp_path / 'bad').write_text('[bad\nfoo')
    (tmp_path / 'good').write_text('ok1 ansible_connection=local\n')
    (tmp_path / 'site.yml').write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: ran}\n')
    args = [a for s in sources for a in ('-i', tmp_path / s)] + [tmp_path / 'site.yml']
    ours, theirs = swansible_playbook(*args, env=env, cwd=tmp_path), ansible_playbook(*args, env=env, cwd=tmp_path)
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr)


@LIBRARY_219
def test_python_inventory_plugins_as_ansible(tmp_path):
    """Inventory plugins written in Python — one in inventory_plugins/ beside the playbook (with
    constructed's options), a collection's adjacent to it — read their sources through
    ansible-core as ansible-inventory reads them: over the hosts earlier sources made, their
    values trusted or not as 2.19 decides, their failures and unknown names warned about as
    Ansible words them, named by `auto` or by INVENTORY_ENABLED; and a play sees the same."""
    src = FIXTURES / 'inventory' / 'python_plugins'
    runs = [
        ({}, ['ansible-inventory', '-i', 'static.yml', '-i', 'dyn.my.yml', '-i', 'coll.yml', '--list', '--playbook-dir', '.']),
        ({}, ['ansible-inventory', '-i', 'coll.yml', '-i', 'static.yml', '--list', '--playbook-dir', '.']),
        ({}, ['ansible-inventory', '-i', 'static.yml', '-i', 'bad.my.yml', '-i', 'nosuch.yml', '--graph', '--playbook-dir', '.', '-v']),
        ({'ANSIBLE_INVENTORY_ENABLED': 'my_inv,yaml,nosuch'},
         ['ansible-inventory', '-i', 'static.yml', '-i', 'dyn.my.yml', '--graph', '--playbook-dir', '.']),
        ({'ANSIBLE_INVENTORY_ENABLED': 'nosuch'}, ['ansible-inventory', '-i', 'static.yml', '--graph']),
        ({}, ['ansible-playbook', '-i', 'static.yml', '-i', 'dyn.my.yml', '-i', 'coll.yml', 'play.yml', '-f', '1']),
    ]
    for env, (tool, *args) in runs:
        theirs = run([VENV / 'bin' / tool, *args], env=env, cwd=src)
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args], env=env, cwd=src)
        assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr), args
    listed = json.loads(run([BIN / 'swansible-inventory', *runs[0][1][1:]], cwd=src).stdout)
    assert listed['dyn']['hosts'] == ['dyn0', 'dyn1'] and listed['seen_debian']['hosts'] == ['a1']
    assert listed['_meta']['hostvars']['dyn1']['doubled'] == 2
    # Untrusted text a plugin set stays as it is; the group's variable and composed one are there.
    assert "dyn0 ['dyn', 'tag_x', 'tag_y'] {{ not_rendered }} - 0 from the group" in run([BIN / 'swansible-playbook', *runs[-1][1][1:]], cwd=src).stdout


def test_inventory_names_dirs_and_extra_vars_as_ansible(tmp_path):
    """constructed sees each host's magic variables (`inventory_hostname`, its short form, which
    keeps an IP address whole); an empty directory inside an inventory directory is a source
    that did not parse; ansible-inventory lists the extra vars with every host's variables."""
    inv = tmp_path / 'inv'
    (inv / 'empty').mkdir(parents=True)
    (inv / 'hosts').write_text('web1.example.com\n10.0.0.1\n010.1.2.3\n"::ffff:1.2.3.4"\ndb.example.com\n')
    (tmp_path / 'groups.yml').write_text('plugin: constructed\ncompose:\n  short: inventory_hostname_short\n'
                                         'groups:\n  webservers: inventory_hostname.startswith("web")\n')
    (tmp_path / 'play.yml').write_text('- hosts: all\n  gather_facts: false\n  tasks:\n'
                                       '    - debug: msg="{{ inventory_hostname_short }} {{ short }} {{ group_names }}"\n')
    runs = [
        ({}, ['ansible-inventory', '-i', inv, '-i', tmp_path / 'groups.yml', '--list', '-e', 'x=1', '-e', '{"y": {"z": [1]}}']),
        ({}, ['ansible-inventory', '-i', inv, '--host', 'db.example.com', '-e', 'x=1']),
        ({}, ['ansible-inventory', '-i', inv, '--graph', '--vars', '-e', 'x=1']),
        ({'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': '1'}, ['ansible-inventory', '-i', inv, '--graph']),
        ({}, ['ansible-playbook', '-i', inv, '-i', tmp_path / 'groups.yml', tmp_path / 'play.yml', '-c', 'local', '-f', '1']),
    ]
    for env, (tool, *args) in runs:
        theirs = run([VENV / 'bin' / tool, *args], env=env, cwd=tmp_path)
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args], env=env, cwd=tmp_path)
        assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr), args
    ours = run([BIN / 'swansible-playbook', *runs[-1][1][1:]], cwd=tmp_path)
    assert '"msg": "010.1.2.3 010.1.2.3 [\'ungrouped\']"' in ours.stdout and '"msg": "web1 web1 [\'webservers\']"' in ours.stdout
    assert f'[WARNING]: Unable to parse {inv}/empty as an inventory source' in ours.stderr


def test_python_inventory_plugin_cache_as_ansible(tmp_path):
    """A Python plugin's cache (Cacheable, jsonfile) is read on the next run, and not read after
    --flush-cache or by `meta: refresh_inventory`, which parse with cache=False: the host the
    counting plugin names shows which read it was, run after run as with Ansible. A host the
    refreshed inventory no longer has runs nothing more in the play."""
    src = FIXTURES / 'inventory' / 'python_plugins'
    runs = [['ansible-inventory', '-i', 'hosts.counted.yml', '--graph'],
            ['ansible-inventory', '-i', 'hosts.counted.yml', '--graph'],
            ['ansible-inventory', '-i', 'hosts.counted.yml', '--graph', '--flush-cache'],
            ['ansible-playbook', '-i', 'hosts.counted.yml', 'refresh.yml'],
            ['ansible-playbook', '-i', 'hosts.counted.yml', 'refresh.yml', '--flush-cache']]
    outputs = {}
    for tool in ('ansible', 'swansible'):
        work = tmp_path / tool
        shutil.copytree(src, work, ignore=shutil.ignore_patterns('__pycache__'))
        env = {'ANSIBLE_PLAYBOOK_DIR': str(work)}
        bin_dir = VENV / 'bin' if tool == 'ansible' else BIN
        outputs[tool] = [run([bin_dir / cmd.replace('ansible', tool), *args], env=env, cwd=work) for cmd, *args in runs]
    for ours, theirs in zip(outputs['swansible'], outputs['ansible']):
        assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr), ours.args
    said = [r.stdout for r in outputs['swansible']]
    assert '|--counted1' in said[0] and '|--counted1' in said[1] and '|--counted2' in said[2]
    # The refresh reads the source anew: the host it named is gone (the play runs nothing more
    # on it) and the next play has the new one.
    assert 'ok: [counted2]' in said[3] and 'ok: [counted3]' in said[3] and 'not reached' not in said[3]
    assert 'ok: [counted4]' in said[4] and 'ok: [counted5]' in said[4]


@pytest.mark.parametrize('env', [{}, {'ANSIBLE_RUN_VARS_PLUGINS': 'start'}, {'ANSIBLE_VARS_PLUGIN_STAGE': 'inventory'},
                                 {'ANSIBLE_VARS_PLUGIN_STAGE': 'task'}])
def test_host_group_vars_stage_as_ansible(tmp_path, env):
    """group_vars/ and host_vars/ are read at the stage RUN_VARS_PLUGINS or host_group_vars'
    `stage` option says: while a play asks (their files over every group's inventory vars), or
    while the inventory is read (merged into each group's own, so a child group's inventory
    value beats `all`'s file) — and ansible-inventory lists them as it does."""
    (tmp_path / 'group_vars').mkdir()
    (tmp_path / 'host_vars').mkdir()
    (tmp_path / 'hosts').write_text('[web]\nw1 y=inv_host\n[web:vars]\nx=inv_web\n[all:vars]\nansible_connection=local\n')
    (tmp_path / 'group_vars' / 'all.yml').write_text('x: file_all\n')
    (tmp_path / 'host_vars' / 'w1.yml').write_text('y: file_host\n')
    (tmp_path / 'p.yml').write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg="{{ x }} {{ y }}"\n')
    for tool, *args in (['ansible-playbook', '-i', 'hosts', 'p.yml'], ['ansible-inventory', '-i', 'hosts', '--list'],
                        ['ansible-inventory', '-i', 'hosts', '--list', '--export']):
        theirs = run([VENV / 'bin' / tool, *args], env=env, cwd=tmp_path)
        ours = run([BIN / tool.replace('ansible', 'swansible'), *args], env=env, cwd=tmp_path)
        assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr), args
    said = run([BIN / 'swansible-playbook', '-i', 'hosts', 'p.yml'], env=env, cwd=tmp_path).stdout
    early = env.get('ANSIBLE_RUN_VARS_PLUGINS') == 'start' or env.get('ANSIBLE_VARS_PLUGIN_STAGE') == 'inventory'
    assert f'"msg": "{"inv_web" if early else "file_all"} file_host"' in said
