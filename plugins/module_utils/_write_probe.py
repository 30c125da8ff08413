# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Whether AWS credentials may write, asked without writing: EC2's dry run.

EC2 authorizes a request with DryRun set exactly as it would the request, then
answers DryRunOperation (allowed) or UnauthorizedOperation (refused) and does
nothing either way, so the question costs nothing and changes nothing whatever
the answer. CreateVpc is the stack's first write.
"""

from __future__ import annotations

ALLOWED, REFUSED = "DryRunOperation", "UnauthorizedOperation"
PROBE = {"action": "ec2:CreateVpc", "CidrBlock": "10.255.255.0/28"}


def may_create_vpc(ec2) -> dict:
    """{action, allowed, code}; raises the client's error for any answer other than allowed or refused."""
    try:
        ec2.create_vpc(CidrBlock=PROBE["CidrBlock"], DryRun=True)
    except ec2.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in (ALLOWED, REFUSED):
            return {"action": PROBE["action"], "allowed": code == ALLOWED, "code": code}
        raise
    raise RuntimeError("EC2 answered a dry run of CreateVpc without DryRunOperation or UnauthorizedOperation")
