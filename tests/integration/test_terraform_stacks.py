"""The bundled stacks with real OpenTofu and the real AWS provider against the
sandbox: apply, a no-op plan, destroy; input validation before any write."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile

import boto3
import hvac
import pytest

from dev.testkit.ansible_cli import moto_client
from dev.testkit.canary import audit_offset, issued_since
from dev.testkit.tf import SANDBOX_VARS, boto_creds, issue, prepare, unprotect_and_destroy

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def creds(sandbox, root_token):
    secret = issue(sandbox, root_token)
    yield secret
    hvac.Client(url=sandbox["openbao"]["url"], token=root_token).sys.revoke_lease(secret["lease_id"])


ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
DEPLOYER = "arn:aws:iam::123456789012:role/voicestack-deployer"
PLANNER = "arn:aws:iam::123456789012:role/voicestack-planner"
VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
PLATFORM_ADMINS = "arn:aws:iam::210987654321:role/team/platform-admins"


def platform_admins_role(sandbox) -> str:
    """The customer's admin team's role, which must exist: EKS refuses an access entry for a missing principal."""
    iam = moto_client(sandbox, "iam", PLATFORM_ADMINS.split(":")[4])
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": "sts:AssumeRole"}]}
    try:
        iam.create_role(RoleName="platform-admins", Path="/team/", AssumeRolePolicyDocument=json.dumps(trust))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    return PLATFORM_ADMINS


def test_voice_stack_applies_plans_clean_and_destroys(tools, sandbox, creds, tmp_path):
    tfvars = {**SANDBOX_VARS, "cluster_admin_principal_arns": [platform_admins_role(sandbox)]}
    stack = prepare(tools, sandbox, creds, tmp_path, tfvars=tfvars)
    stack.run("init", "-input=false", "-backend-config=backend.hcl")
    stack.run("apply", "-auto-approve", "-input=false")
    out = stack.outputs()
    # The test reads what the stack made with the sandbox's own key (account 123456789012, not judged by
    # the sandbox's IAM): these reads are the test's, not the deployer's.
    aws = {
        "endpoint_url": sandbox["moto"]["url"],
        "region_name": "us-east-1",
        "aws_access_key_id": "sandbox",
        "aws_secret_access_key": "sandbox",
    }

    # No zones named: the region's first zones that need no opt-in (the sandbox lists the Local Zone
    # us-east-1-bos-1a first) and can hold an EKS control plane (us-east-1b is use1-az3 there).
    subnets = boto3.client("ec2", **aws).describe_subnets(Filters=[{"Name": "tag:Name", "Values": ["sandbox-voice-*"]}])
    assert sorted({s["AvailabilityZone"] for s in subnets["Subnets"]}) == ["us-east-1a", "us-east-1c", "us-east-1d"]

    assert out["alb_idle_timeout"] == 3600
    assert out["cluster_name"] == "sandbox-voice"
    assert out["collection_name"] == "sandbox-voice"
    assert out["agent_role_arn"] == "arn:aws:iam::123456789012:role/sandbox-voice-agent"

    elbv2 = boto3.client("elbv2", **aws)
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=out["alb_arn"])["Attributes"]
    }
    assert attributes["idle_timeout.timeout_seconds"] == "3600"
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"

    aoss = boto3.client("opensearchserverless", **aws)
    collection = aoss.batch_get_collection(names=["sandbox-voice"])["collectionDetails"][0]
    assert collection["type"] == "VECTORSEARCH"

    assert_the_vector_store_is_private(aoss, boto3.client("ec2", **aws), out)

    trust = boto3.client("iam", **aws).get_role(RoleName="sandbox-voice-agent")["Role"]["AssumeRolePolicyDocument"]
    issuer = out["oidc_issuer_url"].removeprefix("https://")
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {
        f"{issuer}:sub": "system:serviceaccount:voice:voice-agent",
        f"{issuer}:aud": "sts.amazonaws.com",
    }

    cluster = boto3.client("eks", **aws).describe_cluster(name="sandbox-voice")["cluster"]
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}  # not EKS's EXTENDED, billed per cluster-hour

    nodegroup = boto3.client("eks", **aws).describe_nodegroup(
        clusterName="sandbox-voice", nodegroupName="sandbox-voice-default"
    )["nodegroup"]
    assert nodegroup["instanceTypes"] == ["m7g.large"]
    assert nodegroup["amiType"] == "AL2023_ARM_64_STANDARD"
    assert nodegroup["scalingConfig"] == {"minSize": 2, "maxSize": 10, "desiredSize": 3}

    assert_the_alb_reaches_the_nodes(aws, elbv2, nodegroup, out)

    assert_eks_access_is_explicit(boto3.client("eks", **aws), out)

    plan = stack.run("plan", "-detailed-exitcode", "-input=false", check=False)
    assert plan.returncode == 0, plan.stdout + plan.stderr

    # A plain destroy stops at the protected load balancer, as on AWS, with AWS's error; switching the
    # protection off through Terraform (what destroy.yml does) lets the destroy finish.
    refused = stack.run("destroy", "-auto-approve", "-input=false", check=False)
    assert refused.returncode == 1
    assert "OperationNotPermitted" in refused.stderr, refused.stderr
    assert f"Load balancer '{out['alb_arn']}' cannot be deleted because deletion protection is enabled" in " ".join(
        refused.stderr.split()
    )
    unprotect_and_destroy(stack)
    assert json.loads(stack.state_object())["resources"] == []
    assert boto3.client("eks", **aws).list_clusters()["clusters"] == []
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []


def assert_the_vector_store_is_private(aoss, ec2, out):
    # Private by default: only the stack's own VPC endpoint, in the private subnets, HTTPS from the VPC; no
    # public access and no Dashboards.
    endpoint_id = out["collection_vpc_endpoint_id"]
    policy = aoss.get_security_policy(name="sandbox-voice-net", type="network")["securityPolicyDetail"]["policy"]
    assert policy == [
        {
            "Rules": [{"ResourceType": "collection", "Resource": ["collection/sandbox-voice"]}],
            "AllowFromPublic": False,
            "SourceVPCEs": [endpoint_id],
        }
    ]
    assert out["collection_network_policy"] == policy
    endpoint = aoss.batch_get_vpc_endpoint(ids=[endpoint_id])["vpcEndpointDetails"][0]
    private = ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [out["vpc_id"]]},
            {"Name": "tag-key", "Values": ["kubernetes.io/role/internal-elb"]},
        ]
    )["Subnets"]
    assert (endpoint["status"], endpoint["vpcId"]) == ("ACTIVE", out["vpc_id"])
    assert sorted(endpoint["subnetIds"]) == sorted(s["SubnetId"] for s in private) and len(private) == 3
    [group] = endpoint["securityGroupIds"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIpv4"]) for r in rules if not r["IsEgress"]] == [
        ("tcp", 443, 443, "10.40.0.0/16")
    ]


def assert_the_alb_reaches_the_nodes(aws, elbv2, nodegroup, out):
    # The path from the ALB to the agent: instance targets on the node port,
    # registered by the node group's Auto Scaling group, admitted by the
    # cluster security group the nodes carry.
    group_arn = out["alb_target_group_arn"]
    group = elbv2.describe_target_groups(TargetGroupArns=[group_arn])["TargetGroups"][0]
    assert (group["TargetType"], group["Port"]) == ("instance", 30080)
    group_attributes = {
        a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=group_arn)["Attributes"]
    }
    assert group_attributes["deregistration_delay.timeout_seconds"] == "3600"
    assert out["alb_deregistration_delay"] == 3600
    cluster_sg = boto3.client("eks", **aws).describe_cluster(name="sandbox-voice")["cluster"]["resourcesVpcConfig"][
        "clusterSecurityGroupId"
    ]
    assert out["cluster_security_group_id"] == cluster_sg
    rules = boto3.client("ec2", **aws).describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [cluster_sg]}]
    )["SecurityGroupRules"]
    assert [
        (r["IpProtocol"], r["FromPort"], r["ToPort"])
        for r in rules
        if not r["IsEgress"] and r.get("ReferencedGroupInfo", {}).get("GroupId") == out["alb_security_group_id"]
    ] == [("tcp", 30080, 30080)]
    asg_name = nodegroup["resources"]["autoScalingGroups"][0]["name"]
    assert out["node_group_autoscaling_group_name"] == asg_name
    asg = boto3.client("autoscaling", **aws).describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])[
        "AutoScalingGroups"
    ][0]
    assert asg["TargetGroupARNs"] == [group_arn]
    registered = elbv2.describe_target_health(TargetGroupArn=group_arn)["TargetHealthDescriptions"]
    assert sorted(t["Target"]["Id"] for t in registered) == sorted(i["InstanceId"] for i in asg["Instances"])
    assert len(registered) == 3


def assert_eks_access_is_explicit(eks, out):
    # Kubernetes access is explicit: no bootstrap right, an admin access entry for the deployer's role (the
    # session's issuer) and for each input principal, a view entry for the planner, and nobody else.
    assert eks.describe_cluster(name="sandbox-voice")["cluster"]["accessConfig"] == {
        "authenticationMode": "API_AND_CONFIG_MAP",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    entries = sorted(eks.list_access_entries(clusterName="sandbox-voice")["accessEntries"])
    assert entries == [DEPLOYER, PLANNER, PLATFORM_ADMINS]
    for principal, wanted in ((DEPLOYER, ADMIN_POLICY), (PLATFORM_ADMINS, ADMIN_POLICY), (PLANNER, VIEW_POLICY)):
        (policy,) = eks.list_associated_access_policies(clusterName="sandbox-voice", principalArn=principal)[
            "associatedAccessPolicies"
        ]
        assert (policy["policyArn"], policy["accessScope"]["type"]) == (wanted, "cluster")
    assert out["cluster_admin_principal_arns"] == [DEPLOYER, PLATFORM_ADMINS]


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
    ({"kubernetes_version": "1.29"}, "kubernetes_version: '1.29' is not an EKS version this collection knows"),
    # 1.31's extended support ended on 2026-11-26: refused for good.
    ({"kubernetes_version": "1.31"}, "kubernetes_version: EKS 1.31 reached its end of extended support on 2026-11-26"),
    ({"kubernetes_support_type": "FOREVER"}, "kubernetes_support_type must be STANDARD or EXTENDED"),
    (
        {"collection_name": "voice-vectors-for-acme-corp"},
        "collection_name: 'voice-vectors-for-acme-corp' makes the OpenSearch Serverless policy name "
        "'voice-vectors-for-acme-corp-agent' (33 characters); AWS allows 32",
    ),
    ({"customer": "internal-x"}, "AWS refuses load balancer names beginning with 'internal-'"),
    (
        {"alb": {"certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/1234"}},
        "alb.certificate_arn: the certificate is in region eu-west-1, the stack in us-east-1",
    ),
    ({"alb": {"allow_http_only": True, "access_logs_bucket": "Logs_Bucket"}}, "alb.access_logs_bucket must be an S3"),
    (
        {"agent": {"managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}},
        "agent.managed_policy_arns: arn:aws:iam::aws:policy/AdministratorAccess would give the voice agent's pods",
    ),
    (
        {"agent": {"managed_policy_arns": ["arn:aws:iam::aws:policy/IAMFullAccess"]}},
        "set agent.allow_admin_policies to true only if that is meant",
    ),
    (
        {"iam_permissions_boundary_arn": "arn:aws:iam::123456789012:role/boundary"},
        "iam_permissions_boundary_arn must be an IAM managed policy ARN",
    ),
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
        {"vector_store": {"private_endpoint": False, "standby_replicas": False}},
        "with private_endpoint = false, set public = true or name vpc_endpoint_ids",
    ),
    ({"alb": {"allow_http_only": True, "node_port": 8080}}, "alb.node_port must be in Kubernetes' NodePort range"),
    ({"alb": {"allow_http_only": True, "deregistration_delay": 3601}}, "alb.deregistration_delay must be a whole"),
    ({"alb": {"allow_http_only": True, "deregistration_delay": -1}}, "alb.deregistration_delay must be a whole"),
    (
        {"cluster_public_access_cidrs": None},
        "not suitable for var.cluster_public_access_cidrs defined at variables.tf",
    ),
    ({"cluster_public_access_cidrs": []}, "cluster_public_access_cidrs must list the CIDRs your operators"),
    (
        {"cluster_public_access_cidrs": ["203.0.113.0/24", "0.0.0.0/0"]},
        "cluster_public_access_cidrs opens the Kubernetes API endpoint to the whole internet",
    ),
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
    path = initialized.workdir / "bad.tfvars.json"
    path.write_text(json.dumps(variables))
    result = initialized.run("plan", "-input=false", "-var-file=bad.tfvars.json", check=False)
    assert result.returncode == 1
    assert message in " ".join(result.stderr.split()), result.stderr
    s3 = boto3.client("s3", endpoint_url=initialized.sandbox["moto"]["url"], **boto_creds(initialized.env))
    prefix = initialized.key.rpartition("/")[0] + "/"
    assert s3.list_objects_v2(Bucket=initialized.bucket, Prefix=prefix).get("KeyCount") == 0  # nothing was created


BOUNDARY = "arn:aws:iam::123456789012:policy/voicestack-boundary"


def test_plan_sets_the_upgrade_policy_and_every_role_s_permissions_boundary(initialized):
    # No iam_permissions_boundary_arn: every role gets the account's voicestack-boundary,
    # which the deployer's policy requires.
    variables = {
        **SANDBOX_VARS,
        "agent": {"managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"], "allow_admin_policies": True},
    }
    (initialized.workdir / "plan.tfvars.json").write_text(json.dumps(variables))
    initialized.run("plan", "-input=false", "-var-file=plan.tfvars.json", "-out=limits.tfplan")
    plan = json.loads(initialized.run("show", "-json", "limits.tfplan").stdout)
    changes = {c["address"]: c["change"]["after"] for c in plan["resource_changes"]}

    assert changes["module.eks.aws_eks_cluster.this"]["upgrade_policy"] == [{"support_type": "STANDARD"}]
    roles = {address: after for address, after in changes.items() if ".aws_iam_role." in address}
    assert sorted(roles) == [
        "module.eks.aws_iam_role.cluster",
        "module.eks.aws_iam_role.node",
        "module.irsa.aws_iam_role.agent",
    ]
    assert {address: after["permissions_boundary"] for address, after in roles.items()} == dict.fromkeys(
        roles, BOUNDARY
    )
    assert 'module.irsa.aws_iam_role_policy_attachment.extra["arn:aws:iam::aws:policy/AdministratorAccess"]' in changes

    # The IAM propagation wait delays what names the agent role (its ARN passes through it),
    # not the role's own policies, which IAM accepts at once.
    irsa = plan["configuration"]["root_module"]["module_calls"]["irsa"]["module"]
    assert "time_sleep.iam_propagation" in irsa["outputs"]["role_arn"]["expression"]["references"]
    for resource in irsa["resources"]:
        assert "depends_on" not in resource, resource["address"]
    assert "vpc_id" not in plan["configuration"]["root_module"]["module_calls"]["eks"]["module"]["variables"]


def test_public_access_and_dashboards_only_when_asked(initialized):
    """Asked for, the network policy opens the collection and its Dashboards to any network (the default, private
    and without Dashboards, is what the apply above checks)."""
    variables = {**SANDBOX_VARS, "vector_store": {"standby_replicas": False, "public": True, "dashboards": True}}
    (initialized.workdir / "open.tfvars.json").write_text(json.dumps(variables))
    initialized.run("plan", "-input=false", "-var-file=open.tfvars.json", "-out=open.tfplan")
    plan = json.loads(initialized.run("show", "-json", "open.tfplan").stdout)
    [policy] = [
        json.loads(change["change"]["after"]["policy"])
        for change in plan["resource_changes"]
        if change["address"] == "module.vector_store.aws_opensearchserverless_security_policy.network"
    ]
    assert policy == [
        {
            "Rules": [
                {"ResourceType": "collection", "Resource": ["collection/sandbox-voice"]},
                {"ResourceType": "dashboard", "Resource": ["collection/sandbox-voice"]},
            ],
            "AllowFromPublic": True,
        }
    ]


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
    unprotect_and_destroy(stack)


INPUTS_PLAYBOOK = """
- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: The stack's inputs
      ansible.builtin.include_role:
        name: voicestack.aws.terraform_stack
        tasks_from: inputs
      vars:
        terraform_stack_account_id: "123456789012"
        terraform_stack_region: us-east-1
        terraform_stack_customer: acme
        terraform_stack_backend_bucket: voicestack-tfstate-123456789012
