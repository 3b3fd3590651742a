"""make bench: swansible (release build) against ansible-playbook (pipelining, ControlPersist) and
Mitogen, run side by side on this machine against real sshd on distinct loopback addresses:
100 `command` tasks on 1, 3 and 10 hosts, `ping` on 100, `gather_facts` on 10, a 1 GiB copy, and
the templating engine against Python's Jinja2. Reports wall time, controller CPU and ratios."""
import contextlib
import json
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
    templating()
    with conftest.sshd_context() as (d, hosts, key), distinct_hosts(d, 100) as spread:
        run_all(spread, key)


@contextlib.contextmanager
def distinct_hosts(d, count):
    """More sshd instances, listening on `count` loopback addresses (127.0.0.10 and up): each
    inventory host is then a distinct host to every tool, so neither ControlPersist nor Mitogen can
    share one connection between inventory hosts, as they would for hosts on one address and port.
    sshd listens on at most 16 addresses, so there is one instance per 16."""
    addrs = [f'127.0.0.{10 + i}' for i in range(count)]
    port = conftest.free_port(addrs[0])
    rest = (d / 'sshd_0.conf').read_text().split('\n', 2)[2]
    procs = []
    try:
        for n in range(0, count, 16):
            cfg = d / f'sshd_spread{n}.conf'
            cfg.write_text(f'Port {port}\n' + ''.join(f'ListenAddress {a}\n' for a in addrs[n:n + 16]) +
                           rest.replace('sshd_0.pid', f'sshd_spread{n}.pid'))
            procs.append(subprocess.Popen(['/usr/sbin/sshd', '-D', '-e', '-f', str(cfg)],
                                          stderr=open(d / f'sshd_spread{n}.log', 'w')))
        for a in addrs:
            conftest.wait_port(a, port)
        yield [(f'h{i:03d}', a, port) for i, a in enumerate(addrs)]
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)


RENDER = ROOT / '.build' / 'release' / 'swansible-render'
BENCH_VARS = {'users': [{'name': f'user{i}', 'uid': 1000 + i, 'groups': ['dev', 'ops'][: 1 + i % 2], 'shell': None}
                        for i in range(200)],
              'domain': 'example.com', 'ports': {'http': 80, 'https': 443}, 'n': 7, 's': 'Hello World'}


def big_template():
    """About 5,000 lines of template source: loops, conditionals, macros and filters."""
    block = """{% for u in users[:5] %}
user {{ u.name | upper }} ({{ u.uid }}) in {{ u.groups | join(',') }}
  home: {{ '/home/' ~ u.name }}
  shell: {{ u.shell | default('/bin/sh') }}
  {% if u.uid is even %}even{% else %}odd{% endif %} {{ '%05d' % u.uid }}
{% endfor %}
server {{ domain | replace('.', '-') }} {{ ports | dictsort | map('last') | join(' ') }}
{% set total = users | map(attribute='uid') | sum %}
total={{ total }} avg={{ (total / users | length) | round(1) }}
"""
    return block * (5000 // block.count('\n'))


def small_expressions(count=100_000):
    exprs = ["{{ n + %d }}", "{{ s | lower }}", "{{ users[%d % 200].name }}", "{{ 'x' if n > %d else 'y' }}", "{{ [1, 2, %d] | max }}"]
    return '\n'.join(exprs[i % len(exprs)].replace('%d', str(i)) if '%d' in exprs[i % len(exprs)] else exprs[i % len(exprs)]
                     for i in range(count)) + '\n'


PY_RENDER = r"""
import json, sys, time
import jinja2
from ansible.plugins.filter.core import FilterModule
src = open(sys.argv[1]).read()
vars = json.load(open(sys.argv[2]))
# Ansible's finalize renders None as nothing; plain Jinja2 would print 'None'.
env = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True, finalize=lambda v: '' if v is None else v)
env.filters.update(FilterModule().filters())
t0 = time.perf_counter()
out = env.from_string(src).render(vars)
print(time.perf_counter() - t0)
open(sys.argv[3], 'w').write(out)
"""


def templating():
    work = pathlib.Path(tempfile.mkdtemp(prefix='swansible-bench-tpl-'))
    (work / 'vars.json').write_text(__import__('json').dumps(BENCH_VARS))
    (work / 'render.py').write_text(PY_RENDER)
    rows = []
    for name, source in (('5,000-line template', big_template()), ('100,000 expressions', small_expressions())):
        tpl = work / 'tpl.j2'
        tpl.write_text(source)
        t = time.monotonic()
        r = subprocess.run([RELEASE.parent / 'swansible-render', tpl, '-e', '@' + str(work / 'vars.json'), '-o', work / 'ours.txt'],
                           capture_output=True, text=True, timeout=600)
        ours = time.monotonic() - t
        if r.returncode != 0:
            raise SystemExit(f'swansible-render failed: {r.stderr}')
        r = subprocess.run([conftest.VENV / 'bin' / 'python', work / 'render.py', tpl, work / 'vars.json', work / 'theirs.txt'],
                           capture_output=True, text=True, timeout=600)
        theirs = float(r.stdout.strip())
        same = (work / 'ours.txt').read_text() == (work / 'theirs.txt').read_text()
        rows.append((name, source.count('\n'), ours, theirs, same))
    print('| template | source lines | swansible (whole process) | Python Jinja2 (render only) | ratio | same output |')
    print('| --- | --- | --- | --- | --- | --- |')
    for name, lines, ours, theirs, same in rows:
        print(f'| {name} | {lines} | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms | {theirs / ours:.1f}x | {"yes" if same else "NO"} |')
    print()


def inventory(path, hosts, key, count):
    """`count` inventory hosts spread over the sshd instances (each its own connection)."""
    lines = ['[targets]']
    for i in range(count):
        name, addr, port = hosts[i % len(hosts)]
        lines.append(f'h{i:03d} ansible_host={addr} ansible_port={port} ansible_user=root '
                     f'ansible_ssh_private_key_file={key} ansible_python_interpreter=/usr/bin/python3')
    path.write_text('\n'.join(lines) + '\n')


def stats(env, cmd):
    """swansible's agent protocol traffic for a run (SWANSIBLE_STATS)."""
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=dict(env, SWANSIBLE_STATS='1'), timeout=600)
    line = [l for l in r.stderr.splitlines() if l.startswith('swansible:')][-1]
    n = [int(w) for w in line.replace(',', ' ').split() if w.isdigit()]
    return n[0], n[1], n[2]


