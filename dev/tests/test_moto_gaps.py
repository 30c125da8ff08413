"""Each moto gap fix, through boto3 against an in-process moto (no server)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.eks import models as eks_models

from dev.sandbox import moto_gaps

moto_gaps.apply()

NAME = "voice-vectors"


@pytest.fixture
def aoss():
    with mock_aws():
        yield boto3.client("opensearchserverless", region_name="us-east-1")


def encryption(client, **key):
    policy = {"Rules": [{"ResourceType": "collection", "Resource": [f"collection/{NAME}"]}], **key}
    client.create_security_policy(name=f"{NAME}-enc", type="encryption", policy=json.dumps(policy))


def network(client):
    policy = [{"Rules": [{"ResourceType": "collection", "Resource": [f"collection/{NAME}"]}], "AllowFromPublic": True}]
    client.create_security_policy(name=f"{NAME}-net", type="network", policy=json.dumps(policy))


def test_collection_with_aws_owned_key_and_a_later_network_policy(aoss):
    encryption(aoss, AWSOwnedKey=True)
    network(aoss)
    detail = aoss.create_collection(name=NAME, type="VECTORSEARCH")["createCollectionDetail"]
    assert detail["name"] == NAME
    assert "kmsKeyArn" not in detail


def test_collection_with_a_customer_key_keeps_it(aoss):
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    encryption(aoss, KmsARN=key)
    network(aoss)
    detail = aoss.create_collection(name=NAME, type="VECTORSEARCH")["createCollectionDetail"]
    assert detail["kmsKeyArn"] == key


def test_collection_without_encryption_policy_is_refused(aoss):
    network(aoss)
    with pytest.raises(ClientError, match="No matching security policy of encryption type"):
        aoss.create_collection(name=NAME, type="VECTORSEARCH")


def test_delete_security_policy(aoss):
    network(aoss)
    aoss.delete_security_policy(name=f"{NAME}-net", type="network")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        aoss.get_security_policy(name=f"{NAME}-net", type="network")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        aoss.delete_security_policy(name=f"{NAME}-net", type="network")


def test_access_policy_lifecycle(aoss):
    rules = [
        {
            "Rules": [{"ResourceType": "index", "Resource": [f"index/{NAME}/*"], "Permission": ["aoss:ReadDocument"]}],
            "Principal": ["arn:aws:iam::123456789012:role/voice-agent"],
        }
    ]
    created = aoss.create_access_policy(name=NAME, type="data", policy=json.dumps(rules))["accessPolicyDetail"]
    assert created["policy"] == rules
    with pytest.raises(ClientError, match="ConflictException"):
        aoss.create_access_policy(name=NAME, type="data", policy=json.dumps(rules))
    rules[0]["Rules"][0]["Permission"].append("aoss:WriteDocument")
    updated = aoss.update_access_policy(
        name=NAME, type="data", policy=json.dumps(rules), policyVersion=created["policyVersion"]
    )["accessPolicyDetail"]
    assert updated["policyVersion"] != created["policyVersion"]
    assert aoss.get_access_policy(name=NAME, type="data")["accessPolicyDetail"]["policy"] == rules
    assert [p["name"] for p in aoss.list_access_policies(type="data")["accessPolicySummaries"]] == [NAME]
    aoss.delete_access_policy(name=NAME, type="data")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        aoss.get_access_policy(name=NAME, type="data")


def test_vpc_endpoint_lifecycle_and_its_ec2_interface_endpoint(aoss):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    group = ec2.create_security_group(GroupName="aoss", Description="aoss", VpcId=vpc)["GroupId"]

    created = aoss.create_vpc_endpoint(name=NAME, vpcId=vpc, subnetIds=subnets[:1], securityGroupIds=[group])
    endpoint = created["createVpcEndpointDetail"]["id"]
    assert endpoint.startswith("vpce-")
    detail = aoss.batch_get_vpc_endpoint(ids=[endpoint])["vpcEndpointDetails"][0]
    assert (detail["status"], detail["vpcId"], detail["subnetIds"], detail["securityGroupIds"]) == (
        "ACTIVE",
        vpc,
        subnets[:1],
        [group],
    )
    interface = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]
    assert interface["VpcEndpointType"] == "Interface"
    assert [g["GroupId"] for g in interface["Groups"]] == [group]
    assert [e["id"] for e in aoss.list_vpc_endpoints()["vpcEndpointSummaries"]] == [endpoint]

    aoss.update_vpc_endpoint(id=endpoint, addSubnetIds=subnets[1:])
    assert aoss.batch_get_vpc_endpoint(ids=[endpoint])["vpcEndpointDetails"][0]["subnetIds"] == subnets

    assert aoss.delete_vpc_endpoint(id=endpoint)["deleteVpcEndpointDetail"]["status"] == "DELETING"
    gone = aoss.batch_get_vpc_endpoint(ids=[endpoint])
    assert gone["vpcEndpointDetails"] == []
    assert [e["id"] for e in gone["vpcEndpointErrorDetails"]] == [endpoint]
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        aoss.delete_vpc_endpoint(id=endpoint)


@pytest.fixture
def eks():
    with mock_aws():
        yield boto3.client("eks", region_name="us-east-1")


def cluster(client, name):
    return client.create_cluster(
        name=name, roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": ["subnet-1"]}
    )["cluster"]


def test_each_cluster_has_its_own_oidc_issuer(eks):
    first, second = cluster(eks, "one"), cluster(eks, "two")
    issuers = {c["identity"]["oidc"]["issuer"] for c in (first, second)}
    assert len(issuers) == 2
    assert all(i.startswith("https://oidc.eks.us-east-1.amazonaws.com/id/") for i in issuers)


def test_clusters_are_served_by_the_sandbox_apiserver(eks, monkeypatch):
    monkeypatch.setenv("VOICESTACK_SANDBOX_EKS_ENDPOINT", "https://127.0.0.1:6443")
    monkeypatch.setenv("VOICESTACK_SANDBOX_EKS_CA_DATA", "Q0EgZGF0YQ==")
    # The fix wraps Cluster.__init__ once more; monkeypatch restores it afterwards.
    monkeypatch.setattr(eks_models.Cluster, "__init__", eks_models.Cluster.__init__)
    moto_gaps.eks_cluster_is_the_sandbox_apiserver()
    created = cluster(eks, "one")
    assert created["endpoint"] == "https://127.0.0.1:6443"
    assert created["certificateAuthority"]["data"] == "Q0EgZGF0YQ=="
    assert created["identity"]["oidc"]["issuer"].startswith("https://oidc.eks.us-east-1.amazonaws.com/id/")


def test_nodegroup_without_remote_access_reports_none(eks):
    cluster(eks, "one")
    group = eks.create_nodegroup(
        clusterName="one",
        nodegroupName="default",
        subnets=["subnet-1"],
        nodeRole="arn:aws:iam::123456789012:role/node",
    )["nodegroup"]
    assert not group.get("remoteAccess")


ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/team/admins/platform-admin"


def api_cluster(client, name, mode="API_AND_CONFIG_MAP", bootstrap=False):
    return client.create_cluster(
        name=name,
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"]},
        accessConfig={"authenticationMode": mode, "bootstrapClusterCreatorAdminPermissions": bootstrap},
    )["cluster"]


def error(exc_info):
    return exc_info.value.response["Error"]["Code"], exc_info.value.response["Error"]["Message"]


def test_a_cluster_keeps_its_access_config_and_eks_api_defaults(eks):
    assert api_cluster(eks, "api", mode="API")["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    cluster(eks, "default")
    assert eks.describe_cluster(name="default")["cluster"]["accessConfig"] == {
        "authenticationMode": "CONFIG_MAP",
        "bootstrapClusterCreatorAdminPermissions": True,
    }


def test_access_entries_are_refused_on_a_config_map_cluster(eks):
    cluster(eks, "legacy")
    with pytest.raises(ClientError) as refused:
        eks.create_access_entry(clusterName="legacy", principalArn=ADMIN_ROLE)
    assert error(refused) == (
        "InvalidRequestException",
        "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
    )


def iam_role(arn, trust=None):
    """An IAM role with the ARN given (path and name), trusting `trust` (default: anyone)."""
    name, path = arn.rsplit("/", 1)[1], "/" + "/".join(arn.split(":role/", 1)[1].split("/")[:-1]) + "/"
    trust = trust or {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    boto3.client("iam", region_name="us-east-1").create_role(
        RoleName=name, Path=path.replace("//", "/"), AssumeRolePolicyDocument=json.dumps(trust)
    )


def test_access_entry_and_policy_association_lifecycle(eks):
    api_cluster(eks, "one")
    iam_role(ADMIN_ROLE)
    assert eks.list_access_entries(clusterName="one")["accessEntries"] == []
    entry = eks.create_access_entry(clusterName="one", principalArn=ADMIN_ROLE, tags={"a": "b"})["accessEntry"]
    assert entry["type"] == "STANDARD"
    assert entry["username"] == "arn:aws:sts::123456789012:assumed-role/platform-admin/{{SessionName}}"
    assert entry["accessEntryArn"].startswith(
        "arn:aws:eks:us-east-1:123456789012:access-entry/one/role/123456789012/platform-admin/"
    )
    assert eks.describe_access_entry(clusterName="one", principalArn=ADMIN_ROLE)["accessEntry"]["tags"] == {"a": "b"}
    with pytest.raises(ClientError) as twice:
        eks.create_access_entry(clusterName="one", principalArn=ADMIN_ROLE)
    assert error(twice) == (
        "ResourceInUseException",
        "The specified access entry resource is already in use on this cluster.",
    )

    associated = eks.associate_access_policy(
        clusterName="one", principalArn=ADMIN_ROLE, policyArn=ADMIN_POLICY, accessScope={"type": "cluster"}
    )["associatedAccessPolicy"]
    assert associated["accessScope"] == {"type": "cluster", "namespaces": []}
    listed = eks.list_associated_access_policies(clusterName="one", principalArn=ADMIN_ROLE)
    assert [p["policyArn"] for p in listed["associatedAccessPolicies"]] == [ADMIN_POLICY]
    assert eks.list_access_entries(clusterName="one", associatedPolicyArn=ADMIN_POLICY)["accessEntries"] == [ADMIN_ROLE]

    eks.disassociate_access_policy(clusterName="one", principalArn=ADMIN_ROLE, policyArn=ADMIN_POLICY)
    with pytest.raises(ClientError) as gone:
        eks.disassociate_access_policy(clusterName="one", principalArn=ADMIN_ROLE, policyArn=ADMIN_POLICY)
    assert error(gone)[0] == "ResourceNotFoundException"

    eks.delete_access_entry(clusterName="one", principalArn=ADMIN_ROLE)
    for call in (
        lambda: eks.describe_access_entry(clusterName="one", principalArn=ADMIN_ROLE),
        lambda: eks.associate_access_policy(
            clusterName="one", principalArn=ADMIN_ROLE, policyArn=ADMIN_POLICY, accessScope={"type": "cluster"}
        ),
    ):
        with pytest.raises(ClientError) as missing:
            call()
        assert error(missing) == (
            "ResourceNotFoundException",
            "The specified principalArn could not be found. You can view your available access entries with "
            "'list-access-entries'.",
        )


def test_an_sts_session_is_no_access_entry_principal(eks):
    api_cluster(eks, "one")
    with pytest.raises(ClientError) as refused:
        eks.create_access_entry(
            clusterName="one", principalArn="arn:aws:sts::123456789012:assumed-role/voicestack-deployer/run"
        )
    assert error(refused) == ("InvalidParameterException", "The specified principalArn is invalid: invalid principal.")


def test_an_access_entry_for_a_missing_role_is_refused(eks):
    api_cluster(eks, "one")
    with pytest.raises(ClientError) as refused:
        eks.create_access_entry(clusterName="one", principalArn=ADMIN_ROLE)
    assert error(refused) == ("InvalidParameterException", "The specified principalArn is invalid: invalid principal.")


def test_the_bootstrap_right_is_an_admin_entry_of_the_creators_role(eks):
    iam = boto3.client("iam", region_name="us-east-1")
    trust = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="deployer", Path="/ci/", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="deployer", PolicyName="eks", PolicyDocument=json.dumps(allow("eks:CreateCluster")))
    creds = boto3.client("sts", region_name="us-east-1").assume_role(RoleArn=role, RoleSessionName="run")
    deployer = boto3.client(
        "eks",
        region_name="us-east-1",
        aws_access_key_id=creds["Credentials"]["AccessKeyId"],
        aws_secret_access_key=creds["Credentials"]["SecretAccessKey"],
        aws_session_token=creds["Credentials"]["SessionToken"],
    )
    api_cluster(deployer, "bootstrapped", bootstrap=True)
    api_cluster(deployer, "explicit", bootstrap=False)
    assert eks.list_access_entries(clusterName="bootstrapped", associatedPolicyArn=ADMIN_POLICY)["accessEntries"] == [
        "arn:aws:iam::123456789012:role/ci/deployer"
    ]
    assert eks.list_access_entries(clusterName="explicit")["accessEntries"] == []


def test_a_new_load_balancer_is_active_at_once():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in enumerate("ab")
        ]
        lb = boto3.client("elbv2", region_name="us-east-1").create_load_balancer(Name="voice", Subnets=subnets)
        assert lb["LoadBalancers"][0]["State"]["Code"] == "active"


def test_a_tls_only_bucket_policy_does_not_deny_everything():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="state")
        deny_plain_http = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::state", "arn:aws:s3:::state/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        s3.put_bucket_policy(
            Bucket="state", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny_plain_http]})
        )
        s3.put_object(Bucket="state", Key="k", Body=b"v")
        assert s3.get_object(Bucket="state", Key="k")["Body"].read() == b"v"
        unconditional = {**deny_plain_http, "Action": "s3:DeleteObject"}
        del unconditional["Condition"]
        policy = {"Version": "2012-10-17", "Statement": [deny_plain_http, unconditional]}
        s3.put_bucket_policy(Bucket="state", Policy=json.dumps(policy))
        with pytest.raises(ClientError, match="Forbidden"):
            s3.delete_object(Bucket="state", Key="k")


# boto3 checks lengths itself; the AWS provider (Go SDK) does not, so the
# service must. These clients send what they are given.
UNCHECKED = Config(parameter_validation=False)


def refused(call, code, message):
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["Error"]["Message"] == message


def test_opensearch_serverless_names_are_3_to_32_characters():
    with mock_aws():
        aoss = boto3.client("opensearchserverless", region_name="us-east-1", config=UNCHECKED)
        long = "x" * 27 + "-agent"
        policy = json.dumps(
            {"Rules": [{"ResourceType": "collection", "Resource": ["collection/x"]}], "AWSOwnedKey": True}
        )
        too_long = (
            f"1 validation error detected: Value '{long}' at 'name' failed to satisfy constraint: "
            "Member must have length less than or equal to 32"
        )
        refused(
            lambda: aoss.create_security_policy(name=long, type="encryption", policy=policy),
            "ValidationException",
            too_long,
        )
        refused(lambda: aoss.create_access_policy(name=long, type="data", policy="[]"), "ValidationException", too_long)
        refused(lambda: aoss.create_collection(name=long, type="VECTORSEARCH"), "ValidationException", too_long)
        refused(
            lambda: aoss.create_security_policy(name="ab", type="encryption", policy=policy),
            "ValidationException",
            "1 validation error detected: Value 'ab' at 'name' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3",
        )
        aoss.create_security_policy(name="x" * 26 + "-agent", type="encryption", policy=policy)  # 32 is allowed


def test_load_balancer_names_are_at_most_32_characters():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in enumerate("ab")
        ]
        elbv2 = boto3.client("elbv2", region_name="us-east-1", config=UNCHECKED)
        name = "x" * 33
        refused(
            lambda: elbv2.create_load_balancer(Name=name, Subnets=subnets),
            "ValidationError",
            f"The load balancer name '{name}' cannot be longer than '32' characters",
        )
        elbv2.create_load_balancer(Name="x" * 32, Subnets=subnets)


def test_iam_role_names_are_at_most_64_characters():
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1", config=UNCHECKED)
        name = "r" * 65
        refused(
            lambda: iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}"),
            "ValidationError",
            f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64",
        )
        iam.create_role(RoleName="r" * 64, AssumeRolePolicyDocument="{}")


def trust_of(principal):
    return json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


def test_a_trust_policy_naming_a_missing_principal_is_refused():
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        missing = "arn:aws:iam::123456789012:user/nobody"
        for call in (
            lambda: iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_of(missing)),
            lambda: iam.update_assume_role_policy(RoleName="ok", PolicyDocument=trust_of([missing])),
        ):
            iam.create_role(RoleName="ok", AssumeRolePolicyDocument=trust_of("arn:aws:iam::123456789012:root"))
            refused(call, "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{missing}"')
            iam.delete_role(RoleName="ok")
        iam.create_user(UserName="nobody")
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust_of(missing))


def test_assume_role_needs_the_roles_trust():
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="vault")
        key = iam.create_access_key(UserName="vault")["AccessKey"]
        vault = "arn:aws:iam::123456789012:user/vault"
        iam_role("arn:aws:iam::123456789012:role/trusts-vault", trust=json.loads(trust_of(vault)))
        iam_role("arn:aws:iam::123456789012:role/trusts-its-account", trust=json.loads(trust_of("123456789012")))
        iam_role("arn:aws:iam::123456789012:role/trusts-another", trust=json.loads(trust_of("222222222222")))
        sts = boto3.client(
            "sts",
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
        for role in ("trusts-vault", "trusts-its-account"):
            sts.assume_role(RoleArn=f"arn:aws:iam::123456789012:role/{role}", RoleSessionName="run")
        for role in ("trusts-another", "missing"):
            arn = f"arn:aws:iam::123456789012:role/{role}"
            refused(
                lambda arn=arn: sts.assume_role(RoleArn=arn, RoleSessionName="run"),
                "AccessDenied",
                f"User: {vault} is not authorized to perform: sts:AssumeRole on resource: {arn}",
            )


def test_a_cluster_keeps_its_upgrade_policy(eks):
    assert cluster(eks, "default")["upgradePolicy"] == {"supportType": "EXTENDED"}  # EKS's default
    eks.create_cluster(
        name="standard",
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"]},
        upgradePolicy={"supportType": "STANDARD"},
    )
    assert eks.describe_cluster(name="standard")["cluster"]["upgradePolicy"] == {"supportType": "STANDARD"}
    eks.update_cluster_config(name="default", upgradePolicy={"supportType": "STANDARD"})
    assert eks.describe_cluster(name="default")["cluster"]["upgradePolicy"] == {"supportType": "STANDARD"}


@pytest.fixture
def vpc_subnets():
    # us-east-1b is use1-az3 in the sandbox, where EKS refuses control planes.
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in enumerate("ac")
        ]
        yield ec2, vpc, subnets


def test_a_cluster_has_its_own_security_group_until_deleted(vpc_subnets):
    ec2, vpc, subnets = vpc_subnets
    client = boto3.client("eks", region_name="us-east-1")
    created = client.create_cluster(
        name="one", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": subnets}
    )["cluster"]
    group_id = created["resourcesVpcConfig"]["clusterSecurityGroupId"]
    assert client.describe_cluster(name="one")["cluster"]["resourcesVpcConfig"]["clusterSecurityGroupId"] == group_id
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert group["VpcId"] == vpc
    assert group["GroupName"].startswith("eks-cluster-sg-one-")
    assert {"Key": "kubernetes.io/cluster/one", "Value": "owned"} in group["Tags"]
    # All traffic from itself, nothing else.
    assert [(p["IpProtocol"], [g["GroupId"] for g in p["UserIdGroupPairs"]]) for p in group["IpPermissions"]] == [
        ("-1", [group_id])
    ]
    client.delete_cluster(name="one")
    with pytest.raises(ClientError, match=r"InvalidGroup\.NotFound"):
        ec2.describe_security_groups(GroupIds=[group_id])


def test_a_managed_node_group_has_its_auto_scaling_group(vpc_subnets):
    ec2, _, subnets = vpc_subnets
    client = boto3.client("eks", region_name="us-east-1")
    autoscaling = boto3.client("autoscaling", region_name="us-east-1")
    group_id = client.create_cluster(
        name="one", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": subnets}
    )["cluster"]["resourcesVpcConfig"]["clusterSecurityGroupId"]
    nodegroup = client.create_nodegroup(
        clusterName="one",
        nodegroupName="default",
        subnets=subnets,
        nodeRole="arn:aws:iam::123456789012:role/node",
        scalingConfig={"minSize": 1, "desiredSize": 2, "maxSize": 4},
    )["nodegroup"]
    name = nodegroup["resources"]["autoScalingGroups"][0]["name"]
    assert name.startswith("eks-default-")
    asg = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    assert (asg["MinSize"], asg["DesiredCapacity"], asg["MaxSize"]) == (1, 2, 4)
    assert set(asg["VPCZoneIdentifier"].split(",")) == set(subnets)
    assert {"eks:cluster-name", "eks:nodegroup-name"} <= {t["Key"] for t in asg["Tags"]}
    # Its nodes carry the cluster security group.
    instances = [i["InstanceId"] for i in asg["Instances"]]
    assert len(instances) == 2
    reservations = ec2.describe_instances(InstanceIds=instances)["Reservations"]
    assert {g["GroupId"] for r in reservations for i in r["Instances"] for g in i["SecurityGroups"]} == {group_id}

    client.update_nodegroup_config(
        clusterName="one", nodegroupName="default", scalingConfig={"minSize": 1, "desiredSize": 3, "maxSize": 5}
    )
    asg = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    assert (asg["DesiredCapacity"], asg["MaxSize"]) == (3, 5)

    client.delete_nodegroup(clusterName="one", nodegroupName="default")
    assert autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"] == []


@pytest.mark.parametrize(("delay", "accepted"), [("0", True), ("3600", True), ("3601", False), ("-1", False)])
def test_a_target_group_takes_a_deregistration_delay_up_to_3600(vpc_subnets, delay, accepted):
    _, vpc, _ = vpc_subnets
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    arn = elbv2.create_target_group(Name="nodes", Protocol="HTTP", Port=30080, VpcId=vpc, TargetType="instance")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    change = [{"Key": "deregistration_delay.timeout_seconds", "Value": delay}]
    if not accepted:
        with pytest.raises(ClientError, match="must be between '0-3600' inclusive"):
            elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=change)
        return
    elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=change)
    attributes = elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": delay} in attributes


def test_a_rule_from_another_group_keeps_its_description(vpc_subnets):
    ec2, vpc, _ = vpc_subnets
    nodes = ec2.create_security_group(GroupName="nodes", Description="nodes", VpcId=vpc)["GroupId"]
    alb = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=nodes,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 30080,
                "ToPort": 30080,
                "UserIdGroupPairs": [{"GroupId": alb, "Description": "From the load balancer"}],
            }
        ],
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [nodes]}])["SecurityGroupRules"]
    assert [r["Description"] for r in rules if not r["IsEgress"]] == ["From the load balancer"]


def balancer_subnets(ec2, zones="ab"):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate(zones)
    ]


def test_a_protected_load_balancer_is_not_deleted_until_protection_is_off():
    with mock_aws():
        subnets = balancer_subnets(boto3.client("ec2", region_name="us-east-1"))
        elbv2 = boto3.client("elbv2", region_name="us-east-1")
        arn = elbv2.create_load_balancer(Name="voice", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        protection = [{"Key": "deletion_protection.enabled", "Value": "true"}]
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=protection)
        with pytest.raises(ClientError) as refused:
            elbv2.delete_load_balancer(LoadBalancerArn=arn)
        assert refused.value.response["Error"]["Code"] == "OperationNotPermitted"
        assert refused.value.response["Error"]["Message"] == (
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
        )
        assert elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
        protection[0]["Value"] = "false"
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=protection)
        elbv2.delete_load_balancer(LoadBalancerArn=arn)
        assert elbv2.describe_load_balancers()["LoadBalancers"] == []


def test_us_east_1_lists_an_opted_in_local_zone_first():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        zones = ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])
        names = sorted(z["ZoneName"] for z in zones["AvailabilityZones"])
        assert names[0] == "us-east-1-bos-1a"
        local = ec2.describe_availability_zones(ZoneNames=["us-east-1-bos-1a"])["AvailabilityZones"][0]
        assert (local["ZoneType"], local["OptInStatus"], local["GroupName"]) == (
            "local-zone",
            "opted-in",
            "us-east-1-bos-1",
        )
        plain = ec2.describe_availability_zones(Filters=[{"Name": "opt-in-status", "Values": ["opt-in-not-required"]}])
        plain = {z["ZoneName"]: z["ZoneId"] for z in plain["AvailabilityZones"]}
        assert "us-east-1-bos-1a" not in plain
        assert sorted(plain)[:3] == ["us-east-1a", "us-east-1b", "us-east-1c"]
        assert plain["us-east-1b"] == "use1-az3"  # a zone id EKS takes no control plane in
        assert len(set(plain.values())) == len(plain)
        default_subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        assert sorted(s["AvailabilityZone"] for s in default_subnets) == sorted(plain)


@pytest.mark.parametrize("zone", ["us-east-1b", "us-east-1-bos-1a"])
def test_eks_refuses_a_control_plane_in_an_unsupported_zone(zone):
    with mock_aws():
        subnets = balancer_subnets(boto3.client("ec2", region_name="us-east-1"), zones=["a", zone[len("us-east-1") :]])
        eks = boto3.client("eks", region_name="us-east-1")
        config = {"subnetIds": subnets}
        with pytest.raises(ClientError) as refused:
            eks.create_cluster(name="one", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig=config)
        error = refused.value.response["Error"]
        assert error["Code"] == "UnsupportedAvailabilityZoneException"
        assert (
            f"because {zone}, the targeted availability zone, does not currently have sufficient capacity"
            in (error["Message"])
        )
        assert "us-east-1a, us-east-1c, us-east-1d, us-east-1e, us-east-1f" in error["Message"]
        assert eks.list_clusters()["clusters"] == []


def test_eks_takes_a_control_plane_in_supported_zones():
    with mock_aws():
        subnets = balancer_subnets(boto3.client("ec2", region_name="us-east-1"), zones="acd")
        eks = boto3.client("eks", region_name="us-east-1")
        eks.create_cluster(
            name="one", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": subnets}
        )
        assert eks.list_clusters()["clusters"] == ["one"]


def test_a_nat_gateway_is_described_as_aws_describes_it():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)
        nat = ec2.describe_nat_gateways()["NatGateways"][0]
    assert nat["ConnectivityType"] == "public"
    assert nat["AvailabilityMode"] == "zonal"
    assert [(a["AllocationId"], a["IsPrimary"]) for a in nat["NatGatewayAddresses"]] == [(allocation, True)]


# --- IAM enforcement for issued (assumed-role) credentials

ACCOUNT = "123456789012"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/voicestack-boundary"
TRUST = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
)


def session_with(policy: dict) -> boto3.Session:
    """A session of a role holding only ``policy``, as Vault would issue it
    (set up with the sandbox's own, unchecked, credentials)."""
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="deployer", PolicyName="only", PolicyDocument=json.dumps(policy))
    issued = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="vault-issued"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=issued["AccessKeyId"],
        aws_secret_access_key=issued["SecretAccessKey"],
        aws_session_token=issued["SessionToken"],
        region_name="us-east-1",
    )


