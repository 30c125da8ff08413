"""The crash recovery's AWS lookups (voicestack.aws.stack_adopt) of resources whose API plain moto lacks: EKS
access entries and OpenSearch Serverless VPC endpoints, against the sandbox's moto with its fixes."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from moto import mock_aws

from ansible_collections.voicestack.aws.plugins.module_utils._stack_adopt import RETRY, find_imports
from dev.sandbox import moto_gaps

moto_gaps.apply()


class Module:
    """The part of AnsibleAWSModule that find_imports uses."""

    def client(self, service, retry_decorator=None):
        return RetryingBotoClientWrapper(boto3.client(service, region_name="us-east-1"), retry_decorator or RETRY)

    def fail_json_aws(self, exception, msg=None):
        raise AssertionError(msg) from exception


@pytest.fixture
def eks():
    with mock_aws():
        yield boto3.client("eks", region_name="us-east-1")


def test_access_entries_and_vpc_endpoints_are_found_for_adoption(eks):
    admin = "arn:aws:iam::123456789012:role/admins"
    policy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    eks.create_cluster(
        name="acme-voice",
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"]},
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False},
    )
    # A cluster made before the stack managed access entries is in CONFIG_MAP mode, where EKS refuses every
    # access entry call: nothing to adopt there (the plan switches the mode first).
    eks.create_cluster(
        name="older-voice", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": ["s-1"]}
    )
    older = [
        {
            "address": "o",
            "type": "aws_eks_access_entry",
            "values": {"cluster_name": "older-voice", "principal_arn": admin},
        }
    ]
    assert find_imports(Module(), "acme", older)["imports"] == []
    planned = [
        {
            "address": "e",
            "type": "aws_eks_access_entry",
            "values": {"cluster_name": "acme-voice", "principal_arn": admin},
        },
        {
            "address": "p",
            "type": "aws_eks_access_policy_association",
            "values": {"cluster_name": "acme-voice", "principal_arn": admin, "policy_arn": policy},
        },
        {"address": "v", "type": "aws_opensearchserverless_vpc_endpoint", "values": {"name": "acme-voice-aoss"}},
    ]
    assert find_imports(Module(), "acme", planned)["imports"] == []

    boto3.client("iam", region_name="us-east-1").create_role(RoleName="admins", AssumeRolePolicyDocument="{}")
    eks.create_access_entry(clusterName="acme-voice", principalArn=admin)
    eks.associate_access_policy(
        clusterName="acme-voice", principalArn=admin, policyArn=policy, accessScope={"type": "cluster"}
    )
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    endpoint = boto3.client("opensearchserverless", region_name="us-east-1").create_vpc_endpoint(
        name="acme-voice-aoss", vpcId=vpc, subnetIds=[subnet]
    )["createVpcEndpointDetail"]["id"]
    assert find_imports(Module(), "acme", planned)["imports"] == [
        {"to": "e", "id": f"acme-voice:{admin}"},
        {"to": "p", "id": f"acme-voice#{admin}#{policy}"},
        {"to": "v", "id": endpoint},
    ]
