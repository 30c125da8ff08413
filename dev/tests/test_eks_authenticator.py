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


def assumed_role_client(moto_url):
    admin = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}
    boto3.client("iam", region_name="us-east-1", endpoint_url=moto_url, **admin).create_role(
        RoleName="deployer", AssumeRolePolicyDocument="{}"
    )
    creds = sts(moto_url, **admin).assume_role(
        RoleArn="arn:aws:iam::123456789012:role/deployer", RoleSessionName="voicestack"
    )["Credentials"]
    return sts(
        moto_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def test_presigned_token_names_the_caller_to_the_authenticator(moto_url):
    token = eks_token(assumed_role_client(moto_url), "voice-eks")["token"]
    status = eks_authenticator.review(token, moto_url)
    assert status["authenticated"] is True
    assert status["user"]["username"] == "arn:aws:sts::123456789012:assumed-role/deployer/voicestack"


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