def run_all(hosts, key):
    work = pathlib.Path(tempfile.mkdtemp(prefix='swansible-bench-'))
    mitogen = pathlib.Path(conftest.VENV / 'lib').glob('python3*/site-packages/ansible_mitogen/plugins/strategy')
    mitogen = next(iter(mitogen), None)
    base = ('[defaults]\nhost_key_checking = False\nforks = 10\n'
            '[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s\n')
    (work / 'ansible.cfg').write_text(base)
    (work / 'mitogen.cfg').write_text(base.replace('[defaults]\n', f'[defaults]\nstrategy_plugins = {mitogen}\nstrategy = mitogen_linear\n'))
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_NOCOLOR='1')
    tuned = dict(env, ANSIBLE_CONFIG=str(work / 'ansible.cfg'))
    mito = dict(env, ANSIBLE_CONFIG=str(work / 'mitogen.cfg'))
    (work / 'cmd.yml').write_text(PLAY)
    (work / 'ping.yml').write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n    - ping:\n')
    (work / 'facts.yml').write_text('- hosts: targets\n  gather_facts: true\n  tasks: []\n')
    big = work / 'big.bin'
    with open(big, 'wb') as f:
        for _ in range(1024):
            f.write(os.urandom(1 << 20))
    (work / 'copy.yml').write_text(f'- hosts: targets\n  gather_facts: false\n  tasks:\n    - copy: {{src: "{big}", dest: "{work}/big.copy"}}\n')
    scenarios = [('100 `command` tasks, 1 host', 'cmd.yml', 1, True), ('100 `command` tasks, 3 hosts', 'cmd.yml', 3, True),
                 ('100 `command` tasks, 10 hosts', 'cmd.yml', 10, True), ('`ping`, 100 hosts', 'ping.yml', 100, True),
                 ('`gather_facts`, 10 hosts', 'facts.yml', 10, True), ('copy 1 GiB, 1 host', 'copy.yml', 1, False)]
    # The module cache on the target (~root/.cache/swansible) starts cold; later scenarios find it warm.
    cache = pathlib.Path('/root/.cache/swansible')
    subprocess.run(['rm', '-rf', str(cache)], check=True)
    inventory(work / 'inv1', hosts, key, 1)
    cold = stats(tuned, [RELEASE, '-i', work / 'inv1', work / 'ping.yml'])
    warm = stats(tuned, [RELEASE, '-i', work / 'inv1', work / 'ping.yml'])
    rows = []
    for title, book, count, with_mitogen in scenarios:
        inv = work / f'inv{count}'
        inventory(inv, hosts, key, count)
        (work / 'big.copy').unlink(missing_ok=True)
        ours = timed([RELEASE, '-i', inv, '-f', '10', work / book], tuned)
        (work / 'big.copy').unlink(missing_ok=True)
        theirs = timed([conftest.VENV / 'bin' / 'ansible-playbook', '-i', inv, work / book], tuned)
        mit = None
        if with_mitogen and mitogen:
            mit = timed([conftest.VENV / 'bin' / 'ansible-playbook', '-i', inv, work / book], mito)
        rows.append((title, count, ours, theirs, mit))
    print('| scenario | swansible | ansible-playbook (pipelining, ControlPersist) | Mitogen 0.3 | vs ansible | vs Mitogen | swansible CPU per task-host |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for title, count, (ow, oc), (tw, tc), mit in rows:
        tasks = 100 if 'command' in title else 1
        m = f'{mit[0]:.2f} s' if mit else 'n/a'
        vm = f'{mit[0] / ow:.1f}x' if mit else 'n/a'
        print(f'| {title} | {ow:.2f} s | {tw:.2f} s | {m} | {tw / ow:.1f}x | {vm} | {oc / (tasks * count) * 1000:.2f} ms |')
    inv = work / 'inv10'
    n, out, back = stats(tuned, [RELEASE, '-i', inv, '-f', '10', work / 'cmd.yml'])
    print()
    print(f'Agent protocol traffic, 100 `command` tasks on 10 hosts: {n} requests ({n / 1000:.2f} per task-host), '
          f'{out} bytes sent, {back} received; per task-host {out / 1000:.0f} + {back / 1000:.0f} bytes.')
    print(f'`ping` on 1 host, bytes sent: {cold[1]} with a cold module cache on the target, {warm[1]} with it warm.')
    print()


if __name__ == '__main__':
    main()
