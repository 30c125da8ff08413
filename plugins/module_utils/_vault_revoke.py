# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Revoking leases and the run's own token, with an honest check mode."""

from __future__ import annotations


def revoke(client, lease_ids, revoke_self, check_mode):
    """Revoke lease_ids (and with revoke_self the client's token) on a logged-in _vault.VaultClient."""
    result = {"revoked": [], "already_gone": [], "token_revoked": False}
    for lease_id in dict.fromkeys(lease_ids):  # unique, in order
        alive = client.lease_exists(lease_id) if check_mode else client.revoke_lease(lease_id)
        result["revoked" if alive else "already_gone"].append(lease_id)
    if revoke_self:
        result["token_revoked"] = True if check_mode else client.revoke_self()
    return result
