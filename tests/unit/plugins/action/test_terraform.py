"""The terraform action around community.general.terraform, with the module and the commands it runs faked:
one binary for every command, the module's diff kept, credentials only in the process environment and masked in
every result, and a lock failure that says how to release the lock."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import sys
import zipfile
from types import SimpleNamespace
from unittest import mock

import pytest
from ansible.plugins import action as action_plugins
from ansible.plugins.action import ActionBase

from ansible_collections.voicestack.aws.plugins.action.terraform import ActionModule

SECRET = {"AWS_ACCESS_KEY_ID": "ASIAFAKEKEYID", "AWS_SECRET_ACCESS_KEY": "fake/secret+key", "AWS_SESSION_TOKEN": "TOK"}
LOCK = "9db590f1-b6fe-c5f2-2678-8804f089deba"
LOCK_ERROR = (
    "Error: Error acquiring the state lock\n\nError message: operation error S3: PutObject, ASIAFAKEKEYID denied\n"
    f"Lock Info:\n  ID:        {LOCK}\n  Path:      bucket/accounts/123456789012/voice.tfstate\n"
)
EMPTY_PLAN = json.dumps({"resource_changes": [{"address": "aws_vpc.this", "change": {"actions": ["no-op"]}}]})


MODULE = "<community.general.terraform module process>"


class Terraform:
    """Fakes of community.general.terraform and of the commands the action runs, recording what they got.

    Both go through the action's own _low_level_execute_command (the fake stands in for ActionBase's), as the
    real module process does, so what they record of the environment is what a started process would get."""

    def __init__(self, module_result=None, commands=None, raises=None):
        # One result for every module run, or a list: one per run, in order (the last one repeats).
        self.module_result = module_result or {"changed": False, "outputs": {}}
        self.module_runs = 0
        self.commands = commands or {}
        self.raises = raises
        self.action, self.module_args, self.module_env, self.ran, self.envs = None, None, None, [], []

    def execute_module(self, module_name, module_args, task_vars):
        assert module_name == "community.general.terraform"
        self.module_args = module_args
        self.action._low_level_execute_command(MODULE)
        self.module_runs += 1
        if self.raises:
            raise self.raises
        if isinstance(self.module_result, list):
            return dict(self.module_result[min(self.module_runs, len(self.module_result)) - 1])
        return dict(self.module_result)

    def low_level_execute_command(self, action, cmd, chdir=None, **kwargs):
        self.envs.append(dict(os.environ))
        if cmd == MODULE:
            self.module_env = {key: os.environ.get(key) for key in SECRET}
            return {"rc": 0, "stdout": "", "stderr": ""}
        argv = shlex.split(cmd)
        self.ran.append(argv)
        return self.commands.get(argv[1], {"rc": 0, "stdout": "", "stderr": ""})


def run_action(args, fake, task_vars=None, transport="local", become=None, environment=None):
    task = SimpleNamespace(
        args=args, async_val=0, check_mode=False, action="voicestack.aws.terraform", environment=environment
    )
    shell = SimpleNamespace(tmpdir="unused", env_prefix=lambda **kwargs: "")
    connection = SimpleNamespace(transport=transport, become=become, _shell=shell)
    templar = SimpleNamespace(template=lambda value: value)
    action = ActionModule(task, connection, play_context=None, loader=None, templar=templar, shared_loader_obj=None)
    action._execute_module = fake.execute_module
    fake.action = action

    def low_level(self, *args, **kwargs):  # a function, so that it binds to the action as ActionBase's does
        return fake.low_level_execute_command(self, *args, **kwargs)

    with mock.patch.object(ActionBase, "_low_level_execute_command", low_level):
        return action.run(task_vars=task_vars or {})


PLAN_FILE = "voice.tfplan"  # in the folder saved_plan makes for each test
LINEAGE = "0b5e6f2c-1d7a-4c1e-9a51-3f0e8b7d2c11"


@pytest.fixture(autouse=True)
def saved_plan(tmp_path, monkeypatch):
    """A plan file as tofu saves it (a zip whose tfstate is the state it was made against), made at serial 4."""
    path = tmp_path / "voice.tfplan"
    with zipfile.ZipFile(path, "w") as plan:
        plan.writestr("tfplan", b"plan")
        plan.writestr("tfstate", json.dumps({"lineage": LINEAGE, "serial": 4, "resources": []}))
    monkeypatch.setattr(sys.modules[__name__], "PLAN_FILE", str(path))
    return path


def plan_args(**extra):
    return {
        "state": "planned",
        "project_path": "/work/stacks/voice",
        "plan_file": PLAN_FILE,
        "secret_environment": SECRET,
        "environment": {"TF_IN_AUTOMATION": "1"},
        **extra,
    }


def test_the_plan_and_its_reading_use_one_binary_tofu_by_default():
    fake = Terraform(commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}})
    run_action(plan_args(), fake)
    assert fake.module_args["binary_path"] == "tofu"
    assert fake.ran == [["tofu", "show", "-json", "-no-color", PLAN_FILE]]


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


# What a controller's environment may hold that must reach no terraform or provider process (issue 21, point 1),
# next to what it legitimately passes on.
LEAKS = {
    "VAULT_TOKEN": "hvs.controller-vault-token",
    "VAULT_ADDR": "https://vault.example:8200",
    "BAO_TOKEN": "s.controller-bao-token",
    "BAO_ADDR": "https://bao.example:8200",
    "VOICESTACK_VAULT_SECRET_ID": "awx-injected-secret-id",
    "VOICESTACK_VAULT_JWT": "eyJawx.injected.jwt",
    "TF_LOG": "trace",
    "TF_LOG_PATH": "/home/op/trace.log",
    "TF_CLI_ARGS": "-no-such-flag",
    "TF_CLI_ARGS_plan": "-no-such-flag",
    "TF_CLI_CONFIG_FILE": "/home/op/controller.tfrc",
    "AWS_PROFILE": "admin",
    "AWS_CONFIG_FILE": "/home/op/.aws/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/home/op/.aws/credentials",
    "AWS_ROLE_ARN": "arn:aws:iam::999999999999:role/admin",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token",
    "AWS_ENDPOINT_URL": "http://fake-aws.example",
    "AWS_ENDPOINT_URL_STS": "http://fake-sts.example",
    "AWS_ACCESS_KEY_ID": "AKIACONTROLLERKEY",
    "AWS_SECRET_ACCESS_KEY": "controller-secret",
    "AWS_SESSION_TOKEN": "controller-session-token",
    "AWS_EC2_METADATA_DISABLED": "false",
}
PASSED = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/home/op",
    "TMPDIR": "/home/op/tmp",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
    "HTTPS_PROXY": "http://proxy.example:3128",
    "NO_PROXY": "127.0.0.1,localhost",
}
KEYS_ONLY = {"AWS_ACCESS_KEY_ID": "ASIAFAKEKEYID", "AWS_SECRET_ACCESS_KEY": "fake/secret+key"}  # no session token
OPTIONS = {"TF_IN_AUTOMATION": "1", "TF_PLUGIN_CACHE_DIR": "/nonexistent", "AWS_ENDPOINT_URL": "http://moto:5000"}
EXPECTED = {
    **PASSED,
    **OPTIONS,
    **KEYS_ONLY,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def without_pytest(env):
    """An environment without the variable pytest itself sets while a test runs."""
    return {key: value for key, value in env.items() if key != "PYTEST_CURRENT_TEST"}


@pytest.fixture
def controller_env():
    """This process's whole environment is the seeded controller environment for the test."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**LEAKS, **PASSED})
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.parametrize("force_unlock", [False, True], ids=["plan", "force-unlock"])
def test_every_started_process_gets_exactly_the_allow_listed_environment(controller_env, monkeypatch, force_unlock):
    monkeypatch.setattr(os, "makedirs", lambda *args, **kwargs: None)
    fake = Terraform(commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}})
    args = plan_args(secret_environment=KEYS_ONLY, environment=OPTIONS)
    if force_unlock:
        args = {**args, "force_unlock": LOCK}
    result = run_action(args, fake)
    assert not result.get("failed"), result
    # The module process (community.general.terraform, so init, workspace, plan, show, output) and the commands
    # the action runs itself (show -json; init and force-unlock) each started with exactly this environment.
    assert len(fake.envs) == 2
    for env in fake.envs:
        assert without_pytest(env) == EXPECTED
    # and the controller's own environment is back as it was afterwards.
    assert without_pytest(os.environ) == {**LEAKS, **PASSED}


