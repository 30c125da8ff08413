"""The terraform action's helpers: environment, scrubbing, plan summary, unlock hint."""

from __future__ import annotations

import json
import os

from ansible_collections.voicestack.aws.plugins.plugin_utils._terraform import (
    lock_id,
    plan_summary,
    process_env,
    public_outputs,
    resource_changes,
    scrub,
    terraform_env,
    unlock_hint,
)


def test_process_env_sets_and_restores(monkeypatch):
    monkeypatch.setenv("KEEP", "before")
    monkeypatch.delenv("NEW", raising=False)
    with process_env({"KEEP": "during", "NEW": "x"}):
        assert os.environ["KEEP"] == "during" and os.environ["NEW"] == "x"
    assert os.environ["KEEP"] == "before"
    assert "NEW" not in os.environ


def test_process_env_is_the_whole_environment_during_the_block(monkeypatch):
    monkeypatch.setenv("VAULT_TOKEN", "controller-token")
    with process_env({"PATH": "/usr/bin", "GONE": None}):
        assert dict(os.environ) == {"PATH": "/usr/bin"}
    assert os.environ["VAULT_TOKEN"] == "controller-token"


def test_terraform_env_allow_lists_the_controller_and_fixes_the_aws_fallbacks():
    controller = {
        "PATH": "/bin",
        "HOME": "/home/op",
        "LC_CTYPE": "C.UTF-8",
        "NO_PROXY": "localhost",
        "VAULT_TOKEN": "t",
        "TF_LOG": "trace",
        "AWS_PROFILE": "admin",
        "AWS_SESSION_TOKEN": "controller",
        "AWS_ENDPOINT_URL_STS": "http://fake",
        "AWS_CONFIG_FILE": "/home/op/.aws/config",
    }
    options = {"TF_IN_AUTOMATION": "1", "AWS_ENDPOINT_URL": "http://moto:5000", "AWS_CONFIG_FILE": "/x"}
    secret = {"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s"}
    assert terraform_env(controller, options, secret) == {
        "PATH": "/bin",
        "HOME": "/home/op",
        "LC_CTYPE": "C.UTF-8",
        "NO_PROXY": "localhost",
        "TF_IN_AUTOMATION": "1",
        "AWS_ENDPOINT_URL": "http://moto:5000",
        "AWS_ACCESS_KEY_ID": "AKIA",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


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
        "destructive": [],
        "downgrades": [],
        "owner": None,
    }


def test_sensitive_outputs_are_left_out():
    outputs = {"alb_arn": {"value": "arn:x", "sensitive": False}, "token": {"value": "t", "sensitive": True}}
    assert public_outputs(outputs) == {"alb_arn": "arn:x"}


def test_every_action_tofu_prints_is_counted():
    summary = plan_summary(
        json.dumps(
            {
                "resource_changes": [
                    {"address": "aws_s3_bucket.kept", "change": {"actions": ["forget"]}},
                    {"address": "aws_s3_bucket.renewed", "change": {"actions": ["forget", "create"]}},
                    {"address": "aws_vpc.adopted", "change": {"actions": ["no-op"], "importing": {"id": "vpc-1"}}},
                    {"address": "aws_lb.adopted", "change": {"actions": ["update"], "importing": {"id": "arn:lb"}}},
                    {
                        "address": "module.alb.aws_lb.this",
                        "previous_address": "aws_lb.this",
                        "change": {"actions": ["no-op"]},
                    },
                    {"address": "aws_eip.future", "change": {"actions": ["open"]}},
                ]
            }
        )
    )
    assert summary["changed"] is True
    assert summary["counts"] == {
        "create": 0,
        "update": 1,
        "delete": 0,
        "replace": 1,
        "forget": 1,
        "import": 2,
        "move": 1,
        "open": 1,
    }
    assert {"address": "aws_lb.adopted", "action": "import"} in summary["changes"]
    assert {"address": "aws_lb.adopted", "action": "update"} in summary["changes"]
    assert {
        "address": "module.alb.aws_lb.this",
        "action": "move",
        "previous_address": "aws_lb.this",
    } in summary["changes"]


def test_a_plan_that_only_imports_or_moves_changes_something():
    imported = {"address": "aws_vpc.this", "change": {"actions": ["no-op"], "importing": {"id": "vpc-1"}}}
    moved = {"address": "module.x.aws_vpc.this", "previous_address": "aws_vpc.this", "change": {"actions": ["no-op"]}}
    for change in (imported, moved):
        assert plan_summary(json.dumps({"resource_changes": [change]}))["changed"] is True


def test_the_lock_id_is_read_from_terraforms_lock_error():
    message = "Error: Error acquiring the state lock\n\nLock Info:\n  ID:        9db590f1-b6fe-c5f2-2678-8804f089deba\n"
    assert lock_id(message) == "9db590f1-b6fe-c5f2-2678-8804f089deba"
    assert lock_id("Error: Invalid provider configuration") is None
    assert lock_id("Error: KMS key ID: 1234abcd-12ab-34cd-56ef-1234567890ab is disabled") is None
    assert lock_id(None) is None


def test_the_unlock_hint_names_the_collections_unlock_playbook_host_and_inventories():
    task_vars = {"ansible_inventory_sources": ["/inv/hosts.yml", "/inv/more"], "inventory_hostname": "acme"}
    hint = unlock_hint("9db590f1-b6fe-c5f2-2678-8804f089deba", task_vars)
    assert hint.endswith(
        "release the lock with: ansible-playbook -i /inv/hosts.yml -i /inv/more voicestack.aws.unlock -l acme"
        " -e lock_id=9db590f1-b6fe-c5f2-2678-8804f089deba"
    )


def test_an_update_names_the_attributes_it_changes_but_not_their_values():
    item = {
        "address": "module.alb.aws_lb.this",
        "change": {
            "actions": ["update"],
            "before": {"idle_timeout": 60, "enable_http2": True, "name": "acme", "arn": "arn:1"},
            "after": {"idle_timeout": 3600, "enable_http2": True, "name": "acme"},
            "after_unknown": {"arn": True, "tags_all": False},
        },
    }
    assert resource_changes(item) == [
        {"address": "module.alb.aws_lb.this", "action": "update", "attributes": ["arn", "idle_timeout"]}
    ]
    created = {"address": "aws_vpc.this", "change": {"actions": ["create"], "before": None, "after": {"a": 1}}}
    assert resource_changes(created) == [{"address": "aws_vpc.this", "action": "create"}]
