# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Token auth: the token option, else VAULT_TOKEN, else BAO_TOKEN, else ~/.vault-token."""

from __future__ import annotations

import os

from ansible.module_utils.basic import env_fallback

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

NAME = "token"
ENV = ("VAULT_TOKEN", "BAO_TOKEN")  # the first one set wins
TOKEN_FILE = "~/.vault-token"  # noqa: S105 - a path

ARGSPEC = {
    "token": {"type": "str", "no_log": True, "fallback": (env_fallback, list(ENV))},
}


def login(client, options):
    token = options.get("token") or _env_token() or _file_token()
    if not token:
        raise VaultError("token: auth_method token needs token, VAULT_TOKEN, BAO_TOKEN or ~/.vault-token")
    client.token = token  # the caller owns this token: None says never revoke it


def _env_token():
    return next((os.environ[name] for name in ENV if os.environ.get(name)), None)


def _file_token():
    path = os.path.expanduser(TOKEN_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise VaultError(f"token: cannot read {path}: {exc.strerror}") from None
