# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Rules for inputs that end up in a Vault URL or an AWS name or decide what may deploy, judged before any call.

Each rule takes the value and returns None when it is good, else why not (one
line, without the input's name). ``problems`` names the input in each message;
``check`` raises VaultError with it. The vault_sts lookup and the Vault
modules use them on their options, the roles through the filter
voicestack.aws.input_errors, so a role's message names the role's input.
"""

from __future__ import annotations

import re

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
# IAM's rules for a role name (1-64 characters), optionally after its path (segments of printable ASCII).
_IAM_ROLE = re.compile(r"(?:[\x21-\x2e\x30-\x7e]+/){0,25}[A-Za-z0-9_+=,.@-]{1,64}")
_SESSION_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{2,64}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KEY_ID = rf"(?:{_UUID}|mrk-[0-9a-f]{{32}})"
_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
_KMS_KEY = re.compile(
    rf"{_KEY_ID}|{_ALIAS}|arn:aws[a-z-]*:kms:[a-z]{{2}}(?:-[a-z]+)+-[0-9]:[0-9]{{12}}:(?:key/{_KEY_ID}|{_ALIAS})"
)
MAX_KEY_BYTES = 1024

# The only Vault credential type that can deploy the stack. The vault_sts lookup
# issues all four; the roles that deploy refuse the others, each for its reason.
DEPLOY_CREDENTIAL_TYPE = "assumed_role"
NOT_FOR_DEPLOYING = {
    "federation_token": (
        "GetFederationToken credentials cannot call IAM (the stack creates IAM roles) and are issued in the account "
        "of Vault's own IAM user, not in the customer account"
    ),
    "session_token": (
        "GetSessionToken credentials cannot call IAM (the stack creates IAM roles) and are issued in the account "
        "of Vault's own IAM user, not in the customer account"
    ),
    "iam_user": (
        "an IAM user's identity is deleted when its lease is revoked, so what the run granted to it (the EKS access "
        "entry, resource policies) and what CloudTrail recorded of it name a principal that no longer exists"
    ),
}

SEGMENT_RULE = "letters, digits, '-', '_' and '.', but not '.' or '..' alone"


def vault_name(value):
    """One Vault path segment (a role name): it goes into the URL as is."""
    text = str(value)
    if not _SEGMENT.fullmatch(text) or text in (".", ".."):
        return f"{text!r} is not a Vault name ({SEGMENT_RULE})"
    return None


def vault_mount(value):
    """A Vault mount path: one or more segments separated by '/', none '.' or '..'."""
    text = str(value)
    if not all(_SEGMENT.fullmatch(part) and part not in (".", "..") for part in text.split("/")):
        return f"{text!r} is not a Vault mount path (segments of {SEGMENT_RULE}, separated by single '/')"
    return None


def role_session_name(value):
    """AWS's rule for an assumed role's session name."""
    text = str(value)
    if not _SESSION_NAME.fullmatch(text):
        return f"{text!r} is not an AWS role session name (2-64 letters, digits and + = , . @ _ -)"
    return None


def iam_role_name(value):
    """An IAM role's name, optionally after its path without the leading '/' (teams/voice/voicestack-deployer)."""
    text = str(value)
    if text.startswith("arn:"):
        name = text.rsplit("/", 1)[-1]
        return f"{text!r} is an ARN: give the IAM role's name (with its path if it has one), such as {name}"
    if len(text) > 512 or not _IAM_ROLE.fullmatch(text):  # noqa: PLR2004 - IAM's limit of a path
        return (
            f"{text!r} is not an IAM role name (1-64 letters, digits and + = , . @ _ -, optionally after its path "
            f"such as teams/voice/)"
        )
    return None


def s3_bucket(value):  # noqa: PLR0911 - one return per rule, each saying which
    """S3's naming rules for a general purpose bucket."""
    text = str(value)
    if not 3 <= len(text) <= 63:  # noqa: PLR2004 - S3's limits
        return f"{text!r} is not an S3 bucket name (3-63 characters, got {len(text)})"
    if not _BUCKET.fullmatch(text):
        return (
            f"{text!r} is not an S3 bucket name (lowercase letters, digits, '.' and '-', starting and ending with a "
            f"letter or digit)"
        )
    if ".." in text:
        return f"{text!r} is not an S3 bucket name (no two adjacent periods)"
    if _IP_ADDRESS.fullmatch(text):
        return f"{text!r} is not an S3 bucket name (not formatted as an IP address)"
    if text.startswith(_BUCKET_PREFIXES):
        return f"{text!r} is not an S3 bucket name (prefixes {', '.join(_BUCKET_PREFIXES)} are reserved)"
    if text.endswith(_BUCKET_SUFFIXES):
        return f"{text!r} is not an S3 bucket name (suffixes {', '.join(_BUCKET_SUFFIXES)} are reserved)"
    return None


def s3_key(value):
    """A state object key: relative, no '.', '..' or empty segment, at most 1024 bytes."""
    text = str(value)
    if not text or len(text.encode()) > MAX_KEY_BYTES:
        return f"{text!r} is not an S3 object key (1-{MAX_KEY_BYTES} bytes)"
    if text.startswith("/") or text.endswith("/"):
        return f"{text!r} is not a state object key (no leading or trailing '/')"
    if any(part in ("", ".", "..") for part in text.split("/")):
        return f"{text!r} is not a state object key (no '.', '..' or empty segment)"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):  # noqa: PLR2004 - control characters
        return f"{text!r} is not a state object key (no control characters)"
    return None


def kms_key_id(value):
    """A KMS key id (UUID or mrk-...), alias/<name>, or a key or alias ARN."""
    text = str(value)
    if not _KMS_KEY.fullmatch(text):
        return f"{text!r} is not a KMS key (a key id, alias/<name>, or a key or alias ARN)"
    return None


def deploy_credential_type(value):
    """The Vault credential type of a deployment: assumed_role only (the lookup issues all four)."""
    text = str(value)
    if text == DEPLOY_CREDENTIAL_TYPE:
        return None
    why = NOT_FOR_DEPLOYING.get(text, "it is not a Vault AWS credential type")
    return (
        f"{text!r} cannot deploy: {why}. Use a Vault AWS role of credential_type {DEPLOY_CREDENTIAL_TYPE} "
        f"that assumes the account's deployer role; nothing was issued"
    )


RULES = {
    "vault_name": vault_name,
    "vault_mount": vault_mount,
    "role_session_name": role_session_name,
    "iam_role_name": iam_role_name,
    "s3_bucket": s3_bucket,
    "s3_key": s3_key,
    "kms_key_id": kms_key_id,
    "deploy_credential_type": deploy_credential_type,
}


def problems(checks):
    """Messages naming the input, for each (input name, rule name, value) that breaks its rule.

    A value of None or '' is not set and passes (whether it is required is the
    argument spec's business).
    """
    found = []
    for name, rule, value in checks:
        if value is None or value == "":
            continue
        if rule not in RULES:
            raise ValueError(f"no input rule named {rule!r} (one of {', '.join(RULES)})")
        why = RULES[rule](value)
        if why:
            found.append(f"{name}: {why}")
    return found


def check(checks):
    """Raise VaultError with every problem of checks (see problems), one per line's part."""
    found = problems(checks)
    if found:
        raise VaultError("; ".join(found))
