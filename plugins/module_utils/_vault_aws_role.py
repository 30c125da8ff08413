# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""One role of Vault's AWS secrets engine, made what it should be: read, compared
on the fields the collection sets, and written (or deleted) only when it differs,
so a second run changes nothing and check mode says what would change."""

from __future__ import annotations

import re

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

COMPARED = ("credential_type", "role_arns", "default_sts_ttl", "max_sts_ttl")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/(?:[\x21-\x7e]+/)?[\w+=,.@-]{1,64}")


def wanted(role_arns, default_sts_ttl, max_sts_ttl, min_ttl) -> dict:
    """The parameters of an assumed_role role; VaultError when one breaks AWS's or the collection's rules."""
    bad = [arn for arn in role_arns if not _ROLE_ARN.fullmatch(arn)]
    if not role_arns or bad:
        raise VaultError(f"role_arns must list IAM role ARNs (arn:aws:iam::<account>:role/<name>); got {bad or []}")
    if default_sts_ttl < min_ttl:
        raise VaultError(
            f"default_sts_ttl {default_sts_ttl}s is below the collection's floor of {min_ttl}s "
            f"(vault_credentials_min_ttl): every run would fail before Terraform starts"
        )
    if max_sts_ttl < default_sts_ttl:
        raise VaultError(f"max_sts_ttl {max_sts_ttl}s is shorter than default_sts_ttl {default_sts_ttl}s")
    return {
        "credential_type": "assumed_role",
        "role_arns": list(role_arns),
        "default_sts_ttl": default_sts_ttl,
        "max_sts_ttl": max_sts_ttl,
    }


def ensure(client, name, mount_point, params, check_mode) -> dict:
    """Make role `name` have `params` (None: no role). {changed, diff: {before, after}}."""
    found = client.read_aws_role(name, mount_point)
    before = {} if found is None else {key: found.get(key) for key in COMPARED}
    after = params or {}
    changed = before != after
    if changed and not check_mode:
        if params is None:
            client.delete_aws_role(name, mount_point)
        else:
            client.write_aws_role(name, params, mount_point)
    return {"changed": changed, "diff": {"before": before, "after": after}}
