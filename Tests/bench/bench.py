"""make bench: swansible (release build) against ansible-playbook (pipelining, ControlPersist) and
Mitogen, run side by side on this machine against real sshd on distinct loopback addresses:
100 `command` tasks, a 20-item `copy` loop, a 20-item `template` loop and `gather_facts` on 1, 10
and 50 hosts, the same on 10 hosts behind a delay proxy (10 ms round trip), a 1,000-file `copy`
tree, `ping` on 100 hosts, a 1 GiB copy, and the templating engine against Python's Jinja2.
Reports wall time, controller CPU, traffic and round trips, as ratios (see matrix()).
BENCH_ONLY=cmd@10,tree runs only the runs named scenario@hosts (exactly), those of a scenario
(every host count), or `templating`."""
import contextlib
import json
import os
import pathlib
import resource
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / 'integration'))
import conftest  # noqa: E402

ROOT = conftest.ROOT
RELEASE = ROOT / '.build' / 'release' / 'swansible-playbook'


def main():
    # A bench stopped by kill (or make's SIGTERM) takes its sshd instances away as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    only = os.environ.get('BENCH_ONLY')
    if not only or 'templating' in only:
        templating()
    if only != 'templating':
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
    subprocess.run(['rm', '-rf', str(work)], check=True)


def inventory(path, hosts, key, count, via=None):
    """`count` inventory hosts, each its own address (through the delay proxy's address when `via`)."""
    lines = ['[targets]']
    for i in range(count):
        name, addr, port = hosts[i % len(hosts)]
        if via:
            addr = via(addr)
        lines.append(f'h{i:03d} ansible_host={addr} ansible_port={port} ansible_user=root '
                     f'ansible_ssh_private_key_file={key} ansible_python_interpreter=/usr/bin/python3')
    path.write_text('\n'.join(lines) + '\n')


def stats(env, cmd):
    """swansible's agent protocol traffic for a run (SWANSIBLE_STATS)."""
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=dict(env, SWANSIBLE_STATS='1'), timeout=600)
    return parse_stats(r.stderr)


def parse_stats(stderr):
    line = [l for l in stderr.splitlines() if l.startswith('swansible:')][-1]
    n = [int(w) for w in line.replace(',', ' ').split() if w.isdigit()]
    return n[0], n[1], n[2]


DELAY_MS = 5   # one way: a 10 ms round trip, a host in the same region
TREE_FILES = 1000


def playbooks(work):
    """The scenarios' playbooks and the files they copy; every host writes under out/<host>."""
    files = work / 'files'
    (files / 'small').mkdir(parents=True)
    for i in range(20):
        (files / 'small' / f'f{i:02d}').write_bytes(os.urandom(2048).hex().encode())
    for i in range(TREE_FILES):
        d = files / 'tree' / f'd{i // 100}'
        d.mkdir(parents=True, exist_ok=True)
        (d / f'f{i:04d}').write_bytes(os.urandom(512).hex().encode())
    (work / 'templates').mkdir()
    (work / 'templates' / 'site.conf.j2').write_text(
        '# {{ ansible_managed }}\nserver_name {{ inventory_hostname }}.example.com;\nitem {{ item }};\n'
        '{% for p in ports %}listen {{ p }};\n{% endfor %}'
        '{% for u in users %}user {{ u.name }} {{ u.uid }} {{ u.groups | join(",") }};\n{% endfor %}')
    head = '- hosts: targets\n  gather_facts: false\n  vars:\n    dest: "{{ out }}/{{ inventory_hostname }}"\n  tasks:\n'
    mkdir = '    - file: {path: "{{ dest }}", state: directory}\n'
    users = json.dumps([{'name': f'user{i}', 'uid': 1000 + i, 'groups': ['dev', 'ops'][: 1 + i % 2]} for i in range(50)])
    (work / 'cmd.yml').write_text(head + ''.join('    - command: hostname\n' for _ in range(100)))
    (work / 'copy.yml').write_text(head + mkdir + '    - copy: {src: "small/{{ item }}", dest: "{{ dest }}/{{ item }}"}\n'
                                   + f'      loop: {json.dumps([f"f{i:02d}" for i in range(20)])}\n')
    (work / 'template.yml').write_text(head.replace('  vars:\n', f'  vars:\n    ports: [80, 443, 8080]\n    users: {users}\n')
                                       + mkdir + '    - template: {src: site.conf.j2, dest: "{{ dest }}/site{{ item }}.conf"}\n'
                                       + '      loop: "{{ range(20) | list }}"\n')
    (work / 'facts.yml').write_text('- hosts: targets\n  gather_facts: true\n  tasks: []\n')
    (work / 'tree.yml').write_text(head + '    - copy: {src: tree/, dest: "{{ dest }}/tree/"}\n')
    (work / 'ping.yml').write_text('- hosts: targets\n  gather_facts: false\n  tasks:\n    - ping:\n')
    big = work / 'big.bin'
    with open(big, 'wb') as f:
        for _ in range(1024):
            f.write(os.urandom(1 << 20))
    (work / 'big.yml').write_text(head + mkdir + f'    - copy: {{src: "{big}", dest: "{{{{ dest }}}}/big.copy"}}\n')


