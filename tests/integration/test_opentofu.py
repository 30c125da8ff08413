"""OpenTofu inits offline from the provider mirror and keeps its state in
moto's S3 with locking, using credentials that OpenBao issued."""

from __future__ import annotations

import json
import os
import subprocess
import time

import boto3
import hvac
import pytest

from dev.testkit.tf import boto_creds, issue, state_location

pytestmark = pytest.mark.integration

CONFIG = """
terraform {
  required_providers {
    time  = { source = "hashicorp/time" }
    vault = { source = "hashicorp/vault" }
  }
  backend "s3" {
    bucket         = "%(bucket)s"
    key            = "%(key)s"
    region         = "us-east-1"
    endpoints      = { s3 = "%(aws)s", sts = "%(aws)s" }
    use_path_style = true
    use_lockfile   = true
  }
}

variable "hold_seconds" {
  type        = number
  description = "How long apply holds the state lock."
  default     = 0
}

resource "time_static" "created" {}

resource "time_sleep" "hold" {
  create_duration = "${var.hold_seconds}s"
}

data "vault_auth_backends" "all" {}

output "auth_methods" {
  value = sort(data.vault_auth_backends.all.paths)
}
"""


@pytest.fixture
def aws_env(sandbox, root_token):
    """Environment of one tofu process: STS credentials from OpenBao, revoked after."""
    secret = issue(sandbox, root_token)
    data = secret["data"]
    env = {
        "AWS_ACCESS_KEY_ID": data["access_key"],
        "AWS_SECRET_ACCESS_KEY": data["secret_key"],
        "AWS_SESSION_TOKEN": data["security_token"],
        "AWS_REGION": "us-east-1",
    }
    yield env
    hvac.Client(url=sandbox["openbao"]["url"], token=root_token).sys.revoke_lease(secret["lease_id"])


@pytest.fixture
def workdir(tmp_path, sandbox, aws_env):
    bucket, key = state_location(sandbox, "smoke")
    (tmp_path / "main.tf").write_text(CONFIG % {"bucket": bucket, "key": key, "aws": sandbox["moto"]["url"]})
    return tmp_path, bucket, key


def _tofu_env(tools, sandbox, root_token, aws_env):
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "TF_CLI_CONFIG_FILE": tools["VOICESTACK_TF_CLI_CONFIG"],
        "TF_IN_AUTOMATION": "1",
        "VAULT_ADDR": sandbox["openbao"]["url"],
        "VAULT_TOKEN": root_token,
        **aws_env,
    }


def tofu(tools, env, cwd, *args, check=True):
    result = subprocess.run(
        [tools["VOICESTACK_TOFU"], *args, "-no-color"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(f"tofu {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result


def test_init_offline_apply_and_destroy_with_s3_state(tools, sandbox, root_token, aws_env, workdir):
    cwd, bucket, key = workdir
    env = _tofu_env(tools, sandbox, root_token, aws_env)
    init = tofu(tools, env, cwd, "init", "-input=false")
    assert "Installed hashicorp/time" in init.stdout
    assert "Installed hashicorp/vault" in init.stdout

    tofu(tools, env, cwd, "apply", "-auto-approve", "-input=false")
    outputs = json.loads(tofu(tools, env, cwd, "output", "-json").stdout)
    assert {"approle", "jwt", "kubernetes"} <= set(outputs["auth_methods"]["value"])

    s3 = boto3.client("s3", endpoint_url=sandbox["moto"]["url"], **boto_creds(aws_env))
    state = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert b"time_static" in state

    plan = tofu(tools, env, cwd, "plan", "-detailed-exitcode", "-input=false", check=False)
    assert plan.returncode == 0, plan.stdout + plan.stderr

    tofu(tools, env, cwd, "destroy", "-auto-approve", "-input=false")
    state = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert b"time_static" not in state


def test_a_second_run_is_refused_while_the_state_lock_is_held(tools, sandbox, root_token, aws_env, workdir):
    cwd, bucket, key = workdir
    env = _tofu_env(tools, sandbox, root_token, aws_env)
    tofu(tools, env, cwd, "init", "-input=false")
    holder = subprocess.Popen(
        [tools["VOICESTACK_TOFU"], "apply", "-auto-approve", "-input=false", "-no-color", "-var", "hold_seconds=20"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        s3 = boto3.client("s3", endpoint_url=sandbox["moto"]["url"], **boto_creds(aws_env))
        lock_key = f"{key}.tflock"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
            if lock_key in keys:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first apply never took the lock")
        second = tofu(tools, env, cwd, "plan", "-input=false", "-lock-timeout=1s", check=False)
        assert second.returncode == 1
        assert "Error acquiring the state lock" in second.stderr
    finally:
        out, _ = holder.communicate(timeout=120)
    assert holder.returncode == 0, out
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert lock_key not in keys
    tofu(tools, env, cwd, "destroy", "-auto-approve", "-input=false")
