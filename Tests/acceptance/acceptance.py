"""make acceptance: ansible-core's own integration targets, run by ansible-test the way it runs
them for a posix host (--local), once with ansible-playbook and once with swansible-playbook
standing in for it (and swansible for ansible, swansible-inventory for ansible-inventory).

ansible-core's sdist (the version installed in the venv) is downloaded into .acceptance/ and
unpacked once per tool; ansible-test, run from such a source tree, puts the tree's bin/ first in
PATH, so each tree's bin/ decides who answers to `ansible-playbook`. Each target has a time
limit; the table says pass/fail per tool, and logs stay in .acceptance/logs/.

    acceptance.py [--tool swansible|ansible|both] [--timeout S] [TARGET ...]
"""
import argparse
import contextlib
import os
import pathlib
import shutil
import subprocess
import sys
import socket
import tarfile
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV = ROOT / '.venv'
WORK = ROOT / '.acceptance'
SWANSIBLE_BIN = pathlib.Path(os.environ.get('SWANSIBLE_BIN', ROOT / '.build' / 'debug'))

# The targets issue 5 names; the rest of the posix suite can be named on the command line.
DEFAULT_TARGETS = """any_errors_fatal blocks changed_when conditionals failed_when ignore_errors handlers include_import
include_vars roles module_defaults omit register set_fact special_vars var_precedence vars_files add_host group_by async
check_mode meta_tasks strategy_free strategy_linear tags throttle loop_control loops until template lookup_first_found
copy file lineinfile become assert callback_default debug no_log""".split()

# bin/ of a source checkout (as ansible's git tree has it): the entry points ansible-test runs.
ENTRY_POINTS = {'ansible': 'lib/ansible/cli/adhoc.py', 'ansible-config': 'lib/ansible/cli/config.py',
                'ansible-console': 'lib/ansible/cli/console.py', 'ansible-doc': 'lib/ansible/cli/doc.py',
                'ansible-galaxy': 'lib/ansible/cli/galaxy.py', 'ansible-inventory': 'lib/ansible/cli/inventory.py',
                'ansible-playbook': 'lib/ansible/cli/playbook.py', 'ansible-pull': 'lib/ansible/cli/pull.py',
                'ansible-vault': 'lib/ansible/cli/vault.py',
                'ansible-test': 'test/lib/ansible_test/_util/target/cli/ansible_test_cli_stub.py'}
STAND_INS = {'ansible-playbook': 'swansible-playbook', 'ansible': 'swansible', 'ansible-inventory': 'swansible-inventory'}


def ansible_version():
    out = subprocess.run([VENV / 'bin' / 'python', '-c', 'import ansible.release as r; print(r.__version__)'],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def source_tree(tool, version):
    """The unpacked sdist for `tool`, with its bin/ pointing at that tool."""
    sdist = WORK / f'ansible_core-{version}.tar.gz'
    if not sdist.exists():
        WORK.mkdir(exist_ok=True)
        subprocess.run([VENV / 'bin' / 'pip', 'download', '-q', '--no-binary', ':all:', '--no-deps',
                        f'ansible-core=={version}', '-d', WORK], check=True)
    tree = WORK / tool / f'ansible_core-{version}'
    if not tree.exists():
        (WORK / tool).mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdist) as t:
            t.extractall(WORK / tool)
    bin_dir = tree / 'bin'
    shutil.rmtree(bin_dir, ignore_errors=True)
    bin_dir.mkdir()
    for name, target in ENTRY_POINTS.items():
        if tool == 'swansible' and name in STAND_INS:
            # ansible-test runs entry points with its Python, so the stand-in is a Python script.
            exe = SWANSIBLE_BIN / STAND_INS[name]
            (bin_dir / name).write_text(f'#!/usr/bin/env python\nimport os, sys\nos.execv({str(exe)!r}, [{str(exe)!r}] + sys.argv[1:])\n')
            (bin_dir / name).chmod(0o755)
        else:
            (tree / target).chmod(0o755)
            (bin_dir / name).symlink_to(pathlib.Path('..') / target)
    return tree


