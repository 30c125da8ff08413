"""What a Vault AWS role of an onboarded account may be: refused before Vault is asked when it breaks a rule
(ensure() runs against the sandbox's OpenBao in tests/integration/test_least_privilege.py)."""

from __future__ import annotations

import pytest

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._vault_aws_role import wanted

DEPLOYER = "arn:aws:iam::111111111111:role/voicestack-deployer"


def test_an_assumed_role_role_with_ttls_that_meet_the_floor():
    assert wanted([DEPLOYER], 3600, 3600, 1800) == {
        "credential_type": "assumed_role",
        "role_arns": [DEPLOYER],
        "default_sts_ttl": 3600,
        "max_sts_ttl": 3600,
    }


@pytest.mark.parametrize(
    ("role_arns", "default_ttl", "max_ttl", "why"),
    [
        ([DEPLOYER], 900, 3600, "default_sts_ttl 900s is below the collection's floor of 1800s"),
        ([DEPLOYER], 3600, 1800, "max_sts_ttl 1800s is shorter than default_sts_ttl 3600s"),
        ([], 3600, 3600, "role_arns must list IAM role ARNs"),
        (["arn:aws:iam::111111111111:user/vault"], 3600, 3600, "role_arns must list IAM role ARNs"),
    ],
)
def test_a_role_that_breaks_a_rule_is_refused_saying_which(role_arns, default_ttl, max_ttl, why):
    with pytest.raises(VaultError, match=why):
        wanted(role_arns, default_ttl, max_ttl, 1800)
