"""The bundled stacks with real OpenTofu and the real AWS provider against the
sandbox: apply, a no-op plan, destroy; input validation before any write."""

from __future__ import annotations

import json
import zipfile

import boto3
import hvac
import pytest

from dev.testkit.canary import audit_offset, issued_since
from dev.testkit.tf import SANDBOX_VARS, boto_creds, issue, prepare

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def creds(sandbox, root_token):
    secret = issue(sandbox, root_token)
    yield secret
    hvac.Client(url=sandbox["openbao"]["url"], token=root_token).sys.revoke_lease(secret["lease_id"])


ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
DEPLOYER = "arn:aws:iam::123456789012:role/voicestack-deployer"
PLATFORM_ADMINS = "arn:aws:iam::210987654321:role/team/platform-admins"


def test_voice_stack_applies_plans_clean_and_destroys(tools, sandbox, creds, tmp_path):
    tfvars = {**SANDBOX_VARS, "cluster_admin_principal_arns": [PLATFORM_ADMINS]}
    stack = prepare(tools, sandbox, creds, tmp_path, tfvars=tfvars)
    stack.run("init", "-input=false", "-backend-config=backend.hcl")
    stack.run("apply", "-auto-approve", "-input=false")
    out = stack.outputs()

    assert out["alb_idle_timeout"] == 3600
    assert out["cluster_name"] == "sandbox-voice"
    assert out["collection_name"] == "sandbox-voice"
    assert out["agent_role_arn"] == "arn:aws:iam::123456789012:role/sandbox-voice-agent"

    aws = {"endpoint_url": sandbox["moto"]["url"], **boto_creds(stack.env)}
    elbv2 = boto3.client("elbv2", **aws)
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=out["alb_arn"])["Attributes"]
    }
    assert attributes["idle_timeout.timeout_seconds"] == "3600"
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"

    collection = boto3.client("opensearchserverless", **aws).batch_get_collection(names=["sandbox-voice"])[
        "collectionDetails"
    ][0]
    assert collection["type"] == "VECTORSEARCH"

    trust = boto3.client("iam", **aws).get_role(RoleName="sandbox-voice-agent")["Role"]["AssumeRolePolicyDocument"]
    issuer = out["oidc_issuer_url"].removeprefix("https://")
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {
        f"{issuer}:sub": "system:serviceaccount:voice:voice-agent",
        f"{issuer}:aud": "sts.amazonaws.com",
    }

    nodegroup = boto3.client("eks", **aws).describe_nodegroup(
        clusterName="sandbox-voice", nodegroupName="sandbox-voice-default"
    )["nodegroup"]
    assert nodegroup["instanceTypes"] == ["m7g.large"]
    assert nodegroup["amiType"] == "AL2023_ARM_64_STANDARD"
    assert nodegroup["scalingConfig"] == {"minSize": 2, "maxSize": 10, "desiredSize": 3}

    # Kubernetes access is explicit: no bootstrap right, an admin access entry for the deployer's role (the
    # session's issuer) and for each input principal, and nobody else.
    eks = boto3.client("eks", **aws)
    assert eks.describe_cluster(name="sandbox-voice")["cluster"]["accessConfig"] == {
        "authenticationMode": "API_AND_CONFIG_MAP",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert sorted(eks.list_access_entries(clusterName="sandbox-voice")["accessEntries"]) == [DEPLOYER, PLATFORM_ADMINS]
    for principal in (DEPLOYER, PLATFORM_ADMINS):
        (policy,) = eks.list_associated_access_policies(clusterName="sandbox-voice", principalArn=principal)[
            "associatedAccessPolicies"
        ]
        assert (policy["policyArn"], policy["accessScope"]["type"]) == (ADMIN_POLICY, "cluster")
    assert out["cluster_admin_principal_arns"] == [DEPLOYER, PLATFORM_ADMINS]

    plan = stack.run("plan", "-detailed-exitcode", "-input=false", check=False)
    assert plan.returncode == 0, plan.stdout + plan.stderr

    stack.run("destroy", "-auto-approve", "-input=false")
    assert json.loads(stack.state_object())["resources"] == []
    assert boto3.client("eks", **aws).list_clusters()["clusters"] == []


@pytest.fixture(scope="module")
def initialized(tools, sandbox, creds, tmp_path_factory):
    stack = prepare(tools, sandbox, creds, tmp_path_factory.mktemp("validation"))
    stack.run("init", "-input=false", "-backend-config=backend.hcl")
    return stack


BAD_INPUTS = [
    ({"account_id": "12345678901"}, "account_id must be exactly 12 digits"),
    ({"region": "us-east1"}, "region must be an AWS region name"),
    ({"customer": "Acme"}, "customer must be 3-20 lowercase letters"),
    ({"vpc_cidr": "10.40.0.0/8"}, "vpc_cidr must be an IPv4 CIDR block between /16 and /20"),
    ({"vpc_cidr": "10.400.0.0/16"}, "vpc_cidr must be an IPv4 CIDR block"),
    ({"availability_zones": ["us-east-1a"]}, "availability_zones must name 2 or 3 zones"),
    (
        {"alb": {"idle_timeout": 0, "allow_http_only": True}},
        "idle_timeout must be a whole number of seconds from 1 to 4000",
    ),
    (
        {"alb": {"idle_timeout": 5000, "allow_http_only": True}},
        "idle_timeout must be a whole number of seconds from 1 to 4000",
    ),
    ({"alb": {}}, "certificate_arn (an ACM certificate ARN) is required"),
    ({"alb": {"certificate_arn": "not-an-arn"}}, "certificate_arn must be an ACM certificate ARN"),
    ({"collection_name": "Voice-Vectors"}, "collection_name must be 3-32 characters"),
    ({"collection_name": "vv"}, "collection_name must be 3-32 characters"),
    ({"vector_store": {"collection_type": "TIMESERIES"}}, "collection_type must be VECTORSEARCH"),
    ({"kubernetes_version": "1.29"}, "kubernetes_version must be a minor version such as 1.35, and at least 1.31"),
    ({"node_group": {"instance_types": ["m7i.large"]}}, "node_group.ami_type does not match the instance architecture"),
    (
        {"node_group": {"ami_type": "AL2023_x86_64_STANDARD"}},
        "node_group.ami_type does not match the instance architecture",
    ),
    ({"node_group": {"instance_types": ["m7g.large", "m7i.large"]}}, "must not mix ARM (Graviton, e.g. m7g) and x86"),
    ({"node_group": {"min_size": 4}}, "1 <= min_size <= desired_size <= max_size"),
    ({"node_group": {"max_size": 500, "desired_size": 3}}, "max_size above 100 is refused"),
    ({"secrets_kms_key_arn": "alias/eks"}, "secrets_kms_key_arn must be a KMS key ARN"),
    (
        {"cluster_admin_principal_arns": ["arn:aws:sts::123456789012:assumed-role/admins/alice"]},
        "an STS session ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) cannot have an access entry",
    ),
    ({"cluster_admin_principal_arns": ["admins"]}, "cluster_admin_principal_arns must list IAM role or user ARNs"),
    (
        {"cluster_admin_principal_arns": [DEPLOYER, DEPLOYER]},
        "cluster_admin_principal_arns must not list a principal twice",
    ),
    ({"cluster_authentication_mode": "CONFIG_MAP"}, "cluster_authentication_mode must be API_AND_CONFIG_MAP or API"),
]


@pytest.mark.parametrize(("override", "message"), BAD_INPUTS, ids=[m[:40] for _, m in BAD_INPUTS])
def test_bad_input_fails_the_plan_naming_the_input(initialized, override, message):
    variables = {**SANDBOX_VARS, **override}
    if "alb" in override and "deletion_protection" not in override["alb"]:
        variables["alb"] = {"deletion_protection": False, **override["alb"]}
    path = initialized.workdir / "bad.tfvars.json"
    path.write_text(json.dumps(variables))
    result = initialized.run("plan", "-input=false", "-var-file=bad.tfvars.json", check=False)
    assert result.returncode == 1
    assert message in " ".join(result.stderr.split()), result.stderr
    s3 = boto3.client("s3", endpoint_url=initialized.sandbox["moto"]["url"], **boto_creds(initialized.env))
    assert s3.list_objects_v2(Bucket=initialized.bucket).get("KeyCount") == 0  # no state: nothing was created


@pytest.mark.security
@pytest.mark.proves("P1 no credential in output, logs, disk, state, plans or argv")
def test_ephemeral_stack_reads_vault_credentials_that_never_reach_state(tools, sandbox, root_token, creds, tmp_path):
    raw = sandbox["openbao"]["raw_audit_log"]
    offset = audit_offset(raw)
    stack = prepare(
        tools,
        sandbox,
        creds,
        tmp_path,
        stack="voice_vault_ephemeral",
        tfvars={**SANDBOX_VARS, "vault_aws_role": "voicestack-deployer"},
    )
    # Only the backend keeps using the process credentials; the AWS provider gets Vault's.
    stack.env.update({"VAULT_ADDR": sandbox["openbao"]["url"], "VAULT_TOKEN": root_token})
    stack.run("init", "-input=false", "-backend-config=backend.hcl")
    stack.run("apply", "-auto-approve", "-input=false")
    plan = stack.run("plan", "-detailed-exitcode", "-input=false", "-out=check.tfplan", check=False)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    issued = issued_since(raw, offset)
    assert len(set(issued.values())) == 3, "the ephemeral resource issued no credentials"

    with zipfile.ZipFile(stack.workdir / "check.tfplan") as saved:
        plan_text = "".join(saved.read(name).decode("utf-8", "replace") for name in saved.namelist())
    places = {
        "state": stack.state_object().decode(),
        "plan file": plan_text,
        "plan json": stack.run("show", "-json", "check.tfplan").stdout,
    }
    assert "sandbox-voice" in places["state"]
    assert not [(kind, where) for where, text in places.items() for secret, kind in issued.items() if secret in text]
    stack.run("destroy", "-auto-approve", "-input=false")
