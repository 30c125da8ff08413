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
  - With O(revoke_self=true) the token is revoked whatever became of the leases, also when a lease could not be
    looked up or revoked (a policy without C(sys/leases/lookup) or C(sys/leases/revoke), or a Vault error), since
    revoking the token revokes every lease it issued. Such a lease is reported in RV(not_revoked) with a warning;
    without O(revoke_self), or when the token could not be revoked, it fails the task.
  - A lease the token may not look up is revoked all the same and reported in RV(revoked).
  - It runs in the task's own process (an action, no module process, so the token is handed to no other process)
    and needs the C(local) connection, without become.
  - O(url) falls back to E(VAULT_ADDR) or E(BAO_ADDR), O(namespace) to E(VAULT_NAMESPACE), O(ca_cert) to
    E(VAULT_CACERT), O(token) to E(VAULT_TOKEN) or E(BAO_TOKEN) (the first one set).
requirements:
  - hvac
extends_documentation_fragment:
  - voicestack.aws.vault
  - voicestack.aws.vault.lease_record
  - ansible.builtin.action_common_attributes
  - voicestack.aws.local_action
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
  token_accessor:
    description:
      - The accessor of the token revoked with O(revoke_self) (the C(auth_accessor) that
        M(voicestack.aws.vault_sts) returns). With O(lease_record_dir), the token's record is forgotten once the
        token is revoked.
    type: str
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
not_revoked:
  description:
    - One line per lease that could not be revoked by itself (lease id, then why). With RV(token_revoked), those the
      token issued went with it.
  returned: always
  type: list
  elements: str
token_revoked:
  description: Whether the module's own token was revoked (or would be, in check mode).
  returned: always
  type: bool
"""

from ansible_collections.voicestack.aws.plugins.module_utils._vault_module import VaultModule
from ansible_collections.voicestack.aws.plugins.module_utils._vault_revoke import ARGUMENT_SPEC, revoke_and_forget


# The action of the same name revokes from the controller's own process (the play's connection is local); this
# entry point is the same work as a module process, for ansible-test and a run without the action.
def main():
    module = VaultModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    result, failure, warnings = revoke_and_forget(module.params, module.check_mode)
    for warning in warnings:
        module.warn(warning)
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
