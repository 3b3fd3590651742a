"""Files above the inline limit are streamed in chunks with flow control; an unchanged file is
not sent again (its checksum is compared with the destination's first)."""
import filecmp
import os

from conftest import swansible_playbook, write_ssh_inventory


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
    from conftest import ansible_playbook
    _, hosts, key = sshd_hosts
    src = tmp_path / 'files' / 'tree'
    (src / 'a' / 'b').mkdir(parents=True)
    (src / 'empty').mkdir()
    (src / 'f1').write_text('one\n')
    (src / 'a' / 'f2').write_text('two\n')
    (src / 'a' / 'b' / 'f3').write_text('three\n')
    os.symlink('f1', src / 'link1')
    os.symlink('a', src / 'linkdir')
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts[:1], key)
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n'
                    '    - copy: {src: tree, dest: "{{ d }}/with"}\n'
                    '    - copy: {src: tree/, dest: "{{ d }}/contents", local_follow: false, directory_mode: "0750"}\n'
                    '    - copy: {src: tree/one-file-dir/, dest: "{{ d }}/single"}\n'
                    '      when: false\n')
    outputs = {}
    for tool, d in (('swansible', tmp_path / 's'), ('ansible', tmp_path / 'a')):
        run = swansible_playbook if tool == 'swansible' else ansible_playbook
        r = run('-v', '-i', inv, book, '-e', f'd={d}')
        assert r.returncode == 0, r.stdout + r.stderr
        outputs[tool] = r.stdout.replace(str(d), 'D').replace('No config file found; using defaults\n', '')
        again = run('-i', inv, book, '-e', f'd={d}')
        assert 'changed=0' in again.stdout, again.stdout
    assert outputs['swansible'] == outputs['ansible']
    assert tree_listing(tmp_path / 's') == tree_listing(tmp_path / 'a')
    assert (tmp_path / 's' / 'with' / 'tree' / 'a' / 'b' / 'f3').read_text() == 'three\n'
    assert os.path.isdir(tmp_path / 's' / 'contents' / 'empty')
