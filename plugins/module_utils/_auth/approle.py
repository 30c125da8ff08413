# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""AppRole auth: role_id with secret_id or secret_id_file."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._auth._files import read_secret_file
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError


def login(client, role_id=None, secret_id=None, secret_id_file=None, auth_mount=None, **_):

    if not role_id:
        raise VaultError("role_id: auth_method approle needs role_id")
    if secret_id_file and not secret_id:
        secret_id = read_secret_file(secret_id_file, "secret_id_file")
    client.auth.approle.login(role_id=role_id, secret_id=secret_id, mount_point=auth_mount or "approle")
    return True
