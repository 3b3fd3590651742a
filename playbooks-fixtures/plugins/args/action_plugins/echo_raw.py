from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Takes free-form text besides k=v words, as command does."""

    supports_raw_params = True

    def run(self, tmp=None, task_vars=None):
        return dict(action_args=self._task.args)
