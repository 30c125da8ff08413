# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Revoking leases and the run's own token, with an honest check mode."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError


def revoke(client, lease_ids, revoke_self, check_mode):
    """Revoke lease_ids (and with revoke_self the client's token) on a logged-in _vault.VaultClient.

    Every lease is tried, and the token is revoked whatever became of the
    leases: a lease this token may not look up or revoke, or a Vault error on
    one, never keeps the token alive (revoking the token also revokes every
    lease it issued). ``not_revoked`` holds one line per lease that could not be
    revoked by itself; an error revoking the token is raised.
    """
    result = {"revoked": [], "already_gone": [], "not_revoked": [], "token_revoked": False}
    for lease_id in dict.fromkeys(lease_ids):  # unique, in order
        try:
            # In check mode a lease the policy may not look up counts as one that would be revoked.
            alive = client.lease_exists(lease_id) is not False if check_mode else client.revoke_lease(lease_id)
        except VaultError as exc:
            result["not_revoked"].append(f"{lease_id}: {exc}")
            continue
        result["revoked" if alive else "already_gone"].append(lease_id)
    if revoke_self:
        result["token_revoked"] = True if check_mode else client.revoke_self()
    return result
