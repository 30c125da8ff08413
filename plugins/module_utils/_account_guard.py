# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""The account guard's rules: where STS is asked, and whose credentials STS may say they are.

Controller-side (the filters voicestack.aws.sts_endpoint and
voicestack.aws.account_guard); no AWS call here. Each rule returns why a value
is wrong (one line, without the role's input name) or nothing.
"""

from __future__ import annotations

import re

# The partitions and DNS suffixes of botocore's partitions.json: a region's STS
# endpoint is https://sts.<region>.<suffix>. Checked against botocore's data by
# the unit tests; written out so that no environment or config file can change it.
PARTITIONS = (
    ("aws-cn", re.compile(r"cn-\w+-\d+"), "amazonaws.com.cn"),
    ("aws-us-gov", re.compile(r"us-gov-\w+-\d+"), "amazonaws.com"),
    ("aws-iso", re.compile(r"us-iso-\w+-\d+"), "c2s.ic.gov"),
    ("aws-iso-b", re.compile(r"us-isob-\w+-\d+"), "sc2s.sgov.gov"),
    ("aws-iso-e", re.compile(r"eu-isoe-\w+-\d+"), "cloud.adc-e.uk"),
    ("aws-iso-f", re.compile(r"us-isof-\w+-\d+"), "csp.hci.ic.gov"),
    ("aws-eusc", re.compile(r"eusc-de-\w+-\d+"), "amazonaws.eu"),
    ("aws", re.compile(r"(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+"), "amazonaws.com"),
)

_CALLER_ARN = re.compile(r"arn:(?P<partition>aws[a-z-]*):(?P<service>sts|iam)::(?P<account>[0-9]{12}):(?P<resource>.+)")

# What GetCallerIdentity says for each credential type of Vault's AWS secrets engine.
CALLER_KINDS = {
    "assumed_role": (
        "sts",
        "assumed-role/",
        "an assumed role (arn:<partition>:sts::<account>:assumed-role/<role>/<session>)",
    ),
    "federation_token": (
        "sts",
        "federated-user/",
        "a federated user (arn:<partition>:sts::<account>:federated-user/<name>)",
    ),
    "session_token": ("iam", "user/", "an IAM user (arn:<partition>:iam::<account>:user/<name>)"),
    "iam_user": ("iam", "user/", "an IAM user (arn:<partition>:iam::<account>:user/<name>)"),
}


def partition(region):
    """(partition id, DNS suffix) of an AWS region; ValueError when it is in none."""
    for name, pattern, suffix in PARTITIONS:
        if pattern.fullmatch(str(region)):
            return name, suffix
    raise ValueError(f"{region!r} is not a region of any AWS partition")


def sts_endpoint(region):
    """The regional STS endpoint of AWS itself, e.g. https://sts.eu-west-1.amazonaws.com."""
    return f"https://sts.{region}.{partition(region)[1]}"


def caller_problem(caller_arn, account_id, region, credential_type, role_name=None):
    """Why the ARN GetCallerIdentity returned is not what the Vault role should have issued, or None.

    The account is judged first (and on its own by the role, whose message the
    runbook quotes); this judges the rest: the partition, the kind of principal
    the credential type makes, and, for assumed_role with role_name known (an
    IAM role name, optionally after its path), the role.
    """
    found = _CALLER_ARN.fullmatch(str(caller_arn))
    if not found:
        return f"STS returned {caller_arn!r}, which is not a principal ARN"
    if found["account"] != str(account_id):
        return f"STS says {caller_arn!r} is in AWS account {found['account']}, but this host is account {account_id}"
    expected_partition = partition(region)[0]
    if found["partition"] != expected_partition:
        return (
            f"STS says {caller_arn!r} is in partition {found['partition']}, but region {region} is in "
            f"{expected_partition}"
        )
    service, prefix, kind = CALLER_KINDS[credential_type]
    if found["service"] != service or not found["resource"].startswith(prefix):
        return f"STS says the credentials are {caller_arn!r}; credential_type {credential_type} issues {kind}"
    if credential_type == "assumed_role" and role_name:
        # An assumed role's ARN names the role without its path.
        wanted = str(role_name).rsplit("/", 1)[-1]
        assumed = found["resource"][len(prefix) :].split("/")[0]
        if assumed != wanted:
            return f"STS says the credentials are {caller_arn!r}, an assumed role of {assumed}, not of {wanted}"
    return None