def ensure_locale():
    """ansible-test's containers have en_US.UTF-8 and some targets (tags) set it: make it here."""
    have = subprocess.run(['locale', '-a'], capture_output=True, text=True).stdout.lower()
    if 'en_us.utf8' in have or os.geteuid() != 0:
        return
    if not shutil.which('locale-gen'):
        subprocess.run(['apt-get', 'install', '-y', '-qq', 'locales'], capture_output=True)
    gen = pathlib.Path('/etc/locale.gen')
    text = gen.read_text() if gen.exists() else ''
    if 'en_US.UTF-8 UTF-8' not in text.replace('# en_US.UTF-8', ''):
        gen.write_text(text + 'en_US.UTF-8 UTF-8\n')
    subprocess.run(['locale-gen'], capture_output=True)


def ensure_acl():
    """The lineinfile target sets ACLs with setfacl, which ansible-test's images carry (package acl)."""
    if shutil.which('setfacl') or os.geteuid() != 0:
        return
    subprocess.run(['apt-get', 'install', '-y', '-qq', 'acl'], capture_output=True)


def ensure_authorized_keys():
    """ansible-test's hosts have ~/.ssh/authorized_keys (its own key); copy's target duplicates
    it for a second user. Made empty when missing; returns what was made (the file, and ~/.ssh
    when it was not there either) so that it can go again afterwards."""
    keys = pathlib.Path.home() / '.ssh' / 'authorized_keys'
    if keys.exists():
        return []
    made = [] if keys.parent.exists() else [keys.parent]
    keys.parent.mkdir(mode=0o700, exist_ok=True)
    keys.touch(mode=0o600)
    return [keys] + made


@contextlib.contextmanager
def ssh_to_self(tree, targets):
    """`needs/ssh` targets log in as root to localhost and to 127.0.0.3, .4 and .254 on port 22, as on
    ansible-test's hosts: for their run, an sshd there with throwaway host and client keys (the
    client's in ~/.ssh/id_ed25519, where ssh and libssh look, and in ~/.ssh/authorized_keys) and
    known_hosts entries for it.
    Only what was not there before is made, and it all goes again afterwards."""
    aliases = [tree / 'test' / 'integration' / 'targets' / t / 'aliases' for t in targets]
    wanted = any(a.exists() and 'needs/ssh' in a.read_text().split() for a in aliases)
    home_ssh = pathlib.Path.home() / '.ssh'
    addrs = ['127.0.0.1', '127.0.0.3', '127.0.0.4', '127.0.0.254']
    if not wanted or os.geteuid() != 0 or (home_ssh / 'id_ed25519').exists() or any(port_open(a, 22) for a in addrs):
        yield
        return
    d = pathlib.Path(tempfile.mkdtemp(prefix='acceptance-sshd-'))
    made_dir = not home_ssh.exists()
    home_ssh.mkdir(mode=0o700, exist_ok=True)
    known, authorized = home_ssh / 'known_hosts', home_ssh / 'authorized_keys'
    known_before = known.read_text() if known.exists() else None
    authorized_before = authorized.read_text() if authorized.exists() else None
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', d / 'host_key'], check=True)
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', home_ssh / 'id_ed25519'], check=True)
    # ansible-test's own key pair (~/.ansible/test, made as ansible-test makes it) is the one its
    # inventories name for ssh hosts: authorized as on its test hosts.
    test_key = pathlib.Path.home() / '.ansible' / 'test' / 'id_rsa'
    if not test_key.exists():
        test_key.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(['ssh-keygen', '-m', 'PEM', '-q', '-t', 'rsa', '-N', '', '-f', test_key], check=True)
    # In root's own authorized_keys too: targets copy it to the users they log in as.
    authorized.write_text((authorized_before or '') + (home_ssh / 'id_ed25519.pub').read_text()
                          + pathlib.Path(f'{test_key}.pub').read_text())
    authorized.chmod(0o600)
    host_key = (d / 'host_key.pub').read_text().split()[:2]
    known.write_text((known_before or '') + ''.join(f'{h} {" ".join(host_key)}\n' for h in ['localhost'] + addrs))
    (d / 'sshd.conf').write_text(''.join(f'ListenAddress {a}:22\n' for a in addrs) + f"""HostKey {d}/host_key
PidFile {d}/sshd.pid
UsePAM no
PermitRootLogin yes
StrictModes no
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
""")
    os.makedirs('/run/sshd', exist_ok=True)
    sshd = subprocess.Popen([shutil.which('sshd') or '/usr/sbin/sshd', '-D', '-e', '-f', d / 'sshd.conf'],
                            stderr=open(d / 'sshd.log', 'w'))
    try:
        for a in addrs:
            for _ in range(100):
                if port_open(a, 22):
                    break
                time.sleep(0.05)
        yield
    finally:
        sshd.terminate()
        sshd.wait(timeout=10)
        for name in ('id_ed25519', 'id_ed25519.pub'):
            (home_ssh / name).unlink(missing_ok=True)
        for path, before in ((known, known_before), (authorized, authorized_before)):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                path.write_text(before)
        if made_dir and not any(home_ssh.iterdir()):
            home_ssh.rmdir()
        shutil.rmtree(d, ignore_errors=True)