def allow(*actions, **condition):
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [{**statement, **condition}]}


@pytest.fixture
def aws():
    with mock_aws():
        yield


def test_issued_credentials_get_what_their_role_allows_and_nothing_else(aws, tmp_path, monkeypatch):
    monkeypatch.setenv(moto_gaps.IAM_LOG_ENV, str(tmp_path / "iam.jsonl"))
    session = session_with(allow("eks:ListClusters", "ec2:DescribeVpcs"))
    assert session.client("eks").list_clusters()["clusters"] == []  # a REST GET: its signature checks out
    session.client("ec2").describe_vpcs()
    with pytest.raises(ClientError) as refused:
        session.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")
    assert refused.value.response["Error"]["Code"] == "UnauthorizedOperation"
    log = [json.loads(line) for line in (tmp_path / "iam.jsonl").read_text().splitlines()]
    assert [(e["role"], e["action"], e["allowed"]) for e in log] == [
        ("deployer", "eks:ListClusters", True),
        ("deployer", "ec2:DescribeVpcs", True),
        ("deployer", "ec2:CreateVpc", False),
    ]


def test_a_wrong_secret_is_refused_with_signature_does_not_match(aws):
    session = session_with(allow("eks:ListClusters"))
    forged = session.get_credentials()
    client = boto3.client(
        "eks",
        region_name="us-east-1",
        aws_access_key_id=forged.access_key,
        aws_secret_access_key="not-the-secret",
        aws_session_token=forged.token,
    )
    with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
        client.list_clusters()


