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
