#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: vault_platform
short_description: The platform's Vault - AWS secrets engine with a rotated root key, policies, auth roles
version_added: 0.2.0
description:
  - Makes one Vault (or OpenBao) what the collection needs - the AWS secrets engine and its root configuration,
    ACL policies, and the auth methods and roles a runner logs in with. Each piece is read and compared on the fields
    given, and written only when it differs, so a second run changes nothing.
  - The AWS engine's root key is written once (O(aws.access_key), O(aws.secret_key)) and then rotated, so that only
    Vault knows the key it signs with. Vault replaces its whole root configuration on a write, so a later change
    of region or endpoints is refused unless a new key comes with it (O(aws.replace_root_key)).
  - The token needs C(sudo) on C(sys/mounts/*), C(sys/auth/*) and C(sys/policies/acl/*), and C(read),
    C(create) and C(update) on what the options name, for example the root token of a new Vault or a platform
    administrator's.
extends_documentation_fragment:
  - voicestack.aws.vault
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads and reports what would change; rotates nothing.
  diff_mode:
    support: full
    details: The compared fields; of the root key only whether one is set, written or rotated.
  platform:
    platforms: posix
options:
  aws:
    description: The AWS secrets engine. Unset, the engine is left as it is.
    type: dict
    suboptions:
      mount:
        description: Where the engine is mounted.
        type: str
        default: aws
      region:
        description: The region of the engine's IAM and STS calls.
        type: str
        default: us-east-1
      iam_endpoint:
        description: IAM endpoint override (a VPC endpoint, a test server); unset for AWS's own.
        type: str
      sts_endpoint:
        description: STS endpoint override; unset for AWS's own.
        type: str
      access_key:
        description:
          - The access key id of the IAM user the engine signs with, given once. Written only when Vault holds no
            root key yet, or with O(aws.replace_root_key).
          - Unset, Vault signs with its environment's identity (an instance profile, a pod's IAM role).
        type: str
      secret_key:
        description: The secret key that goes with O(aws.access_key).
        type: str
      replace_root_key:
        description: Write O(aws.access_key) and O(aws.secret_key) even though Vault holds a root key already.
        type: bool
        default: false
      root_rotation:
        description:
          - C(after_write) rotates the root key right after this run wrote one, so the key an operator handed over
            stops working at once. C(now) rotates it on this run too (a scheduled rotation). C(never) leaves it.
          - Rotation needs the IAM user to be allowed C(iam:GetUser), C(iam:CreateAccessKey) and
            C(iam:DeleteAccessKey) on itself.
        type: str
        choices: [after_write, now, never]
        default: after_write
  policies:
    description: ACL policies, name to rules (HCL); each is written when its rules differ.
    type: dict
    default: {}
  auth:
    description: Auth methods, each enabled when missing, with its configuration and roles.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description: The auth method.
        type: str
        required: true
        choices: [approle, jwt, kubernetes]
      mount:
        description: Where it is mounted; unset, at its type's name.
        type: str
      enable:
        description:
          - Enable the method when it is missing (the token needs C(sudo) on C(sys/auth/*) and read on C(sys/auth)).
          - V(false) only writes O(auth[].config) and O(auth[].roles) of a method that must exist already, so a token
            with rights on those paths alone will do; a missing method is an error that says so.
        type: bool
        default: true
      config:
        description:
          - Fields of C(auth/<mount>/config), as Vault's API names them (for JWT, C(bound_issuer) and one of
            C(oidc_discovery_url), C(jwks_url), C(jwt_validation_pubkeys)). Fields not given are left as they are.
        type: dict
      roles:
        description:
          - Roles, name to the fields of C(auth/<mount>/role/<name>) as Vault's API names them. TTLs in seconds or as
            C(1h). Fields not given are left as they are.
        type: dict
      role_defaults:
        description: Fields every role of O(auth[].roles) gets unless it names them itself.
        type: dict
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: The AWS engine with a one-time key, the runner's policy and AppRole role
  voicestack.aws.vault_platform:
    url: https://vault.example.com:8200
    aws:
      access_key: "{{ vault_aws_engine_access_key }}"
      secret_key: "{{ vault_aws_engine_secret_key }}"
    policies:
      voicestack-runner: "{{ lookup('ansible.builtin.template', 'runner-policy.hcl.j2') }}"
    auth:
      - type: approle
        roles:
          voicestack: {token_policies: [voicestack-runner], token_ttl: 3600, token_max_ttl: 7200}
  no_log: true
"""

RETURN = r"""
diff:
  description: The compared fields of each piece before and after; of the root key only C(set), C(none) or C(written).
  returned: always
  type: dict
approle_role_ids:
  description: The role id of each AppRole role, by C(<mount>/<role>) (none for one check mode would create).
  returned: always
  type: dict
"""

import traceback

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._vault_module import VaultModule
from ansible_collections.voicestack.aws.plugins.module_utils._vault_platform import ROTATION, ensure


def main():
    module = VaultModule(
        argument_spec={
            "aws": {
                "type": "dict",
                "options": {
                    "mount": {"type": "str", "default": "aws"},
                    "region": {"type": "str", "default": "us-east-1"},
                    "iam_endpoint": {"type": "str"},
                    "sts_endpoint": {"type": "str"},
                    "access_key": {"type": "str", "no_log": True},
                    "secret_key": {"type": "str", "no_log": True},
                    "replace_root_key": {"type": "bool", "default": False},
                    "root_rotation": {"type": "str", "choices": list(ROTATION), "default": "after_write"},
                },
                "required_together": [["access_key", "secret_key"]],
            },
            "policies": {"type": "dict", "default": {}},
            "auth": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "type": {"type": "str", "required": True, "choices": ["approle", "jwt", "kubernetes"]},
                    "mount": {"type": "str"},
                    "enable": {"type": "bool", "default": True},
                    "config": {"type": "dict"},
                    "roles": {"type": "dict"},
                    "role_defaults": {"type": "dict"},
                },
            },
        },
        supports_check_mode=True,
    )
    try:
        with module.vault_session() as client:
            result = ensure(client, module.params, module.check_mode)
    except VaultError as exc:
        module.fail_json(msg=f"vault_platform: {exc}", exception=traceback.format_exc())
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
