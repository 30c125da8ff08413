# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Actions that do their module's work in the task's own worker process.

A module process costs a Python start and its imports (compiled anew from the
module's zip) for every account and run, which for a check of a few
milliseconds is nearly all of its cost. A module whose work is local (date
arithmetic, files on this machine) has an action of the same name built on
LocalAction: the same options (the module's argument spec, validated here) and
the same result, without the process. The module file documents the options
and keeps a main() with the same logic."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

LOCAL = ("local", "ansible.builtin.local")


def refuse_remote(action: ActionBase, name: str, why: str) -> None:
    """Fail unless the task runs on this machine as the controller user: an action's work runs here, whatever the
    connection, and become would decide who runs a module process, not this one."""
    if action._connection.transport not in LOCAL:
        raise AnsibleActionFail(f"{name} needs connection: local ({why}), not {action._connection.transport}")
    if getattr(action._connection, "become", None) or getattr(action._task, "become", False):
        raise AnsibleActionFail(f"{name} does not run with become: it runs as the controller user ({why})")


class LocalAction(ActionBase):
    """Subclasses set NAME, ARGUMENT_SPEC and WHY, and implement work(params, check_mode) -> result."""

    TRANSFERS_FILES = False
    NAME = ""
    WHY = ""
    ARGUMENT_SPEC: ClassVar[dict] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._VALID_ARGS = frozenset(cls.ARGUMENT_SPEC)  # the task keywords ActionBase accepts: the spec's options

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        try:
            refuse_remote(self, self.NAME, self.WHY)
            validation, params = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        except AnsibleActionFail as exc:
            return {**result, "failed": True, "msg": str(exc)}
        # As a module's result: the values of no_log options (tokens, secret ids) are masked wherever they appear.
        return remove_values({**result, **self.work(params, bool(self._task.check_mode))}, validation._no_log_values)
