"""The terraform action's helpers: environment, scrubbing, plan summary."""

from __future__ import annotations

import json
import os

from ansible_collections.voicestack.aws.plugins.plugin_utils._terraform import (
    plan_summary,
    process_env,
    public_outputs,
    scrub,
)


def test_process_env_sets_and_restores(monkeypatch):
    monkeypatch.setenv("KEEP", "before")
    monkeypatch.delenv("NEW", raising=False)
    with process_env({"KEEP": "during", "NEW": "x"}):
        assert os.environ["KEEP"] == "during" and os.environ["NEW"] == "x"
    assert os.environ["KEEP"] == "before"
    assert "NEW" not in os.environ


def test_process_env_restores_after_an_error(monkeypatch):
    monkeypatch.delenv("NEW", raising=False)
    try:
        with process_env({"NEW": "x"}):
            raise RuntimeError
    except RuntimeError:
        pass
    assert "NEW" not in os.environ


def test_scrub_masks_secrets_everywhere():
    result = {"msg": "error with AKIASECRET in it", "stdout_lines": ["a", "tok=SESSION"], "nested": {"AKIASECRET": 1}}
    assert scrub(result, ["AKIASECRET", "SESSION", ""]) == {
        "msg": "error with ******** in it",
        "stdout_lines": ["a", "tok=********"],
        "nested": {"********": 1},
    }


def plan(*changes, drift=()):
    return json.dumps(
        {
            "resource_changes": [{"address": a, "change": {"actions": acts}} for a, acts in changes],
            "resource_drift": [{"address": a, "change": {"actions": ["update"]}} for a in drift],
        }
    )


def test_plan_summary_counts_every_kind_of_change():
    summary = plan_summary(
        plan(
            *[(f"aws_subnet.a[{i}]", ["create"]) for i in range(10)],
            ("aws_lb.this", ["update"]),
            ("aws_eks_node_group.this", ["delete", "create"]),
            ("aws_iam_role.r", ["create", "delete"]),
            ("aws_vpc.this", ["no-op"]),
            ("data.aws_partition.current", ["read"]),
            ("aws_eip.old", ["delete"]),
            drift=["aws_lb.this"],
        )
    )
    assert summary["changed"] is True
    assert summary["counts"] == {"create": 10, "update": 1, "delete": 1, "replace": 2}
    assert summary["drift"] == [{"address": "aws_lb.this", "actions": ["update"]}]


def test_an_empty_plan_is_unchanged():
    summary = plan_summary(plan(("aws_vpc.this", ["no-op"]), ("data.aws_region.current", ["read"])))
    assert summary == {
        "changed": False,
        "counts": {"create": 0, "update": 0, "delete": 0, "replace": 0},
        "changes": [],
        "drift": [],
    }


def test_sensitive_outputs_are_left_out():
    outputs = {"alb_arn": {"value": "arn:x", "sensitive": False}, "token": {"value": "t", "sensitive": True}}
    assert public_outputs(outputs) == {"alb_arn": "arn:x"}
