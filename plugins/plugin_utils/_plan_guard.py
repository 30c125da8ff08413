# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""What a saved plan (`show -json PLAN`) would do that needs a person's consent
or that AWS would refuse: the stateful resources it deletes or replaces, a
Kubernetes version downgrade, and whose stack the planned-against state is.

The role decides what to do with it (refuse, warn); this only reads the plan.
"""

from __future__ import annotations

import re

# Resource types whose loss loses data, traffic or identity: what goes with each.
STATEFUL = {
    "aws_eks_cluster": "the EKS cluster, its Kubernetes API and every workload on it",
    "aws_eks_node_group": "the cluster's nodes and the pods running on them",
    "aws_opensearchserverless_collection": "the OpenSearch Serverless collection and every index and vector in it",
    "aws_vpc": "the VPC and everything in it (cluster, load balancer, NAT gateways)",
    "aws_lb": "the load balancer, its DNS name and every open WebSocket connection",
    "aws_iam_role": "the IAM role (a new role has a new ID: trust and grants that name it break)",
}
# Terraform's action_reason values, in words.
REASONS = {
    "replace_because_cannot_update": "a changed argument cannot be updated in place",
    "replace_because_tainted": "the resource is tainted",
    "replace_by_request": "replacement was requested (-replace)",
    "replace_by_triggers": "a replace_triggered_by reference changed",
    "delete_because_no_resource_config": "the configuration no longer has it",
    "delete_because_no_module": "its module is no longer in the configuration",
    "delete_because_wrong_repetition": "its count or for_each changed",
    "delete_because_count_index": "its count index is out of range now",
    "delete_because_each_key": "its for_each key is gone",
    "delete_because_no_move_target": "its moved block has no target",
}
# The tag every resource of the stack carries with its customer's name.
CUSTOMER_TAG = "voicestack:customer"
# The account of an ARN (IAM ARNs have no region).
_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):")


def _path(parts):
    """A replace path ([\"vpc_config\", 0, \"subnet_ids\"]) as text: vpc_config[0].subnet_ids."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def destructive_changes(plan):
    """The stateful resources the plan deletes or replaces: address, type, action, why, and what goes with it."""
    found = []
    for item in plan.get("resource_changes") or []:
        actions = set(item.get("change", {}).get("actions") or [])
        if item.get("type") not in STATEFUL or "delete" not in actions:
            continue
        action = "replace" if "create" in actions else "delete"
        why = REASONS.get(item.get("action_reason"), item.get("action_reason") or "")
        paths = [_path(p) for p in item["change"].get("replace_paths") or []]
        if paths:
            why = f"{', '.join(paths)} cannot be changed in place"
        why = why or ("destroy" if action == "delete" else "replace") + " planned"
        loses = STATEFUL[item["type"]]
        found.append(
            {
                "address": item["address"],
                "type": item["type"],
                "action": action,
                "reason": why,
                "loses": loses,
                "message": f"{item['address']} would be {action}d ({why}): this loses {loses}",
            }
        )
    return found


def _version(text):
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return None


def downgrades(plan):
    """EKS clusters the plan would move to a lower Kubernetes version (EKS refuses a downgrade)."""
    found = []
    for item in plan.get("resource_changes") or []:
        change = item.get("change") or {}
        if item.get("type") != "aws_eks_cluster" or "update" not in (change.get("actions") or []):
            continue
        before = _version((change.get("before") or {}).get("version"))
        after = _version((change.get("after") or {}).get("version"))
        if before and after and after < before:
            was, wanted = change["before"]["version"], change["after"]["version"]
            found.append(
                {
                    "address": item["address"],
                    "before": was,
                    "after": wanted,
                    "message": (
                        f"{item['address']} runs Kubernetes {was}; kubernetes_version {wanted} would be a downgrade, "
                        "which EKS refuses (set kubernetes_version to "
                        f"{was} or higher)"
                    ),
                }
            )
    return found


def _resources(module):
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _resources(child)


def state_owner(plan):
    """Whose stack the state the plan was made against holds: {customer, account_id}, or None for an empty state.

    Read from the resources the state holds, as the plan refreshed them from AWS: each carries its customer's
    tag, and its ARN the account. (The stack's stack_owner output records the owner in the state file too, but
    a plan's prior_state shows outputs already evaluated with this run's inputs, so it cannot tell.) customer is
    None when no resource carries the tag."""
    values = (plan.get("prior_state") or {}).get("values") or {}
    resources = [r.get("values") or {} for r in _resources(values.get("root_module") or {}) if r.get("mode") != "data"]
    if not resources:
        return None
    customers = sorted(
        {str((r.get("tags") or {})[CUSTOMER_TAG]) for r in resources if (r.get("tags") or {}).get(CUSTOMER_TAG)}
    )
    accounts = sorted({m.group(1) for r in resources if (m := _ARN_ACCOUNT.match(str(r.get("arn") or "")))})
    return {"customer": ", ".join(customers) or None, "account_id": ", ".join(accounts) or None}
