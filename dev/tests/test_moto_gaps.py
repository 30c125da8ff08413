"""Each moto gap fix, through boto3 against an in-process moto (no server)."""

from __future__ import annotations

import json

import boto3
import pytest
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
