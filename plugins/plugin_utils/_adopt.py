# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""What a plan creates (for voicestack.aws.stack_adopt to look up in AWS), and what a killed terraform process
leaves: its failure message names the signal and what the next run does."""

from __future__ import annotations

import json
import signal

# The planned values that identify a resource in AWS (a name, tags, the parent and key of a child resource).
# Nothing else of the plan leaves the action: no policy document, no secret.
IDENTITY = (
    "name",
    "type",
    "tags_all",
    "vpc_id",
    "route_table_id",
    "destination_cidr_block",
    "subnet_id",
    "security_group_id",
    "ip_protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "referenced_security_group_id",
    "load_balancer_arn",
    "port",
    "cluster_name",
    "node_group_name",
    "url",
    "principal_arn",
    "policy_arn",
)


def planned_creates(show_json: str) -> list[dict]:
    """The resources a plan (`show -json`) creates (not replaces): address, type and known identity values."""
    plan = json.loads(show_json)
    creates = []
    for item in plan.get("resource_changes") or []:
        change = item.get("change") or {}
        if item.get("mode") != "managed" or change.get("actions") != ["create"]:
            continue
        after = change.get("after") or {}
        values = {key: after[key] for key in IDENTITY if after.get(key) not in (None, "", {})}
        creates.append({"address": item["address"], "type": item["type"], "values": values})
    return creates


def killed_message(binary: str, returncode, previous: str = "") -> str | None:
    """The failure message of a terraform process a signal ended (returncode -N), or None."""
    if not isinstance(returncode, int) or returncode >= 0:
        return None
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    command = binary.rsplit("/", 1)[-1]
    message = (
        f"{command} was killed by {name}. What it created since its last state save (OpenTofu saves the state"
        " every 20 seconds during an apply) exists in AWS but not in the state: the next run of the same playbook"
        " finds each such resource by its name or tags and adopts it (import) before it plans, instead of creating"
        " it again. The killed process still holds the state lock: the next run names the command that releases"
        " it."
    )
    return f"{message}\n\n{previous}".strip() if previous else message