def test_the_task_environment_keyword_goes_through_the_same_allow_list(controller_env, monkeypatch):
    monkeypatch.setattr(os, "makedirs", lambda *args, **kwargs: None)
    warnings = []
    monkeypatch.setattr(action_plugins.display, "warning", warnings.append)
    fake = Terraform(commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}})
    keyword = [{"HTTPS_PROXY": "http://other-proxy:3128", "TF_LOG": "debug", "VAULT_TOKEN": "keyword-token"}]
    run_action(plan_args(secret_environment=KEYS_ONLY, environment=OPTIONS), fake, environment=keyword)
    for env in fake.envs:
        assert without_pytest(env) == {**EXPECTED, "HTTPS_PROXY": "http://other-proxy:3128"}
    assert warnings and "TF_LOG, VAULT_TOKEN" in warnings[0] and "keyword-token" not in warnings[0]


def test_the_module_command_line_carries_no_environment():
    task = SimpleNamespace(args={}, environment=[{"TF_LOG": "trace"}])
    action = ActionModule(task, SimpleNamespace(), play_context=None, loader=None, templar=None, shared_loader_obj=None)
    raw = {"stale": "x"}
    assert action._compute_environment_string(raw) == "" and raw == {}


def test_become_is_refused():
    fake = Terraform()
    result = run_action(plan_args(), fake, become=object())
    assert result["failed"] is True
    assert "does not run with become" in result["msg"]
    assert fake.module_args is None and fake.envs == []


