# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: account_guard
short_description: Judge whose AWS credentials these are, or may be, against the inventory's account
version_added: 0.1.0
description:
  - With no caller (null input), before credentials are issued, judges O(role_arn) only; it must be an IAM role
    ARN of O(account_id), in the partition of O(region).
  - With the result of M(amazon.aws.aws_caller_info) as input, also judges the caller's ARN; it must be in
    O(account_id) and the partition of O(region), and be the kind of principal O(credential_type) issues (an
    C(assumed-role), a C(federated-user), or an IAM C(user) for C(session_token) and C(iam_user)); for
    C(assumed_role) with O(role_arn) given, an assumed role of that role.
  - Returns one message per problem, without the role's input names; empty when there is none.
positional: account_id, region, credential_type, role_arn
options:
  _input:
    description: The result of M(amazon.aws.aws_caller_info) (its C(arn)), or null before anything was issued.
    type: dict
  account_id:
    description: The inventory's 12-digit AWS account id.
    type: str
    required: true
  region:
    description: The account's region; decides the partition.
    type: str
    required: true
  credential_type:
    description: The Vault role's credential type.
    type: str
    choices: [assumed_role, federation_token, session_token, iam_user]
    default: assumed_role
  role_arn:
    description: The IAM role the Vault role assumes, when known.
    type: str
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Refuse a role in another account before Vault is asked
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "vault_credentials_role_arn: {{ _problems | join('; ') }}"
    quiet: true
  vars:
    _problems: "{{ none | voicestack.aws.account_guard('123456789012', 'eu-west-1', role_arn=my_role_arn) }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when there is none.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.voicestack.aws.plugins.module_utils._account_guard import (
    CALLER_KINDS,
    caller_problem,
    role_arn_problem,
)


def account_guard(caller, account_id, region, credential_type="assumed_role", role_arn=None):
    if credential_type not in CALLER_KINDS:
        raise AnsibleFilterError(
            f"account_guard: credential_type {credential_type!r} is not one of {list(CALLER_KINDS)}"
        )
    try:
        problems = [role_arn_problem(role_arn, account_id, region)]
        if caller is not None:
            if not isinstance(caller, dict) or "arn" not in caller:
                raise AnsibleFilterError("account_guard: give the result of amazon.aws.aws_caller_info, or null")
            problems.append(caller_problem(caller["arn"], account_id, region, credential_type, role_arn))
    except ValueError as exc:
        raise AnsibleFilterError(f"account_guard: {exc}") from exc
    return [problem for problem in problems if problem]


class FilterModule:
    def filters(self):
        return {"account_guard": account_guard}
