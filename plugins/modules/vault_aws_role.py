#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: vault_aws_role
short_description: A role of Vault's AWS secrets engine that assumes IAM roles of a customer account
version_added: 0.2.0
description:
  - Creates, updates or deletes one C(assumed_role) role of the AWS secrets engine. It compares the role's
    C(role_arns) and TTLs with what Vault has first and writes only when they differ, so a second run changes
    nothing.
  - Refuses a O(default_sts_ttl) below the collection's floor O(min_ttl), which would fail every run before
    Terraform starts.
  - The Vault token needs C(read), C(create), C(update) and C(delete) on C(<mount_point>/roles/<name>). A token
    the module logs in for (O(auth_method) other than C(token)) is revoked before it returns.
extends_documentation_fragment:
  - voicestack.aws.vault
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the role and reports what would change.
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  name:
    description: The role's name (letters, digits, C(-), C(_) and C(.)).
    type: str
    required: true
  mount_point:
    description: Mount point of the AWS secrets engine.
    type: str
    default: aws
  state:
    description: Whether the role exists.
    type: str
    choices: [present, absent]
    default: present
  role_arns:
    description: The IAM roles it assumes (one, for the collection's deployer and planner roles).
    type: list
    elements: str
    default: []
  default_sts_ttl:
    description: Seconds a credential lives unless the run asks for more.
    type: int
    default: 3600
  max_sts_ttl:
    description: The most seconds a run may ask for.
    type: int
    default: 3600
  min_ttl:
    description:
      - The collection's floor (C(vault_credentials_min_ttl)) that O(default_sts_ttl) must meet, in seconds or as
        C(30m), C(1h).
    type: raw
    default: 30m
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: The planner's Vault role of account 111111111111
  voicestack.aws.vault_aws_role:
    url: https://vault.example.com:8200
    name: acme-planner
    role_arns: [arn:aws:iam::111111111111:role/voicestack-planner]
"""

RETURN = r"""
diff:
  description:
    - The compared fields (C(credential_type), C(role_arns), C(default_sts_ttl), C(max_sts_ttl)) before and after.
  returned: always
  type: dict
"""

import traceback

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._vault import parse_duration
from ansible_collections.voicestack.aws.plugins.module_utils._vault_aws_role import ensure, wanted
from ansible_collections.voicestack.aws.plugins.module_utils._vault_module import VaultModule


def main():
    module = VaultModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "mount_point": {"type": "str", "default": "aws"},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "role_arns": {"type": "list", "elements": "str", "default": []},
            "default_sts_ttl": {"type": "int", "default": 3600},
            "max_sts_ttl": {"type": "int", "default": 3600},
            "min_ttl": {"type": "raw", "default": "30m"},
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        params = None
        if p["state"] == "present":
            min_ttl = parse_duration(p["min_ttl"], "min_ttl")
            params = wanted(p["role_arns"], p["default_sts_ttl"], p["max_sts_ttl"], min_ttl)
        with module.vault_session() as client:
            result = ensure(client, p["name"], p["mount_point"], params, module.check_mode)
    except VaultError as exc:
        module.fail_json(msg=f"vault_aws_role {p['name']}: {exc}", exception=traceback.format_exc())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
