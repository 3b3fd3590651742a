"""The reboot action against a host that "reboots": an sshd of its own whose reboot command kills
it (and every session), changes the boot id and starts it again, so the action must see the
connection go, poll on fresh connections until the boot id changes, then run its test command.
Compared with ansible-playbook doing the same."""
import os
import re
import shutil
import subprocess
import tempfile
import pathlib

import pytest

from conftest import ansible_playbook, free_port, swansible_playbook, wait_port

FAKE_REBOOT = """#!/bin/sh
# Stands in for `shutdown -r`: sshd and its sessions go, the boot id changes, sshd comes back.
d={d}
# (setsid -f: a child of its own session, which outlives the session the command came in on)
nohup setsid -f sh -c "sleep 1; pkill -KILL -P \\$(cat $d/sshd.pid); kill -KILL \\$(cat $d/sshd.pid); sleep 1; \\
  date +%s%N > $d/boot_id; {sshd} -f $d/sshd.conf" < /dev/null > /dev/null 2>&1
"""

BOOK = """- hosts: rebooted
  gather_facts: false
  tasks:
    - command: cat {d}/boot_id
      register: before
    - reboot:
        reboot_command: {d}/fake-reboot now
        boot_time_command: cat {d}/boot_id
        reboot_timeout: 60
      register: rebooted
    - command: cat {d}/boot_id
      register: after
    - assert:
        that:
          - rebooted is changed and rebooted.rebooted
          - before.stdout != after.stdout
    - name: a reboot command that fails
      reboot:
        reboot_command: /bin/false
      ignore_errors: true
    - name: check mode reboots nothing
      reboot:
      check_mode: true
"""


@pytest.fixture
def rebooting_host():
    if os.geteuid() != 0:
        pytest.skip('the rebooting sshd needs root')
    sshd = shutil.which('sshd') or '/usr/sbin/sshd'
    d = pathlib.Path(tempfile.mkdtemp(prefix='swansible-reboot-'))
    os.chmod(d, 0o755)
    for key in ('host_key', 'client_key'):
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d / key], check=True)
    (d / 'authorized_keys').write_text((d / 'client_key.pub').read_text())
    addr = '127.0.0.9'
    port = free_port(addr)
    (d / 'sshd.conf').write_text(f"""Port {port}
ListenAddress {addr}
HostKey {d}/host_key
AuthorizedKeysFile {d}/authorized_keys
PidFile {d}/sshd.pid
UsePAM no
PermitRootLogin yes
StrictModes no
Subsystem sftp internal-sftp
""")
    (d / 'boot_id').write_text('first-boot\n')
    script = d / 'fake-reboot'
    script.write_text(FAKE_REBOOT.format(d=d, sshd=sshd))
    script.chmod(0o755)
    os.makedirs('/run/sshd', exist_ok=True)
    subprocess.run([sshd, '-f', d / 'sshd.conf'], check=True)
    wait_port(addr, port)
    (d / 'hosts').write_text(f'rebooted ansible_host={addr} ansible_port={port} ansible_user=root '
                             f'ansible_ssh_private_key_file={d}/client_key ansible_python_interpreter=/usr/bin/python3\n')
    (d / 'site.yml').write_text(BOOK.format(d=d))
    try:
        yield d
    finally:
        pid = (d / 'sshd.pid').read_text().strip() if (d / 'sshd.pid').exists() else ''
        if pid:
            subprocess.run(['pkill', '-KILL', '-P', pid], capture_output=True)
            subprocess.run(['kill', '-KILL', pid], capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def test_reboot_waits_for_the_host_as_ansible(rebooting_host):
    d = rebooting_host
    def normal(out):   # times, boot ids, and what OpenSSH's client adds to a failed command's output under -tt
        out = re.sub(r'"(start|end|delta|elapsed)": ("[^"]*"|\d+)', r'"\1": T', out)
        return re.sub(r"Error was: '[^']*'", "Error was: E", re.sub(r'[0-9]{19}', 'ID', out))
    outputs = []
    for run in (ansible_playbook, swansible_playbook):
        (d / 'boot_id').write_text('first-boot\n')
        r = run('-v', '-i', d / 'hosts', d / 'site.yml', timeout=150)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr
        outputs.append(normal(r.stdout))
    assert outputs[1] == outputs[0]
    assert '"rebooted": true' in outputs[1] and "Reboot command failed" in outputs[1]
