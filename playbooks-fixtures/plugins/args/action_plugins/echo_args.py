from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Gives back the arguments the task finalized for it."""

    def run(self, tmp=None, task_vars=None):
        return dict(action_args=self._task.args)
