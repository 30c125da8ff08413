"""Least privilege, proven on a sandbox account of its own ("scoped") under the
sandbox's IAM enforcement (dev/sandbox/README.md): the account's whole life,
from onboarding (onboard_account.yml, from the management account through
Vault) to offboarding, passes with only the collection's deployer policy;
that policy holds exactly the actions the life uses, each exception named;
--check, verify-only and drift runs, bootstrap --check and destroy --check
take the planner, whose policy is all they need; the planner is refused every
write; and every resource the stack creates lies inside the deployer policy's scope, another customer's outside.
moto judges actions, not resource ARNs (S3 aside), so the scope is checked by
evaluating the policy against the ARNs in the stack's state."""

from __future__ import annotations

import json
import os
import subprocess
import time

import boto3
import hvac
import pytest
import yaml
from botocore.exceptions import ClientError

from dev.sandbox.moto_gaps import policies_allow
from dev.sandbox.vault_setup import account_policy
from dev.testkit.ansible_cli import (
    ansible_playbook,
    moto_client,
    output,
    own_account,
    plan_counts,
    recap,
    work_folder,
)
from dev.testkit.tf import boto_creds, tofu_env
from dev.tools.account_policies import SPEC, build

pytestmark = [pytest.mark.integration, pytest.mark.security]
P7 = "P7 least privilege: the whole life under the sandbox's IAM enforcement with only the deployer's policy"

HOST, ACCOUNT = "scoped", "666677778888"
# Allowed for any caller: no policy grants or denies it (STS API reference).
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}


def iam_log(sandbox, offset=0) -> list[dict]:
    with open(sandbox["moto"]["iam_log"], encoding="utf-8") as log:
        log.seek(offset)
        return [json.loads(line) for line in log]


def iam_log_offset(sandbox) -> int:
    path = sandbox["moto"]["iam_log"]
    return os.path.getsize(path) if os.path.exists(path) else 0


@pytest.fixture(scope="module")
def account(sandbox, tmp_path_factory):
    """A new account, as AWS Organizations creates it: its admin role only."""
    inventory = own_account(sandbox, tmp_path_factory.mktemp("scoped"), HOST, ACCOUNT, onboarded=False)
    return {"inventory": inventory, "seconds": {}, "judged": {}, "results": {}}


def step(sandbox, account, name, playbook, *extra, returncode=0):
    """One run of the account's life; keeps its time, its result and every request of the account the sandbox
    judged."""
    started, offset = time.monotonic(), iam_log_offset(sandbox)
    result = ansible_playbook(sandbox, playbook, "-l", HOST, *extra, inventory=account["inventory"])
    account["seconds"][name] = time.monotonic() - started
    account["judged"][name] = [entry for entry in iam_log(sandbox, offset) if entry["account"] == ACCOUNT]
    account["results"][name] = result
    assert result.returncode == returncode, f"{name}: {output(result)}"
    return result


@pytest.fixture(scope="module")
def deployed(sandbox, account, tmp_path_factory):
    """The account's life up to its nightly drift check, under enforcement; the state site.yml left."""
    offset = iam_log_offset(sandbox)
    step(sandbox, account, "onboard", "onboard_account.yml")
    step(sandbox, account, "onboard-check", "onboard_account.yml", "--check")
    step(sandbox, account, "bootstrap", "bootstrap_backend.yml")
    step(sandbox, account, "bootstrap-check", "bootstrap_backend.yml", "--check")
    step(sandbox, account, "site", "site.yml")
    rerun = step(sandbox, account, "rerun", "site.yml")
    step(sandbox, account, "check", "site.yml", "--check", "--diff")
    step(sandbox, account, "verify", "site.yml", "--tags", "verify")
    step(sandbox, account, "drift", "drift.yml", "-e", f"drift_report_dir={tmp_path_factory.mktemp('drift')}")
    step(sandbox, account, "destroy-check", "destroy.yml", "--check", "-e", f"confirm_destroy={ACCOUNT}")
    step(sandbox, account, "offboard-refused", "offboard_account.yml", returncode=2)
    s3 = moto_client(sandbox, "s3", ACCOUNT)
    key = f"accounts/{ACCOUNT}/{HOST}/voice.tfstate"
    state = json.loads(s3.get_object(Bucket=f"voicestack-tfstate-{ACCOUNT}", Key=key)["Body"].read())
    return {"offset": offset, "rerun": rerun, "state": state}


