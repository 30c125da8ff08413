# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""JWT auth, for CI and AWX OIDC tokens: jwt or jwt_file, auth_role, auth_mount."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._auth._files import read_secret_file
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

NAME = "jwt"

ARGSPEC = {
    "jwt": {"type": "str", "no_log": True},
    "jwt_file": {"type": "path"},
}


def login(client, options):
    if not options.get("jwt") and not options.get("jwt_file"):
        raise VaultError("jwt: auth_method jwt needs jwt or jwt_file")
    if not options.get("auth_role"):
        raise VaultError("auth_role: auth_method jwt needs the Vault JWT role name")
    token = options.get("jwt") or read_secret_file(options["jwt_file"], "jwt_file")
    response = client.auth.jwt.jwt_login(role=options["auth_role"], jwt=token, path=options.get("auth_mount") or NAME)
    return response["auth"]
