# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: account_guard
short_description: Judge whose AWS credentials these are against the inventory's account
version_added: 0.1.0
description:
  - Judges the caller's ARN that M(amazon.aws.aws_caller_info) returned; it must be in O(account_id) and the
    partition of O(region), and be the kind of principal O(credential_type) issues (an C(assumed-role), a
    C(federated-user), or an IAM C(user) for C(session_token) and C(iam_user)); for C(assumed_role) with
    O(role_name) given, an assumed role of that role.
  - Returns one message per problem, without the role's input names; empty when there is none.
positional: account_id, region, credential_type, role_name
options:
  _input:
    description: The result of M(amazon.aws.aws_caller_info) (its C(arn)).
    type: dict
    required: true
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
  role_name:
    description: The name of the IAM role the credentials must be an assumed role of, optionally after its path.
    type: str
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Ask STS whose credentials these are
  amazon.aws.aws_caller_info:
    access_key: "{{ my_credentials.access_key }}"
    secret_key: "{{ my_credentials.secret_key }}"
    session_token: "{{ my_credentials.security_token }}"
  register: caller
  no_log: true

- name: Refuse credentials that are not the account's planner role
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | join('; ') }}"
    quiet: true
  vars:
    _problems: >-
      {{ caller | voicestack.aws.account_guard('123456789012', 'eu-west-1', role_name='voicestack-planner') }}
"""

RETURN = r"""
_value:
  description: One message per problem; empty when there is none.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.voicestack.aws.plugins.module_utils._account_guard import CALLER_KINDS, caller_problem


def account_guard(caller, account_id, region, credential_type="assumed_role", role_name=None):
    if credential_type not in CALLER_KINDS:
        raise AnsibleFilterError(
            f"account_guard: credential_type {credential_type!r} is not one of {list(CALLER_KINDS)}"
        )
    if not isinstance(caller, dict) or "arn" not in caller:
        raise AnsibleFilterError("account_guard: give the result of amazon.aws.aws_caller_info")
    try:
        problem = caller_problem(caller["arn"], account_id, region, credential_type, role_name)
    except ValueError as exc:
        raise AnsibleFilterError(f"account_guard: {exc}") from exc
    return [problem] if problem else []


class FilterModule:
    def filters(self):
        return {"account_guard": account_guard}
