"""Vault against ansible-vault itself: files and strings made by one tool open in the other, a
vaulted playbook prints what ansible-playbook prints, and password mistakes fail as Ansible's do."""
import os
import pathlib
import stat

import pytest

from conftest import BIN, FIXTURES, VENV, ansible_playbook, run, swansible_playbook

VAULT = FIXTURES / 'vault'
SECRETS = ['--vault-password-file', VAULT / 'default.pass', '--vault-id', f'ops@{VAULT / "ops-pass.sh"}']


def swansible_vault(*args, **kw):
    return run([BIN / 'swansible-vault', *args], **kw)


def ansible_vault(*args, **kw):
    return run([VENV / 'bin' / 'ansible-vault', *args], **kw)


def playbook_with(tmp_path, vault_vars, task, vars_files=None):
    """A play on localhost whose vars are an encrypt_string output, running one task."""
    book = tmp_path / 'book.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n'
                    + (f'  vars_files: [{vars_files}]\n' if vars_files else '') + '  vars:\n'
                    + ''.join('    ' + line + '\n' for line in vault_vars.splitlines())
                    + f'  tasks:\n    - {task}\n')
    return book


def test_vaulted_playbook_matches_ansible():
    """Vaulted vars file, inline !vault under a vault id from a script, vaulted template and copy source."""
    theirs, ours = ansible_playbook(VAULT / 'site.yml', *SECRETS), swansible_playbook(VAULT / 'site.yml', *SECRETS)
    assert theirs.returncode == ours.returncode == 0, ours.stdout[-2000:] + ours.stderr
    assert ours.stdout == theirs.stdout
    assert '"a vaulted file, copied in clear"' in ours.stdout
    assert not pathlib.Path('/tmp/swansible-vault-fixture').exists()


def test_file_made_by_ansible_vault_opens_in_swansible(tmp_path):
    (tmp_path / 'pw').write_text('one-pass\n')
    plain = 'greeting: hello from ansible-vault\n'
    (tmp_path / 'vars.yml').write_text(plain)
    r = ansible_vault('encrypt', '--vault-id', f'team@{tmp_path / "pw"}', tmp_path / 'vars.yml')
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'vars.yml').read_text().startswith('$ANSIBLE_VAULT;1.2;AES256;team\n')
    r = ansible_vault('encrypt_string', '--vault-password-file', tmp_path / 'pw', 'inline value', '--name', 'inline')
    assert r.returncode == 0, r.stderr
    book = playbook_with(tmp_path, r.stdout, 'debug: msg="{{ greeting }} / {{ inline }}"', vars_files='vars.yml')
    ours = swansible_playbook(book, '--vault-password-file', tmp_path / 'pw')
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert '"msg": "hello from ansible-vault / inline value"' in ours.stdout
    view = swansible_vault('view', '--vault-password-file', tmp_path / 'pw', tmp_path / 'vars.yml')
    assert (view.returncode, view.stdout) == (0, plain)
    r = swansible_vault('decrypt', '--vault-password-file', tmp_path / 'pw', tmp_path / 'vars.yml')
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'vars.yml').read_text() == plain


def test_file_made_by_swansible_vault_opens_in_ansible_vault(tmp_path):
    (tmp_path / 'pw').write_text('two-pass\n')
    plain = 'line one\nline two\n'
    (tmp_path / 'data.txt').write_text(plain)
    r = swansible_vault('encrypt', '--vault-id', f'ops@{tmp_path / "pw"}', tmp_path / 'data.txt')
    assert r.returncode == 0, r.stderr
    text = (tmp_path / 'data.txt').read_text()
    assert text.startswith('$ANSIBLE_VAULT;1.2;AES256;ops\n')
    assert all(len(line) <= 80 for line in text.splitlines())
    assert stat.S_IMODE(os.stat(tmp_path / 'data.txt').st_mode) == 0o600
    view = ansible_vault('view', '--vault-password-file', tmp_path / 'pw', tmp_path / 'data.txt')
    assert (view.returncode, view.stdout) == (0, plain)
    r = ansible_vault('decrypt', '--vault-password-file', tmp_path / 'pw', tmp_path / 'data.txt')
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'data.txt').read_text() == plain
    # A string from swansible-vault, read by ansible-playbook.
    r = swansible_vault('encrypt_string', '--vault-password-file', tmp_path / 'pw', 's3cret', '-n', 'token')
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('token: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n')
    book = playbook_with(tmp_path, r.stdout, 'debug: var=token')
    theirs = ansible_playbook(book, '--vault-password-file', tmp_path / 'pw')
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
    assert '"token": "s3cret"' in theirs.stdout


