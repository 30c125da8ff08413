# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""JWT auth, for CI and AWX OIDC tokens: jwt or jwt_file, auth_role, auth_mount."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._auth._files import read_secret_file
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError


def login(client, jwt=None, jwt_file=None, auth_role=None, auth_mount=None, **_):

    if not jwt and not jwt_file:
        raise VaultError("jwt: auth_method jwt needs jwt or jwt_file")
    if not auth_role:
        raise VaultError("auth_role: auth_method jwt needs the Vault JWT role name")
    token = jwt or read_secret_file(jwt_file, "jwt_file")
    client.auth.jwt.jwt_login(role=auth_role, jwt=token, path=auth_mount or "jwt")
    return True
