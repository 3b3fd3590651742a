"""Templating against Ansible itself: every expression in the fixtures is printed by `debug`
through ansible-playbook and through swansible-playbook, and the outputs must be identical."""
import pytest

from conftest import FIXTURES, LIBRARY_219, ansible_playbook, swansible_playbook


@pytest.mark.parametrize('fixture', ['expressions.yml', 'filters.yml', 'lookups.yml', 'inheritance.yml', 'numbers.yml'])
def test_debug_output_matches_ansible(fixture):
    book = FIXTURES / 'templating' / fixture
    env = {'SWANSIBLE_TEST_ENV': 'envval'}
    theirs, ours = ansible_playbook(book, env=env), swansible_playbook(book, env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout


@pytest.mark.parametrize('fixture', ['undefined_arg.yml', 'undefined_when.yml', 'undefined_loop.yml', 'broken_conditional.yml',
                                     'filter_wrong_type.yml', 'undefined_hostvars.yml', 'omit_conditional.yml', 'plugin_failures.yml'])
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


def test_recursion_stops_with_ansibles_error_not_a_crash(tmp_path):
    """A macro calling itself, templates nested thousands deep and a long chain of variables stop
    with 2.19's "Recursive loop detected in template: maximum recursion depth exceeded" (Python's
    RecursionError), as ansible-playbook does; swansible overflowed its stack (SIGSEGV)."""
    n = 3000
    books = {
        'macro.yml': '"{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"',
        'ifs.yml': '"' + '{% if true %}' * n + 'x' + '{% endif %}' * n + '"',
        'lists.yml': '"{{ ' + '[' * n + ']' * n + ' }}"',
    }
    for name, msg in books.items():
        (tmp_path / name).write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                                     f'    - debug:\n        msg: {msg}\n      ignore_errors: true\n')
        theirs, ours = ansible_playbook(tmp_path / name), swansible_playbook(tmp_path / name)
        assert ours.returncode == theirs.returncode == 0, (name, ours.stdout[-2000:])
        assert ours.stdout == theirs.stdout, name
        assert 'Recursive loop detected in template: maximum recursion depth exceeded' in ours.stdout
    chain = ''.join(f"    v{i}: '{{{{ v{i + 1} }}}}'\n" for i in range(n))
    (tmp_path / 'chain.yml').write_text('- hosts: localhost\n  gather_facts: false\n  vars:\n' + chain + f'    v{n}: end\n'
                                        '  tasks:\n    - debug: {msg: "{{ v0 }}"}\n')
    ours = swansible_playbook(tmp_path / 'chain.yml')
    assert ours.returncode == 2 and 'Recursive loop detected in template: maximum recursion depth exceeded' in ours.stdout


def test_nesting_past_the_limits_is_an_error(tmp_path):
    """YAML nested thousands deep, and an include of itself without end: ansible-playbook dies of
    Python's RecursionError (exit 250, a traceback); swansible names the place or the task."""
    (tmp_path / 'deep.yml').write_text('- hosts: localhost\n  gather_facts: false\n  vars:\n    x: ' + '[' * 5000 + ']' * 5000
                                       + '\n  tasks:\n    - debug: msg=hi\n')
    r = swansible_playbook(tmp_path / 'deep.yml')
    assert r.returncode == 4
    assert '[ERROR]: YAML parsing failed: maximum recursion depth exceeded\nOrigin: ' + str(tmp_path / 'deep.yml') + ':4:' in r.stderr
    (tmp_path / 'self.yml').write_text('- include_tasks: self.yml\n')
    (tmp_path / 'loop.yml').write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks: self.yml\n')
    r = swansible_playbook(tmp_path / 'loop.yml')
    assert r.returncode == 2
    assert 'includes nested more than 1000 deep' in r.stdout and r.stdout.count('included: ') == 1001


