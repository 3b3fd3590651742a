"""Variable precedence against Ansible: variable pN is defined at every level up to level N
(lowest first), so each must resolve to the name of level N; ansible-playbook is the judge."""
import pathlib

import yaml

from conftest import ansible_playbook, swansible_playbook, task_blocks

LEVELS = ['role_defaults', 'inv_all_file', 'inv_group_file', 'inv_group_vars_all', 'pb_group_vars_all',
          'inv_group_vars_group', 'pb_group_vars_group', 'inv_host_file', 'inv_host_vars', 'pb_host_vars',
          'play_vars', 'vars_prompt', 'vars_files', 'role_vars', 'block_vars', 'task_vars', 'include_vars', 'set_fact',
          'role_params', 'include_params', 'extra_vars']


def defined_at(level):
    """{var: value} for the vars this level defines: every pN with N >= this level."""
    i = LEVELS.index(level)
    return {f'p{n}': level for n in range(i, len(LEVELS))}


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, default_flow_style=False) if not isinstance(data, str) else data)


def build(root: pathlib.Path):
    inv = root / 'inventory'
    lines = ['h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3 '
             + ' '.join(f'{k}={v}' for k, v in defined_at('inv_host_file').items()),
             '[grp]', 'h1', '[all:vars]'] + [f'{k}={v}' for k, v in defined_at('inv_all_file').items()]
    lines += ['[grp:vars]'] + [f'{k}={v}' for k, v in defined_at('inv_group_file').items()]
    write(inv / 'hosts', '\n'.join(lines) + '\n')
    write(inv / 'group_vars' / 'all.yml', defined_at('inv_group_vars_all'))
    write(inv / 'group_vars' / 'grp.yml', defined_at('inv_group_vars_group'))
    write(inv / 'host_vars' / 'h1.yml', defined_at('inv_host_vars'))
    pb = root / 'play'
    write(pb / 'group_vars' / 'all.yml', defined_at('pb_group_vars_all'))
    write(pb / 'group_vars' / 'grp.yml', defined_at('pb_group_vars_group'))
    write(pb / 'host_vars' / 'h1.yml', defined_at('pb_host_vars'))
    write(pb / 'vars.yml', defined_at('vars_files'))
    role = pb / 'roles' / 'prec'
    write(role / 'defaults' / 'main.yml', defined_at('role_defaults'))
    write(role / 'vars' / 'main.yml', defined_at('role_vars'))
    show = {'name': 'show', 'debug': {'msg': ' '.join('{{ p%d }}' % n for n in range(len(LEVELS)))},
            'vars': defined_at('task_vars')}
    write(role / 'tasks' / 'show.yml', [{'block': [show], 'vars': defined_at('block_vars')}])
    write(role / 'tasks' / 'main.yml', [{'name': 'include', 'include_tasks': 'show.yml', 'vars': defined_at('include_params')}])
    write(pb / 'included.yml', defined_at('include_vars'))
    play = [{
        'name': 'precedence', 'hosts': 'grp', 'gather_facts': False, 'vars': defined_at('play_vars'),
        'vars_prompt': [{'name': k, 'prompt': 'value?', 'default': v, 'private': False} for k, v in defined_at('vars_prompt').items()],
        'vars_files': ['vars.yml'],
        'pre_tasks': [{'include_vars': 'included.yml'}, {'set_fact': defined_at('set_fact')}],
        'roles': [dict({'role': 'prec'}, **defined_at('role_params'))],
    }]
    write(pb / 'site.yml', play)
    return inv / 'hosts', pb / 'site.yml'


def test_every_level_wins_over_the_ones_below(tmp_path):
    inv, book = build(tmp_path)
    args = ['-i', inv, book, '-v', '-e', f'p{len(LEVELS) - 1}=extra_vars']
    theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    expected = ' '.join(LEVELS)
    assert f'"msg": "{expected}"' in theirs.stdout
    assert f'"msg": "{expected}"' in ours.stdout, ours.stdout
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)


def test_facts_sit_between_host_vars_and_play_vars(tmp_path):
    """Level 11: gathered facts beat inventory host_vars but lose to play vars."""
    (tmp_path / 'host_vars').mkdir()
    (tmp_path / 'host_vars' / 'h1.yml').write_text('ansible_system: from_host_vars\nansible_os_family: from_host_vars\n')
    (tmp_path / 'hosts').write_text('h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n')
    (tmp_path / 'site.yml').write_text(yaml.safe_dump([{
        'hosts': 'h1', 'gather_facts': True, 'vars': {'ansible_os_family': 'from_play'},
        'tasks': [{'debug': {'msg': '{{ ansible_system }} {{ ansible_os_family }}'}}]}]))
    args = ['-i', tmp_path / 'hosts', tmp_path / 'site.yml']
    theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert '"msg": "Linux from_play"' in theirs.stdout
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    assert '"msg": "Linux from_play"' in ours.stdout
