# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""AppRole auth: role_id with secret_id or secret_id_file."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._auth._files import read_secret_file
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

NAME = "approle"

ARGSPEC = {
    "role_id": {"type": "str"},
    "secret_id": {"type": "str", "no_log": True},
    "secret_id_file": {"type": "path"},
}


def login(client, options):
    if not options.get("role_id"):
        raise VaultError("role_id: auth_method approle needs role_id")
    secret_id = options.get("secret_id")
    if options.get("secret_id_file") and not secret_id:
        secret_id = read_secret_file(options["secret_id_file"], "secret_id_file")
    response = client.auth.approle.login(
        role_id=options["role_id"], secret_id=secret_id, mount_point=options.get("auth_mount") or NAME
    )
    return response["auth"]