def test_text_that_is_not_utf8_as_ansible(tmp_path):
    """Bytes that are not UTF-8 are Python's lone surrogates: a template or file lookup of a
    Latin-1 file is read with 2.19's deprecation and written back byte for byte; a module result
    holding one is refused (MODULE_STRICT_UTF8_RESPONSE, `from_json` too), or, when that is off,
    shown as `?` with Display's warning, hashed and copied back as the byte it escapes. The file
    lookup strips a CRLF."""
    (tmp_path / 'latin.txt').write_bytes(b'caf\xe9 {{ 1 + 1 }}\n')
    (tmp_path / 'crlf.j2').write_bytes(b'line1 {{ 1 + 1 }}\r\nline2\r\n')
    (tmp_path / 'play.yml').write_text("""
- hosts: localhost
  gather_facts: false
  tasks:
    - template: {src: latin.txt, dest: "{{ out }}/latin.txt"}
    - debug: msg="{{ lookup('file', 'latin.txt') }}"
    - copy: {content: "{{ lookup('file', 'crlf.j2') }}", dest: "{{ out }}/crlf.txt"}
    - debug:
        msg: "{{ '\\"hi \\\\udc80 mom\\"' | from_json }}"
      ignore_errors: true
    - shell: printf 'caf\\351'
      register: r
    - debug: var=r.stdout
    - debug: msg="{{ r.stdout | to_json(ensure_ascii=False) }} {{ r.stdout | hash('md5') }} {{ '6Q==' | b64decode | b64encode }}"
    - copy: {content: "{{ r.stdout }}", dest: "{{ out }}/stdout.txt"}
""")
    for strict in ('1', '0'):
        outs = []
        for f in (swansible_playbook, ansible_playbook):
            out = tmp_path / f'{f.__name__}-{strict}'
            out.mkdir()
            outs.append(out)
            r = f(tmp_path / 'play.yml', '-e', f'out={out}', merged=True, cwd=tmp_path,
                  env={'ANSIBLE_MODULE_STRICT_UTF8_RESPONSE': strict})
            outs.append(r)
        (ours_dir, ours, theirs_dir, theirs) = outs
        assert ours.returncode == theirs.returncode == (2 if strict == '1' else 0), ours.stdout
        assert ours.stdout == theirs.stdout
        for name in ('latin.txt', 'crlf.txt', 'stdout.txt'):
            mine = ours_dir / name
            assert mine.exists() == (theirs_dir / name).exists()
            if mine.exists():
                assert mine.read_bytes() == (theirs_dir / name).read_bytes(), name
    assert (ours_dir / 'latin.txt').read_bytes() == b'caf\xe9 2\n' and (ours_dir / 'stdout.txt').read_bytes() == b'caf\xe9'
    assert 'Refusing to deserialize an invalid UTF8 string value' not in ours.stdout and '"r.stdout": "caf?"' in ours.stdout


@LIBRARY_219
def test_deprecated_return_values_warn_where_used_as_ansible():
    """Values a module tagged with 2.19's `deprecate_value` warn at each template that uses them
    (once per template, at its place, with the tag's help text), in copies too, but not where the
    result is only shown, not for a tagged list, not with deprecation warnings off."""
    fixture = FIXTURES / 'deprecated_values'
    theirs, ours = (f(fixture / 'site.yml', '-i', fixture / 'inventory', merged=True) for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 0, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout
    assert ours.stdout.count('[DEPRECATION WARNING]: The `color_name` return value is deprecated.') == 11
    assert "While processing '{{item}}': The `color_name` return value is deprecated." in ours.stdout
    assert '`tags` is going away' not in ours.stdout
    assert 'Origin: ' + str(fixture / 'inventory') + ':7' in ours.stdout   # an inventory variable's template


def test_password_lookup_files_are_shared_with_ansible(tmp_path):
    """Passwords the password lookup keeps in files (with an encrypted one's salt and ident) give
    the same results under both tools whichever made the files; seeded ones are Python's."""
    book = FIXTURES / 'templating' / 'password_lookup.yml'
    for first, second in ((ansible_playbook, swansible_playbook), (swansible_playbook, ansible_playbook)):
        out = tmp_path / first.__name__
        made, read = (f(book, '-e', f'out={out}', merged=True) for f in (first, second))
        assert made.returncode == read.returncode == 0, read.stdout[-3000:]
        assert read.stdout == made.stdout
        assert '$5$rounds=535000$' in read.stdout and '$2b$12$' in read.stdout and ' salt=' in read.stdout
        assert (out / 'sha256').stat().st_mode & 0o777 == 0o600
