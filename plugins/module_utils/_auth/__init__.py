# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Vault auth methods, one per module. Each declares its NAME, the ARGSPEC of
the options only it reads, and ``login(client, options)``, which returns the
login's ``auth`` (client_token, accessor, lease_duration) when it created a
token this run must revoke, else None."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils import _inputs
from ansible_collections.voicestack.aws.plugins.module_utils._auth import approle, jwt, kubernetes, token

METHODS = {method.NAME: method for method in (token, approle, jwt, kubernetes)}

# The auth options (documented in doc_fragments/vault.py): the choice of
# method, the options several methods share, and each method's own.
ARGSPEC = {
    "auth_method": {"type": "str", "default": token.NAME, "choices": list(METHODS)},
    **token.ARGSPEC,
    **approle.ARGSPEC,
    **jwt.ARGSPEC,
    **kubernetes.ARGSPEC,
    "auth_role": {"type": "str"},
    "auth_mount": {"type": "str"},
}


def login(client, options):
    """Log in with options["auth_method"]; the login's auth when a token was created, else None."""
    _inputs.check([("auth_mount", "vault_mount", options.get("auth_mount"))])  # it goes into the login URL
    return METHODS[options["auth_method"]].login(client, options)