@pytest.fixture(scope="module")
def destroyed(sandbox, account, deployed):
    """The rest of the life: destroy.yml. Every action the sandbox judged for the account since bootstrap."""
    step(sandbox, account, "destroy", "destroy.yml", "-e", f"confirm_destroy={ACCOUNT}")
    step(sandbox, account, "offboard", "offboard_account.yml")
    print("seconds per step:", json.dumps({k: round(v, 1) for k, v in account["seconds"].items()}))
    judged = iam_log(sandbox, deployed["offset"])
    return [entry for entry in judged if entry["account"] == ACCOUNT and entry["role"] == "voicestack-deployer"]


@pytest.mark.proves(P7)
def test_onboarding_proves_the_roles_and_a_second_run_changes_nothing(account, deployed):
    onboard = account["results"]["onboard"].stdout
    assert "voicestack-deployer may ec2:CreateVpc (DryRunOperation)" in onboard
    assert "voicestack-planner may not ec2:CreateVpc (UnauthorizedOperation)" in onboard
    assert recap(account["results"]["onboard-check"], HOST)["changed"] == 0, output(account["results"]["onboard-check"])


@pytest.mark.proves(P7)
def test_offboarding_is_refused_while_the_stack_remains(account, deployed):
    refused = account["results"]["offboard-refused"]
    assert f"account {ACCOUNT} still has a stack (accounts/{ACCOUNT}/{HOST}/voice.tfstate in" in refused.stdout
    # Nothing went: the rest of the life (drift, destroy) ran with these roles.


@pytest.mark.proves(P7)
@pytest.mark.parametrize("name", ["check", "verify", "drift", "bootstrap-check", "destroy-check"])
def test_read_only_runs_take_the_planner_and_need_nothing_more(account, deployed, name):
    """site.yml --check --diff (the service account read, not dry-run applied), site.yml --tags verify,
    drift.yml, bootstrap_backend.yml --check and destroy.yml --check: every request they sent was the planner's,
    and the planner's policy allowed each one."""
    judged = account["judged"][name]
    assert judged, f"the sandbox judged no request of the {name} run"
    assert {entry["role"] for entry in judged} == {"voicestack-planner"}
    assert [entry for entry in judged if not entry["allowed"]] == []


@pytest.mark.proves(P7)
def test_every_resource_the_stack_creates_is_in_the_deployer_policys_scope(deployed):
    # What the deployer does to each kind of resource (its delete), judged on the ARN in the state.
    delete = {
        "aws_eks_cluster": "eks:DeleteCluster",
        "aws_eks_node_group": "eks:DeleteNodegroup",
        "aws_eks_access_entry": "eks:DeleteAccessEntry",
        "aws_iam_role": "iam:DeleteRole",
        "aws_iam_openid_connect_provider": "iam:DeleteOpenIDConnectProvider",
        "aws_cloudwatch_log_group": "logs:DeleteLogGroup",
        "aws_lb": "elasticloadbalancing:DeleteLoadBalancer",
        "aws_lb_listener": "elasticloadbalancing:DeleteListener",
        "aws_lb_target_group": "elasticloadbalancing:DeleteTargetGroup",
        "aws_vpc": "ec2:DeleteVpc",
        "aws_subnet": "ec2:DeleteSubnet",
        "aws_security_group": "ec2:DeleteSecurityGroup",
        "aws_opensearchserverless_collection": "aoss:DeleteCollection",
    }
    policy = [json.loads(account_policy("deployer", ACCOUNT, [HOST], "us-east-1"))]
    judged = set()
    for resource in deployed["state"]["resources"]:
        if resource["mode"] != "managed" or resource["type"] not in delete:
            continue
        for instance in resource["instances"]:
            attributes = instance["attributes"]
            arn = attributes.get("arn") or attributes.get("access_entry_arn")
            action = delete[resource["type"]]
            assert policies_allow(policy, action, arn, {}), f"{action} on {arn} is outside the deployer's scope"
            if f"{HOST}-voice" in arn:
                other = arn.replace(f"{HOST}-voice", "other-voice")
                assert not policies_allow(policy, action, other, {}), f"{action} reaches another customer's {other}"
            judged.add(resource["type"])
    assert judged == set(delete)