@pytest.mark.parametrize("where", ["module", "show"])
def test_any_error_fails_cleanly_with_every_credential_masked(where):
    boom = RuntimeError(f"unexpected: {SECRET['AWS_ACCESS_KEY_ID']} {SECRET['AWS_SECRET_ACCESS_KEY']} TOK")
    if where == "module":
        fake = Terraform(raises=boom)
    else:
        fake = Terraform()
        fake.commands = {"show": None}  # the action's own reading breaks: a TypeError on None

        def failing(action, cmd, chdir=None, **kwargs):
            if cmd != MODULE:
                raise boom
            return Terraform.low_level_execute_command(fake, action, cmd, chdir, **kwargs)

        fake.low_level_execute_command = failing
    result = run_action(plan_args(), fake)
    assert result["failed"] is True
    assert result["msg"] == "voicestack.aws.terraform failed: RuntimeError: unexpected: ******** ******** ********"


def test_a_killed_terraform_is_named_with_its_signal_and_what_the_next_run_does():
    # What community.general.terraform returns when its terraform process is SIGKILLed: rc -9, no stderr.
    fake = Terraform(module_result={"failed": True, "msg": "", "rc": -9, "stdout": "", "stderr": ""})
    result = run_action({**plan_args(), "state": "present"}, fake)
    assert result["failed"] is True
    assert result["msg"].startswith("tofu was killed by SIGKILL.")
    assert "adopts it (import) before it plans" in result["msg"]
    assert "names the command that releases it" in result["msg"]


def test_a_plan_returns_what_it_creates_with_only_identifying_values():
    show = json.dumps(
        {
            "resource_changes": [
                {
                    "address": "module.alb.aws_lb.this",
                    "mode": "managed",
                    "type": "aws_lb",
                    "change": {"actions": ["create"], "after": {"name": "acme-voice", "idle_timeout": 3600}},
                },
                {
                    "address": "aws_vpc.this",
                    "mode": "managed",
                    "type": "aws_vpc",
                    "change": {"actions": ["no-op"], "after": {"tags_all": {"Name": "acme-voice"}}},
                },
            ]
        }
    )
    fake = Terraform(commands={"show": {"rc": 0, "stdout": show, "stderr": ""}})
    result = run_action(plan_args(), fake)
    assert result["creates"] == [
        {"address": "module.alb.aws_lb.this", "type": "aws_lb", "values": {"name": "acme-voice"}}
    ]


