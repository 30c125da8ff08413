# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""The AnsibleModule of the modules that talk to Vault: the Vault options
(_vault.ARGSPEC, documented in doc_fragments/vault.py) and a logged-in client."""

from __future__ import annotations

import contextlib

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.voicestack.aws.plugins.module_utils import _vault


class VaultModule(AnsibleModule):
    """An AnsibleModule with the Vault options and a logged-in client."""

    def __init__(self, argument_spec, **kwargs):
        super().__init__(argument_spec={**_vault.ARGSPEC, **argument_spec}, **kwargs)
        if not _vault.HAS_HVAC:
            self.fail_json(msg=missing_required_lib("hvac"), exception=str(_vault.HVAC_IMPORT_ERROR))

    def vault_client(self):
        """A _vault.VaultClient logged in with the module's options; raises VaultError."""
        client = _vault.VaultClient(self.params)
        for warning in _vault.connection_warnings(self.params):
            self.warn(warning)
        client.login(self.params)
        return client

    @contextlib.contextmanager
    def vault_session(self):
        """vault_client() for one piece of work: a token the module logged in for (any auth_method but token) is
        revoked when the work ends, also when it failed, not left to its TTL."""
        client = self.vault_client()
        try:
            yield client
        finally:
            if client.logged_in:
                client.revoke_self()
