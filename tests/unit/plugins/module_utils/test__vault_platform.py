"""An auth method the caller may only configure (``enable: false``), as the
runner configures a voice agent's Vault login that onboarding made, against a
real OpenBao (the ``openbao`` fixture of tests/unit/conftest.py)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ansible_collections.voicestack.aws.plugins.module_utils import _vault
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._vault_platform import ensure

MOUNT = "voicestack-eks/123456789012/acme"
# A cluster's public signing key (Vault checks a JWKS or discovery URL when it is written; none is reachable here).
KEY = (
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    .public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
CONFIG = {"jwt_validation_pubkeys": [KEY], "bound_issuer": "https://oidc.example.com"}
# What site.yml's token may do there (roles/vault_platform/templates/runner-policy.hcl.j2).
RUNNER = 'path "auth/voicestack-eks/+/+/config" { capabilities = ["create", "read", "update"] }'


def configure(url, token, check_mode=False):
    client = _vault.VaultClient({"url": url, "retries": 0})
    client._hvac.token = token
    params = {"auth": [{"type": "jwt", "mount": MOUNT, "enable": False, "config": CONFIG}]}
    return ensure(client, params, check_mode)


@pytest.fixture
def runner_token(openbao):
    root = openbao[1]
    root.sys.create_or_update_acl_policy("runner", RUNNER)
    return root.auth.token.create(policies=["runner"], ttl="5m")["auth"]["client_token"]


def test_a_login_that_onboarding_did_not_make_is_an_error_that_says_so(openbao, runner_token):
    url = openbao[0]
    with pytest.raises(VaultError, match=f"auth/{MOUNT}/ is not enabled: .*onboard_account.yml"):
        configure(url, runner_token)


def test_the_runner_configures_a_login_once_and_check_mode_writes_nothing(openbao, runner_token):
    url, root = openbao
    root.sys.enable_auth_method("jwt", path=MOUNT)
    checked = configure(url, runner_token, check_mode=True)
    assert checked["changed"] and root.read(f"auth/{MOUNT}/config") is None
    first = configure(url, runner_token)
    assert first["changed"]
    assert first["diff"]["after"][f"auth/{MOUNT}/config"] == CONFIG
    assert root.read(f"auth/{MOUNT}/config")["data"]["bound_issuer"] == CONFIG["bound_issuer"]
    assert not configure(url, runner_token)["changed"]