def test_a_plan_returns_its_digest_and_the_state_it_was_made_against(saved_plan):
    fake = Terraform(commands={"show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""}})
    result = run_action(plan_args(), fake)
    assert result["saved"] == {
        "sha256": hashlib.sha256(saved_plan.read_bytes()).hexdigest(),
        "state": {"lineage": LINEAGE, "serial": 4},
    }


def reviewed_run(saved_plan, state_pull, digest=None, state="planned"):
    fake = Terraform(
        commands={
            "state": {"rc": 0, "stdout": state_pull, "stderr": ""},
            "show": {"rc": 0, "stdout": EMPTY_PLAN, "stderr": ""},
            "output": {
                "rc": 0,
                "stdout": json.dumps({"alb_arn": {"value": "arn:alb", "sensitive": False}}),
                "stderr": "",
            },
        }
    )
    digest = digest or hashlib.sha256(saved_plan.read_bytes()).hexdigest()
    args = plan_args(state=state, plan_sha256=digest, backend_config_files=["/work/backend.hcl"])
    return run_action(args, fake), fake


def test_a_reviewed_plan_is_read_without_planning_when_its_state_is_unchanged(saved_plan):
    result, fake = reviewed_run(saved_plan, json.dumps({"lineage": LINEAGE, "serial": 4}))
    assert not result.get("failed"), result
    assert fake.module_args is None  # no plan was made
    assert [argv[1] for argv in fake.ran] == ["init", "state", "show", "output"]
    assert "-backend-config=/work/backend.hcl" in fake.ran[0]
    assert result["changed"] is False
    assert result["outputs"] == {"alb_arn": "arn:alb"}
    assert result["saved"]["state"] == {"lineage": LINEAGE, "serial": 4}


@pytest.mark.parametrize(
    ("pulled", "refusal"),
    [
        (json.dumps({"lineage": LINEAGE, "serial": 5}), "the reviewed plan is stale: it was made against serial 4"),
        (json.dumps({"lineage": "another", "serial": 4}), "and the state is now lineage another"),
        ("", "and the state is now missing"),
    ],
)
def test_a_reviewed_plan_is_refused_when_the_state_is_another_or_was_written_since(saved_plan, pulled, refusal):
    result, fake = reviewed_run(saved_plan, pulled)
    assert result["failed"] is True
    assert refusal in result["msg"]
    assert fake.module_args is None


@pytest.mark.parametrize("state", ["planned", "present"])
def test_a_plan_file_whose_digest_is_not_the_reviewed_one_is_refused_before_any_command(saved_plan, state):
    result, fake = reviewed_run(saved_plan, "", digest="0" * 64, state=state)
    assert result["failed"] is True
    assert "not the plan that was reviewed" in result["msg"]
    assert fake.module_args is None
    assert fake.ran == []


def test_a_reviewed_plan_with_the_right_digest_is_applied_by_the_module(saved_plan):
    result, fake = reviewed_run(saved_plan, "", state="present")
    assert not result.get("failed"), result
    assert fake.module_args["plan_file"] == str(saved_plan)
    assert "plan_sha256" not in fake.module_args


RACE = (
    "Error: Failed to install provider\n\nError while installing hashicorp/aws v6.34.0: after installing\n"
    "registry.opentofu.org/hashicorp/aws it is still not detected in\n/cache/plugin-cache; this is a bug in OpenTofu"
)


PANIC = (
    "panic: runtime error: invalid memory address or nil pointer dereference [recovered, repanicked]\n"
    "github.com/opentofu/opentofu/internal/providercache.(*Dir).LinkFromOtherCache(0x20edd2c88a80)\n"
)


@pytest.mark.parametrize(
    ("results", "runs", "failed"),
    [
        # Lost the race once (two accounts' inits at once): run again, and it passes.
        ([{"failed": True, "msg": RACE}, {"changed": False, "outputs": {}}], 2, False),
        # Lost it every time: two runs more, then its message.
        ([{"failed": True, "msg": RACE}], 3, True),
        # OpenTofu crashed reading the cache entry another init was writing: run again.
        ([{"failed": True, "msg": PANIC}, {"changed": False, "outputs": {}}], 2, False),
        # Any other failure is not run again.
        ([{"failed": True, "msg": "Error: Failed to install provider: checksum mismatch"}], 1, True),
    ],
)
def test_an_init_that_lost_the_plugin_cache_race_runs_again(results, runs, failed):
    fake = Terraform(module_result=results)
    result = run_action({**plan_args(), "state": "present"}, fake)
    assert fake.module_runs == runs
    assert bool(result.get("failed")) is failed
