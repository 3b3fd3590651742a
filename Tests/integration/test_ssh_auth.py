"""SSH beyond keys and plain passwords: keyboard-interactive login (PAM asks for the password),
ProxyCommand from the ssh args, and ServerAliveInterval keepalives while a connection idles."""
import contextlib
import subprocess

from conftest import TEST_USER, ansible_playbook, free_port, swansible_playbook, wait_port, write_password_inventory, write_ssh_inventory


@contextlib.contextmanager
def extra_sshd(d, tmp_path, addr, settings):
    """One more sshd on `addr` with the fixture's host key and authorized keys, logging to sshd.log."""
    port = free_port(addr)
    cfg = tmp_path / 'sshd_extra.conf'
    cfg.write_text(f'Port {port}\nListenAddress {addr}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n'
                   f'PidFile {tmp_path}/sshd_extra.pid\nPermitRootLogin yes\nStrictModes no\n' + settings)
    sshd = subprocess.Popen(['/usr/sbin/sshd', '-D', '-e', '-f', cfg], stderr=open(tmp_path / 'sshd.log', 'w'))
    try:
        wait_port(addr, port)
        yield port
    finally:
        sshd.terminate()
        sshd.wait(timeout=10)


def test_keyboard_interactive_login(sshd_hosts, tmp_path):
    """A server that offers only keyboard-interactive: PAM's password prompt is answered with
    ansible_password; a wrong password is UNREACHABLE (exit 4), no hang."""
    d, _, _ = sshd_hosts
    settings = ('UsePAM yes\nPasswordAuthentication no\nKbdInteractiveAuthentication yes\n'
                'PubkeyAuthentication no\nAuthenticationMethods keyboard-interactive\n')
    with extra_sshd(d, tmp_path, '127.0.0.5', settings) as port:
        host = ('kbd', '127.0.0.5', port)
        book = tmp_path / 'site.yml'
        book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: whoami\n      register: w\n'
                        '    - debug: {var: w.stdout}\n')
        inv = tmp_path / 'inventory'
        write_password_inventory(inv, host)
        r = swansible_playbook('-i', inv, book, env={'ANSIBLE_HOST_KEY_CHECKING': 'False'}, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr + (tmp_path / 'sshd.log').read_text()
        assert f'"w.stdout": "{TEST_USER}"' in r.stdout
        write_password_inventory(inv, host, password='wrong-password')
        bad = swansible_playbook('-i', inv, book, env={'ANSIBLE_HOST_KEY_CHECKING': 'False'}, timeout=60)
        assert bad.returncode == 4, bad.stdout + bad.stderr
        assert 'UNREACHABLE!' in bad.stdout


def test_proxy_command_from_ssh_args(sshd_hosts, tmp_path):
    """-o ProxyCommand=… in ansible_ssh_common_args: the connection to target1 goes through a
    command that reaches it with OpenSSH via target2 (ssh -W), which logs that it ran."""
    _, hosts, key = sshd_hosts
    (_, _, _), (_, jump_addr, jump_port) = hosts[0], hosts[1]
    log = tmp_path / 'proxy.log'
    proxy = tmp_path / 'proxy.sh'
    proxy.write_text(f'#!/bin/sh\necho "$1 $2" >> {log}\n'
                     f'exec ssh -i {key} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes '
                     f'-p {jump_port} -W "$1:$2" root@{jump_addr}\n')
    proxy.chmod(0o755)
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, hosts[:1], key, ansible_ssh_common_args=f"'-o ProxyCommand=\"{proxy} %h %p\"'")
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n    - command: echo through\n')
    r = swansible_playbook('-i', inv, book, env={'ANSIBLE_HOST_KEY_CHECKING': 'False'}, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'changed: [target1]' in r.stdout
    assert log.read_text().split() == [hosts[0][1], str(hosts[0][2])]


def test_server_alive_interval_sends_keepalives_while_idle(sshd_hosts, tmp_path):
    """With -o ServerAliveInterval=1, a connection left idle for 4 s (the next task runs on the
    controller) sends SSH_MSG_IGNORE packets, which sshd logs at DEBUG3; without it, none."""
    d, _, key = sshd_hosts
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n    - command: "true"\n'
                    '    - command: sleep 4\n      delegate_to: localhost\n'
                    '      vars: {ansible_python_interpreter: /usr/bin/python3}\n'
                    '    - command: "true"\n')
    counts = {}
    for interval in (None, 1):
        with extra_sshd(d, tmp_path, '127.0.0.6', 'LogLevel DEBUG3\n') as port:
            inv = tmp_path / 'inventory'
            extra = {'ansible_ssh_common_args': '"-o ServerAliveInterval=1"'} if interval else {}
            write_ssh_inventory(inv, [('kept', '127.0.0.6', port)], key, **extra)
            r = swansible_playbook('-i', inv, book, env={'ANSIBLE_HOST_KEY_CHECKING': 'False'}, timeout=60)
            assert r.returncode == 0, r.stdout + r.stderr
        counts[interval] = (tmp_path / 'sshd.log').read_text().count('Received SSH2_MSG_IGNORE')
    assert counts[None] == 0
    assert counts[1] >= 3, counts


