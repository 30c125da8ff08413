# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Revoking leases and the run's own token, with an honest check mode."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils import _vault
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._lease_record import forget, forget_tokens

# The options of voicestack.aws.vault_lease_revoke besides the Vault ones (its module file documents them), for the
# module and its action.
ARGUMENT_SPEC = {
    "lease_ids": {"type": "list", "elements": "str", "default": []},
    "revoke_self": {"type": "bool", "default": False},
    "token_accessor": {"type": "str", "no_log": True},
    "lease_record_dir": {"type": "path"},
}


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


def revoke_and_forget(params, check_mode):
    """The module's work for its (validated) options: log in, revoke, forget the records of what is gone.

    Returns (result, failure message or None, warnings)."""
    if not _vault.HAS_HVAC:
        return {}, f"voicestack.aws.vault_lease_revoke needs the Python library hvac: {_vault.HVAC_IMPORT_ERROR}", []
    warnings = _vault.connection_warnings(params)
    try:
        client = _vault.VaultClient(params)
        client.login(params)
        result = revoke(client, params["lease_ids"], params["revoke_self"], check_mode)
    except VaultError as exc:
        return {}, str(exc), warnings
    result["changed"] = bool(result["revoked"]) or result["token_revoked"]
    if params["lease_record_dir"] and not check_mode:
        try:
            forget(params["lease_record_dir"], result["revoked"] + result["already_gone"])
            if result["token_revoked"] and params["token_accessor"]:
                forget_tokens(params["lease_record_dir"], [params["token_accessor"]])
        except (OSError, VaultError) as exc:
            return result, f"lease_record_dir: the leases are revoked, but their records stay: {exc}", warnings
    if result["not_revoked"] and not (params["revoke_self"] and (result["token_revoked"] or check_mode)):
        return result, f"could not revoke lease(s): {'; '.join(result['not_revoked'])}", warnings
    warnings += [
        f"could not revoke lease {failure}; the token was revoked, which revokes the leases it issued "
        f"(a lease of another token lives to its TTL, and its record stays for the next run)"
        for failure in result["not_revoked"]
    ]
    return result, None, warnings
