"""Shared set-up for the integration tests: the built binaries, the venv's ansible, and real
sshd instances on distinct 127.0.0.x addresses with throwaway keys (root only, cleaned up)."""
import contextlib
import os
import pathlib
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / '.build' / 'debug'
VENV = ROOT / '.venv'
FIXTURES = ROOT / 'playbooks-fixtures'
TEST_USER = 'swansible-it'
TEST_PASSWORD = 'correct-horse-42'
SECOND_USER = 'swansible-it2'
SECOND_PASSWORD = 'battery-staple-7'
SUDOERS = '/etc/sudoers.d/swansible-it'


def module_library_line():
    """The ansible-core line whose modules, module_utils and settings swansible uses: the one
    SWANSIBLE_ANSIBLE_PATH names (`make test-versions`), else the venv's."""
    path = os.environ.get('SWANSIBLE_ANSIBLE_PATH')
    if not path:
        return (2, 19)
    found = re.search(r"__version__ = '(\d+)\.(\d+)", (pathlib.Path(path) / 'release.py').read_text())
    return (int(found[1]), int(found[2]))


# ansible-playbook words an unreachable host by whether it pipelines the module (docs/compatibility.md):
# tests of the plain words run both tools without it.
NO_PIPELINING = {'ANSIBLE_PIPELINING': '0'}


# For a test that compares with 2.19's ansible-playbook what 2.19's own module_utils, plugins or
# settings do: under an older line's library the difference is that line's, not swansible's.
LIBRARY_219 = pytest.mark.skipif(module_library_line() < (2, 19),
                                 reason="compares behaviour of 2.19's module_utils, plugins or settings with 2.19's ansible-playbook")


def run(cmd, timeout=180, env=None, cwd=None, input_text=None, merged=False):
    """Runs a command with a hard time limit, so a hang fails the test instead of the suite.
    `env` adds to the environment; a value of None takes the variable away.
    `merged`: stderr into stdout, to see where a warning falls between the banners."""
    e = dict(os.environ)
    e.update({'ANSIBLE_HOST_KEY_CHECKING': 'False', 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0',
              'ANSIBLE_STDOUT_CALLBACK': 'default', 'ANSIBLE_RETRY_FILES_ENABLED': 'False',
              'ANSIBLE_NOCOWS': '1',   # banners of stars even where cowsay is installed
              # ansible-playbook as many run it: one connection round trip per module, which
              # halves its time here (swansible reads it only for `ansible_pipelining`).
              'ANSIBLE_PIPELINING': '1'})
    e.pop('ANSIBLE_CONFIG', None)
    e.update(env or {})
    for k in [k for k, v in e.items() if v is None]:   # None: not set at all
        del e[k]
    return subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, text=True, timeout=timeout, env=e,
                          stderr=subprocess.STDOUT if merged else subprocess.PIPE,
                          cwd=cwd or tempfile.gettempdir(), input=input_text)


def run_on_terminal(cmd, answers, timeout=60, env=None, cwd=None):
    """Runs a command on a pseudo-terminal, typing each answer when the output so far ends in a
    prompt (`:` and spaces). Returns (output with CRLF as LF, exit code); a hang is killed."""
    import pty
    import select
    e = dict(os.environ)
    e.update({'ANSIBLE_HOST_KEY_CHECKING': 'False', 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0',
              'ANSIBLE_STDOUT_CALLBACK': 'default', 'ANSIBLE_RETRY_FILES_ENABLED': 'False'})
    e.pop('ANSIBLE_CONFIG', None)
    e.update(env or {})
    for k in [k for k, v in e.items() if v is None]:   # None: not set at all
        del e[k]
    answers, out, pending = list(answers), b'', b''
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd or tempfile.gettempdir())
        os.execve(str(cmd[0]), [str(c) for c in cmd], e)
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    data = os.read(fd, 4096)
                except OSError:   # the child closed the terminal
                    break
                if not data:
                    break
                out, pending = out + data, pending + data
            elif answers and pending.rstrip(b' ').endswith(b':'):
                os.write(fd, (answers.pop(0) + '\n').encode())
                pending = b''
        else:
            os.kill(pid, 9)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return out.decode(errors='replace').replace('\r\n', '\n'), os.waitstatus_to_exitcode(status)


def swansible_playbook(*args, **kw):
    return run([BIN / 'swansible-playbook', *args], **kw)


def ansible_playbook(*args, **kw):
    return run([VENV / 'bin' / 'ansible-playbook', *args], **kw)


