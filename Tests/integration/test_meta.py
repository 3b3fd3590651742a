"""`meta:` tasks: noop, flush_handlers, end_host, end_play, clear_facts, an invalid action (a run
error with its origin, exit 1) — the same output and exit code as ansible-playbook — and
reset_connection, after which a host's next task runs in a new agent."""
import pytest

from conftest import FIXTURES, ansible_playbook, swansible_playbook, write_password_inventory


@pytest.mark.parametrize('book', ['actions.yml', 'end_play_and_invalid.yml'])
def test_meta_matches_ansible_playbook(book):
    theirs = ansible_playbook(FIXTURES / 'meta' / book)
    ours = swansible_playbook(FIXTURES / 'meta' / book)
    assert ours.returncode == theirs.returncode, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr


def test_reset_connection_starts_a_new_agent(sshd_hosts, tmp_path):
    _, hosts, _ = sshd_hosts
    inv = tmp_path / 'inventory'
    write_password_inventory(inv, hosts[0])
    book = tmp_path / 'site.yml'
    book.write_text("""- hosts: all
  gather_facts: false
  tasks:
    - {shell: 'echo $PPID', register: one}
    - {shell: 'echo $PPID', register: two}
    - meta: reset_connection
    - {shell: 'echo $PPID', register: three}
    - debug: {msg: "{{ [one.stdout == two.stdout, two.stdout == three.stdout] }}"}
""")
    r = swansible_playbook('-i', inv, book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"msg": [\n        true,\n        false\n    ]' in r.stdout, r.stdout


def banners_and_recap(out):
    lines = out.splitlines()
    recap = lines.index('PLAY RECAP ' + '*' * 69)
    return [l for l in lines[:recap] if l.startswith(('PLAY [', 'TASK [', 'RUNNING HANDLER ['))], \
        [' '.join(l.split()) for l in lines[recap:] if l.strip()]


def test_clear_host_errors_and_end_host_on_three_hosts():
    """A failed host comes back in the next play after clear_host_errors (not in this one); end_host
    and end_play print a banner per host or per play as Ansible does."""
    args = ('-i', FIXTURES / 'meta' / 'three_local_hosts', FIXTURES / 'meta' / 'clear_errors_end_host.yml')
    theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert banners_and_recap(ours.stdout) == banners_and_recap(theirs.stdout)
    first_play, second_play = ours.stdout.split('PLAY [all]')[1:3]
    assert '"msg": "still"' in first_play and 'ok: [c]' not in first_play.split('TASK [debug]')[1]
    assert 'ok: [c]' in second_play and '"msg": "never"' not in ours.stdout