def port_open(addr, port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((addr, port)) == 0


def run_target(tree, target, timeout, log):
    cmd = [VENV / 'bin' / 'python', tree / 'bin' / 'ansible-test', 'integration', '--local', '--python',
           f'{sys.version_info[0]}.{sys.version_info[1]}', '--allow-destructive', '--allow-root', '--color', 'no', target]
    env = dict(os.environ, PATH=f'{VENV / "bin"}:{os.environ["PATH"]}')
    env.pop('ANSIBLE_CONFIG', None)
    start = time.monotonic()
    with open(log, 'w') as out:
        try:
            rc = subprocess.run([str(c) for c in cmd], cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT,
                                timeout=timeout, start_new_session=True).returncode
        except subprocess.TimeoutExpired:
            rc = 'timeout'
    return rc, time.monotonic() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--tool', choices=['swansible', 'ansible', 'both'], default='both')
    p.add_argument('--timeout', type=int, default=600)
    p.add_argument('targets', nargs='*')
    a = p.parse_args()
    version = ansible_version()
    ensure_locale()
    made_keys = ensure_authorized_keys()
    ensure_acl()
    tools = ['ansible', 'swansible'] if a.tool == 'both' else [a.tool]
    targets = a.targets or DEFAULT_TARGETS
    trees = {tool: source_tree(tool, version) for tool in tools}
    logs = WORK / 'logs'
    logs.mkdir(parents=True, exist_ok=True)
    results = {}
    with ssh_to_self(trees[tools[0]], targets):
        for target in targets:
            for tool in tools:
                rc, took = run_target(trees[tool], target, a.timeout, logs / f'{target}.{tool}.log')
                results[(target, tool)] = (rc, took)
                print(f'{target} {tool}: {"pass" if rc == 0 else f"FAIL ({rc})"} in {took:.0f} s', file=sys.stderr, flush=True)
    for made in made_keys:
        if made.is_dir():
            if not any(made.iterdir()):
                made.rmdir()
        else:
            made.unlink(missing_ok=True)
    print(f'ansible-core {version} integration targets, ansible-test --local')
    print()
    print('| target | ' + ' | '.join(tools) + ' |')
    print('| --- |' + ' --- |' * len(tools))
    for target in targets:
        cells = []
        for tool in tools:
            rc, took = results[(target, tool)]
            cells.append(f'pass ({took:.0f} s)' if rc == 0 else f'fail ({rc})')
        print(f'| {target} | ' + ' | '.join(cells) + ' |')
    passed = {tool: sum(1 for t in targets if results[(t, tool)][0] == 0) for tool in tools}
    print()
    print(', '.join(f'{tool}: {n}/{len(targets)} pass' for tool, n in passed.items()))
    print(f'Logs: {logs}')
    return 0 if all(results[(t, tools[-1])][0] == 0 for t in targets) else 1


if __name__ == '__main__':
    sys.exit(main())
