"""Playbook language points checked against ansible-playbook itself (playbooks-fixtures/language)."""
import json
import re

import pytest

from conftest import FIXTURES, LIBRARY_219, NO_PIPELINING, ansible_playbook, swansible_playbook, task_blocks

LANG = FIXTURES / 'language'


@pytest.mark.parametrize('book,args', [
    ('roles_runtime.yml', []),          # role_complete dedup, dep chain vars, end_role, handlers of included roles
    ('roles_runtime.yml', ['--tags', 'x']),   # include_role's tags stay on the include
    ('task_names.yml', []),             # templated banner names, 2.19 markers, compile-time unknown filters
    ('args_splat.yml', []),             # `args:` templates and debug's argument checks
    ('environment.yml', []),            # play, block and task environment
    ('module_defaults.yml', []),        # play/block/task module_defaults, action groups, templated values
    ('module_warnings.yml', []),        # a module's warnings stay in its own result (one agent process)
    ('package_service.yml', []),        # package/service dispatch; apt respawned under the system Python
    ('collections_keyword.yml', []),    # short names of collection modules under `collections:` (play, role meta)
    ('fact_path.yml', []),              # play fact_path: ansible_local from *.fact files
    ('task_timeout.yml', []),           # the timeout keyword
    ('gather_parallel.yml', []),        # fact modules in parallel, gather_timeout enforced, merge order
    ('delegation.yml', ['-i', LANG / 'delegation_hosts']),   # delegate_to's names, labels and variables
    ('notify_loops.yml', []),           # notify rendered per loop item
    ('vars_files_hosts.yml', ['-f', '1', '-i', LANG / 'hosts']),   # vars_files named with host variables
    ('inventory_order.yml', ['-f', '1', '-i', LANG / 'nested_hosts']),   # all's host order, add_host, group_names
    ('missing_files.yml', []),          # files not found: where each action looked and its wording
    ('raw.yml', ['-v']),                # raw and the environment keyword
    ('raw.yml', ['--check']),           # raw never runs under --check
    ('include_conditions.yml', []),     # a block's `when` on its includes and the tasks they bring in
    ('conditional_errors.yml', []),     # a conditional's errors worded and placed as 2.19 does; markers and operators
    ('loop_errors.yml', []),            # loop, label, with_ lookup, template and task name errors as 2.19 reports them
    ('role_names.yml', []),             # listed, imported and included roles in ansible_play_role_names
    ('role_libraries.yml', ['-v']),     # roles' library/ in load order, for the rest of the run
    ('role_names.yml', ['--list-tasks']),   # unnamed role tasks go by their action
    ('role_names.yml', ['--list-tags']),    # `never` tasks' tags listed
    ('module_utils.yml', []),           # module_utils/ beside the playbook and in a role
    ('play_hosts.yml', ['-f', '1', '-i', LANG / 'hosts']),   # the deprecated play_hosts warned about at each place, before the first result
    ('big_ints.yml', []),               # ints past 64 bits: literals, arithmetic, int(base=16), a module's round trip
    ('tuples.yml', []),                 # tuples inside a template, lists once finalised; groupby's warning where it is held
    pytest.param('binary.yml', [], marks=LIBRARY_219),   # YAML's !!binary as Python bytes: output, operators, filters, modules, copy, 2.19's arg specs
    pytest.param('respawn.yml', [], marks=LIBRARY_219),                # respawn_module once, twice (refused); a module is its own __main__
    ('controller_vars.yml', []),        # rlimit_nofile; variables the controller reads that do not render
    ('run_command.yml', []),            # run_command's umask reaches the command (Popen's own umask in the agent)
    pytest.param('core_targets.yml', [], marks=LIBRARY_219),           # what ansible-core's own targets check beyond the sample: k=v keys,
                                        # lazy dicts, magic connection vars, ini/csvfile/config lookups,
                                        # old-style and WANT_JSON modules, split_args, ActionBase's checks
])
def test_output_matches_ansible(book, args):
    # One stream: a warning must fall between the same lines as ansible-playbook's.
    theirs, ours = (f(LANG / book, *args, merged=True) for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 0, ours.stdout
    assert ours.stdout == theirs.stdout


def test_handler_notices_at_vv_as_ansible():
    """-vv's handler lines: notifications saved (per loop item), NOTIFIED HANDLER at the flush
    (before the META line of an explicit one) and at once when a handler notifies another. The
    version header before the banner is each tool's own."""
    theirs, ours = (f(LANG / 'handler_notices.yml', '-vv') for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    body = lambda out: out[out.index('PLAYBOOK:'):]
    assert body(ours.stdout) == body(theirs.stdout)
    assert ours.stdout.startswith('swansible-playbook ') and 'NOTIFIED HANDLER chained for localhost' in ours.stdout


def test_task_timeout_setting_as_ansible():
    """TASK_TIMEOUT (ANSIBLE_TASK_TIMEOUT) is the timeout keyword's default: the task without a
    timeout of its own stops at it, the one with its own keeps it."""
    env = {'ANSIBLE_TASK_TIMEOUT': '1'}
    theirs, ours = (f(LANG / 'task_timeout.yml', env=env) for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '"msg": "Task failed: Timed out after 1 second(s)."' in ours.stdout


def test_no_log_hides_results_as_ansible(tmp_path):
    """no_log on tasks, loop items (templated), blocks and plays, include_vars of a vaulted file:
    the same -v transcript, JSON report and log as ansible-playbook, none holding the secrets."""
    import re
    normal = lambda out: re.sub(r'"(start|end|delta|duration)": ("[^"]*"|\{[^}]*\})', r'"\1": T', out)
    args = (LANG / 'no_log.yml', '--vault-password-file', FIXTURES / 'vault' / 'default.pass')
    secrets = re.compile(r'hidden-secret-[2-5]|s3cr3t')
    theirs, ours = ansible_playbook(*args, '-v'), swansible_playbook(*args, '-v')
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert normal(ours.stdout) == normal(theirs.stdout)
    assert not secrets.search(ours.stdout + ours.stderr)
    assert 'registered whole: hidden-secret-1' in ours.stdout   # the registered result is whole
    # The JSON report (ansible.posix's callback, which needs the collection present) and the log.
    (tmp_path / 'ansible_collections' / 'ansible' / 'posix').mkdir(parents=True)
    env = {'ANSIBLE_STDOUT_CALLBACK': 'json', 'ANSIBLE_COLLECTIONS_PATH': str(tmp_path),
           'ANSIBLE_LOG_PATH': str(tmp_path / 'run.log')}
    reported = swansible_playbook(*args, env=env)
    assert reported.returncode == 0, reported.stdout + reported.stderr
    assert '"censored": "the output has been hidden' in reported.stdout and not secrets.search(reported.stdout)
    log = (tmp_path / 'run.log').read_text()
    assert 'censored' in log and not secrets.search(log)


def test_max_fail_percentage_and_order_as_ansible():
    """One fork, so hosts report in order: the same transcript, the third play never reached, exit 2."""
    import re
    args = ('-f', '1', '-i', LANG / 'hosts', LANG / 'max_fail.yml')
    theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
    normal = lambda out: re.sub(r'"(start|end|delta)": "[^"]*"', r'"\1": "T"', out)
    assert theirs.returncode == ours.returncode == 2
    assert normal(ours.stdout) == normal(theirs.stdout)
    assert 'never reached' not in ours.stdout and ours.stdout.count('NO MORE HOSTS LEFT') == 2


def test_hosts_failed_in_an_earlier_play_stay_in_its_batches():
    args = ('-f', '1', '-i', LANG / 'hosts', LANG / 'failed_before.yml')
    theirs, ours = ansible_playbook(*args), swansible_playbook(*args)
    assert theirs.returncode == ours.returncode == 2
    assert ours.stdout == theirs.stdout
    assert "['h1', 'h3'] ['h1', 'h2', 'h3'] ['h1']" in ours.stdout


def test_results_come_in_the_hosts_order():
    """Hosts run side by side, yet each task's results come in inventory order, the quick ones
    (a skip, a controller action) before module runs, as Ansible's forks nearly always show them."""
    ours = swansible_playbook('-i', LANG / 'hosts', LANG / 'host_order.yml')
    assert ours.returncode == 0, ours.stdout + ours.stderr
    lines = [l.split(' =>')[0] for l in ours.stdout.splitlines() if l.startswith(('ok:', 'changed:', 'skipping:'))]
    assert lines == ['ok: [h1]', 'ok: [h2]', 'ok: [h3]'] * 6 + ['skipping: [h1]', 'skipping: [h3]', 'changed: [h2]']


def test_jsonfile_fact_cache_outlives_the_run(tmp_path):
    outputs = []
    for tool, run in (('ansible', ansible_playbook), ('swansible', swansible_playbook)):
        cache = tmp_path / tool
        env = {'ANSIBLE_CACHE_PLUGIN': 'jsonfile', 'ANSIBLE_CACHE_PLUGIN_CONNECTION': str(cache),
               'ANSIBLE_CACHE_PLUGIN_PREFIX': 'pre_'}
        first = run(LANG / 'fact_cache_set.yml', env=env)
        second = run(LANG / 'fact_cache_read.yml', env=env)
        assert first.returncode == second.returncode == 0, second.stdout + second.stderr
        assert [p.name for p in cache.iterdir()] == ['pre_s1_localhost']   # 2.19's schema-1 file name
        payload = json.loads(json.loads((cache / 'pre_s1_localhost').read_text())['__payload__'])
        color = payload['cached_color']
        assert (color['value'] if isinstance(color, dict) else color) == 'blue'   # Ansible keeps the value's tags
        flushed = run('--flush-cache', LANG / 'fact_cache_read.yml', env=env)
        assert not (cache / 'pre_s1_localhost').exists()
        outputs.append((second.stdout, flushed.stdout))
    assert outputs[0] == outputs[1]
    assert '"cached_color": "blue"' in outputs[1][0]


@pytest.mark.parametrize('args,env', [
    (['--diff'], {}),
    (['--diff', '--check'], {'ANSIBLE_CHECK_MODE_MARKERS': '1'}),
    ([], {'ANSIBLE_CALLBACK_RESULT_FORMAT': 'yaml'}),
    (['-v'], {'ANSIBLE_CALLBACK_RESULT_FORMAT': 'yaml'}),
    ([], {'ANSIBLE_DISPLAY_FAILED_STDERR': '1', 'ANSIBLE_SHOW_TASK_PATH_ON_FAILURE': '1'}),
    ([], {'ANSIBLE_SHOW_PER_HOST_START': '1', 'ANSIBLE_VERBOSITY': '1'}),
    (['-v'], {'ANSIBLE_DISPLAY_ARGS_TO_STDOUT': '1', 'ANSIBLE_VERBOSE_TO_STDERR': '1'}),
    (['--diff'], {'ANSIBLE_MAX_DIFF_SIZE': '10'}),
])
def test_default_callback_options_as_ansible(args, env):
    """--diff (difflib's hunks, copy's controller-side diff), check markers and DRY RUN, YAML
    results, failures on stderr with their task path: the same transcript as ansible-playbook."""
    import re
    def normal(out):   # times, and the temporary path an upload had
        out = re.sub(r'(start|end|delta)("?): [\'"]?[0-9:. -]+[\'"]?', r'\1\2: T', out)
        return re.sub(r'[^\s"]*/\.source(\.\w+)?', '.source', out)
    theirs = ansible_playbook(LANG / 'output.yml', *args, env=env)
    ours = swansible_playbook(LANG / 'output.yml', *args, env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert normal(ours.stdout) == normal(theirs.stdout)
    assert normal(ours.stderr) == normal(theirs.stderr)


@pytest.mark.parametrize('start', ['start here', 'start*', 'nothing matches'])
def test_start_at_task_as_ansible(start):
    """Earlier tasks (and plays) pass silently; an unmatched name is Ansible's error after the recap."""
    theirs = ansible_playbook(LANG / 'start_at.yml', '--start-at-task', start)
    ours = swansible_playbook(LANG / 'start_at.yml', '--start-at-task', start)
    assert theirs.returncode == ours.returncode == 0
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)


@pytest.mark.parametrize('strategy', ['free', 'host_pinned'])
def test_non_lockstep_strategies_as_ansible(strategy):
    """Hosts paced 0 s and 4 s apart (far more than either tool's own time per task) report in the
    same order, banners and all."""
    args, env = ('-i', LANG / 'free_hosts', LANG / 'free.yml'), {'ANSIBLE_STRATEGY': strategy}
    theirs, ours = ansible_playbook(*args, env=env), swansible_playbook(*args, env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stdout.count('TASK [first]') == 2 and 'swansible runs' not in ours.stderr


@pytest.mark.parametrize('book,log_verbosity', [('task_names.yml', None), ('roles_runtime.yml', '2')])
def test_log_path_writes_the_log_ansible_writes(tmp_path, book, log_verbosity):
    """ANSIBLE_LOG_PATH: one record per message (INFO, WARNING with [WARNING], ERROR blocks), the
    same text as ansible-playbook's logging lines once the time and pid are set aside. With
    ANSIBLE_LOG_VERBOSITY the log alone gets Display's -v lines up to that level (the version
    header, each tool's own, set aside)."""
    import re
    logs = []
    env = {'ANSIBLE_LOG_VERBOSITY': log_verbosity} if log_verbosity else {}
    for tool, run in (('ansible', ansible_playbook), ('swansible', swansible_playbook)):
        log = tmp_path / f'{tool}.log'
        out = run(LANG / book, env={'ANSIBLE_LOG_PATH': str(log), **env})
        assert out.returncode == 0, out.stdout + out.stderr
        assert 'plays in' not in out.stdout
        text = re.sub(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} p=\d+ ', '', log.read_text(), flags=re.M)
        logs.append(re.sub(r'^(u=\w+ n=ansible INFO\| )\S*ansible-playbook .*\n(  .*\n)*', r'\1(version)\n', text, flags=re.M))
    assert logs[0] == logs[1]
    if log_verbosity:
        assert 'INFO| 1 plays in ' in logs[1] and 'INFO| (version)' in logs[1] and "INFO| Skipping callback 'minimal'" in logs[1]
    else:
        assert ' n=ansible WARNING| [WARNING]: ' in logs[1] and ' n=ansible ERROR| [ERROR]: ' in logs[1]


@pytest.mark.parametrize('book', ['output.yml', 'roles_runtime.yml', 'task_names.yml'])
def test_junit_report_as_ansible(tmp_path, book):
    """ANSIBLE_CALLBACKS_ENABLED=junit: the same JUnit XML (test cases per task and host, include
    records, failures and skips), once durations and temp paths are set aside."""
    import re
    reports = []
    for tool, run in (('ansible', ansible_playbook), ('swansible', swansible_playbook)):
        out_dir = tmp_path / tool
        run(LANG / book, env={'ANSIBLE_CALLBACKS_ENABLED': 'junit', 'JUNIT_OUTPUT_DIR': str(out_dir)})
        [report] = out_dir.iterdir()
        assert report.name.startswith(book[:-4] + '-') and report.suffix == '.xml'
        text = re.sub(r'time="[0-9.]+"', 'time="T"', report.read_text())
        reports.append(re.sub(r'&quot;(src|start|end|delta)&quot;: &quot;[^&]*&quot;', r'\1', text))
    assert reports[0] == reports[1]
    assert '<testcase classname=' in reports[1]


@LIBRARY_219
def test_role_argument_specs_as_ansible():
    """The validation task of roles with argument specs (passing, failing with each error, the
    action on its own), a reserved variable name warned, and the playbook ending once every host
    of a play failed (exit 2)."""
    theirs, ours = ansible_playbook(LANG / 'argument_specs.yml'), swansible_playbook(LANG / 'argument_specs.yml')
    assert theirs.returncode == ours.returncode == 2, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert "Validating arguments against arg spec 'other'" in ours.stdout
    assert 'value of mood must be one of: happy, calm, got: angry' in ours.stdout
    assert 'PLAY [port is a keyword' not in ours.stdout


@pytest.mark.parametrize('env', [{}, {'ANSIBLE_SHOW_CUSTOM_STATS': '1'}])
def test_set_stats_as_ansible(env):
    """set_stats added up or set, per host and for the run; CUSTOM STATS after the recap when asked."""
    theirs, ours = ansible_playbook(LANG / 'set_stats.yml', env=env), swansible_playbook(LANG / 'set_stats.yml', env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert ('RUN: { "info": {  "arch": "x86",  "os": "linux" }, "label": "xy"' in ours.stdout) == bool(env)


def test_wait_for_connection_as_ansible():
    """A live host answers at once; one that never does fails when its timeout is up, with the
    last connection error (elapsed set aside: it is a clock reading)."""
    import re
    args = ('-i', LANG / 'wait_hosts', LANG / 'wait_for_connection.yml')
    theirs, ours = ansible_playbook(*args, env=NO_PIPELINING), swansible_playbook(*args, env=NO_PIPELINING)
    assert theirs.returncode == ours.returncode == 2, ours.stdout + ours.stderr
    elapsed = lambda text: re.sub(r'"elapsed": \d+', '"elapsed": N', text)
    assert elapsed(ours.stdout) == elapsed(theirs.stdout)
    assert 'timed out waiting for ping module test: Failed to connect' in ours.stdout


@pytest.mark.parametrize('callback,code', [('minimal', 2), ('oneline', 2), ('yaml', 1), ('no_such_callback', 1)])
def test_stdout_callbacks_as_ansible(callback, code):
    """stdout_callback minimal and oneline as Ansible prints them; one that cannot be loaded
    (yaml is community.general's, not installed here) stops the run as Ansible does (exit 1)."""
    import re
    env = {'ANSIBLE_STDOUT_CALLBACK': callback}
    theirs, ours = ansible_playbook(LANG / 'compact_output.yml', env=env), swansible_playbook(LANG / 'compact_output.yml', env=env)
    assert theirs.returncode == ours.returncode == code, ours.stdout + ours.stderr
    times = lambda text: re.sub(r'"(start|end|delta)": "[^"]*"', r'"\1": "T"', text)
    assert (times(ours.stdout), ours.stderr) == (times(theirs.stdout), theirs.stderr)
    assert 'PLAY RECAP' not in ours.stdout


def test_callbacks_enabled_without_their_collections_as_ansible():
    """timer and profile_tasks are ansible.posix's: not installed here, both tools skip them with
    the same warnings (as an unknown name), and junit still runs."""
    env = {'ANSIBLE_CALLBACKS_ENABLED': 'nosuch,timer,profile_tasks'}
    theirs, ours = ansible_playbook(LANG / 'environment.yml', env=env), swansible_playbook(LANG / 'environment.yml', env=env)
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert "Skipping callback plugin 'timer', unable to load" in ours.stderr


def test_timer_and_profile_tasks_when_ansible_posix_is_installed(tmp_path):
    """With an ansible.posix collection on the collections path, the timer's PLAYBOOK RECAP and
    profile_tasks' time lines and TASKS RECAP appear as those plugins print them (their figures
    are clock readings; compared against ansible-core 2.19 with ansible.posix by hand, see the notes)."""
    import re
    (tmp_path / 'ansible_collections' / 'ansible' / 'posix' / 'plugins' / 'callback').mkdir(parents=True)
    env = {'ANSIBLE_CALLBACKS_ENABLED': 'timer,profile_tasks', 'ANSIBLE_COLLECTIONS_PATH': str(tmp_path),
           'PROFILE_TASKS_SORT_ORDER': 'none'}
    out = swansible_playbook(LANG / 'environment.yml', env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    stamp = r'\w+day \d\d \w+ \d{4}  \d\d:\d\d:\d\d [+-]\d{4} \(\d:\d\d:\d\d\.\d{3}\)       \d:\d\d:\d\d\.\d{3} \*+ $'
    banner = lines.index('TASK [shell] ' + '*' * (79 - len('TASK [shell]')))
    assert re.match(stamp, lines[banner + 1])
    assert re.search(r'PLAYBOOK RECAP \*+\nPlaybook run took 0 days, 0 hours, 0 minutes, \d+ seconds\n', out.stdout)
    recap = lines.index('TASKS RECAP ' + '*' * (79 - len('TASKS RECAP')))
    assert re.match(stamp, lines[recap + 1]) and lines[recap + 2] == '=' * 79 + ' '
    rows = [l for l in lines[recap + 3:] if l.startswith('shell ')]
    assert len(rows) == 2 and all(re.match(r'shell -+ \d+\.\d\ds$', r) and len(r) == 79 for r in rows), rows


def test_json_stdout_callback(tmp_path):
    """stdout_callback=json (ansible.posix.json): without the collection it stops as Ansible does;
    with it, one document of plays, tasks, host results and stats (compared field by field
    against ansible-core 2.19 with ansible.posix by hand, see the notes; times and ids differ)."""
    env = {'ANSIBLE_STDOUT_CALLBACK': 'json'}
    theirs, ours = ansible_playbook(LANG / 'compact_output.yml', env=env), swansible_playbook(LANG / 'compact_output.yml', env=env)
    assert theirs.returncode == ours.returncode == 1 and ours.stderr == theirs.stderr
    (tmp_path / 'ansible_collections' / 'ansible' / 'posix').mkdir(parents=True)
    out = swansible_playbook(LANG / 'compact_output.yml', env={**env, 'ANSIBLE_COLLECTIONS_PATH': str(tmp_path)})
    assert out.returncode == 2, out.stdout + out.stderr
    doc = json.loads(out.stdout)
    assert doc['stats'] == {'localhost': {'changed': 2, 'failures': 1, 'ignored': 1, 'ok': 4, 'rescued': 0, 'skipped': 1, 'unreachable': 0}}
    tasks = doc['plays'][0]['tasks']
    assert [t['task']['name'] for t in tasks] == ['command', 'debug', 'command', 'debug', 'debug', 'fail']
    assert tasks[1]['hosts']['localhost'] == {'_ansible_no_log': False, '_ansible_verbose_always': True, 'action': 'debug',
                                              'changed': False, 'msg': 'hi'}
    loop = tasks[3]['hosts']['localhost']
    assert loop['msg'] == 'All items completed' and [r['item'] for r in loop['results']] == [1, 2]
    assert tasks[5]['hosts']['localhost']['failed'] is True and tasks[4]['hosts']['localhost']['skipped'] is True
    assert doc['plays'][0]['play']['path'].endswith('compact_output.yml:3')


def test_step_as_ansible():
    """--step answered y, n, c: the prompts and their banners, the second task skipped, no more
    questions after `c`."""
    theirs = ansible_playbook('--step', LANG / 'step.yml', input_text='y\nn\nc\n')
    ours = swansible_playbook('--step', LANG / 'step.yml', input_text='y\nn\nc\n')
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '"msg": "two"' not in ours.stdout and '"msg": "four"' in ours.stdout


def test_inventory_literals_and_hash_merge_as_ansible():
    """ini values read as Python literals (bytes, sets, Ellipsis); hash_behaviour=merge combining
    dicts across inventory sources and the play; a missing source warned about, not fatal."""
    args = ('-i', LANG / 'literals.ini', '-i', LANG / 'merge.ini', '-i', '/nonexistent/inventory', LANG / 'hash_merge.yml')
    for behaviour in ('merge', 'replace'):
        env = {'ANSIBLE_HASH_BEHAVIOUR': behaviour}
        theirs, ours = ansible_playbook(*args, env=env), swansible_playbook(*args, env=env)
        assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
        assert 'Unable to parse /nonexistent/inventory as an inventory source' in ours.stderr


def test_smart_gathering_gathers_once_per_host(tmp_path):
    outputs = []
    for tool, run in (('ansible', ansible_playbook), ('swansible', swansible_playbook)):
        env = {'ANSIBLE_GATHERING': 'smart', 'ANSIBLE_CACHE_PLUGIN': 'jsonfile', 'ANSIBLE_CACHE_PLUGIN_CONNECTION': str(tmp_path / tool)}
        first = run(LANG / 'smart_gathering.yml', env=env)
        cached = run(LANG / 'smart_gathering.yml', env=env)   # the cache already has them
        assert first.returncode == cached.returncode == 0, first.stdout + first.stderr
        assert first.stdout.count('TASK [Gathering Facts]') == 1 and 'Gathering Facts' not in cached.stdout
        outputs.append((first.stdout, cached.stdout))
    assert outputs[0] == outputs[1]


@LIBRARY_219
def test_tagged_module_values_read_as_values(tmp_path):
    # ansible-playbook also warns when a deprecated value is used (not yet: values only).
    out = tmp_path / 'values.json'
    r = swansible_playbook(LANG / 'tagged_values.yml', '-e', f'out={out}')
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(out.read_text()) == {'old': 'an old thing', 'three': 4}


def test_a_missing_handler_ends_the_run_even_with_forced_handlers():
    for args in ([], ['--force-handlers']):
        theirs, ours = ansible_playbook(LANG / 'missing_handler.yml', *args), swansible_playbook(LANG / 'missing_handler.yml', *args)
        assert theirs.returncode == ours.returncode == 1
        assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
        assert 'never runs' not in ours.stdout


@pytest.mark.parametrize('what', ['file', 'role'])
def test_an_include_that_does_not_load_fails_the_host_as_ansible(what):
    """ignore_errors does not cover an include whose file or role is missing: the host fails (rc 2)."""
    book = LANG / 'include_missing.yml'
    theirs, ours = ansible_playbook(book, '-e', f'what={what}'), swansible_playbook(book, '-e', f'what={what}')
    assert theirs.returncode == ours.returncode == 2, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert 'second play' not in ours.stdout and 'failed=1' in ours.stdout


@LIBRARY_219
def test_module_serialization_profiles_as_ansible(tmp_path):
    """2.19's experimental module metadata (`_ANSIBLE_MODULE_METADATA`): a module whose METADATA
    names the `modern` profile gets dates and times as such and gives them back so; a legacy one
    (or any, with the setting off) has them as text."""
    (tmp_path / 'library').mkdir()
    echo = ('from ansible.module_utils.basic import AnsibleModule\n\n\ndef main():\n'
            "    m = AnsibleModule(argument_spec=dict(data=dict(type='raw')))\n"
            "    m.exit_json(data=m.params['data'], kinds=sorted('%s=%s' % (k, type(v).__name__) for k, v in m.params['data'].items()))\n\n\n"
            "main()\n")
    (tmp_path / 'library' / 'echo_modern.py').write_text('METADATA = """\nschema_version: 1\nserialization_profile: modern\n"""\n' + echo)
    (tmp_path / 'library' / 'echo_legacy.py').write_text(echo)
    (tmp_path / 'site.yml').write_text(
        '- hosts: localhost\n  gather_facts: false\n  vars:\n    data:\n      date: 2024-01-02\n      time: "{{ data.datetime.time() }}"\n'
        '      datetime: 2024-01-02T03:04:05\n      zoned: 2024-01-02 03:04:05.5+02:00\n      n: 1\n  tasks:\n'
        '    - echo_modern: {data: "{{ data }}"}\n      register: m\n'
        '    - echo_legacy: {data: "{{ data }}"}\n      register: l\n'
        '    - debug:\n        msg: "{{ m.kinds }} {{ m.data.values() | map(\'type_debug\') }} {{ m.data.zoned }} {{ l.kinds }} {{ l.data.values() | map(\'type_debug\') }}"\n')
    for on in ('1', '0'):
        env = {'_ANSIBLE_MODULE_METADATA': on}
        args = [tmp_path / 'site.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3']
        ours, theirs = swansible_playbook(*args, env=env, cwd=tmp_path), ansible_playbook(*args, env=env, cwd=tmp_path)
        assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
        assert ours.stdout == theirs.stdout
    assert "['date=str', 'datetime=str', 'n=int', 'time=str', 'zoned=str']" in ours.stdout


CUSTOM_COLORS = {'ANSIBLE_COLOR_OK': 'bright green', 'ANSIBLE_COLOR_CHANGED': 'color208', 'ANSIBLE_COLOR_ERROR': 'rgb500',
                 'ANSIBLE_COLOR_SKIP': 'gray12', 'ANSIBLE_COLOR_DIFF_ADD': 'bright blue', 'ANSIBLE_COLOR_DIFF_REMOVE': 'magenta',
                 'ANSIBLE_COLOR_DIFF_LINES': 'white', 'ANSIBLE_COLOR_VERBOSE': 'bright cyan', 'ANSIBLE_COLOR_INCLUDED': 'yellow'}


@pytest.mark.parametrize('book,args,colors', [
    ('loop_errors.yml', [], {}),            # [ERROR] blocks, fatal lines, skips, ok and changed
    ('output.yml', ['-v'], {}),             # results at -v, the config file line
    ('handler_notices.yml', ['-vv'], {}),   # -vv's verbose lines and task paths
    ('conditional_errors.yml', ['-vv'], {}),   # `statically imported:` before the callback lines
    ('output.yml', ['-v', '--diff'], CUSTOM_COLORS),   # the [colors] settings: names, colorN, rgbRGB, grayN
    ('loop_errors.yml', [], CUSTOM_COLORS),
])
def test_colors_as_ansible(book, args, colors):
    """With colors forced, each line colored as Display colors it (every line of a message on its
    own): results, [ERROR] blocks, -v and -vv lines in their colors, in the colors the
    configuration chose. Each tool's own version block at -vv aside."""
    env = {'ANSIBLE_FORCE_COLOR': '1', 'ANSIBLE_NOCOLOR': '0', **colors}
    theirs, ours = (f(LANG / book, *args, env=env) for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    body = (lambda out: out[out.index('No config file'):]) if '-vv' in args else (lambda out: out)
    masked = lambda out: re.sub(r'"(delta|end|start|src)": "[^"]*"', '', body(out))
    assert (masked(ours.stdout), ours.stderr) == (masked(theirs.stdout), theirs.stderr)
    assert '\x1b[0;31m[ERROR]' in ours.stdout + ours.stderr or '\x1b[0;34m' in ours.stdout or colors
    if colors:
        assert '\x1b[38;5;' in ours.stdout


FAKE_COWSAY = """#!/bin/sh
# cowsay's interface as Display uses it: -l lists the stencils, else -W 60 [-f cow] message.
[ "$1" = -l ] && { [ -n "$COWS_FAIL" ] && exit 1; printf 'Cow files in /cows:\\nmoose tux\\n'; exit 0; }
shift 2
cow=none
[ "$1" = -f ] && { cow=$2; shift 2; }
printf ' ____\\n< %s >\\n  (%s)\\n' "$1" "$cow"
"""


def test_banners_drawn_by_cowsay_as_ansible(tmp_path):
    """Where cowsay is installed (here named by cowpath), every banner is its drawing: the
    stencil cow_selection names, `random` among the accepted ones `cowsay -l` lists, `TASK x:
    [y]` said without brackets. nocows, or a cowsay whose -l fails, gives stars."""
    cowsay = tmp_path / 'cowsay'
    cowsay.write_text(FAKE_COWSAY)
    cowsay.chmod(0o755)
    env = {'ANSIBLE_NOCOWS': '0', 'ANSIBLE_COW_PATH': str(cowsay), 'ANSIBLE_COW_SELECTION': 'random',
           'ANSIBLE_COW_ACCEPTLIST': 'tux,nosuch', 'ANSIBLE_CHECK_MODE_MARKERS': '1'}
    theirs, ours = (f(LANG / 'task_names.yml', '--check', env=env) for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 0, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert '< PLAY [localhost] [CHECK MODE] >\n  (tux)\n' in ours.stdout and '< TASK cows: say this]] CHECK MODE >' in ours.stdout
    assert '< DRY RUN >' in ours.stdout and '****' not in ours.stdout
    for more in ({'ANSIBLE_COW_SELECTION': 'moose'}, {'ANSIBLE_NOCOWS': '1'}, {'COWS_FAIL': '1'}):
        out = swansible_playbook(LANG / 'task_names.yml', env={**env, **more}).stdout
        if 'ANSIBLE_COW_SELECTION' in more:
            assert '< PLAY [localhost] >\n  (moose)\n' in out
        else:
            assert 'PLAY [localhost] ****' in out and ' ____' not in out


def test_until_out_of_attempts_as_ansible(tmp_path):
    """A result that `until` alone fails is the action's failure ([ERROR] "Action failed", even
    for a module whose own result was fine), and each retry's result carries `retries`; a
    negative delay waits no time rather than stopping the run."""
    (tmp_path / 'site.yml').write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n'
        '    - debug: {msg: hi}\n      until: false\n      retries: 2\n      delay: 0\n      ignore_errors: true\n'
        '    - command: echo hi\n      until: false\n      retries: 1\n      delay: -5\n      ignore_errors: true\n'
        '    - set_fact: {x: 1}\n      until: false\n      retries: 1\n      delay: 0\n      register: sf\n      ignore_errors: true\n'
        '    - debug: {var: sf}\n')
    args = [tmp_path / 'site.yml', '-v', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = swansible_playbook(*args, cwd=tmp_path), ansible_playbook(*args, cwd=tmp_path)
    masked = lambda out: re.sub(r'"(delta|end|start)": "[^"]*"', '', out)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert masked(ours.stdout) == masked(theirs.stdout)
    assert '"retries": 3' in ours.stdout and '[ERROR]: Task failed: Action failed: hi' in ours.stdout
    assert '[ERROR]: Task failed: Action failed.\n' in ours.stdout


@pytest.mark.parametrize('method', ['nonexistent', 'ansible.builtin.sudo'])
def test_become_method_resolved_as_ansible(tmp_path, method):
    """A fully qualified become method is the plugin's short one; a name no plugin has fails the
    task with Ansible's words (swansible said "agent error in spawn")."""
    (tmp_path / 'site.yml').write_text(
        f'- hosts: localhost\n  gather_facts: false\n  become: true\n  become_method: {method}\n  tasks:\n'
        '    - command: id -u\n      register: r\n    - debug: {var: r.stdout}\n')
    args = [tmp_path / 'site.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = swansible_playbook(*args, cwd=tmp_path), ansible_playbook(*args, cwd=tmp_path)
    assert ours.returncode == theirs.returncode
    assert re.sub(r'"(delta|end|start)": "[^"]*"', '', ours.stdout) == re.sub(r'"(delta|end|start)": "[^"]*"', '', theirs.stdout)


def test_retries_without_until_and_default_no_log_as_ansible(tmp_path):
    """`retries` alone retries until the task does not fail; ANSIBLE_NO_LOG (DEFAULT_NO_LOG) hides
    every task that does not say `no_log` itself."""
    (tmp_path / 'site.yml').write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n'
        '    - fail: {msg: again}\n      retries: 2\n      delay: 0\n      register: r\n      ignore_errors: true\n'
        '    - command: /bin/true\n      retries: 2\n      delay: 0\n      register: t\n'
        '    - debug: {msg: "{{ r.attempts }} {{ t.attempts }} {{ t.changed }}"}\n      no_log: false\n'
        '    - debug: {msg: secret}\n'
        '    - debug: {msg: "{{ item }}"}\n      loop: [1, 2]\n')
    args = [tmp_path / 'site.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    env = {'ANSIBLE_NO_LOG': '1'}
    ours, theirs = swansible_playbook(*args, env=env, cwd=tmp_path), ansible_playbook(*args, env=env, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert ours.stdout == theirs.stdout
    assert '"msg": "2 1 True"' in ours.stdout and 'secret' not in ours.stdout
    assert ours.stdout.count('(item=(censored due to no_log))') == 2 and ours.stdout.count('the output has been hidden') == 1


KEYWORD_TYPE_TASKS = '''- hosts: localhost
  gather_facts: false
  vars: {n: "2"}
  tasks:
    - command: "true"
      retries: "{{ n }}"
      delay: " 0.0 "
      timeout: 10.0
      until: true
    - debug: {msg: one}
      retries: abc
      ignore_errors: true
    - debug: {msg: two}
      delay: abc
      ignore_errors: " yes "
    - debug: {msg: three}
      timeout: 1.5
      ignore_errors: true
    - debug: {msg: skipped}
      when: false
      retries: abc
    - debug: {msg: four}
      retries: "{{ nosuch }}"
      ignore_errors: true
    - debug: {msg: five}
      ignore_errors: "{{ omit }}"
    - debug: {msg: six}
      no_log: perhaps
      ignore_errors: true
    - block:
        - debug: {msg: seven}
      run_once: sometimes
      ignore_errors: true
    - debug: {msg: "{{ item }}"}
      loop: [1]
      loop_control: {pause: abc}
      ignore_errors: true
    - debug: {msg: eight}
      environment: abc
    - debug: {msg: nine}
      until: {a: 1}
      ignore_errors: true
    - include_role: {name: r, public: maybe}
      ignore_errors: true
    - debug: {msg: ten}
      register: when
'''


def test_keyword_values_checked_per_host_as_ansible(tmp_path):
    """Task.post_validate on each host: every keyword that applies rendered and converted to its
    type after `when` (a bad one fails the task with 2.19's three-part error; `omit` gives way),
    loop_control before the first item; swansible ran such tasks as if the keyword were fine."""
    (tmp_path / 'site.yml').write_text(KEYWORD_TYPE_TASKS)
    (tmp_path / 'roles' / 'r' / 'tasks').mkdir(parents=True)
    (tmp_path / 'roles' / 'r' / 'tasks' / 'main.yml').write_text('- debug: {msg: in r}\n')
    args = [tmp_path / 'site.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = swansible_playbook(*args, cwd=tmp_path), ansible_playbook(*args, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert "The value 'abc' could not be converted to 'int'." in ours.stdout
    assert 'could not parse environment value, skipping' in ours.stderr


@pytest.mark.parametrize('play', [
    '- hosts: localhost\n  gather_facts: false\n  max_fail_percentage: abc\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: sometimes\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: false\n  force_handlers: "{{ nosuch }}"\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: false\n  max_fail_percentage: -5\n  tasks:\n    - debug: {msg: hi}\n    - debug: {msg: never}\n',
    '- hosts: localhost\n  gather_facts: false\n  order: weird\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: false\n  strategy: nosuch\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: {a: 1}\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: false\n  vars_files: {a: 1}\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: false\n  tags: 5\n  tasks:\n    - debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n      vars: [1]\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_role: {name: r}\n      vars: [1]\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n      loop_control: abc\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n      register: [1]\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks: other.yml\n      throttle: 1\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n      listen: topic\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n      module_defaults: [1]\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n      collections: 5\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: [1, 2]\n      debug: {msg: hi}\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: id\n      become_user: [root]\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - import_role: {name: r, public: maybe}\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - block:\n    - debug: {msg: end}\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - block:\n        - debug: {msg: x}\n      rescue: abc\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug\n    - debug: {msg: end}\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - meta: [flush_handlers]\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - action: 5\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - import_tasks: {a: 1}\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks: []\n  handlers:\n    - debug: {msg: h}\n      listen: {a: 1}\n',
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {msg: hi}\n    - block:\n        - meta: end_role\n',
    '- hosts: localhost\n  gather_facts: false\n  roles: [r]\n  handlers:\n    - name: stop\n      meta: end_role\n',
], ids=['mfp', 'gather_facts', 'undefined', 'negative_mfp', 'order', 'strategy', 'hosts', 'vars_files', 'tags',
        'vars', 'include_vars', 'loop_control', 'register', 'include_keyword', 'listen', 'module_defaults', 'collections',
        'string_field', 'become_user', 'import_role', 'block_empty', 'rescue', 'task_text', 'module_value', 'action_value',
        'import_options', 'listen_items', 'end_role_outside', 'end_role_handler'])
@pytest.mark.parametrize('mode', [[], ['--syntax-check']], ids=['run', 'syntax'])
def test_play_and_load_errors_as_ansible(tmp_path, play, mode):
    """What Ansible refuses before a play runs (Play.post_validate, its field loaders, a strategy
    or an order it has not got, an include's keywords) with its words and exit code; swansible
    ran most of them, or stopped with another code."""
    (tmp_path / 'site.yml').write_text(play)
    (tmp_path / 'other.yml').write_text('- debug: {msg: other}\n')
    (tmp_path / 'roles' / 'r' / 'tasks').mkdir(parents=True)
    (tmp_path / 'roles' / 'r' / 'tasks' / 'main.yml').write_text('- debug: {msg: in r}\n')
    args = [tmp_path / 'site.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3', *mode]
    ours, theirs = swansible_playbook(*args, cwd=tmp_path), ansible_playbook(*args, cwd=tmp_path)
    assert ours.returncode == theirs.returncode
    assert mode or ours.returncode != 0
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)


def test_serial_size_int_refuses_ends_the_run(tmp_path):
    """A `serial` size Python's int() refuses is ansible-playbook's "Unexpected Exception" (exit
    250, before the banner); swansible ran the play as one batch."""
    (tmp_path / 'site.yml').write_text('- hosts: localhost\n  gather_facts: false\n  serial: [1, "abc%"]\n'
                                       '  tasks:\n    - debug: {msg: hi}\n')
    (tmp_path / 'bad.yml').write_text('- hosts: localhost\n  gather_facts: false\n  serial: abc\n'
                                      '  tasks:\n    - debug: {msg: hi}\n')
    ours = swansible_playbook(tmp_path / 'site.yml', '-c', 'local', cwd=tmp_path)
    assert ours.returncode == 0 and 'ok: [localhost]' in ours.stdout   # a later size is never reached
    ours, theirs = (run(tmp_path / 'bad.yml', '-c', 'local', cwd=tmp_path) for run in (swansible_playbook, ansible_playbook))
    assert ours.returncode == theirs.returncode == 250
    assert 'PLAY [' not in ours.stdout
    line = "[ERROR]: Unexpected Exception, this is probably a bug: invalid literal for int() with base 10: 'abc'"
    assert line in ours.stderr and line in theirs.stderr


def test_unsafe_free_form_text_is_not_templated(tmp_path):
    """`!unsafe` free-form text is an action's arguments like any text, its words never templated
    (the loader's check of an action's value type must let it through)."""
    (tmp_path / 'site.yml').write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n'
        '    - command: !unsafe "echo {{ x }}"\n      register: r\n    - debug: var=r.stdout\n'
        '    - debug: !unsafe "msg={{ y }}"\n')
    args = [tmp_path / 'site.yml', '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = swansible_playbook(*args, cwd=tmp_path), ansible_playbook(*args, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0
    masked = lambda out: re.sub(r'"(delta|end|start)": "[^"]*"', '', out)
    assert masked(ours.stdout) == masked(theirs.stdout)
    assert '"r.stdout": "{{ x }}"' in ours.stdout and '"msg": "{{ y }}"' in ours.stdout


FACT_MODULE = '''from ansible.module_utils.basic import AnsibleModule
module = AnsibleModule({})
{body}
'''


def test_failed_fact_modules_as_sub_events(tmp_path):
    """gather_facts with two fact modules that fail: 2.19's error block gives each module's error
    as a Sub-Event under "The following modules failed to execute", in parallel and serially, and
    each failed module's result has the exception place holder (swansible had neither)."""
    (tmp_path / 'library').mkdir()
    for name in ('fail1', 'fail2'):
        (tmp_path / 'library' / f'{name}.py').write_text(FACT_MODULE.replace('{body}', f'module.fail_json("the {name} module went bang")'))
    (tmp_path / 'library' / 'success1.py').write_text(FACT_MODULE.replace('{body}', 'module.exit_json(ansible_facts={"one": 1})'))
    (tmp_path / 'site.yml').write_text('''- hosts: localhost
  gather_facts: no
  vars:
    ansible_facts_modules: [fail1, success1, fail2]
  tasks:
    - gather_facts:
        parallel: '{{ item }}'
      ignore_errors: true
      loop: [true, false]
''')
    args = [tmp_path / 'site.yml', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = swansible_playbook(*args, cwd=tmp_path), ansible_playbook(*args, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    jobs = re.compile(r'"ansible_job_id": "j[0-9.]+"')
    assert jobs.sub('J', ours.stdout) == jobs.sub('J', theirs.stdout)
    assert ('The following modules failed to execute: fail1, fail2.\n\n+--[ Sub-Event 1 of 2 ]---\n| \n| the fail1 module went bang\n'
            '| \n+--[ Sub-Event 2 of 2 ]---\n| \n| the fail2 module went bang\n| \n+--[ End Sub-Event ]---\n\nfailed:') in ours.stdout


def test_any_errors_fatal_from_the_configuration(tmp_path):
    """ANSIBLE_ANY_ERRORS_FATAL is the keyword's default: one host's failure ends the play for
    all; a play that says false keeps going, as with ansible-playbook."""
    (tmp_path / 'hosts').write_text(''.join(f'{h} ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
                                            for h in ('h1', 'h2')))
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - fail: msg=boom\n      when: inventory_hostname == "h1"\n'
                    '    - debug: msg=after\n'
                    '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=second\n')
    for value, after in (('1', False), ('0', True)):
        env = {'ANSIBLE_ANY_ERRORS_FATAL': value}
        ours = swansible_playbook('-i', tmp_path / 'hosts', book, env=env)
        theirs = ansible_playbook('-i', tmp_path / 'hosts', book, env=env)
        assert (ours.returncode, task_blocks(ours.stdout)) == (theirs.returncode, task_blocks(theirs.stdout)) == (2, task_blocks(theirs.stdout))
        assert ('"msg": "after"' in ours.stdout) == after
    # A play's own any_errors_fatal: false wins over the configuration.
    book.write_text(book.read_text().replace('- hosts: all\n  gather_facts: false\n  tasks:\n    - fail', '- hosts: all\n  gather_facts: false\n  any_errors_fatal: false\n  tasks:\n    - fail', 1))
    ours = swansible_playbook('-i', tmp_path / 'hosts', book, env={'ANSIBLE_ANY_ERRORS_FATAL': '1'})
    assert ours.returncode == 2 and '"msg": "after"' in ours.stdout


def test_facts_not_injected_as_variables_when_configured(tmp_path):
    """INJECT_FACTS_AS_VARS off: facts are only `ansible_facts` (and `ansible_local`), while
    set_fact's variables stay variables — the same transcript as ansible-playbook."""
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: true\n  gather_subset: [min]\n  tasks:\n'
                    '    - debug: {msg: "{{ ansible_facts.system }} {{ ansible_system | default(\'undefined\') }} {{ ansible_local }}"}\n'
                    '    - set_fact: {mine: 1}\n    - debug: {msg: "{{ mine }} {{ ansible_python_version is defined }}"}\n')
    for inject in ('False', 'True'):
        env = {'ANSIBLE_INJECT_FACT_VARS': inject}
        args = (book, '-e', 'ansible_python_interpreter=/usr/bin/python3')
        ours, theirs = swansible_playbook(*args, env=env), ansible_playbook(*args, env=env)
        assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
        assert ours.stdout == theirs.stdout
        assert ('"msg": "Linux undefined ' in ours.stdout) == (inject == 'False')   # then ansible_local (facts.d)


def test_become_to_the_same_user_is_skipped_unless_allowed(tmp_path):
    """Become to the user the connection already is does not run the become method (a broken
    become_exe shows it), unless BECOME_ALLOW_SAME_USER; a become command that ends before the
    agent starts is Ansible's "Premature end of stream" with its stderr."""
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                    '    - command: whoami\n      become: true\n      become_exe: /nonexistent-sudo\n      register: w\n      ignore_errors: true\n'
                    '    - debug: {var: w.stdout}\n')
    args = [book, '-c', 'local', '-e', 'ansible_python_interpreter=/usr/bin/python3']
    ours, theirs = swansible_playbook(*args), ansible_playbook(*args)
    assert ours.returncode == theirs.returncode == 0
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout) and '"w.stdout": "root"' in ours.stdout
    env = {'ANSIBLE_BECOME_ALLOW_SAME_USER': 'True'}
    ours, theirs = swansible_playbook(*args, env=env), ansible_playbook(*args, env=env)
    assert task_blocks(ours.stdout) == task_blocks(theirs.stdout)
    assert 'Premature end of stream waiting for become success.\n>>> Standard Error\n' in ours.stdout
    assert '/nonexistent-sudo' in ours.stdout.split('>>> Standard Error')[1]


def test_retry_files_as_ansible(tmp_path):
    """RETRY_FILES_ENABLED: the failed and unreachable hosts, sorted, in `<playbook>.retry`
    (beside the playbook or under retry_files_save_path), and the line saying how to use it."""
    (tmp_path / 'hosts').write_text('h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
                                    'h2 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
                                    'h3 ansible_host=127.0.0.1 ansible_port=1 ansible_connection=ssh\n')
    book = tmp_path / 'site.yml'
    book.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n'
                    '    - fail: {msg: boom}\n      when: inventory_hostname == "h2"\n')
    for tool, run in (('ansible', ansible_playbook), ('swansible', swansible_playbook)):
        saved = tmp_path / tool
        env = {'ANSIBLE_RETRY_FILES_ENABLED': 'True', 'ANSIBLE_RETRY_FILES_SAVE_PATH': str(saved)}
        r = run('-i', tmp_path / 'hosts', book, env=env)
        assert r.returncode == 4, r.stdout + r.stderr
        assert (saved / 'site.retry').read_text() == 'h2\nh3\n'
        assert f'\tto retry, use: --limit @{saved}/site.retry\n\nPLAY RECAP' in r.stdout
    # Off (the default), none is written.
    r = swansible_playbook('-i', tmp_path / 'hosts', book)
    assert r.returncode == 4 and 'to retry' not in r.stdout and not (tmp_path / 'site.retry').exists()


@LIBRARY_219
def test_vvv_names_each_module_file_used(tmp_path):
    """-vvv: "Using module file <path>" for each module run, as ActionBase says it (copy's own
    calls of stat and file included)."""
    ours, theirs = (run(LANG / 'output.yml', '-vvv') for run in (swansible_playbook, ansible_playbook))
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    used = lambda out: sorted(set(l for l in out.splitlines() if l.startswith('Using module file ')))
    assert used(ours.stdout) == used(theirs.stdout) and used(ours.stdout)


def test_binary_module_as_ansible(tmp_path):
    """A compiled module in library/ runs with its JSON arguments file (the internal `_ansible_*`
    keys among them), under async too; its failure is the task's. A text module without `#!`
    is refused."""
    import shutil
    import subprocess
    src = FIXTURES / 'binary_module'
    shutil.copytree(src, tmp_path, dirs_exist_ok=True)
    compiler = next(c for c in ('cc', 'gcc', 'clang') if shutil.which(c))
    subprocess.run([compiler, '-O2', '-o', tmp_path / 'library' / 'helloworld', src / 'helloworld.c'], check=True)
    theirs, ours = (f(tmp_path / 'site.yml', merged=True) for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 0, ours.stdout
    jid = lambda out: re.sub(r'jid=\S+', 'jid=J', out)   # async job ids are random
    assert jid(ours.stdout) == jid(theirs.stdout)
    assert '"msg": "Hello, World! / Hello, Ansible! / False"' in ours.stdout
    assert '"checked.check_mode": true' in ours.stdout and '"msg": "asked to fail"' in ours.stdout
    assert 'module (noshebang) is missing interpreter line' in ours.stdout



@LIBRARY_219
def test_task_debugger_as_ansible(tmp_path):
    """The task debugger's prompt after a failure (or where `debugger: always` asks): Python's
    `p` and statements on task, task_vars, host and result, help, `r` with what was changed,
    `u`, an empty line repeating the last command, `c`; the end of the input quits (exit 99)."""
    book, typed = FIXTURES / 'debugger' / 'site.yml', (FIXTURES / 'debugger' / 'typed.txt').read_text()
    env = {'ANSIBLE_TASK_DEBUGGER_IGNORE_ERRORS': 'False'}
    theirs, ours = (f(book, merged=True, env=env, input_text=typed) for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 99, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout
    assert "(debug)> {'that': 'wanted == 2'}" in ours.stdout and 'All assertions passed' in ours.stdout
    assert 'debug)> User interrupted execution' in ours.stdout and 'PLAY RECAP' not in ours.stdout
    # ENABLE_TASK_DEBUGGER: every failure that is not ignored, with no keyword needed.
    plain = tmp_path / 'plain.yml'
    plain.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                     '    - fail: {msg: ignored}\n      ignore_errors: true\n    - fail: {msg: debugged}\n    - debug: {msg: never}\n')
    env = {'ANSIBLE_ENABLE_TASK_DEBUGGER': 'True'}
    theirs, ours = (f(plain, merged=True, env=env, input_text='p result._return_data["msg"]\nc\n') for f in (ansible_playbook, swansible_playbook))
    assert theirs.returncode == ours.returncode == 2, ours.stdout[-3000:]
    assert ours.stdout == theirs.stdout
    assert ours.stdout.count('(debug)>') == 2 and "(debug)> 'debugged'" in ours.stdout
