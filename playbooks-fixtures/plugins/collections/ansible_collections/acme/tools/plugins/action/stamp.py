# A collection's action plugin: runs ping with what it was given and stamps the result.
from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(module_name='ansible.builtin.ping', module_args={'data': self._task.args.get('data', 'pong')},
                                           task_vars=task_vars))
        result['stamped'] = sorted(self._task.args)
        return result
