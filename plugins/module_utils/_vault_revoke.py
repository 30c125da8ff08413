# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Revoking leases and the run's own token, with an honest check mode."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils import _vault


def revoke(vault, url, lease_ids, revoke_self, check_mode):
    result = {"revoked": [], "already_gone": [], "token_revoked": False}
    for lease_id in dict.fromkeys(lease_ids):  # unique, in order
        if check_mode:
            alive = _vault.lease_exists(vault, url, lease_id)
        else:
            alive = _vault.revoke_lease(vault, url, lease_id)
        result["revoked" if alive else "already_gone"].append(lease_id)
    if revoke_self:
        result["token_revoked"] = True if check_mode else _vault.revoke_self(vault, url)
    return result