def test_an_allow_whose_condition_does_not_hold_does_not_apply(aws):
    condition = {"Condition": {"ArnEquals": {"iam:PermissionsBoundary": BOUNDARY}}}
    iam = session_with(allow("iam:CreateRole", **condition)).client("iam")
    with pytest.raises(ClientError, match="AccessDenied"):
        iam.create_role(RoleName="acme-voice-agent", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError, match="AccessDenied"):
        iam.create_role(RoleName="acme-voice-agent", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=BOUNDARY + "x")
    iam.create_role(RoleName="acme-voice-agent", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=BOUNDARY)


def test_a_deny_wins_over_an_allow(aws):
    policy = allow("ec2:*")
    policy["Statement"].append({"Effect": "Deny", "Action": "ec2:CreateVpc", "Resource": "*"})
    ec2 = session_with(policy).client("ec2")
    ec2.describe_vpcs()
    with pytest.raises(ClientError):
        ec2.create_vpc(CidrBlock="10.0.0.0/16")


def test_the_sandboxs_own_credentials_are_not_checked(aws):
    boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.0.0.0/16")


@pytest.mark.parametrize(
    ("operator", "expected", "context", "holds"),
    [
        ("StringEquals", "eks.amazonaws.com", {"k": "eks.amazonaws.com"}, True),
        ("StringEquals", ["a", "b"], {"k": "b"}, True),
        ("StringNotEquals", ["a", "b"], {"k": "b"}, False),
        ("StringLike", "acme-*", {"k": "acme-voice"}, True),
        ("ArnLike", "arn:aws:iam::*:policy/x", {"k": "arn:aws:iam::1:policy/y"}, False),
        ("StringEquals", "x", {}, False),
        ("StringEqualsIfExists", "x", {}, True),
        ("Null", "true", {}, True),
        ("NumericLessThan", "1", {"k": "0"}, False),  # an operator the sandbox does not know never holds
    ],
)
def test_condition_operators(operator, expected, context, holds):
    assert moto_gaps._condition_holds(operator, "k", expected, context) is holds


