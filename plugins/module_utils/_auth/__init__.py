# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Vault auth methods, one per module; each exposes ``login(client, **options)``
returning True when it created a token this run must revoke."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._auth import approle, jwt, kubernetes, token

# Every option any auth method reads.
AUTH_OPTIONS = (
    "token",
    "role_id",
    "secret_id",
    "secret_id_file",
    "jwt",
    "jwt_file",
    "kubernetes_token_file",
    "auth_role",
    "auth_mount",
)

AUTH_METHODS = {
    "token": token.login,
    "approle": approle.login,
    "jwt": jwt.login,
    "kubernetes": kubernetes.login,
}


def login(client, auth_method, **options):
    return AUTH_METHODS[auth_method](client, **options)