def free_port(addr):
    with socket.socket() as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def wait_port(addr, port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection((addr, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f'sshd on {addr}:{port} did not start')


@pytest.fixture(scope='session')
def sshd_hosts():
    """Three sshd instances on 127.0.0.2-4; yields (dir, [(name, addr, port)], key path)."""
    if os.geteuid() != 0:
        pytest.skip('sshd tests need root')
    with sshd_context() as ctx:
        yield ctx


@contextlib.contextmanager
def sshd_context():
    sshd = shutil.which('sshd') or '/usr/sbin/sshd'
    d = pathlib.Path(tempfile.mkdtemp(prefix='swansible-sshd-'))
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d / 'host_key'], check=True)
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d / 'client_key'], check=True)
    (d / 'authorized_keys').write_text((d / 'client_key.pub').read_text())
    os.chmod(d, 0o755)
    os.makedirs('/run/sshd', exist_ok=True)
    # ansible-playbook's OpenSSH adds these throwaway host keys to root's known_hosts: put it back.
    home_ssh = pathlib.Path.home() / '.ssh'
    known = home_ssh / 'known_hosts'
    had_dir, known_before = home_ssh.exists(), known.read_text() if known.exists() else None
    for user, password in ((TEST_USER, TEST_PASSWORD), (SECOND_USER, SECOND_PASSWORD)):
        subprocess.run(['pkill', '-KILL', '-u', user], capture_output=True)
        subprocess.run(['userdel', '-r', '-f', user], capture_output=True)
        subprocess.run(['useradd', '-m', '-s', '/bin/sh', user], check=True)
        subprocess.run(['chpasswd'], input=f'{user}:{password}\n', text=True, check=True)
    # The test user may sudo to anyone, with its password (so sudo prompts).
    pathlib.Path(SUDOERS).write_text(f'{TEST_USER} ALL=(ALL:ALL) ALL\n')
    os.chmod(SUDOERS, 0o440)
    procs, hosts = [], []
    try:
        for i, addr in enumerate(['127.0.0.2', '127.0.0.3', '127.0.0.4']):
            port = free_port(addr)
            cfg = d / f'sshd_{i}.conf'
            cfg.write_text(f"""Port {port}
ListenAddress {addr}
HostKey {d}/host_key
AuthorizedKeysFile {d}/authorized_keys
PidFile {d}/sshd_{i}.pid
UsePAM no
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
StrictModes no
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
""")
            procs.append(subprocess.Popen([sshd, '-D', '-e', '-f', cfg], stderr=open(d / f'sshd_{i}.log', 'w')))
            wait_port(addr, port)
            hosts.append((f'target{i + 1}', addr, port))
        yield d, hosts, d / 'client_key'
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        for user in (TEST_USER, SECOND_USER):
            subprocess.run(['pkill', '-KILL', '-u', user], capture_output=True)
            subprocess.run(['userdel', '-r', '-f', user], capture_output=True)
        pathlib.Path(SUDOERS).unlink(missing_ok=True)
        shutil.rmtree(d, ignore_errors=True)
        if known_before is not None:
            known.write_text(known_before)
        else:
            known.unlink(missing_ok=True)
            if not had_dir and home_ssh.exists() and not any(home_ssh.iterdir()):
                home_ssh.rmdir()


def write_password_inventory(path, host, password=TEST_PASSWORD):
    """One sshd host, logged into as the test user with a password."""
    name, addr, port = host
    pathlib.Path(path).write_text(f'{name} ansible_host={addr} ansible_port={port} ansible_user={TEST_USER} '
                                  f'ansible_password={password} ansible_python_interpreter=/usr/bin/python3\n')


def write_ssh_inventory(path, hosts, key, **extra):
    lines = ['[targets]']
    for name, addr, port in hosts:
        lines.append(f'{name} ansible_host={addr} ansible_port={port} ansible_user=root '
                     f'ansible_ssh_private_key_file={key} ansible_python_interpreter=/usr/bin/python3')
    lines.append('[targets:vars]')
    for k, v in extra.items():
        lines.append(f'{k}={v}')
    pathlib.Path(path).write_text('\n'.join(lines) + '\n')


def task_blocks(output):
    """{banner: sorted result lines} plus the recap lines: what a differential test compares."""
    blocks, order, current = {}, [], None
    recap = []
    in_recap = False
    for line in output.splitlines():
        if line.startswith('PLAY RECAP'):
            in_recap = True
            continue
        if in_recap:
            if line.strip():
                recap.append(' '.join(line.split()))
            continue
        if line.startswith('TASK [') or line.startswith('RUNNING HANDLER [') or line.startswith('PLAY ['):
            current = line.split(' *')[0]
            order.append(current)
            blocks[current] = []
        elif current and line.split(':')[0] in ('ok', 'changed', 'skipping', 'fatal', 'failed') and line.strip():
            blocks[current].append(line.split(' => ')[0])
    return [(b, sorted(blocks[b])) for b in order], recap
