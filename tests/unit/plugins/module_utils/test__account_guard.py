"""The account guard's rules: AWS's regional STS endpoint per partition, and whose credentials may be whose."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest

from ansible_collections.voicestack.aws.plugins.module_utils import _account_guard

ACCOUNT = "123456789012"


def test_the_partition_table_agrees_with_botocore():
    data = json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())
    ours = {name: suffix for name, _pattern, suffix in _account_guard.PARTITIONS}
    for partition in data["partitions"]:
        assert ours.get(partition["id"]) == partition["outputs"]["dnsSuffix"], partition["id"]
        for region in partition["regions"]:
            if not region.endswith("-global"):  # aws-global and the like are not regions of a stack
                assert _account_guard.partition(region) == (partition["id"], partition["outputs"]["dnsSuffix"]), region


@pytest.mark.parametrize(
    ("region", "endpoint"),
    [
        ("eu-west-1", "https://sts.eu-west-1.amazonaws.com"),
        ("us-east-1", "https://sts.us-east-1.amazonaws.com"),
        ("cn-northwest-1", "https://sts.cn-northwest-1.amazonaws.com.cn"),
        ("us-gov-east-1", "https://sts.us-gov-east-1.amazonaws.com"),
        ("us-iso-east-1", "https://sts.us-iso-east-1.c2s.ic.gov"),
    ],
)
def test_sts_endpoint_is_the_regional_endpoint_of_the_regions_partition(region, endpoint):
    assert _account_guard.sts_endpoint(region) == endpoint


def test_a_region_of_no_partition_is_refused():
    with pytest.raises(ValueError, match="'xx-west-1' is not a region of any AWS partition"):
        _account_guard.sts_endpoint("xx-west-1")


@pytest.mark.parametrize(
    ("arn", "credential_type", "role_name", "why"),
    [
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/voicestack-deployer/run", "assumed_role", None, None),
        (
            f"arn:aws:sts::{ACCOUNT}:assumed-role/voicestack-deployer/run",
            "assumed_role",
            "path/voicestack-deployer",
            None,
        ),
        (
            f"arn:aws:sts::{ACCOUNT}:assumed-role/voicestack-planner/run",
            "assumed_role",
            "voicestack-deployer",
            "an assumed role of voicestack-planner, not of voicestack-deployer",
        ),
        (
            f"arn:aws:iam::{ACCOUNT}:user/vault-x",
            "assumed_role",
            None,
            "credential_type assumed_role issues an assumed",
        ),
        (f"arn:aws:iam::{ACCOUNT}:root", "assumed_role", None, "credential_type assumed_role issues an assumed"),
        (f"arn:aws:sts::{ACCOUNT}:federated-user/vault-x", "federation_token", None, None),
        (f"arn:aws:iam::{ACCOUNT}:user/vault-x", "federation_token", None, "issues a federated user"),
        (f"arn:aws:iam::{ACCOUNT}:user/vault-x", "iam_user", None, None),
        (f"arn:aws:iam::{ACCOUNT}:user/vault-root", "session_token", None, None),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/x/y", "iam_user", None, "credential_type iam_user issues an IAM user"),
        (
            "arn:aws:sts::210987654321:assumed-role/voicestack-deployer/run",
            "assumed_role",
            None,
            "account 210987654321",
        ),
        (f"arn:aws-cn:sts::{ACCOUNT}:assumed-role/voicestack-deployer/run", "assumed_role", None, "partition aws-cn"),
        ("not-an-arn", "assumed_role", None, "which is not a principal ARN"),
    ],
)
def test_the_caller_must_be_the_principal_the_vault_role_issues(arn, credential_type, role_name, why):
    found = _account_guard.caller_problem(arn, ACCOUNT, "eu-west-1", credential_type, role_name)
    assert found is None if why is None else why in found, found