# (key, title, playbook, tasks per host for the per-task figures)
SCENARIOS = {'cmd': ('100 `command` tasks', 'cmd.yml', 100), 'copy': ('20-item `copy` loop', 'copy.yml', 21),
             'template': ('20-item `template` loop', 'template.yml', 21), 'facts': ('`gather_facts`', 'facts.yml', 1),
             'tree': (f'{TREE_FILES:,}-file `copy` tree', 'tree.yml', 1), 'ping': ('`ping`', 'ping.yml', 1),
             'big': ('copy 1 GiB', 'big.yml', 1)}
ALL = ('swansible', 'ansible', 'mitogen')


def matrix():
    """What one `make bench` runs: (scenario, hosts, tools, one-way delay in ms). Ansible's
    1,000-file tree beyond one host (~0.35 s per file and host) and Mitogen's beyond ten would
    take most of an hour each, so those cells are left out and say so."""
    runs = []
    for count in (1, 10, 50):
        for key in ('cmd', 'copy', 'template', 'facts'):
            runs.append((key, count, ALL, 0))
    runs += [('tree', 1, ALL, 0), ('tree', 10, ('swansible', 'mitogen'), 0), ('tree', 50, ('swansible',), 0),
             ('ping', 100, ALL, 0), ('big', 1, ('swansible', 'ansible'), 0)]
    for key in ('cmd', 'copy', 'template', 'facts'):
        runs.append((key, 10, ALL, DELAY_MS))
    only = os.environ.get('BENCH_ONLY', '').replace('templating', '').strip(',')
    wanted = only.split(',')
    return [r for r in runs if not only or f'{r[0]}@{r[1]}' in wanted or r[0] in wanted]


