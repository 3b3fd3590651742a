from __future__ import annotations

from ansible.plugins.action import ActionBase


class Unpicklable:
    def __getstate__(self):
        raise Exception('not for pickling')


class ActionModule(ActionBase):
    """Fails the ways a plugin may: an exception, a result the worker cannot send."""

    def run(self, tmp=None, task_vars=None):
        if self._task.args.get('how') == 'raise':
            raise ValueError('it broke')
        return dict(obj=Unpicklable())
