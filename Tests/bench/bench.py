"""make bench: 100 `command: hostname` tasks on 1 and 3 sshd hosts, swansible (release build)
against ansible-playbook with pipelining and ControlPersist, run side by side on this machine.
Reports wall time and controller CPU (user+sys of the controller and its children) as ratios."""
import os
import json
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
    with conftest.sshd_context() as (d, hosts, key):
        run_all(hosts, key)


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