def test_a_role_policy_change_is_judged_on_the_roles_boundary(aws):
    boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="acme-voice-node", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=BOUNDARY
    )
    boto3.client("iam", region_name="us-east-1").create_role(RoleName="unbounded", AssumeRolePolicyDocument=TRUST)
    condition = {"Condition": {"ArnEquals": {"iam:PermissionsBoundary": BOUNDARY}}}
    iam = session_with(allow("iam:AttachRolePolicy", **condition)).client("iam")
    policy = boto3.client("iam", region_name="us-east-1").create_policy(
        PolicyName="nodes", PolicyDocument=json.dumps(allow("ec2:DescribeInstances"))
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="acme-voice-node", PolicyArn=policy)
    with pytest.raises(ClientError, match="AccessDenied"):
        iam.attach_role_policy(RoleName="unbounded", PolicyArn=policy)


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("eks", lambda c: c.delete_cluster(name="acme-voice"), "AccessDeniedException"),
        ("kms", lambda c: c.create_key(), "AccessDeniedException"),
        ("logs", lambda c: c.create_log_group(logGroupName="x"), "AccessDeniedException"),
        ("elbv2", lambda c: c.describe_load_balancers(), "AccessDenied"),
        ("iam", lambda c: c.list_roles(), "AccessDenied"),
    ],
)
def test_each_service_refuses_in_its_own_words(aws, service, call, code):
    with pytest.raises(ClientError) as refused:
        call(session_with(allow("sts:GetCallerIdentity")).client(service))
    assert refused.value.response["Error"]["Code"] == code
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "is not authorized to perform" in refused.value.response["Error"]["Message"]


def test_a_dry_run_is_authorized_and_answered_and_creates_nothing(aws):
    session = session_with(allow("ec2:CreateVpc", "ec2:DescribeVpcs"))
    ec2 = session.client("ec2")
    before = ec2.describe_vpcs()["Vpcs"]
    with pytest.raises(ClientError) as answered:
        ec2.create_vpc(CidrBlock="10.255.255.0/28", DryRun=True)
    assert answered.value.response["Error"]["Code"] == "DryRunOperation"
    assert answered.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert ec2.describe_vpcs()["Vpcs"] == before


def test_a_dry_run_of_a_refused_action_is_refused(aws):
    ec2 = session_with(allow("ec2:DescribeVpcs")).client("ec2")
    with pytest.raises(ClientError) as refused:
        ec2.create_vpc(CidrBlock="10.255.255.0/28", DryRun=True)
    assert refused.value.response["Error"]["Code"] == "UnauthorizedOperation"
