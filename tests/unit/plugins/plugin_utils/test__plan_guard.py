"""What a plan would destroy, downgrade, and whose state it was made against (read from `show -json`)."""

from __future__ import annotations

import json

from ansible_collections.voicestack.aws.plugins.plugin_utils._plan_guard import (
    destructive_changes,
    downgrades,
    state_owner,
)
from ansible_collections.voicestack.aws.plugins.plugin_utils._terraform import plan_summary


def change(address, actions, reason=None, replace_paths=None, before=None, after=None):
    kind = address.split(".")[-2]
    item = {
        "address": address,
        "type": kind,
        "change": {"actions": actions, "before": before, "after": after},
    }
    if reason:
        item["action_reason"] = reason
    if replace_paths:
        item["change"]["replace_paths"] = replace_paths
    return item


def test_replacing_or_deleting_a_stateful_resource_is_listed_with_why():
    plan = {
        "resource_changes": [
            change(
                "module.network.aws_vpc.this",
                ["delete", "create"],
                "replace_because_cannot_update",
                [["cidr_block"]],
            ),
            change(
                "module.eks.aws_eks_cluster.this",
                ["create", "delete"],
                "replace_because_cannot_update",
                [["vpc_config", 0, "subnet_ids"]],
            ),
            change("module.alb.aws_lb.this", ["delete"], "delete_because_no_resource_config"),
            change("module.irsa.aws_iam_role.agent", ["delete", "create"], "replace_because_tainted"),
            change("module.eks.aws_eks_node_group.this", ["delete"]),
            change("module.vector_store.aws_opensearchserverless_collection.this", ["delete", "create"]),
        ]
    }
    found = {c["address"]: c for c in destructive_changes(plan)}
    assert list(found) == [c["address"] for c in plan["resource_changes"]]
    assert found["module.network.aws_vpc.this"]["reason"] == "cidr_block cannot be changed in place"
    assert found["module.network.aws_vpc.this"]["action"] == "replace"
    assert found["module.network.aws_vpc.this"]["message"].startswith(
        "module.network.aws_vpc.this would be replaced (cidr_block cannot be changed in place): this loses the VPC"
    )
    assert found["module.eks.aws_eks_cluster.this"]["reason"] == "vpc_config[0].subnet_ids cannot be changed in place"
    assert found["module.alb.aws_lb.this"] == {
        "address": "module.alb.aws_lb.this",
        "type": "aws_lb",
        "action": "delete",
        "reason": "the configuration no longer has it",
        "loses": "the load balancer, its DNS name and every open WebSocket connection",
        "message": "module.alb.aws_lb.this would be deleted (the configuration no longer has it): this loses the load"
        " balancer, its DNS name and every open WebSocket connection",
    }
    assert found["module.irsa.aws_iam_role.agent"]["reason"] == "the resource is tainted"
    assert found["module.eks.aws_eks_node_group.this"]["reason"] == "destroy planned"
    assert "vector" in found["module.vector_store.aws_opensearchserverless_collection.this"]["loses"]


def test_creating_updating_or_replacing_stateless_resources_needs_no_consent():
    plan = {
        "resource_changes": [
            change("module.eks.aws_eks_cluster.this", ["update"]),
            change("module.network.aws_vpc.this", ["create"]),
            change("module.alb.aws_lb.this", ["no-op"]),
            change("module.alb.aws_lb_listener.http", ["delete", "create"], "replace_because_cannot_update"),
            change("module.network.aws_subnet.private", ["delete"]),
            change("module.irsa.aws_iam_role_policy.agent", ["delete"]),
        ]
    }
    assert destructive_changes(plan) == []
    assert destructive_changes({}) == []


def test_a_lower_kubernetes_version_is_a_downgrade_a_higher_one_is_not():
    def cluster(before, after, actions=("update",)):
        return {
            "resource_changes": [
                change(
                    "module.eks.aws_eks_cluster.this",
                    list(actions),
                    before={"version": before},
                    after={"version": after},
                )
            ]
        }

    assert downgrades(cluster("1.33", "1.32")) == [
        {
            "address": "module.eks.aws_eks_cluster.this",
            "before": "1.33",
            "after": "1.32",
            "message": "module.eks.aws_eks_cluster.this runs Kubernetes 1.33; kubernetes_version 1.32 would be a"
            " downgrade, which EKS refuses (set kubernetes_version to 1.33 or higher)",
        }
    ]
    assert downgrades(cluster("1.9", "1.10")) == []  # numerically, not as text
    assert downgrades(cluster("1.32", "1.33")) == []
    assert downgrades(cluster(None, "1.33", ("create",))) == []


def test_the_owner_is_read_from_the_resources_the_state_holds():
    def state(outputs=None, resources=()):
        return {
            "prior_state": {
                "values": {
                    "outputs": outputs or {},
                    "root_module": {"child_modules": [{"resources": list(resources)}]},
                }
            }
        }

    tagged = [
        {"address": "aws_vpc.this", "mode": "managed", "values": {"tags": {"voicestack:customer": "acme"}}},
        {
            "address": "aws_iam_role.agent",
            "mode": "managed",
            "values": {
                "arn": "arn:aws:iam::123456789012:role/acme-voice-agent",
                "tags": {"voicestack:customer": "acme"},
            },
        },
        {"address": "aws_iam_role_policy.x", "mode": "managed", "values": {}},
        {"address": "data.aws_region.current", "mode": "data", "values": {"arn": "arn:aws:ec2:x:210987654321:y"}},
    ]
    # A plan shows the outputs already evaluated with this run's inputs: they do not tell whose state it is.
    outputs = {"stack_owner": {"value": {"customer": "initech", "account_id": "123456789012"}}}
    assert state_owner(state(outputs, tagged)) == {"customer": "acme", "account_id": "123456789012"}
    untagged = [{"address": "aws_iam_role_policy.x", "mode": "managed", "values": {}}]
    assert state_owner(state(None, untagged)) == {"customer": None, "account_id": None}
    assert state_owner(state(outputs)) is None  # an empty state belongs to nobody yet
    assert state_owner({}) is None  # no state at all


def test_the_plan_summary_carries_them():
    summary = plan_summary(
        json.dumps(
            {
                "resource_changes": [
                    change(
                        "module.eks.aws_eks_cluster.this",
                        ["update"],
                        before={"version": "1.33"},
                        after={"version": "1.31"},
                    ),
                    change("module.alb.aws_lb.this", ["delete"], "delete_because_no_resource_config"),
                ]
            }
        )
    )
    assert [c["address"] for c in summary["destructive"]] == ["module.alb.aws_lb.this"]
    assert [d["after"] for d in summary["downgrades"]] == ["1.31"]
    assert summary["owner"] is None
