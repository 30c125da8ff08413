#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: vault_lease_revoke
short_description: Revoke Vault leases and the run's own Vault token
version_added: 0.1.0
description:
  - Revokes the given Vault lease ids, and with O(revoke_self=true) the token the module authenticates with
    (which also revokes every lease that token issued).
  - A lease that is already gone is not an error; it is reported in RV(already_gone).
  - O(url) falls back to E(VAULT_ADDR) or E(BAO_ADDR), O(token) to E(VAULT_TOKEN).
requirements:
  - hvac
extends_documentation_fragment:
  - voicestack.aws.vault
  - voicestack.aws.vault.lease_record
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Looks the leases up and reports what would be revoked.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  lease_ids:
    description: Lease ids to revoke.
    type: list
    elements: str
    default: []
  revoke_self:
    description:
      - Revoke the token the module authenticates with, after the leases. Use it for a token the run obtained by
        logging in (the C(auth_token) that M(voicestack.aws.vault_sts) returns), never for a user's own token.
    type: bool
    default: false
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Revoke what this run issued
  voicestack.aws.vault_lease_revoke:
    url: "{{ vault_url }}"
    token: "{{ aws_creds.auth_token }}"
    lease_ids: ["{{ aws_creds.lease_id }}"]
    revoke_self: true
  no_log: true
"""

RETURN = r"""
revoked:
  description: Lease ids revoked (or, in check mode, that would be).
  returned: always
  type: list
  elements: str
already_gone:
  description: Lease ids that no longer existed.
  returned: always
  type: list
  elements: str
token_revoked:
  description: Whether the module's own token was revoked (or would be, in check mode).
  returned: always
  type: bool
"""

from ansible_collections.voicestack.aws.plugins.module_utils._lease_record import forget
from ansible_collections.voicestack.aws.plugins.module_utils._vault_module import VaultModule
from ansible_collections.voicestack.aws.plugins.module_utils._vault_revoke import revoke


def main():
    module = VaultModule(
        argument_spec={
            "lease_ids": {"type": "list", "elements": "str", "default": []},
            "revoke_self": {"type": "bool", "default": False},
            "lease_record_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    try:
        vault, _logged_in = module.vault_client()
        result = revoke(vault, module.url, module.params["lease_ids"], module.params["revoke_self"], module.check_mode)
        if module.params["lease_record_dir"] and not module.check_mode:
            forget(module.params["lease_record_dir"], result["revoked"] + result["already_gone"])
    except Exception as exc:
        module.fail_json_vault(exc)
    module.exit_json(changed=bool(result["revoked"]) or result["token_revoked"], **result)


if __name__ == "__main__":
    main()
