"""make bench: 100 `command: hostname` tasks on 1 and 3 sshd hosts, swansible (release build)
against ansible-playbook with pipelining and ControlPersist, run side by side on this machine.
Reports wall time and controller CPU (user+sys of the controller and its children) as ratios."""
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / 'integration'))
import conftest  # noqa: E402

ROOT = conftest.ROOT
RELEASE = ROOT / '.build' / 'release' / 'swansible-playbook'
PLAY = """- hosts: targets
  gather_facts: false
  tasks:
""" + ''.join(f"    - command: hostname\n" for _ in range(100))


def timed(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, timeout=1800)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        raise SystemExit(f'{cmd[0]} failed:\n{r.stdout}\n{r.stderr}')
    return wall, cpu


def main():
    with conftest.sshd_context() as (d, hosts, key):
        run_all(hosts, key)


def run_all(hosts, key):
    work = pathlib.Path(tempfile.mkdtemp(prefix='swansible-bench-'))
    (work / 'play.yml').write_text(PLAY)
    (work / 'ansible.cfg').write_text('[defaults]\nhost_key_checking = False\nforks = 5\n'
                                      '[ssh_connection]\npipelining = True\n'
                                      'ssh_args = -o ControlMaster=auto -o ControlPersist=60s\n')
    env = dict(os.environ, ANSIBLE_CONFIG=str(work / 'ansible.cfg'), ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_NOCOLOR='1')
    rows = []
    for n in (1, 3):
        inv = work / f'inv{n}'
        conftest.write_ssh_inventory(inv, hosts[:n], key)
        ours = timed([RELEASE, '-i', inv, work / 'play.yml'], env)
        theirs = timed([conftest.VENV / 'bin' / 'ansible-playbook', '-i', inv, work / 'play.yml'], env)
        rows.append((n, ours, theirs))
    print('| hosts | swansible wall | ansible-playbook wall | wall ratio | swansible CPU | ansible CPU | CPU ratio |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for n, (ow, oc), (tw, tc) in rows:
        print(f'| {n} | {ow:.2f} s | {tw:.2f} s | {tw / ow:.1f}x | {oc:.2f} s | {tc:.2f} s | {tc / oc:.1f}x |')


if __name__ == '__main__':
    main()
