"""Running the bundled stacks with the real OpenTofu and AWS provider against
the sandbox: a work copy, a backend in moto's S3, STS credentials from OpenBao
in the process environment only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import hvac
import yaml

from dev.settings import ROOT, SANDBOX_INVENTORY
from dev.testkit.ansible_cli import moto_client

# The sandbox inventory's stack inputs, its Jinja-templated ones aside (the
# agent block, the per-host node port): those take the stack's defaults.
_GROUP_VARS = yaml.safe_load((SANDBOX_INVENTORY / "group_vars" / "customer_accounts.yml").read_text())


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not (isinstance(v, str) and "{{" in v)}
    return value


SANDBOX_VARS = {
    "account_id": "123456789012",
    "region": "us-east-1",
    "customer": "sandbox",
    **{k: _plain(v) for k, v in _GROUP_VARS["terraform_stack_variables"].items() if k != "agent"},
}


@dataclass
class Stack:
    tools: dict
    sandbox: dict
    workdir: Path
    env: dict
    bucket: str
    key: str

    def run(self, *args, check=True, timeout=900):
        result = subprocess.run(
            [self.tools["VOICESTACK_TOFU"], *args, "-no-color"],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"tofu {args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def outputs(self):
        return {k: v["value"] for k, v in json.loads(self.run("output", "-json").stdout).items()}

    def state_object(self):
        s3 = boto3.client("s3", endpoint_url=self.sandbox["moto"]["url"], **boto_creds(self.env))
        return s3.get_object(Bucket=self.bucket, Key=self.key)["Body"].read()


def unprotect_and_destroy(stack):
    """Destroy a stack whose load balancer has deletion protection on, as a user without Ansible would (and
    as destroy.yml does): a targeted apply switching the protection off, then the destroy."""
    variables = json.loads((stack.workdir / "sandbox.auto.tfvars.json").read_text())
    unprotect = {"alb": {**variables.get("alb", {}), "deletion_protection": False}}
    (stack.workdir / "unprotect.tfvars.json").write_text(json.dumps(unprotect))
    target = ("-target=module.alb.aws_lb.this", "-var-file=unprotect.tfvars.json")
    stack.run("apply", "-auto-approve", "-input=false", *target)
    stack.run("destroy", "-auto-approve", "-input=false")


def boto_creds(env):
    return {
        "region_name": "us-east-1",
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": env["AWS_SESSION_TOKEN"],
    }


def state_location(sandbox, name: str) -> tuple[str, str]:
    """The first sandbox account's state bucket and a key of this test's own. The
    deployer's policy reaches no other bucket; the bucket is made with the
    sandbox's own key if no run made it yet (as bootstrap_backend.yml would)."""
    bucket = f"voicestack-tfstate-{SANDBOX_VARS['account_id']}"
    s3 = moto_client(sandbox, "s3", SANDBOX_VARS["account_id"])
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    return bucket, f"tests/{time.time_ns()}/{name}.tfstate"


def issue(sandbox, root_token, role="voicestack-deployer"):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    return vault.secrets.aws.generate_credentials(name=role, endpoint="sts")


def tofu_env(tools, sandbox, issued: dict) -> dict:
    """The environment of one tofu process with credentials Vault issued (the data of an aws/sts response)."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "TF_CLI_CONFIG_FILE": tools["VOICESTACK_TF_CLI_CONFIG"],
        "TF_IN_AUTOMATION": "1",
        "AWS_ACCESS_KEY_ID": issued["access_key"],
        "AWS_SECRET_ACCESS_KEY": issued["secret_key"],
        "AWS_SESSION_TOKEN": issued["security_token"],
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": sandbox["moto"]["url"],
    }


def prepare(tools, sandbox, creds, tmp_path, stack="voice", tfvars=None):
    """A work copy of the bundled Terraform, a state bucket and the env of one tofu process."""
    copy = tmp_path / "terraform"
    shutil.copytree(ROOT / "terraform", copy, symlinks=True)
    workdir = copy / "stacks" / stack
    env = tofu_env(tools, sandbox, creds["data"])
    bucket, key = state_location(sandbox, stack)
    (workdir / "backend.hcl").write_text(
        f'bucket = "{bucket}"\nkey = "{key}"\nregion = "us-east-1"\nuse_lockfile = true\nuse_path_style = true\n'
    )
    (workdir / "sandbox.auto.tfvars.json").write_text(json.dumps(tfvars or SANDBOX_VARS))
    return Stack(tools, sandbox, workdir, env, bucket, key)
