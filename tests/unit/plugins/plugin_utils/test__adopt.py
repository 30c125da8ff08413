"""What a plan creates, as voicestack.aws.stack_adopt takes it, and the message of a killed terraform."""

from __future__ import annotations

import json
import signal

import pytest

from ansible_collections.voicestack.aws.plugins.plugin_utils._adopt import killed_message, planned_creates


def change(address, kind, actions, after, mode="managed"):
    return {"address": address, "mode": mode, "type": kind, "change": {"actions": actions, "after": after}}


def test_only_creates_of_managed_resources_with_only_their_identifying_values():
    plan = {
        "resource_changes": [
            change(
                "module.eks.aws_iam_role.node",
                "aws_iam_role",
                ["create"],
                {"name": "acme-voice-node", "assume_role_policy": "{...}", "tags_all": {"voicestack:customer": "acme"}},
            ),
            change("module.network.aws_vpc.this", "aws_vpc", ["delete", "create"], {"tags_all": {"Name": "x"}}),
            change("module.irsa.aws_iam_role.agent", "aws_iam_role", ["update"], {"name": "acme-voice-agent"}),
            change("data.aws_partition.current", "aws_partition", ["read"], {}, mode="data"),
            # An unknown value is null in `after` (true in after_unknown): left out.
            change(
                "module.alb.aws_lb_listener.http",
                "aws_lb_listener",
                ["create"],
                {"load_balancer_arn": None, "port": 80},
            ),
        ]
    }
    assert planned_creates(json.dumps(plan)) == [
        {
            "address": "module.eks.aws_iam_role.node",
            "type": "aws_iam_role",
            "values": {"name": "acme-voice-node", "tags_all": {"voicestack:customer": "acme"}},
        },
        {"address": "module.alb.aws_lb_listener.http", "type": "aws_lb_listener", "values": {"port": 80}},
    ]


@pytest.mark.parametrize(("rc", "name"), [(-signal.SIGKILL, "SIGKILL"), (-signal.SIGTERM, "SIGTERM")])
def test_a_signal_is_named_by_its_name(rc, name):
    assert killed_message("/opt/tools/tofu", rc).startswith(f"tofu was killed by {name}.")


@pytest.mark.parametrize("rc", [0, 1, 2, None, "x"])
def test_an_exit_code_is_no_kill(rc):
    assert killed_message("tofu", rc) is None


def test_what_terraform_printed_before_the_kill_is_kept():
    assert killed_message("tofu", -9, "Error: something").endswith("\n\nError: something")
