"""Templating against Ansible itself: every expression in the fixtures is printed by `debug`
through ansible-playbook and through swansible-playbook, and the outputs must be identical."""
import pytest

from conftest import FIXTURES, ansible_playbook, swansible_playbook


@pytest.mark.parametrize('fixture', ['expressions.yml', 'filters.yml', 'lookups.yml', 'inheritance.yml'])
def test_debug_output_matches_ansible(fixture):
    book = FIXTURES / 'templating' / fixture
    env = {'SWANSIBLE_TEST_ENV': 'envval'}
    theirs, ours = ansible_playbook(book, env=env), swansible_playbook(book, env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout


@pytest.mark.parametrize('fixture', ['undefined_arg.yml', 'undefined_when.yml', 'undefined_loop.yml', 'broken_conditional.yml'])
def test_undefined_variable_errors_match_ansible(fixture):
    """The [ERROR] block (message chain, origins, snippets) and the fatal line, as 2.19 prints them."""
    book = FIXTURES / 'errors' / fixture
    theirs, ours = ansible_playbook(book), swansible_playbook(book)
    assert theirs.returncode == ours.returncode == 2
    assert ours.stdout == theirs.stdout
