# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Controller-side helpers of the terraform action: credentials in the process
environment only, scrubbing, a change summary read from the plan itself, and
the command that releases a state lock."""

from __future__ import annotations

import json
import os
import re
import shlex
from contextlib import contextmanager

MASK = "********"
# The binary of every command the action runs (plan, apply, show, force-unlock) unless binary_path names another.
DEFAULT_BINARY = "tofu"
# The kind each planned action of `show -json` (change.actions) counts as; no-op and read change nothing.
KINDS = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("forget",): "forget",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("forget", "create"): "replace",
}
NO_CHANGE = (("no-op",), ("read",))
# Counted in every summary; other kinds (forget, import, move) only when the plan has them, as tofu's own summary.
COUNTED = ("create", "update", "delete", "replace")
# Terraform's state lock error names the lock: "Lock Info:\n  ID:  <uuid>" (not any other ID, a KMS key's say).
LOCK_ID = re.compile(r"Lock Info:\s+ID:\s+([0-9a-f-]{36})")


@contextmanager
def process_env(values):
    """Set environment variables for the duration of the block, then restore them.

    Ansible runs each host in its own worker process, and a local connection's
    module process inherits that process's environment: values set here reach
    terraform without ever appearing in a command line, a file or the task's
    displayed arguments.
    """
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = str(value)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def scrub(value, secrets):
    """A copy of value with every occurrence of each secret masked."""
    secrets = [s for s in secrets if s]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v, secrets) for v in value]
    return value


def plan_summary(show_json):
    """Counts of planned actions and drifted resources from `show -json PLAN`."""
    plan = json.loads(show_json)
    counts = dict.fromkeys(COUNTED, 0)
    changes = []
    for item in plan.get("resource_changes") or []:
        for change in resource_changes(item):
            counts[change["action"]] = counts.get(change["action"], 0) + 1
            changes.append(change)
    drift = [
        {"address": item["address"], "actions": item["change"]["actions"]} for item in plan.get("resource_drift") or []
    ]
    return {"changed": bool(changes), "counts": counts, "changes": changes, "drift": drift}


def resource_changes(item):
    """What a plan does to one resource: an import, a move and an action, each when it has one.

    An import or a move changes the state even when the action is no-op. An
    action a newer tofu may add is counted under its own name, not refused.
    """
    address, change = item["address"], item["change"]
    found = []
    if change.get("importing") is not None:
        found.append({"address": address, "action": "import"})
    if item.get("previous_address"):
        found.append({"address": address, "action": "move", "previous_address": item["previous_address"]})
    actions = tuple(change["actions"])
    if actions not in NO_CHANGE:
        found.append({"address": address, "action": KINDS.get(actions, "-".join(actions))})
    return found


def lock_id(message):
    """The lock ID in Terraform's error on a held state lock, or None."""
    found = LOCK_ID.search(message or "")
    return found.group(1) if found else None


def unlock_hint(lock, task_vars):
    """What to run to release a state lock that no run holds any more: the
    collection's unlock playbook, by its name, on this host and inventory."""
    inventories = [arg for source in task_vars.get("ansible_inventory_sources") or [] for arg in ("-i", source)]
    host = task_vars.get("inventory_hostname")
    command = shlex.join(
        ["ansible-playbook", *inventories, "voicestack.aws.unlock", "-l", host, "-e", f"lock_id={lock}"]
    )
    return (
        f"The state is locked (lock ID {lock}). If no other run on {host} is going on (for example its terraform"
        f" process was killed), release the lock with: {command}"
    )


def public_outputs(outputs):
    """Output values by name, leaving out those Terraform marks sensitive."""
    return {name: out.get("value") for name, out in (outputs or {}).items() if not out.get("sensitive")}
