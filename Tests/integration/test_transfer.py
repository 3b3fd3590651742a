"""File transfer: copy (streamed in chunks with flow control above the inline limit, unchanged
files not sent again, directory trees), fetch, script, assemble and unarchive, against real sshd."""
import filecmp
import os

from conftest import ansible_playbook, swansible_playbook, task_blocks, write_ssh_inventory


def play_on(tmp_path, hosts, key, tasks):
    """An inventory of `hosts` (ssh, root) and a one-play book running `tasks` on them."""
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts, key)
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n' + tasks)
    return inv, book


def both_tools(tmp_path, inv, book, *flags, again=False):
    """The book run by swansible (d=tmp/s) and by ansible-playbook (d=tmp/a); each stdout with
    its dir as D. With `again`, swansible's second run must change nothing."""
    outputs = {}
    for tool, d in (('swansible', tmp_path / 's'), ('ansible', tmp_path / 'a')):
        run = swansible_playbook if tool == 'swansible' else ansible_playbook
        r = run(*flags, '-i', inv, book, '-e', f'd={d}')
        assert r.returncode == 0, r.stdout + r.stderr
        outputs[tool] = r.stdout.replace(str(d), 'D').replace('No config file found; using defaults\n', '')
        if again and tool == 'swansible':
            second = run('-i', inv, book, '-e', f'd={d}')
            assert 'changed=0' in second.stdout, second.stdout
    return outputs


