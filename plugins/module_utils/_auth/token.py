# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Token auth: the token option, else VAULT_TOKEN, else ~/.vault-token."""

from __future__ import annotations

import os

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError


def login(client, token=None, **_):

    token = token or os.environ.get("VAULT_TOKEN") or os.environ.get("BAO_TOKEN")
    if not token:
        path = os.path.expanduser("~/.vault-token")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                token = handle.read().strip()
    if not token:
        raise VaultError("token: auth_method token needs token, VAULT_TOKEN or ~/.vault-token")
    client.token = token
    return False  # the caller owns this token; never revoke it