@contextlib.contextmanager
def delay_proxy(work, hosts, count, delay):
    """The proxy in front of the first `count` hosts; yields (address mapping, stats file)."""
    out = work / f'proxy-{time.monotonic_ns()}.json'
    specs = [f'{a.replace("127.0.0.", "127.0.1.")}:{p}={a}:{p}' for _, a, p in hosts[:count]]
    proc = subprocess.Popen([sys.executable, str(pathlib.Path(__file__).parent / 'delay_proxy.py'), str(out), str(delay)] + specs,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == 'ready'
        yield (lambda a: a.replace('127.0.0.', '127.0.1.')), out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def timed(cmd, env):
    """(wall, controller CPU, stderr) of one run, or None when it failed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, timeout=3600)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        print(f'{cmd[0]} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}', file=sys.stderr)
        return None
    return wall, cpu, r.stderr


def run_all(hosts, key):
    work = pathlib.Path(tempfile.mkdtemp(prefix='swansible-bench-'))
    mitogen = pathlib.Path(conftest.VENV / 'lib').glob('python3*/site-packages/ansible_mitogen/plugins/strategy')
    mitogen = next(iter(mitogen), None)
    base = ('[defaults]\nhost_key_checking = False\nforks = 10\n'
            '[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s\n')
    (work / 'ansible.cfg').write_text(base)
    (work / 'mitogen.cfg').write_text(base.replace('[defaults]\n', f'[defaults]\nstrategy_plugins = {mitogen}\nstrategy = mitogen_linear\n'))
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_NOCOLOR='1')
    envs = {'swansible': dict(env, ANSIBLE_CONFIG=str(work / 'ansible.cfg'), SWANSIBLE_STATS='1'),
            'ansible': dict(env, ANSIBLE_CONFIG=str(work / 'ansible.cfg')),
            'mitogen': dict(env, ANSIBLE_CONFIG=str(work / 'mitogen.cfg'))}
    playbooks(work)
    out = work / 'out'
    # The module cache on the target (~root/.cache/swansible) starts cold; later runs find it warm.
    subprocess.run(['rm', '-rf', '/root/.cache/swansible'], check=True)
    inventory(work / 'inv-cache', hosts, key, 1)
    cold = stats(envs['swansible'], [RELEASE, '-i', work / 'inv-cache', '-e', f'out={out}', work / 'ping.yml'])
    warm = stats(envs['swansible'], [RELEASE, '-i', work / 'inv-cache', '-e', f'out={out}', work / 'ping.yml'])
    results = []
    for scenario, count, tools, delay in matrix():
        title, book, tasks = SCENARIOS[scenario]
        row = {'scenario': scenario, 'title': title, 'hosts': count, 'delay_ms': delay, 'tasks': tasks}
        for tool in tools:
            if tool == 'mitogen' and not mitogen:
                continue
            subprocess.run(['rm', '-rf', str(out)], check=True)
            with contextlib.ExitStack() as stack:
                via, proxy_stats = stack.enter_context(delay_proxy(work, hosts, count, delay)) if delay else (None, None)
                inv = work / f'inv-{count}-{delay}'
                inventory(inv, hosts, key, count, via)
                exe = RELEASE if tool == 'swansible' else conftest.VENV / 'bin' / 'ansible-playbook'
                cmd = [exe, '-i', inv, '-e', f'out={out}'] + (['-f', '10'] if tool == 'swansible' else []) + [work / book]
                r = timed(cmd, envs[tool])
            entry = {'wall': r[0], 'cpu': r[1]} if r else {'failed': True}
            if r and tool == 'swansible':
                entry['requests'], entry['sent'], entry['received'] = parse_stats(r[2])
            if proxy_stats and proxy_stats.exists():
                entry['wire'] = json.loads(proxy_stats.read_text())
            row[tool] = entry
            print(f'{title}, {count} hosts, delay {delay} ms, {tool}: {entry}', file=sys.stderr, flush=True)
        results.append(row)
        (work / 'results.json').write_text(json.dumps(results, indent=1))
    # Only the figures stay: the copied trees and the 1 GiB source go.
    for junk in ('out', 'files', 'big.bin'):
        subprocess.run(['rm', '-rf', str(work / junk)], check=True)
    report(results, cold, warm, work)


def report(results, cold, warm, work):
    def cell(row, tool, fmt):
        e = row.get(tool)
        return 'not run' if e is None else 'failed' if e.get('failed') else fmt(e)

    def ratio(row, tool):
        o, t = row.get('swansible'), row.get(tool)
        if not o or not t or o.get('failed') or t.get('failed'):
            return 'n/a'
        return f"{t['wall'] / o['wall']:.1f}x"

    for delay in sorted({r['delay_ms'] for r in results}):
        rows = [r for r in results if r['delay_ms'] == delay]
        print(f'### {"no added latency" if not delay else f"{2 * delay} ms round trip (delay proxy)"}')
        print()
        print('| scenario | hosts | swansible | ansible-playbook | Mitogen | vs ansible | vs Mitogen '
              '| CPU per task-host: swansible / ansible / Mitogen | swansible requests per task-host | swansible bytes per task-host (out + in) |')
        print('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
        for r in rows:
            th = r['tasks'] * r['hosts']
            wall = {t: cell(r, t, lambda e: f"{e['wall']:.2f} s") for t in ALL}
            cpu = ' / '.join(cell(r, t, lambda e: f"{e['cpu'] / th * 1000:.1f} ms") for t in ALL)
            o = r.get('swansible') or {}
            req = f"{o['requests'] / th:.2f}" if 'requests' in o else 'n/a'
            traffic = f"{o['sent'] / th:,.0f} + {o['received'] / th:,.0f}" if 'sent' in o else 'n/a'
            print(f"| {r['title']} | {r['hosts']} | {wall['swansible']} | {wall['ansible']} | {wall['mitogen']} "
                  f"| {ratio(r, 'ansible')} | {ratio(r, 'mitogen')} | {cpu} | {req} | {traffic} |")
        if delay:
            print()
            print('On the wire (SSH bytes through the proxy, both ways, and request->reply turns), per task-host:')
            print()
            print('| scenario | hosts | swansible | ansible-playbook | Mitogen |')
            print('| --- | --- | --- | --- | --- |')
            for r in rows:
                th = r['tasks'] * r['hosts']
                w = {t: cell(r, t, lambda e: f"{(e['wire']['up'] + e['wire']['down']) / th:,.0f} B, {e['wire']['turns'] / th:.1f} turns"
                              if 'wire' in e else 'n/a') for t in ALL}
                print(f"| {r['title']} | {r['hosts']} | {w['swansible']} | {w['ansible']} | {w['mitogen']} |")
        print()
    print(f'`ping` on 1 host, bytes sent: {cold[1]} with a cold module cache on the target, {warm[1]} with it warm.')
    print(f'Raw figures: {work / "results.json"}')


if __name__ == '__main__':
    main()
