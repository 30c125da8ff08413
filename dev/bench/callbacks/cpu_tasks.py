"""Callback for the benchmark: the CPU seconds (user + system) of each task, summed over its hosts.

A task's CPU is what the controller process spent while it ran plus what its child processes spent (workers,
module processes, tofu and the providers they waited for), read from getrusage between one task's start and the
next. A worker counts once it is reaped: the next task's start waits for the workers that have sent their result
and are exiting. Exact with the linear strategy; with free, tasks overlap and share it out roughly.
Enable with ANSIBLE_CALLBACK_PLUGINS=dev/bench/callbacks ANSIBLE_CALLBACKS_ENABLED=cpu_tasks; the table goes to
the file VOICESTACK_CPU_TASKS names (JSON: [[task, role, cpu seconds], ...], the costliest first)."""

from __future__ import annotations

import json
import multiprocessing
import os
import resource

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: cpu_tasks
type: aggregate
short_description: CPU seconds per task (benchmark)
description: CPU seconds (user + system, controller and its children) per task, written as JSON.
requirements: [enable in configuration]
"""


def _cpu() -> float:
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "cpu_tasks"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._current = None
        self._since = _cpu()
        self._totals: dict[tuple[str, str], float] = {}

    def _close(self):
        for worker in multiprocessing.active_children():  # reaps the workers that have exited
            worker.join(timeout=5)
        now = _cpu()
        if self._current is not None:
            self._totals[self._current] = self._totals.get(self._current, 0.0) + now - self._since
        self._since = now

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = (task.get_name(), task._role.get_name(include_role_fqcn=False) if task._role else "playbook")

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def v2_playbook_on_stats(self, stats):
        self._close()
        rows = sorted(([name, role, round(cpu, 3)] for (name, role), cpu in self._totals.items()), key=lambda r: -r[2])
        target = os.environ.get("VOICESTACK_CPU_TASKS")
        if target:
            with open(target, "w", encoding="utf-8") as out:
                json.dump(rows, out, indent=1)
