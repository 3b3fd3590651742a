"""Templating against Ansible itself: every expression in the fixtures is printed by `debug`
through ansible-playbook and through swansible-playbook, and the outputs must be identical."""
import pytest

from conftest import FIXTURES, ansible_playbook, swansible_playbook


@pytest.mark.parametrize('fixture', ['expressions.yml', 'filters.yml', 'lookups.yml', 'inheritance.yml', 'numbers.yml'])
def test_debug_output_matches_ansible(fixture):
    book = FIXTURES / 'templating' / fixture
    env = {'SWANSIBLE_TEST_ENV': 'envval'}
    theirs, ours = ansible_playbook(book, env=env), swansible_playbook(book, env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout


@pytest.mark.parametrize('fixture', ['undefined_arg.yml', 'undefined_when.yml', 'undefined_loop.yml', 'broken_conditional.yml',
                                     'filter_wrong_type.yml', 'undefined_hostvars.yml', 'omit_conditional.yml'])
def test_undefined_variable_errors_match_ansible(fixture):
    """The [ERROR] block (message chain, origins, snippets) and the fatal line, as 2.19 prints them."""
    book = FIXTURES / 'errors' / fixture
    theirs, ours = ansible_playbook(book), swansible_playbook(book)
    assert theirs.returncode == ours.returncode == 2
    assert ours.stdout == theirs.stdout


def test_recursive_variable_names_the_variables():
    """Ansible only says "maximum recursion depth exceeded"; swansible names the loop."""
    r = swansible_playbook(FIXTURES / 'errors' / 'recursive_var.yml')
    assert r.returncode == 2
    assert "Recursive loop detected in template: the variable 'a' refers to itself (a -> b -> a)" in r.stdout
    assert 'Origin: ' + str(FIXTURES / 'errors' / 'recursive_var.yml') + ':7:7' in r.stdout


def test_template_syntax_error_writes_nothing():
    import pathlib
    pathlib.Path('/tmp/swansible-never-written.txt').unlink(missing_ok=True)
    r = swansible_playbook(FIXTURES / 'errors' / 'template_syntax.yml')
    assert r.returncode == 2
    assert "Syntax error in template: unexpected '}'" in r.stdout
    # Ansible names only the file; swansible adds the line the parser stopped at.
    assert 'Origin: ' + str(FIXTURES / 'errors' / 'templates' / 'bad.j2') + ':3\n' in r.stdout
    assert 'fatal: [localhost]: FAILED! => {"changed": false, "msg": "Task failed: Syntax error in template: unexpected \'}\'"}' in r.stdout
    assert not pathlib.Path('/tmp/swansible-never-written.txt').exists()


def test_throttle_that_is_not_an_integer_ends_the_run_as_ansible():
    """throttle templated to something that is not an integer: Ansible's [ERROR] with the
    keyword's origin, nothing run, exit 1."""
    book = FIXTURES / 'errors' / 'throttle_bad.yml'
    theirs, ours = ansible_playbook(book), swansible_playbook(book)
    assert theirs.returncode == ours.returncode == 1
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert "invalid literal for int() with base 10: 'nope'" in ours.stderr


def test_trust_model_matches_ansible():
    """2.19's trust: module results and rendered text are never templates, conditionals wholly in
    `{{ }}` are rendered first (with the deprecation, kept in the result), untrusted expressions
    fail with Ansible's words, `var` shows undefined values in place with a warning. Output and
    warnings must be identical."""
    book = FIXTURES / 'templating' / 'trust.yml'
    theirs, ours = ansible_playbook(book), swansible_playbook(book)
    assert theirs.returncode == ours.returncode == 0, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr


def test_broken_conditionals_allowed_by_config():
    """ALLOW_BROKEN_CONDITIONALS: a non-boolean or empty conditional counts by its truth, with
    the deprecation Ansible prints (and keeps in the registered result)."""
    book = FIXTURES / 'templating' / 'broken_allowed.yml'
    env = {'ANSIBLE_ALLOW_BROKEN_CONDITIONALS': '1'}
    theirs, ours = ansible_playbook(book, env=env), swansible_playbook(book, env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr
