# An action plugin of the user's, next to the playbook: what it does on the target comes back
# to the controller (modules, commands, files), as test_python_plugins checks against Ansible.
from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _VALID_ARGS = frozenset(('mode', 'text'))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        mode = self._task.args.get('mode', 'module')
        text = self._task.args.get('text')
        if mode == 'raise':
            raise AnsibleActionFail('probe refused: %s' % text)
        if mode == 'command':
            result['low'] = self._low_level_execute_command('echo %s; echo err >&2; exit 3' % text)
        elif mode == 'files':
            tmpdir = self._make_tmp_path()
            path = self._connection._shell.join_path(tmpdir, 'data.txt')
            self._transfer_data(path, text)
            st = self._execute_remote_stat(path, all_vars=task_vars, follow=False)
            result.update(size=st['size'], content=self._low_level_execute_command('cat %s' % path)['stdout'])
            self._remove_tmp_path(tmpdir)
        elif mode == 'shell':
            # Another action plugin of ansible-core's, as the until target's shell_no_failed does.
            self._task.args = {'_raw_params': 'echo %s; exit 4' % text}
            shell = self._shared_loader_obj.action_loader.get(
                'ansible.legacy.shell', task=self._task, connection=self._connection, play_context=self._play_context,
                loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
            result = shell.run(task_vars=task_vars)
            result.pop('failed', None)
        elif mode == 'no_log':
            result.update(msg='should be masked', _ansible_no_log='yes')
        else:
            result.update(self._execute_module(module_name='ansible.builtin.command', module_args={'_raw_params': 'echo %s' % text},
                                               task_vars=task_vars))
            result['host'] = task_vars['inventory_hostname']
        return result