def test_200_mb_copy_over_ssh(sshd_hosts, tmp_path):
    _, hosts, key = sshd_hosts
    src = tmp_path / 'big.bin'
    with open(src, 'wb') as f:
        for _ in range(200):
            f.write(os.urandom(1 << 20))
    dest = tmp_path / 'copied.bin'
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts[:1], key)
    book = tmp_path / 'site.yml'
    book.write_text(f'- hosts: targets\n  gather_facts: false\n  tasks:\n'
                    f'    - copy: {{src: "{src}", dest: "{dest}", mode: "0600"}}\n')
    r = swansible_playbook('-i', inv, book, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'changed: [target1]' in r.stdout
    assert filecmp.cmp(src, dest, shallow=False)
    assert oct(dest.stat().st_mode & 0o777) == '0o600'
    again = swansible_playbook('-i', inv, book, timeout=300)
    assert again.returncode == 0 and 'ok: [target1]' in again.stdout and 'changed=0' in again.stdout


def tree_listing(root):
    out = []
    for dirpath, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            p = os.path.join(dirpath, name)
            kind = 'l' if os.path.islink(p) else 'd' if os.path.isdir(p) else 'f'
            extra = os.readlink(p) if kind == 'l' else open(p).read() if kind == 'f' else ''
            out.append((os.path.relpath(p, root), kind, oct(os.lstat(p).st_mode & 0o777), extra))
    return sorted(out)


def test_copy_directory_tree_as_ansible(sshd_hosts, tmp_path):
    """A directory src: with a trailing slash its contents go into dest, without it the directory
    itself; empty directories, symlinks (local_follow: false) and directory_mode as Ansible makes
    them, and a second run changes nothing. Output compared with ansible-playbook's, with -v."""
    _, hosts, key = sshd_hosts
    src = tmp_path / 'files' / 'tree'
    (src / 'a' / 'b').mkdir(parents=True)
    (src / 'empty').mkdir()
    (src / 'f1').write_text('one\n')
    (src / 'a' / 'f2').write_text('two\n')
    (src / 'a' / 'b' / 'f3').write_text('three\n')
    os.symlink('f1', src / 'link1')
    os.symlink('a', src / 'linkdir')
    inv, book = play_on(tmp_path, hosts[:1], key,
                        '    - copy: {src: tree, dest: "{{ d }}/with"}\n'
                        '    - copy: {src: tree/, dest: "{{ d }}/contents", local_follow: false, directory_mode: "0750"}\n'
                        '    - copy: {src: tree/one-file-dir/, dest: "{{ d }}/single"}\n'
                        '      when: false\n')
    outputs = both_tools(tmp_path, inv, book, '-v', again=True)
    assert outputs['swansible'] == outputs['ansible']
    assert tree_listing(tmp_path / 's') == tree_listing(tmp_path / 'a')
    assert (tmp_path / 's' / 'with' / 'tree' / 'a' / 'b' / 'f3').read_text() == 'three\n'
    assert os.path.isdir(tmp_path / 's' / 'contents' / 'empty')


def test_fetch_as_ansible(sshd_hosts, tmp_path):
    """fetch: per-host paths or flat, a 3 MB file in pieces, unchanged files left alone, a missing
    file ignored or failed, a directory refused: the same files and output as ansible-playbook."""
    _, hosts, key = sshd_hosts
    remote = tmp_path / 'remote'
    remote.mkdir()
    (remote / 'small.txt').write_text('hello fetch\n')
    (remote / 'big.bin').write_bytes(os.urandom(3 << 20))
    inv, book = play_on(tmp_path, hosts[:2], key,
                        f'    - fetch: {{src: "{remote}/small.txt", dest: "{{{{ d }}}}"}}\n'
                        f'    - fetch: {{src: "{remote}/big.bin", dest: "{{{{ d }}}}/flat/{{{{ inventory_hostname }}}}/", flat: true}}\n'
                        f'    - fetch: {{src: "{remote}/missing", dest: "{{{{ d }}}}", fail_on_missing: false}}\n'
                        f'    - fetch: {{src: "{remote}", dest: "{{{{ d }}}}"}}\n'
                        '      ignore_errors: true\n'
                        f'    - fetch: {{src: "{remote}/missing", dest: "{{{{ d }}}}"}}\n'
                        '      ignore_errors: true\n')
    outputs = both_tools(tmp_path, inv, book, '-v', again=True)
    assert task_blocks(outputs['swansible']) == task_blocks(outputs['ansible'])
    for host in ('target1', 'target2'):
        assert filecmp.cmp(remote / 'big.bin', tmp_path / 's' / 'flat' / host / 'big.bin', shallow=False)
        assert (tmp_path / 's' / host / str(remote).lstrip('/') / 'small.txt').read_text() == 'hello fetch\n'
    assert not [p for p in (tmp_path / 's').rglob('*swansible*')], 'a temp file was left behind'


def test_script_assemble_unarchive_as_ansible(sshd_hosts, tmp_path):
    """script (args, chdir, creates/removes, executable, failure, check mode), assemble from the
    controller's fragments, unarchive of a small (inline) and a large (streamed) archive: the
    same task lines and files as ansible-playbook."""
    import tarfile
    _, hosts, key = sshd_hosts
    files = tmp_path / 'files'
    (files / 'frags').mkdir(parents=True)
    (files / 'hello.sh').write_text('#!/bin/sh\necho "args: $*"\necho to-err >&2\npwd\n')
    (files / 'fail.sh').write_text('#!/bin/sh\nexit 3\n')
    for name, text in (('01-a', 'a1\n'), ('02-b', 'b2'), ('.hidden', 'h\n'), ('03-c.skip', 'c3\n')):
        (files / 'frags' / name).write_text(text)
    content = tmp_path / 'content'
    (content / 'sub').mkdir(parents=True)
    (content / 'a.txt').write_text('x\n')
    (content / 'sub' / 'b.bin').write_bytes(os.urandom(300_000))
    with tarfile.open(files / 'big.tgz', 'w:gz') as t:
        t.add(content, arcname='.')
    with tarfile.open(files / 'small.tgz', 'w:gz') as t:
        t.add(content / 'a.txt', arcname='a.txt')
    inv, book = play_on(tmp_path, hosts[:1], key,
                        '    - file: {path: "{{ d }}/{{ item }}", state: directory}\n'
                        '      loop: [small, big]\n'
                        '    - script: hello.sh one "two words"\n'
                        '      register: s\n'
                        '    - copy: {content: "{{ s.stdout_lines }}", dest: "{{ d }}/script.out"}\n'
                        '    - script: hello.sh\n'
                        '      args: {chdir: /tmp, creates: "{{ d }}/nonexistent"}\n'
                        '    - script: hello.sh\n'
                        '      args: {creates: /tmp}\n'
                        '    - script: hello.sh\n'
                        '      args: {removes: "{{ d }}/nonexistent"}\n'
                        '    - script: {cmd: hello.sh x, executable: /bin/bash}\n'
                        '    - script: fail.sh\n'
                        '      ignore_errors: true\n'
                        '    - script: hello.sh\n'
                        '      check_mode: true\n'
                        '    - assemble: {src: frags, dest: "{{ d }}/assembled", remote_src: false, delimiter: "### \\\\x41", '
                        'ignore_hidden: true, regexp: "^0[12]"}\n'
                        '    - unarchive: {src: small.tgz, dest: "{{ d }}/small"}\n'
                        '    - unarchive: {src: big.tgz, dest: "{{ d }}/big"}\n'
                        '    - unarchive: {src: big.tgz, dest: "{{ d }}/big", creates: "{{ d }}/big/a.txt"}\n'
                        '    - unarchive: {src: small.tgz, dest: "{{ d }}/nowhere"}\n'
                        '      ignore_errors: true\n')
    outputs = both_tools(tmp_path, inv, book)
    assert task_blocks(outputs['swansible']) == task_blocks(outputs['ansible'])
    assert (tmp_path / 's' / 'assembled').read_text() == (tmp_path / 'a' / 'assembled').read_text() == 'a1\n### A\nb2'
    assert filecmp.cmp(content / 'sub' / 'b.bin', tmp_path / 's' / 'big' / 'sub' / 'b.bin', shallow=False)
    assert (tmp_path / 's' / 'small' / 'a.txt').read_text() == 'x\n'
    # Over ssh, Ansible's script runs on a tty (stderr joins stdout, lines end in \r); swansible
    # keeps the two streams apart, as Ansible does on a local connection.
    assert (tmp_path / 's' / 'script.out').read_text() == '["args: one two words", "/root"]'
