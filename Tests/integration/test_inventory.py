"""swansible-inventory prints what ansible-inventory prints for the same sources."""
import json

from conftest import BIN, FIXTURES, VENV, run

INV = FIXTURES / 'inventory'


def both(*args):
    ours = run([BIN / 'swansible-inventory', *args])
    theirs = run([VENV / 'bin' / 'ansible-inventory', *args])
    return ours, theirs


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
