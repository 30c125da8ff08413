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

from ansible_collections.voicestack.aws.plugins.plugin_utils._plan_guard import (
    destructive_changes,
    downgrades,
    state_owner,
)

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


# What terraform and its providers inherit from the controller's environment, when set there: the shell basics,
# the locale, TLS trust and proxies. Nothing else gets through: not Vault's token or address (VAULT_*, BAO_*), an
# AppRole secret id or JWT an AWX credential injects, TF_LOG / TF_LOG_PATH / TF_CLI_ARGS*, or the AWS SDK's
# fallbacks (AWS_PROFILE, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ENDPOINT_URL*, a stray AWS_SESSION_TOKEN).
INHERITED = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "TMPDIR",
        "TZ",
        "LANG",
        "LANGUAGE",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    }
)
INHERITED_PREFIXES = ("LC_",)
# Set for every run, over the controller and the task's options: no instance metadata credentials, no shared
# config or credentials file (so no profile, role or credential_process is read); only the given credentials count.
FIXED = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def inherited(controller):
    """The controller variables a terraform process may inherit (see INHERITED)."""
    return {key: value for key, value in controller.items() if key in INHERITED or key.startswith(INHERITED_PREFIXES)}


def terraform_env(controller, environment=None, secret_environment=None):
    """The whole environment of every process the action starts: the allow-listed controller variables, then
    the task's explicit environment and secret_environment options, then FIXED. A None value leaves a variable
    out."""
    env = {**inherited(controller), **(environment or {}), **(secret_environment or {}), **FIXED}
    return {key: str(value) for key, value in env.items() if value is not None}


@contextmanager
def process_env(values):
    """Make values the whole process environment for the duration of the block, then restore the previous one.

    Ansible runs each host in its own worker process, and a local connection's
    processes inherit that process's environment: values set here reach
    terraform without ever appearing in a command line, a file or the task's
    displayed arguments, and nothing else of the controller's environment does.
    """
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update({key: str(value) for key, value in values.items() if value is not None})
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


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
    return {
        "changed": bool(changes),
        "counts": counts,
        "changes": changes,
        "drift": drift,
        # What needs a person's consent or that AWS would refuse, and whose state this is (see _plan_guard).
        "destructive": destructive_changes(plan),
        "downgrades": downgrades(plan),
        "owner": state_owner(plan),
    }


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
        action = {"address": address, "action": KINDS.get(actions, "-".join(actions))}
        attributes = changed_attributes(change) if action["action"] == "update" else []
        found.append({**action, "attributes": attributes} if attributes else action)
    return found


def changed_attributes(change):
    """The names (never the values) of the top-level attributes an update changes or leaves to be known after
    apply, so that a report can say what drifted, and a second drift of the same resource reads as a change."""
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    names = set(before) | set(after)
    return sorted(name for name in names if before.get(name) != after.get(name) or unknown.get(name) is True)


# What init says when another init wrote the same provider into the shared plugin cache at the same moment (the
# cache is not safe for concurrent inits: OpenTofu and Terraform document it so): nothing was changed, and a second
# init finds the provider in the cache.
PLUGIN_CACHE_RACE = re.compile(
    r"Failed to install provider.*(?:is still not detected in|text file busy|file exists)"
    # OpenTofu 1.12 may also crash reading a cache entry another init is writing.
    r"|panic: .*internal/providercache\.",
    re.DOTALL,
)
PLUGIN_CACHE_RETRIES = 2


def plugin_cache_race(message):
    """Whether a failed run's message is an init that lost a race for the shared plugin cache."""
    return bool(PLUGIN_CACHE_RACE.search(message or ""))


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