@pytest.fixture(scope="module")
def planner(sandbox, tools, deployed):
    """The environment of a tofu process with the credentials Vault issues for the account's planner role, as
    --check and drift.yml will take them."""
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])
    issued = vault.secrets.aws.generate_credentials(name=f"voicestack-{HOST}-planner", endpoint="sts")["data"]
    return tofu_env(tools, sandbox, issued)


def planner_client(sandbox, service, planner):
    return boto3.client(service, endpoint_url=sandbox["moto"]["url"], **boto_creds(planner))


@pytest.mark.proves(P7)
@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("ec2", lambda c: c.create_vpc(CidrBlock="10.9.0.0/16")),
        ("iam", lambda c: c.create_role(RoleName=f"{HOST}-voice-x", AssumeRolePolicyDocument="{}")),
        ("eks", lambda c: c.delete_cluster(name=f"{HOST}-voice")),
        (
            "elbv2",
            lambda c: c.delete_load_balancer(LoadBalancerArn="arn:aws:elasticloadbalancing:::loadbalancer/app/x/1"),
        ),
        ("opensearchserverless", lambda c: c.delete_collection(id="0123456789abcdefghij")),
        ("s3", lambda c: c.put_object(Bucket=f"voicestack-tfstate-{ACCOUNT}", Key=f"accounts/{ACCOUNT}/x", Body=b"x")),
        ("kms", lambda c: c.create_key()),
    ],
)
def test_the_planner_is_refused_every_write(sandbox, planner, service, call):
    with pytest.raises(ClientError) as refused:
        call(planner_client(sandbox, service, planner))
    # Each service's own refusal: EC2's UnauthorizedOperation, the JSON services' AccessDeniedException.
    expected = {"ec2": "UnauthorizedOperation", "iam": "AccessDenied", "elbv2": "AccessDenied", "s3": "AccessDenied"}
    assert refused.value.response["Error"]["Code"] == expected.get(service, "AccessDeniedException")


@pytest.mark.proves(P7)
def test_the_planner_plans_the_deployed_stack_without_changes(sandbox, tools, deployed, planner):
    """tofu plan with planner credentials in the work folder site.yml used: it reads the state, holds and
    removes the lock file, refreshes every resource, and finds nothing to change."""
    plan = subprocess.run(
        [
            tools["VOICESTACK_TOFU"],
            "plan",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
            "-var-file=../../voice.tfvars.json",
        ],
        cwd=work_folder(sandbox, ACCOUNT, HOST) / "stacks" / "voice",
        env=planner,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]


@pytest.mark.proves(P7)
def test_the_whole_life_passes_with_only_the_deployer_policy(deployed, destroyed):
    assert destroyed, "the sandbox judged none of the deployer's requests"
    assert [entry for entry in destroyed if not entry["allowed"]] == []
    assert plan_counts(deployed["rerun"], HOST) == {"create": 0, "update": 0, "delete": 0, "replace": 0}


@pytest.mark.proves(P7)
def test_the_deployer_policy_holds_exactly_the_actions_the_life_uses(destroyed):
    spec = yaml.safe_load(SPEC.read_text())["policies"]["deployer"]
    granted = {action for statement in build()["deployer"] for action in statement["Action"]}
    used = {entry["action"] for entry in destroyed} - ALWAYS_ALLOWED
    implicit, occasional = set(spec["implicit"]), set(spec["occasional"])
    assert used - granted == set(), "used but not granted"
    assert granted - implicit - occasional - used == set(), "granted, never used, not named implicit or occasional"
    assert implicit & used == set(), "named implicit but seen by the sandbox: take it off the implicit list"


@pytest.mark.proves(P7)
def test_offboarding_removes_the_roles_the_boundary_and_the_vault_roles(sandbox, destroyed):
    iam = moto_client(sandbox, "iam", ACCOUNT)
    for role in ("voicestack-deployer", "voicestack-planner"):
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_role(RoleName=role)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/voicestack-boundary")
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])
    assert set(vault.list("aws/roles")["data"]["keys"]) & {f"voicestack-{HOST}", f"voicestack-{HOST}-planner"} == set()
