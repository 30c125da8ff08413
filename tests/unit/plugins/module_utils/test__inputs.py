"""Rules for inputs that go into a Vault URL or an AWS name (module_utils/_inputs.py)."""

from __future__ import annotations

import pytest

from ansible_collections.voicestack.aws.plugins.module_utils import _inputs
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

GOOD = {
    "vault_name": ["deployer", "voicestack-deployer", "planner_1", "role.v2", "a"],
    "vault_mount": ["aws", "team-a/aws", "aws_prod", "secrets/aws.eu"],
    "role_session_name": ["ab", "voicestack-run-123", "ci+user=x,y.z@corp_1", "x" * 64],
    "s3_bucket": ["voicestack-tfstate-123456789012", "abc", "a.b-c", "x" * 63, "1bucket"],
    "s3_key": ["accounts/123456789012/voice.tfstate", "voice.tfstate", "a/b.c/..d/e.."],
    "kms_key_id": [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "alias/voicestack-tfstate",
        "alias/team/state_key",
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/voicestack-tfstate",
        "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    ],
}

BAD = {
    "vault_name": ["..", ".", "../sys", "deployer/../../sys/raw", "a/b", "deployer?x=1", "dep loyer", "r%2e%2e", "é"],
    "vault_mount": ["../sys", "aws/..", "aws/../cubbyhole", "/aws", "aws/", "aws//x", ".", "aws?x", "aws#x", "a b"],
    "role_session_name": ["a", "x" * 65, "a b", "a/b", "name:x", "a\nb", "é-name"],
    "s3_bucket": [
        "ab",
        "x" * 64,
        "Voicestack",
        "-bucket",
        "bucket-",
        "bucket.",
        "my..bucket",
        "192.168.5.4",
        "xn--bucket",
        "bucket-s3alias",
        "bucket--ol-s3",
        "sthree-bucket",
        "my_bucket",
    ],
    "s3_key": ["/accounts/x.tfstate", "accounts/../other/x", "..", "a/./b", "a//b", "a/", "a/\x00b", "x" * 1025],
    "kms_key_id": [
        "alias/",
        "1234",
        "key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:eu-west-1:123:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:s3:::bucket",
        "alias/../x",
        "arn:aws:kms:eu-west-1:123456789012:key/../../x",
    ],
}


@pytest.mark.parametrize(("rule", "value"), [(r, v) for r, values in GOOD.items() for v in values])
def test_good_values_pass(rule, value):
    assert _inputs.RULES[rule](value) is None


@pytest.mark.parametrize(("rule", "value"), [(r, v) for r, values in BAD.items() for v in values])
def test_bad_values_are_refused_naming_the_input(rule, value):
    (message,) = _inputs.problems([("the_input", rule, value)])
    assert message.startswith(f"the_input: {value!r} is not ")
    assert "\n" not in message


def test_unset_values_are_not_judged_and_every_problem_is_named():
    assert _inputs.problems([("a", "vault_mount", None), ("b", "s3_key", "")]) == []
    with pytest.raises(VaultError, match=r"^role: '\.\.' is not a Vault name .*; mount_point: '\.\./sys' is not"):
        _inputs.check(
            [("role", "vault_name", ".."), ("ok", "vault_mount", "aws"), ("mount_point", "vault_mount", "../sys")]
        )


def test_an_unknown_rule_is_a_bug_not_a_pass():
    with pytest.raises(ValueError, match="no input rule named 'bucket'"):
        _inputs.problems([("x", "bucket", "b")])


def test_only_assumed_role_can_deploy_and_each_other_type_says_why():
    assert _inputs.RULES["deploy_credential_type"]("assumed_role") is None
    reasons = {
        "federation_token": "GetFederationToken credentials cannot call IAM",
        "session_token": "GetSessionToken credentials cannot call IAM",
        "iam_user": "identity is deleted when its lease is revoked",
        "assume_role": "it is not a Vault AWS credential type",
    }
    for credential_type, why in reasons.items():
        (message,) = _inputs.problems([("the_input", "deploy_credential_type", credential_type)])
        assert message.startswith(f"the_input: {credential_type!r} cannot deploy: "), message
        assert why in message, message
        assert message.endswith("nothing was issued"), message
