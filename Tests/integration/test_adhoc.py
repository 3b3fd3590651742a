"""`swansible` (ad-hoc) against `ansible` itself: the minimal callback's lines, the [ERROR] block
naming the ad-hoc task, the warnings when no host matches, and the exit codes."""
import pytest

from conftest import BIN, VENV, run

HOSTS = ('h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
         'h2 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n'
         'bad ansible_host=127.0.0.9 ansible_port=1\n')


@pytest.mark.parametrize('args,code', [
    (['h1', '-m', 'command', '-a', 'echo hi'], 0),
    (['h1', '-m', 'shell', '-a', 'echo out; echo err >&2; exit 3'], 2),
    (['h1', '-m', 'ping'], 0),
    (['h1', '-m', 'file', '-a', 'path=/nonexistent/x state=file'], 2),
    (['h1', '-m', 'debug', '-a', 'msg=hello'], 0),
    (['bad', '-m', 'ping'], 4),
    (['nomatch', '-m', 'ping'], 0),
    (['all', '-m', 'command', '-a', 'true', '-l', 'h2'], 0),
])
def test_adhoc_output_matches_ansible(tmp_path, args, code):
    (tmp_path / 'hosts').write_text(HOSTS)
    ours = run([BIN / 'swansible', *args, '-i', tmp_path / 'hosts'])
    theirs = run([VENV / 'bin' / 'ansible', *args, '-i', tmp_path / 'hosts'])
    assert theirs.returncode == ours.returncode == code, ours.stdout + ours.stderr
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
