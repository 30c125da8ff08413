# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: fleet_report
type: aggregate
short_description: Per customer account, what a run of site.yml, drift.yml or destroy.yml did, as JSON and Markdown
version_added: 0.2.0
description:
  - At the end of every playbook run, writes C(<dir>/fleet-<playbook>.json) and C(.md) - per account (inventory
    host) the outcome (C(converged), C(changed), C(failed), or C(not reached) when a failed wave stopped the rollout
    first), the resources added, changed and destroyed, the seconds it took, and the first line of its error - with
    the stack version of the run (the collection's version and a sha256 of its bundled Terraform).
  - It prints which accounts were not reached, so that an operator knows what a stopped rollout did not touch.
  - A later run given the report (C(site.yml -e fleet_resume=<dir>/fleet-site.json)) touches only the accounts the
    report does not have converged at the current stack version (lookup voicestack.aws.fleet_resume).
  - Nothing secret is written - outcomes, counts and the first line of the failure message, which the roles word
    without credentials.
  - Enable it with C(ANSIBLE_CALLBACKS_ENABLED=voicestack.aws.fleet_report) or C(callbacks_enabled) in
    C(ansible.cfg).
requirements:
  - enable in configuration
options:
  report_dir:
    description: The folder of the reports; created when missing.
    type: path
    default: ~/.cache/voicestack/fleet-reports
    env:
      - name: VOICESTACK_FLEET_REPORT_DIR
    ini:
      - section: voicestack_fleet_report
        key: report_dir
author:
  - voicestack maintainers (@voicestack)
"""

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from ansible.plugins.callback import CallbackBase

from ansible_collections.voicestack.aws.plugins.plugin_utils import _fleet


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "voicestack.aws.fleet_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._playbook = None
        self._started = None
        self._hosts: list[str] = []
        self._records: dict[str, dict] = {}
        # Per play, each task name's place in the order tasks first ran: a host whose last task is not the
        # play's last was stopped on the way (a failure elsewhere in its wave broke the play).
        self._order: dict[str, int] = {}
        self._play = None
        self._resumed = None

    # --- what the run did ------------------------------------------------
    def v2_playbook_on_start(self, playbook):
        self._playbook = Path(playbook._file_name).stem
        self._started = _now()

    def v2_playbook_on_play_start(self, play):
        # Called again for each wave (serial) of the same play.
        if play._uuid != self._play:
            self._play, self._order = play._uuid, {}
        manager = play.get_variable_manager()
        self._resumed = manager.extra_vars.get("fleet_resume") or self._resumed
        # Every host of the play (within --limit), not only this wave's.
        for host in manager._inventory.get_hosts(play.hosts, ignore_restrictions=True):
            if host.name in self._records or host.name == "localhost":
                continue
            self._hosts.append(host.name)
            account = manager.get_vars(play=play, host=host, include_hostvars=False).get("voicestack_account_id")
            self._records[host.name] = {"account_id": None if account is None else str(account)}

    def _record(self, host):
        return self._records.get(host.get_name())

    def v2_runner_on_start(self, host, task):
        record = self._record(host)
        if record is not None:
            record.setdefault("first", time.monotonic())
            record["started"] = True

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._order.setdefault(task.get_name(), len(self._order))

    def _ended(self, result):
        record = self._record(result._host)
        if record is not None:
            record["last"] = time.monotonic()
            place = self._order.get(result._task.get_name(), -1)
            record["place"] = max(record.get("place", -1), place)
            record["order"] = self._order
            plan = (result._result.get("ansible_facts") or {}).get("terraform_stack_plan")
            if isinstance(plan, dict) and plan.get("counts"):
                record["counts"] = plan["counts"]
        return record

    def v2_runner_on_ok(self, result):
        self._ended(result)

    def v2_runner_on_skipped(self, result):
        self._ended(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        record = self._ended(result)
        if record is not None and not ignore_errors:
            record["error"] = result._result.get("msg") or "failed (no message: the task is no_log)"

    def v2_runner_on_unreachable(self, result):
        record = self._ended(result)
        if record is not None:
            record["error"] = result._result.get("msg") or "unreachable"

    # --- the report -------------------------------------------------------
    def v2_playbook_on_stats(self, stats):
        if not self._hosts:
            return
        for name, record in self._records.items():
            summary = stats.summarize(name)
            record["failed"] = bool(summary["failures"] or summary["unreachable"])
            order = record.pop("order", {})
            if record.get("started") and not record["failed"] and record.get("place", -1) < len(order) - 1:
                record["failed"] = True
                record["error"] = (
                    "stopped before the end of the play: an account of its wave failed (max_fail_percentage)"
                )
            if record.get("started") and "first" in record:
                record["seconds"] = round(record.get("last", record["first"]) - record["first"], 1)
        fleet = _fleet.report(self._playbook, self._hosts, self._records, _fleet.stack_version(), self._started, _now())
        if self._resumed:
            # A resumed run reports the whole fleet: the accounts it left alone as the report it resumed has them.
            try:
                with open(os.path.expanduser(str(self._resumed)), encoding="utf-8") as fh:
                    fleet = _fleet.merge(json.load(fh), fleet)
            except (OSError, ValueError) as exc:
                self._display.warning(f"fleet report: {self._resumed} not merged: {exc}")
        folder = Path(os.path.expanduser(self.get_option("report_dir")))
        folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        base = folder / f"fleet-{self._playbook}"
        for path, text in (
            (base.with_suffix(".json"), json.dumps(fleet, indent=2) + "\n"),
            (base.with_suffix(".md"), _fleet.markdown(fleet)),
        ):
            partial = path.with_suffix(path.suffix + ".partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
            os.replace(partial, path)
        totals = ", ".join(f"{count} {name}" for name, count in fleet["totals"].items() if count)
        # On stderr, so that a machine-readable stdout callback (ansible.posix.json) keeps its stdout to itself.
        self._display.display(f"fleet report ({totals}): {base.with_suffix('.json')}", stderr=True)
        missed = [a["host"] for a in fleet["accounts"] if a["outcome"] == "not reached"]
        if missed:
            self._display.warning(f"not reached, untouched by this run: {', '.join(missed)}")
