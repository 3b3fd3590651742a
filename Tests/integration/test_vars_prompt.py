"""vars_prompt as ansible-playbook asks it: on a terminal (prompt texts, defaults, confirm,
private, answers hashed by `encrypt`), without one (the warning and the defaults), given by `-e`,
and the entries' mistakes, each compared with ansible-playbook on the same input."""
import pytest

from conftest import BIN, VENV, ansible_playbook, run_on_terminal, swansible_playbook

PROMPTS = '''- hosts: localhost
  gather_facts: false
  vars:
    dv: from_vars
    pname: Templated
  vars_prompt:
    - name: a
    - name: b
      default: "{{ dv }}"
    - name: c
      prompt: "{{ pname }} c"
      private: false
    - name: d
      prompt: Say d
      default: 5
      confirm: true
    - name: e
      prompt: ""
      encrypt: sha512_crypt
      salt: abcdefgh
    - name: f
      encrypt: md5_crypt
      salt_size: 4
  tasks:
    - debug: msg="{{ a }} {{ b }} {{ c }} {{ d }} {{ e }} {{ f | length }} {{ f[:3] }}"
'''


def test_prompts_on_a_terminal_as_ansible(tmp_path):
    """The prompt is the name when none is given ("input for x" only for an empty one), the
    entries are rendered with the play's vars, a mismatched confirmation asks again, and
    `encrypt` hashes the answer as passlib does (the same salt gives the same hash)."""
    (tmp_path / 'site.yml').write_text(PROMPTS)
    answers = ['x', '', 'yes', '7', '8', '9', '9', 'secret', 'pw']
    ours = run_on_terminal([BIN / 'swansible-playbook', tmp_path / 'site.yml'], answers, cwd=tmp_path)
    theirs = run_on_terminal([VENV / 'bin' / 'ansible-playbook', tmp_path / 'site.yml'], answers, cwd=tmp_path)
    assert ours == theirs
    out, rc = ours
    assert rc == 0
    assert '\na: \nb [from_vars]: \nTemplated c: yes\nSay d [5]: \nconfirm Say d [5]: \n***** VALUES ENTERED DO NOT MATCH ****\n' in out
    assert '\ninput for e: \nf: \n' in out
    sha512 = '$6$rounds=656000$abcdefgh$/Ei/7YaGhLUaj/.Vzhbn8/qTav7snBIiSWc4ltNfH/h5CKGCnV8KtAzHxd56WDXc3DF7SfbULGkU/EoGIlOV70'
    assert f'"msg": "x from_vars yes 9 {sha512} 30 $1$"' in out


def test_without_a_terminal_or_given_by_extra_vars(tmp_path):
    """No terminal: 2.19's warning and each default (the text "None" without one); `-e` gives a
    name that is then not asked for at all."""
    (tmp_path / 'site.yml').write_text(PROMPTS.replace('      prompt: ""\n', '      prompt: ""\n      default: pw\n')
                                       .replace('encrypt: md5_crypt', 'private: true'))
    for extra in ([], ['-e', 'a=given']):
        ours = swansible_playbook(tmp_path / 'site.yml', *extra, cwd=tmp_path)
        theirs = ansible_playbook(tmp_path / 'site.yml', *extra, cwd=tmp_path)
        assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert ours.stderr.count('Not prompting as we are not in interactive mode') == 1   # a warning is said once
    assert '"msg": "given from_vars None 5 $6$rounds=656000$abcdefgh$' in ours.stdout and ' 4 Non"' in ours.stdout


@pytest.mark.parametrize('entry, codes', [
    ('{name: a, default: "{{ nosuch }}"}', (1, 1)),
    ('{name: a, default: x, encrypt: bcrypt, salt: tooshort}', (1, 0)),
    ('{name: a, default: x, encrypt: sha256_crypt, salt_size: 20}', (1, 0)),
    ('{name: a, default: x, encrypt: sha256_crypt, salt_size: abc}', (250, 0)),
    ('{name: a, encrypt: sha256_crypt}', (250, 0)),
    ('{name: a, when: x is defined}', (4, 4)),
    ('{prompt: p}', (4, 4)),
], ids=['undefined', 'bcrypt_salt', 'salt_size', 'salt_size_type', 'no_secret', 'unsupported_key', 'no_name'])
@pytest.mark.parametrize('mode', [[], ['--syntax-check']], ids=['run', 'syntax'])
def test_prompt_mistakes_as_ansible(tmp_path, entry, codes, mode):
    """A template that does not render (at its value's place), a salt passlib refuses, a
    `salt_size` that is no int and a missing answer to hash (Unexpected Exception, 250), a key
    vars_prompt does not take: ansible-playbook's words and exit code. Nothing is hashed under
    --syntax-check, as nothing is asked there."""
    (tmp_path / 'site.yml').write_text(f'- hosts: localhost\n  gather_facts: false\n  vars_prompt:\n    - {entry}\n'
                                       '  tasks:\n    - debug: {msg: hi}\n')
    ours = swansible_playbook(tmp_path / 'site.yml', *mode, cwd=tmp_path)
    theirs = ansible_playbook(tmp_path / 'site.yml', *mode, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == codes[1 if mode else 0], ours.stderr
    # ansible-playbook adds its traceback after an Unexpected Exception; the rest is the same.
    assert ours.stderr.strip() == theirs.stderr.split('\nTraceback')[0].strip()
    assert ours.stdout == theirs.stdout


def test_an_algorithm_swansible_does_not_hash_is_refused(tmp_path):
    """passlib's other algorithms (des_crypt, pbkdf2_sha256…) are not done: the run stops before
    the play, saying which ones are, rather than passing the answer on unhashed."""
    (tmp_path / 'site.yml').write_text('- hosts: localhost\n  gather_facts: false\n  vars_prompt:\n'
                                       '    - {name: a, default: x, encrypt: pbkdf2_sha256}\n  tasks:\n    - debug: {msg: hi}\n')
    ours = swansible_playbook(tmp_path / 'site.yml', cwd=tmp_path)
    assert ours.returncode == 1 and 'PLAY [' not in ours.stdout
    assert "[ERROR]: swansible hashes with md5_crypt, bcrypt, sha256_crypt or sha512_crypt; passlib's 'pbkdf2_sha256' algorithm is not supported." in ours.stderr
