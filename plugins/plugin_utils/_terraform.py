# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Controller-side helpers of the terraform action: credentials in the process
environment only, scrubbing, and a change summary read from the plan itself."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

MASK = "********"
# Plan actions that change nothing.
NO_CHANGE = (["no-op"], ["read"])


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
    counts = {"create": 0, "update": 0, "delete": 0, "replace": 0}
    changes = []
    for item in plan.get("resource_changes") or []:
        actions = item["change"]["actions"]
        if actions in NO_CHANGE:
            continue
        kind = "replace" if len(actions) > 1 else actions[0]  # [delete, create] or [create, delete]
        counts[kind] += 1
        changes.append({"address": item["address"], "action": kind})
    drift = [
        {"address": item["address"], "actions": item["change"]["actions"]} for item in plan.get("resource_drift") or []
    ]
    return {"changed": bool(changes), "counts": counts, "changes": changes, "drift": drift}


def public_outputs(outputs):
    """Output values by name, leaving out those Terraform marks sensitive."""
    return {name: out.get("value") for name, out in (outputs or {}).items() if not out.get("sensitive")}
