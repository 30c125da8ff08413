"""The sandbox's EKS authenticator accepts the collection's EKS tokens, presigned
against moto's STS, and names the caller; it refuses what EKS refuses."""

from __future__ import annotations

import base64

import boto3
import pytest

from ansible_collections.voicestack.aws.plugins.module_utils._eks_token import eks_token
from dev.sandbox import eks_authenticator, moto_gaps

moto_gaps.apply()


def sts(moto_url, **creds):
    creds = creds or {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}
    return boto3.client("sts", region_name="us-east-1", endpoint_url=moto_url, **creds)


ADMIN = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}
ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def assumed_role_client(moto_url, name="deployer"):
    boto3.client("iam", region_name="us-east-1", endpoint_url=moto_url, **ADMIN).create_role(
        RoleName=name, AssumeRolePolicyDocument="{}"
    )
    creds = sts(moto_url, **ADMIN).assume_role(RoleArn=f"arn:aws:iam::123456789012:role/{name}", RoleSessionName="run")[
        "Credentials"
    ]
    return sts(
        moto_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def api_cluster(moto_url, name, region="us-east-1"):
    """A cluster as the stack makes it: access entries only, no bootstrap right for its creator."""
    eks = boto3.client("eks", region_name=region, endpoint_url=moto_url, **ADMIN)
    eks.create_cluster(
        name=name,
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"]},
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False},
    )
    return eks


def test_an_admin_access_entry_maps_the_caller_to_system_masters(moto_url):
    eks = api_cluster(moto_url, "voice-eks")
    deployer = assumed_role_client(moto_url)  # the role first: EKS refuses an entry for a missing one
    eks.create_access_entry(clusterName="voice-eks", principalArn="arn:aws:iam::123456789012:role/deployer")
    eks.associate_access_policy(
        clusterName="voice-eks",
        principalArn="arn:aws:iam::123456789012:role/deployer",
        policyArn=ADMIN_POLICY,
        accessScope={"type": "cluster"},
    )
    token = eks_token(deployer, "voice-eks")["token"]
    status = eks_authenticator.review(token, moto_url)
    assert status["authenticated"] is True, status
    assert status["user"]["username"] == "arn:aws:sts::123456789012:assumed-role/deployer/run"
    assert status["user"]["groups"] == ["system:masters"]


def test_a_role_without_an_access_entry_is_refused(moto_url):
    api_cluster(moto_url, "no-entry-eks")
    token = eks_token(assumed_role_client(moto_url, "stranger"), "no-entry-eks")["token"]
    status = eks_authenticator.review(token, moto_url)
    assert status == {
        "authenticated": False,
        "error": "no access entry for the role stranger of arn:aws:sts::123456789012:assumed-role/stranger/run",
    }


def test_an_entry_without_a_policy_gives_only_its_kubernetes_groups(moto_url):
    eks = api_cluster(moto_url, "groups-eks")
    viewer = assumed_role_client(moto_url, "viewer")
    eks.create_access_entry(
        clusterName="groups-eks", principalArn="arn:aws:iam::123456789012:role/viewer", kubernetesGroups=["viewers"]
    )
    token = eks_token(viewer, "groups-eks")["token"]
    status = eks_authenticator.review(token, moto_url)
    assert status["authenticated"] is True, status
    assert status["user"]["groups"] == ["viewers"]


def test_an_entry_in_another_region_does_not_admit_the_caller(moto_url):
    eks = api_cluster(moto_url, "west-eks", region="eu-west-1")
    elsewhere = assumed_role_client(moto_url, "elsewhere")
    eks.create_access_entry(clusterName="west-eks", principalArn="arn:aws:iam::123456789012:role/elsewhere")
    token = eks_token(elsewhere, "west-eks")["token"]  # signed for us-east-1
    assert eks_authenticator.review(token, moto_url)["authenticated"] is False


def test_a_federated_user_is_no_access_entry_principal():
    with pytest.raises(eks_authenticator.TokenRejected, match="neither an assumed role nor an IAM user"):
        eks_authenticator.iam_principal("arn:aws:sts::123456789012:federated-user/vault-x")


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("not-a-token", "not an EKS token"),
        (
            "k8s-aws-v1." + base64.urlsafe_b64encode(b"https://evil.example/?Action=GetCallerIdentity").decode(),
            "not this STS",
        ),
    ],
)
def test_authenticator_refuses(moto_url, token, error):
    status = eks_authenticator.review(token, moto_url)
    assert status["authenticated"] is False
    assert error in status["error"]


def test_authenticator_refuses_a_url_without_the_cluster_header(moto_url):
    url = sts(moto_url).generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60)
    token = "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    assert "x-k8s-aws-id" in eks_authenticator.review(token, moto_url)["error"]