def test_rekey_and_stdin_round_trip(tmp_path):
    (tmp_path / 'old').write_text('old-pass\n')
    (tmp_path / 'new').write_text('new-pass\n')
    r = run([BIN / 'swansible-vault', 'encrypt', '--vault-password-file', tmp_path / 'old', '--output', tmp_path / 'f.vault'],
            input_text='from stdin\n')
    assert r.returncode == 0, r.stderr
    r = swansible_vault('rekey', '--vault-password-file', tmp_path / 'old', '--new-vault-password-file', tmp_path / 'new',
                        tmp_path / 'f.vault')
    assert r.returncode == 0, r.stderr
    view = ansible_vault('view', '--vault-password-file', tmp_path / 'new', tmp_path / 'f.vault')
    assert (view.returncode, view.stdout) == (0, 'from stdin\n')


def test_wrong_password_fails_as_ansible_and_leaves_the_file(tmp_path):
    (tmp_path / 'wrong').write_text('not-it\n')
    theirs = ansible_playbook(VAULT / 'site.yml', '--vault-password-file', tmp_path / 'wrong')
    ours = swansible_playbook(VAULT / 'site.yml', '--vault-password-file', tmp_path / 'wrong')
    assert theirs.returncode == ours.returncode == 1
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert "Invalid vars_files file '" in ours.stderr
    before = (VAULT / 'secrets.yml').read_bytes()
    copy = tmp_path / 'secrets.yml'
    copy.write_bytes(before)
    r = swansible_vault('decrypt', '--vault-password-file', tmp_path / 'wrong', copy)
    assert r.returncode == 1
    assert r.stderr == f'[ERROR]: Decryption failed (no vault secrets were found that could decrypt). for {copy}\n'
    assert copy.read_bytes() == before


def test_missing_secret_for_an_inline_value_fails_the_task_as_ansible():
    """Without the ops secret, the vars file opens but the inline value cannot: the task fails, rc 2."""
    args = ['--vault-password-file', VAULT / 'default.pass']
    theirs, ours = ansible_playbook(VAULT / 'site.yml', *args), swansible_playbook(VAULT / 'site.yml', *args)
    assert theirs.returncode == ours.returncode == 2
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert 'Attempt to use undecryptable variable: Decryption failed' in ours.stdout


@pytest.mark.parametrize('args', [['--vault-password-file', VAULT / 'default.pass'], []])
def test_undecryptable_values_are_markers_as_ansible(args):
    """2.19's VaultExceptionMarker: held by containers and marker-taking filters, an error where used,
    the [ERROR] block ending at the `!vault` value's own place; with a wrong secret and with none."""
    theirs, ours = ansible_playbook(VAULT / 'markers.yml', *args), swansible_playbook(VAULT / 'markers.yml', *args)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '"msg": "VaultExceptionMarker 1 True UndefinedMarker"' in ours.stdout


def test_missing_password_file_is_a_warning_then_an_error():
    theirs = ansible_playbook(VAULT / 'site.yml', '--vault-password-file', '/nonexistent/pw')
    ours = swansible_playbook(VAULT / 'site.yml', '--vault-password-file', '/nonexistent/pw')
    assert theirs.returncode == ours.returncode == 1
    assert ours.stderr == theirs.stderr
    assert 'The vault password file /nonexistent/pw was not found' in ours.stderr
