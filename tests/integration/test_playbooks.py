"""The playbooks end to end on the sandbox account: bootstrap, provision,
re-run without changes, check mode, guarded destroy; leases revoked each time."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import boto3
import hvac
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def playbook(sandbox, name, *extra, tmp_path=None):
    inventory = Path(sandbox["openbao"]["audit_log"]).parent / "inventory.json"
    env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "default"}
    if tmp_path:
        env["ANSIBLE_LOG_PATH"] = str(tmp_path / "ansible.log")
    return subprocess.run(
        ["ansible-playbook", "-i", str(inventory), str(ROOT / "playbooks" / name), *extra],
        env={**env, "VAULT_TOKEN": sandbox["openbao"]["root_token"]},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def recap(result):
    match = re.search(r"sandbox\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", result.stdout)
    assert match, result.stdout[-3000:] + result.stderr[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups()), strict=True))


def moto(sandbox, service):
    """A client of the sandbox's moto (it accepts any key)."""
    return boto3.client(
        service,
        endpoint_url=sandbox["moto"]["url"],
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )


def alb(sandbox):
    """(elbv2 client, ARN of the sandbox account's load balancer)."""
    elbv2 = moto(sandbox, "elbv2")
    return elbv2, elbv2.describe_load_balancers(Names=["sandbox-voice"])["LoadBalancers"][0]["LoadBalancerArn"]


def outstanding_leases(sandbox):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])
    listing = vault.list("sys/leases/lookup/aws/sts/voicestack-deployer")
    return set(listing["data"]["keys"]) if listing else set()


def plan_counts(result):
    """The plan summary the role prints: {'create': N, ...}."""
    match = re.search(r'"msg": (\{[^}]*"create"[^}]*\})', result.stdout)
    assert match, result.stdout[-3000:]
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def provisioned(sandbox):
    before = outstanding_leases(sandbox)
    boot = playbook(sandbox, "bootstrap_backend.yml")
    assert boot.returncode == 0, boot.stdout[-3000:] + boot.stderr[-3000:]
    first = playbook(sandbox, "site.yml")
    assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-3000:]
    yield first, before
    gone = playbook(sandbox, "destroy.yml", "-e", "confirm_destroy=123456789012")
    assert gone.returncode == 0, gone.stdout[-3000:] + gone.stderr[-3000:]


def test_site_applies_the_stack_and_reports_changed(provisioned, sandbox):
    first, before = provisioned
    counts = plan_counts(first)
    assert counts["create"] >= 10
    assert recap(first)["changed"] >= 1
    eks = moto(sandbox, "eks")
    assert eks.list_clusters()["clusters"] == ["sandbox-voice"]
    assert outstanding_leases(sandbox) == before


def test_a_second_run_changes_nothing(provisioned, sandbox):
    _, before = provisioned
    again = playbook(sandbox, "site.yml")
    assert again.returncode == 0, again.stdout[-3000:]
    assert plan_counts(again) == {"create": 0, "update": 0, "delete": 0, "replace": 0}
    assert recap(again)["changed"] == 1  # only the revocation of this run's lease and token
    assert outstanding_leases(sandbox) == before


def test_check_mode_plans_only(provisioned, sandbox):
    checked = playbook(
        sandbox,
        "site.yml",
        "--check",
        "-e",
        '{"terraform_stack_variables": {"availability_zones": ["us-east-1a", "us-east-1b"], '
        '"single_nat_gateway": true, "iam_propagation_wait_seconds": 0, '
        '"alb": {"deletion_protection": false, "allow_http_only": true, '
        '"idle_timeout": 1800}, "vector_store": {"standby_replicas": false}}}',
    )
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert plan_counts(checked)["update"] >= 1
    elbv2, arn = alb(sandbox)
    attributes = {
        a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }
    assert attributes["idle_timeout.timeout_seconds"] == "3600"


def test_destroy_refuses_without_the_account_id(provisioned, sandbox):
    refused = playbook(sandbox, "destroy.yml", "-e", "confirm_destroy=yes")
    assert refused.returncode == 2
    assert "refusing to destroy account 123456789012: pass -e confirm_destroy=123456789012" in refused.stdout


def test_drift_is_reported_then_repaired(provisioned, sandbox, tmp_path):
    elbv2, arn = alb(sandbox)
    # Someone "fixes" the load balancer by hand, back to the AWS default.
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "60"}]
    )

    drifted = playbook(sandbox, "drift.yml", "-e", f"drift_report_dir={tmp_path}")
    assert drifted.returncode == 2, drifted.stdout[-3000:]
    assert "drift in 1 account(s): 123456789012" in drifted.stdout
    report = json.loads((tmp_path / "drift-report.json").read_text())
    assert report["drifted"] == ["123456789012"]
    changes = report["accounts"][0]["plan"]["changes"]
    assert {"address": "module.alb.aws_lb.this", "action": "update"} in changes
    assert "`module.alb.aws_lb.this`: Terraform would update it" in (tmp_path / "drift-report.md").read_text()

    repaired = playbook(sandbox, "site.yml")
    assert repaired.returncode == 0, repaired.stdout[-3000:]
    clean = playbook(sandbox, "drift.yml", "-e", f"drift_report_dir={tmp_path}")
    assert clean.returncode == 0, clean.stdout[-3000:]
    assert json.loads((tmp_path / "drift-report.json").read_text())["drifted"] == []
