"""The input_errors filter: what roles judge their Vault and backend inputs with."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.voicestack.aws.plugins.filter.input_errors import FilterModule

input_errors = FilterModule().filters()["input_errors"]


def test_one_message_per_bad_input_naming_it():
    checks = [
        ["vault_credentials_mount_point", "vault_mount", "aws/../sys"],
        ["vault_credentials_aws_role", "vault_name", "deployer"],
        ["terraform_stack_backend_bucket", "s3_bucket", "Bad_Bucket"],
        ["terraform_stack_backend_kms_key_id", "kms_key_id", None],
    ]
    assert [m.split(":")[0] for m in input_errors(checks)] == [
        "vault_credentials_mount_point",
        "terraform_stack_backend_bucket",
    ]


@pytest.mark.parametrize("checks", [[["only", "two"]], [["a", "no_such_rule", "x"]], ["abc"]])
def test_a_malformed_call_is_a_filter_error(checks):
    with pytest.raises(AnsibleFilterError, match="input_errors: "):
        input_errors(checks)
