# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Argument spec of the Vault options (documented in doc_fragments/vault.py)
and the module-side wrapper around module_utils._vault."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.voicestack.aws.plugins.module_utils import _vault
from ansible_collections.voicestack.aws.plugins.module_utils._auth import AUTH_OPTIONS
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

VAULT_ARGUMENT_SPEC = {
    "url": {"type": "str", "fallback": (env_fallback, ["VAULT_ADDR", "BAO_ADDR"])},
    "namespace": {"type": "str", "fallback": (env_fallback, ["VAULT_NAMESPACE"])},
    "ca_cert": {"type": "path", "fallback": (env_fallback, ["VAULT_CACERT"])},
    "validate_certs": {"type": "bool", "default": True},
    "timeout": {"type": "int", "default": 30},
    "retries": {"type": "int", "default": 3},
    "auth_method": {"type": "str", "default": "token", "choices": ["token", "approle", "jwt", "kubernetes"]},
    "token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["VAULT_TOKEN"])},
    "role_id": {"type": "str"},
    "secret_id": {"type": "str", "no_log": True},
    "secret_id_file": {"type": "path"},
    "jwt": {"type": "str", "no_log": True},
    "jwt_file": {"type": "path"},
    "kubernetes_token_file": {"type": "path", "default": "/var/run/secrets/kubernetes.io/serviceaccount/token"},
    "auth_role": {"type": "str"},
    "auth_mount": {"type": "str"},
}


class VaultModule(AnsibleModule):
    """An AnsibleModule with the Vault options, a logged-in client and fail_json_vault."""

    def __init__(self, argument_spec, **kwargs):
        super().__init__(argument_spec={**VAULT_ARGUMENT_SPEC, **argument_spec}, **kwargs)
        if not _vault.HAS_HVAC:
            self.fail_json(msg=missing_required_lib("hvac"), exception=str(_vault.HVAC_IMPORT_ERROR))
        self.url = self.params["url"]

    def vault_client(self):
        """(client, logged_in): logged_in is True when this module created its token."""
        p = self.params
        vault = _vault.client(
            self.url,
            namespace=p["namespace"],
            ca_cert=p["ca_cert"],
            validate_certs=p["validate_certs"],
            timeout=p["timeout"],
            retries=p["retries"],
        )
        logged_in = _vault.authenticate(vault, self.url, p["auth_method"], **{k: p[k] for k in AUTH_OPTIONS})
        return vault, logged_in

    def fail_json_vault(self, exc, **result):
        if not isinstance(exc, VaultError):
            exc = _vault.describe(exc, self.url, "talking to Vault")
        self.fail_json(msg=str(exc), **result)
