# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""The vault_sts lookup's work, kept out of the plugin file so it is testable
without Ansible's plugin loader. Controller-only."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils import _inputs, _lease_record, _vault
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError


def issue_for_roles(roles, options):
    """Log in once, issue credentials for each role, check the TTL floor.

    On any failure after the login, everything issued so far is revoked (by
    revoking the login token, which takes its leases with it, or lease by
    lease under auth_method token) before the error is raised.
    """
    request, min_ttl = parse_request(roles, options)
    record_dir = options.get("lease_record_dir")
    if record_dir:
        _lease_record.check_dir(record_dir)  # refused before any call when another user could plant records
    client = _vault.VaultClient(options)
    client.login(options)
    issued = []
    try:
        if record_dir and client.logged_in and client.accessor:
            # Before anything is issued: a run killed from here on leaves its login token to the next run.
            _lease_record.write_token(record_dir, client.url, client.accessor, client.token_expiration)
        leftovers, leftover_tokens, leftover_errors = (
            revoke_leftovers(client, record_dir, request["mount_point"]) if record_dir else ([], [], [])
        )
        for role in roles:
            creds = client.issue(role, **request)
            issued.append(creds)
            _vault.check_ttl_floor(creds["lease_duration"], min_ttl, role, request["credential_type"])
            creds["auth_token"] = client.token if client.logged_in else None
            creds["auth_accessor"] = client.accessor if client.logged_in else None
            creds["revoked_leftovers"] = leftovers
            creds["revoked_leftover_tokens"] = leftover_tokens
            creds["leftover_errors"] = leftover_errors
            if record_dir:
                _lease_record.write(record_dir, client.url, [creds], token_accessor=creds["auth_accessor"])
    except BaseException:
        _undo(client, issued, record_dir)
        raise
    return issued


def parse_request(roles, options):
    """(the keyword arguments of VaultClient.issue, min_ttl in seconds), checked before Vault is asked."""
    if not roles:
        raise VaultError("give at least one Vault AWS role name as a term")
    # Each goes into a Vault URL as is: '../' would reach other paths with the run's token.
    _inputs.check(
        [("role", "vault_name", role) for role in roles]
        + [
            ("mount_point", "vault_mount", options["mount_point"]),
            ("auth_mount", "vault_mount", options.get("auth_mount")),
            ("role_session_name", "role_session_name", options.get("role_session_name")),
        ]
    )
    ttl = None if options.get("ttl") in (None, "") else _vault.parse_duration(options["ttl"], "ttl")
    min_ttl = _vault.parse_duration(options["min_ttl"], "min_ttl")
    request = {
        "credential_type": options["credential_type"],
        "mount_point": options["mount_point"],
        "role_arn": options.get("role_arn"),
        "role_session_name": options.get("role_session_name"),
        "ttl": ttl,
    }
    _vault.validate_request(
        request["credential_type"],
        options["auth_method"],
        role_arn=request["role_arn"],
        role_session_name=request["role_session_name"],
        ttl=ttl,
    )
    return request, min_ttl


def revoke_leftovers(client, record_dir, mount_point):
    """Revoke what ended runs recorded in record_dir left: their leases under this run's AWS mount, then
    their login tokens by accessor (a token whose recorded expiry has passed is only forgotten).

    Returns (lease ids revoked or found gone, accessors of the tokens revoked or
    found gone, messages of those that could not be revoked); a failure keeps
    its record for the next run and does not stop this one.
    """
    done, tokens, errors = [], [], []
    for lease_id in _lease_record.leftovers(record_dir, client.url, mount_point):
        try:
            client.revoke_lease(lease_id)
        except VaultError as exc:
            errors.append(f"{lease_id}: {exc}")
            continue
        done.append(lease_id)
        _lease_record.forget(record_dir, [lease_id])
    for accessor, expired in _lease_record.leftover_tokens(record_dir, client.url):
        if not expired:
            try:
                client.revoke_accessor(accessor)
            except VaultError as exc:
                errors.append(
                    f"login token with accessor {accessor}: {exc} (revoking another run's token needs update on "
                    f"auth/token/revoke-accessor; without it the token lives to its TTL)"
                )
                continue
        tokens.append(accessor)
        _lease_record.forget_tokens(record_dir, [accessor])
    return done, tokens, errors


def _undo(client, issued, record_dir):
    """Best effort: nothing issued by a failed lookup may outlive it."""
    try:
        if client.logged_in:
            client.revoke_self()
            if record_dir and client.accessor:
                _lease_record.forget_tokens(record_dir, [client.accessor])
        else:
            for creds in issued:
                client.revoke_lease(creds["lease_id"])
    except (VaultError, OSError):
        pass  # the original error is the one to report; leases still expire
