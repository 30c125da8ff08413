"""The terraform action around community.general.terraform, with the module and the commands it runs faked:
one binary for every command, the module's diff kept, credentials only in the process environment and masked in
every result, and a lock failure that says how to release the lock."""

from __future__ import annotations

import json
import os
import re
import shlex
from types import SimpleNamespace

import pytest

from ansible_collections.voicestack.aws.plugins.action.terraform import ActionModule

SECRET = {"AWS_ACCESS_KEY_ID": "ASIAFAKEKEYID", "AWS_SECRET_ACCESS_KEY": "fake/secret+key", "AWS_SESSION_TOKEN": "TOK"}
LOCK = "9db590f1-b6fe-c5f2-2678-8804f089deba"
LOCK_ERROR = (
    "Error: Error acquiring the state lock\n\nError message: operation error S3: PutObject, ASIAFAKEKEYID denied\n"
    f"Lock Info:\n  ID:        {LOCK}\n  Path:      bucket/accounts/123456789012/voice.tfstate\n"
)
EMPTY_PLAN = json.dumps({"resource_changes": [{"address": "aws_vpc.this", "change": {"actions": ["no-op"]}}]})


class Terraform:
    """Fakes of community.general.terraform and of the commands the action runs, recording what they got."""

    def __init__(self, module_result=None, commands=None):
        self.module_result = module_result or {"changed": False, "outputs": {}}
        self.commands = commands or {}
        self.module_args, self.module_env, self.ran = None, None, []

    def execute_module(self, module_name, module_args, task_vars):
        assert module_name == "community.general.terraform"
        self.module_args = module_args
        self.module_env = {key: os.environ.get(key) for key in SECRET}
        return dict(self.module_result)

    def run(self, command, chdir):
        argv = shlex.split(command)
        self.ran.append(argv)
        return self.commands.get(argv[1], {"rc": 0, "stdout": "", "stderr": ""})


def run_action(args, fake, task_vars=None, transport="local"):
    task = SimpleNamespace(args=args, async_val=0, check_mode=False, action="voicestack.aws.terraform")
    connection = SimpleNamespace(transport=transport, _shell=SimpleNamespace(tmpdir="unused"))
    action = ActionModule(task, connection, play_context=None, loader=None, templar=None, shared_loader_obj=None)
    action._execute_module = fake.execute_module
    action._low_level_execute_command = fake.run
    return action.run(task_vars=task_vars or {})


def plan_args(**extra):
    return {
        "state": "planned",
        "project_path": "/work/stacks/voice",
        "plan_file": "/work/voice.tfplan",
        "secret_environment": SECRET,
        "environment": {"TF_IN_AUTOMATION": "1"},
        **extra,
    }


def test_the_plan_and_its_reading_use_one_binary_tofu_by_default():
    fake = Terraform(commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}})
    run_action(plan_args(), fake)
    assert fake.module_args["binary_path"] == "tofu"
    assert fake.ran == [["tofu", "show", "-json", "-no-color", "/work/voice.tfplan"]]


def test_a_given_binary_is_used_for_the_plan_and_its_reading():
    fake = Terraform(commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}})
    run_action(plan_args(binary_path="/opt/terraform"), fake)
    assert fake.module_args["binary_path"] == "/opt/terraform"
    assert fake.ran[0][0] == "/opt/terraform"


def test_force_unlock_uses_the_same_default_binary():
    fake = Terraform()
    args = {"force_unlock": LOCK, "project_path": "/work/stacks/voice", "backend_config_files": ["/work/backend.hcl"]}
    result = run_action(args, fake)
    assert result == {"changed": True, "unlocked": LOCK}
    assert [argv[:2] for argv in fake.ran] == [["tofu", "init"], ["tofu", "force-unlock"]]
    assert "-backend-config=/work/backend.hcl" in fake.ran[0]


def test_credentials_reach_the_module_only_through_its_environment(monkeypatch):
    for key in SECRET:
        monkeypatch.delenv(key, raising=False)
    fake = Terraform(commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}})
    run_action(plan_args(), fake)
    assert fake.module_env == SECRET
    assert not set(SECRET.values()) & set(map(str, fake.module_args.values()))
    assert "secret_environment" not in fake.module_args and "environment" not in fake.module_args
    assert not set(SECRET) & set(os.environ)


def test_the_modules_diff_is_kept_and_changed_is_read_from_the_plan():
    diff = {"before": {"data": []}, "after": {"data": [{"address": "aws_vpc.this"}]}}
    fake = Terraform(
        module_result={"changed": True, "diff": diff, "outputs": {"vpc_id": {"value": "vpc-1", "sensitive": False}}},
        commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}},
    )
    result = run_action(plan_args(), fake)
    assert result["diff"] == diff
    assert result["changed"] is False
    assert result["plan"]["counts"] == {"create": 0, "update": 0, "delete": 0, "replace": 0}
    assert result["outputs"] == {"vpc_id": "vpc-1"}


def test_a_lock_failure_says_how_to_release_the_lock_with_no_credential_in_it():
    task_vars = {
        "ansible_inventory_sources": ["/inventory/hosts.yml"],
        "inventory_hostname": "acme",
    }
    fake = Terraform(module_result={"failed": True, "msg": LOCK_ERROR.rstrip(), "stderr": LOCK_ERROR})
    result = run_action(plan_args(), fake, task_vars)
    assert result["failed"] is True
    assert result["lock_id"] == LOCK
    assert "Error acquiring the state lock" in result["msg"]
    # What tests/integration/test_faults.py reads from the run's output.
    command = re.search(r"release the lock with: (ansible-playbook .+? -e lock_id=[0-9a-f-]{36})", result["msg"])
    assert shlex.split(command.group(1)) == [
        "ansible-playbook",
        "-i",
        "/inventory/hosts.yml",
        "voicestack.aws.unlock",
        "-l",
        "acme",
        "-e",
        f"lock_id={LOCK}",
    ]
    assert "ASIAFAKEKEYID" not in json.dumps(result)
    assert "********" in result["msg"]


def test_other_failures_are_masked_and_have_no_unlock_hint():
    fake = Terraform(module_result={"failed": True, "msg": "Error: InvalidClientTokenId fake/secret+key TOK"})
    result = run_action(plan_args(), fake)
    assert result["msg"] == "Error: InvalidClientTokenId ******** ********"
    assert "lock_id" not in result


@pytest.mark.parametrize("failing", ["init", "force-unlock"])
def test_a_failed_unlock_is_masked(failing):
    fake = Terraform(commands={failing: {"rc": 1, "stdout": "", "stderr": "denied for ASIAFAKEKEYID\n"}})
    args = {"force_unlock": LOCK, "project_path": "/work/stacks/voice", "secret_environment": SECRET}
    result = run_action(args, fake)
    assert result == {"failed": True, "msg": f"tofu {failing} failed: denied for ********"}


def test_a_failed_plan_read_names_the_binary_and_is_masked():
    fake = Terraform(commands={"show": {"rc": 1, "stdout": "", "stderr": "cannot read TOK\n"}})
    result = run_action(plan_args(), fake)
    assert result["failed"] is True
    assert result["msg"] == "tofu show -json failed: cannot read ********"


def test_only_a_local_connection_is_accepted():
    fake = Terraform()
    result = run_action(plan_args(), fake, transport="ssh")
    assert result["failed"] is True
    assert "needs connection: local" in result["msg"]
    assert fake.module_args is None
