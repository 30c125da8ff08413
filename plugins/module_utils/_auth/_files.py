# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Reading a credential from a file, for the auth methods that take one."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError


def read_secret_file(path, option):
    """The stripped content of a file holding a credential; errors name the option."""
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip()
    except OSError as exc:
        raise VaultError(f"{option}: cannot read {path}: {exc.strerror}") from None
    if not value:
        raise VaultError(f"{option}: {path} is empty")
    return value