"""


def test_the_inputs_step_warns_near_an_end_of_support_and_refuses_past_it(tools, tmp_path):
    """Role terraform_stack's inputs step with the real tofu and the shipped calendar, no AWS: 1.34's
    standard support ends on 2026-12-02, checked as of 2026-11-01 (an injected date, so that the test
    does not rot); 1.31 is refused by the stack's own rule on the day of the run."""
    hosts = {
        "near": {
            "terraform_stack_variables": {
                "kubernetes_version": "1.34",
                "alb": {"allow_http_only": True},
                "cluster_public_access_cidrs": ["203.0.113.0/24"],
            },
            "terraform_stack_support_check_date": "2026-11-01",
        },
        "far": {
            "terraform_stack_variables": {
                "kubernetes_version": "1.34",
                "alb": {"allow_http_only": True},
                "cluster_public_access_cidrs": ["203.0.113.0/24"],
            },
            "terraform_stack_support_check_date": "2026-09-01",
        },
        "ended": {
            "terraform_stack_variables": {
                "kubernetes_version": "1.31",
                "alb": {"allow_http_only": True},
                "cluster_public_access_cidrs": ["203.0.113.0/24"],
            }
        },
    }
    for name, host in hosts.items():
        host.update(
            terraform_stack_binary_path=tools["VOICESTACK_TOFU"], terraform_stack_work_root=str(tmp_path / name)
        )
    (tmp_path / "hosts.json").write_text(json.dumps({"all": {"hosts": hosts}}))
    (tmp_path / "play.yml").write_text(INPUTS_PLAYBOOK)
    result = subprocess.run(
        ["ansible-playbook", "-i", "hosts.json", "play.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **os.environ,
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
            "TF_CLI_CONFIG_FILE": tools["VOICESTACK_TF_CLI_CONFIG"],
        },
    )
    report = json.loads(result.stdout)
    outcomes = {host: {} for host in hosts}
    for task in report["plays"][0]["tasks"]:
        for host, outcome in task["hosts"].items():
            outcomes[host][task["task"]["name"].rpartition(" : ")[2]] = outcome
    check = "Check the Kubernetes version against the EKS release calendar"
    assert outcomes["near"][check]["warnings"] == [
        "kubernetes_version: EKS 1.34 ends standard support on 2026-12-02, in 31 days: EKS upgrades the cluster "
        "to the next version then (kubernetes_support_type STANDARD). Plan the upgrade."
    ]
    assert not outcomes["near"][check].get("failed")
    assert not outcomes["far"][check].get("warnings")
    refused = outcomes["ended"]["Stop on a bad input, naming it"]
    assert refused["failed"]
    assert "kubernetes_version: EKS 1.31 reached its end of extended support on 2026-11-26" in " ".join(
        refused["msg"].split()
    )
