# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""The one exception type whose message is shown to users as is."""


class VaultError(Exception):
    """An error meant for the user: one line, no secret, no traceback."""
