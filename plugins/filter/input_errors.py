# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: input_errors
short_description: Judge inputs that end up in a Vault URL or an AWS name, naming each bad one
version_added: 0.1.0
description:
  - Takes a list of C([input name, rule, value]) and returns one message per value that breaks its rule, each
    starting with the input's name, so a role's preflight can refuse them before any call.
  - A value that is null or empty is not judged (whether an input is required is its argument spec's business).
  - The rules are the ones the M(voicestack.aws.vault_sts#lookup) lookup and the Vault modules apply to their
    own options.
  - C(vault_name) - one Vault path segment (a Vault role name) of letters, digits, C(-), C(_) and C(.), not C(.)
    or C(..) alone.
  - C(vault_mount) - a Vault mount path, such segments separated by single C(/).
  - C(role_session_name) - AWS's rule, 2-64 letters, digits and C(+=,.@_-).
  - C(s3_bucket) - S3's general purpose bucket naming rules (3-63 lowercase letters, digits, C(.) and C(-), starting
    and ending with a letter or digit, no C(..), not an IP address, no reserved prefix such as C(xn--) or suffix
    such as C(-s3alias)).
  - C(s3_key) - a state object key, no leading or trailing C(/), no C(.), C(..) or empty segment, at most 1024
    bytes, no control characters.
  - C(kms_key_id) - a KMS key id (UUID or C(mrk-...)), C(alias/<name>), or a key or alias ARN.
  - C(deploy_credential_type) - a Vault credential type that can deploy the stack, C(assumed_role) only; the
    message says why each other type cannot.
options:
  _input:
    description: The inputs to judge, each a list of its name, the rule's name and its value.
    type: list
    elements: list
    required: true
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Refuse a bad bucket or key before any call, naming the input
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
    quiet: true
  vars:
    _errors: >-
      {{ [['terraform_stack_backend_bucket', 's3_bucket', terraform_stack_backend_bucket],
          ['terraform_stack_backend_key', 's3_key', terraform_stack_backend_key]]
         | voicestack.aws.input_errors }}
"""

RETURN = r"""
_value:
  description: One message per bad value, the input's name first; empty when every value is good.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.voicestack.aws.plugins.module_utils._inputs import problems


def input_errors(checks):
    try:
        return problems(tuple(check) for check in checks)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"input_errors: give a list of [input name, rule, value]: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"input_errors": input_errors}