def test_remote_port_from_the_configuration(sshd_hosts, tmp_path):
    """A host without a port of its own is reached on the configured one (ANSIBLE_REMOTE_PORT,
    `[defaults] remote_port`), which tasks also see as ansible_port — as with ansible-playbook."""
    _, hosts, key = sshd_hosts
    name, addr, port = hosts[0]
    inv = tmp_path / 'inventory'
    inv.write_text(f'{name} ansible_host={addr} ansible_user=root ansible_ssh_private_key_file={key} '
                   'ansible_python_interpreter=/usr/bin/python3\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: hostname\n'
                    '    - debug: {msg: "{{ ansible_port }}"}\n')
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text(f'[defaults]\nremote_port = {port}\n')
    for env in ({'ANSIBLE_REMOTE_PORT': str(port)}, {'ANSIBLE_CONFIG': str(cfg)}):
        ours = swansible_playbook('-i', inv, book, env=env, timeout=60)
        assert ours.returncode == 0, ours.stdout + ours.stderr
        assert f'"msg": {port}' in ours.stdout
        theirs = ansible_playbook('-i', inv, book, env=env, timeout=60)
        assert theirs.returncode == 0 and f'"msg": {port}' in theirs.stdout, theirs.stdout


def test_ssh_retries_wait_for_a_host_that_comes_up(sshd_hosts, tmp_path):
    """reconnection_retries (ANSIBLE_SSH_RETRIES, ansible_ssh_retries): a login that fails is tried
    again after 0, 1, 3… s, so a host whose sshd starts a moment late is reached; without
    retries it is UNREACHABLE at once."""
    import threading
    d, _, key = sshd_hosts
    addr = '127.0.0.7'
    port = free_port(addr)
    cfg = tmp_path / 'sshd_late.conf'
    cfg.write_text(f'Port {port}\nListenAddress {addr}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n'
                   f'PidFile {tmp_path}/sshd_late.pid\nPermitRootLogin yes\nStrictModes no\n')
    inv = tmp_path / 'inventory'
    write_ssh_inventory(inv, [('late', addr, port)], key)
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n    - command: hostname\n')
    r = swansible_playbook('-i', inv, book, timeout=60)
    assert r.returncode == 4 and 'UNREACHABLE!' in r.stdout, r.stdout
    started = []
    timer = threading.Timer(1.5, lambda: started.append(subprocess.Popen(['/usr/sbin/sshd', '-D', '-e', '-f', cfg],
                                                                          stderr=subprocess.DEVNULL)))
    timer.start()
    try:
        r = swansible_playbook('-i', inv, book, env={'ANSIBLE_SSH_RETRIES': '3'}, timeout=60)
    finally:
        timer.join()
        for p in started:
            p.terminate()
            p.wait(timeout=10)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'changed: [late]' in r.stdout


def test_a_named_key_file_keeps_default_identities_out(sshd_hosts, tmp_path):
    """ansible_ssh_private_key_file naming a key the host refuses: the login does not fall back on
    ~/.ssh/id_* (the ssh plugin's `-o IdentityFile=` has OpenSSH add no default identity), so the
    host is UNREACHABLE, as under ansible-playbook. With no key file named, the default identity
    logs in. Run as the test user, whose ~/.ssh holds the key the hosts accept."""
    import os
    import pathlib
    import pwd
    import shutil
    from conftest import BIN, VENV, run
    _, hosts, key = sshd_hosts
    user = pwd.getpwnam(TEST_USER)
    home = pathlib.Path(user.pw_dir)
    work = home / 'identities'
    (home / '.ssh').mkdir(mode=0o700, exist_ok=True)
    shutil.copy(key, home / '.ssh' / 'id_ed25519')
    work.mkdir()
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', work / 'refused_key'], check=True)
    name, addr, port = hosts[0]
    base = f'{name} ansible_host={addr} ansible_port={port} ansible_user={TEST_USER} ansible_python_interpreter=/usr/bin/python3'
    (work / 'named').write_text(f'{base} ansible_ssh_private_key_file={work}/refused_key\n')
    (work / 'default').write_text(base + '\n')
    (work / 'site.yml').write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n')
    for path in [home / '.ssh', *(home / '.ssh').iterdir(), work, *work.iterdir()]:
        os.chown(path, user.pw_uid, user.pw_gid)
    env = {'HOME': str(home), 'SSH_AUTH_SOCK': ''}
    as_user = lambda tool, inv: run(['runuser', '-u', TEST_USER, '--', tool, '-i', work / inv, work / 'site.yml'], env=env, timeout=120)
    theirs, ours = as_user(VENV / 'bin' / 'ansible-playbook', 'named'), as_user(BIN / 'swansible-playbook', 'named')
    assert theirs.returncode == ours.returncode == 4, ours.stdout + ours.stderr
    assert 'UNREACHABLE' in ours.stdout and 'Permission denied (publickey,password)' in ours.stdout
    ours = as_user(BIN / 'swansible-playbook', 'default')
    assert ours.returncode == 0 and 'changed=1' in ours.stdout, ours.stdout + ours.stderr
