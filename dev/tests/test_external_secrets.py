"""The sandbox runs External Secrets Operator's real controller against its
kube-apiserver and OpenBao: a model key written to Vault reaches a Kubernetes
Secret through a SecretStore that logs in as a service account (Vault's JWT
auth, checking the service account token with the cluster's signing key), a
rotated key follows within the refresh interval, and a path Vault's policy
does not grant is refused and reported on the ExternalSecret."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import hvac
import kubernetes
import pytest

from dev.sandbox.vault_setup import MODEL_KEYS_MOUNT

pytestmark = pytest.mark.integration

NAMESPACE = "eso-test"
SERVICE_ACCOUNT = "voice-agent"
AUTH_MOUNT = "eso-test-cluster"
GROUP, VERSION = "external-secrets.io", "v1"


@pytest.fixture(scope="module")
def vault(sandbox):
    return hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])


@pytest.fixture(scope="module")
def kube(sandbox):
    config = kubernetes.client.Configuration()
    config.host = sandbox["kube-apiserver"]["url"]
    config.ssl_ca_cert = sandbox["kube-apiserver"]["ca_file"]
    config.api_key = {"authorization": f"Bearer {sandbox['kube-apiserver']['token']}"}
    with kubernetes.client.ApiClient(config) as api:
        yield api


@pytest.fixture(scope="module")
def store(sandbox, vault, kube):
    """JWT auth for the cluster's service accounts, reading acme's model keys only, and a SecretStore that
    logs in as the agent's service account."""
    signing_key = Path(sandbox["kube-apiserver"]["ca_file"]).parent / "sa.pub"
    vault.sys.enable_auth_method("jwt", path=AUTH_MOUNT)
    vault.write(
        f"auth/{AUTH_MOUNT}/config",
        jwt_validation_pubkeys=[signing_key.read_text()],
        bound_issuer="https://kubernetes.default.svc",
    )
    vault.sys.create_or_update_acl_policy(
        "eso-test-acme", f'path "{MODEL_KEYS_MOUNT}/data/acme/*" {{ capabilities = ["read"] }}'
    )
    vault.write(
        f"auth/{AUTH_MOUNT}/role/{SERVICE_ACCOUNT}",
        role_type="jwt",
        user_claim="sub",
        bound_subject=f"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}",
        bound_audiences=["vault"],
        token_policies=["eso-test-acme"],
        token_ttl=600,
    )
    core = kubernetes.client.CoreV1Api(kube)
    core.create_namespace({"metadata": {"name": NAMESPACE}})
    core.create_namespaced_service_account(NAMESPACE, {"metadata": {"name": SERVICE_ACCOUNT}})
    custom(kube).create_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        "secretstores",
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "SecretStore",
            "metadata": {"name": "model-keys"},
            "spec": {
                "provider": {
                    "vault": {
                        "server": sandbox["openbao"]["url"],
                        "path": MODEL_KEYS_MOUNT,
                        "version": "v2",
                        "auth": {
                            "jwt": {
                                "path": AUTH_MOUNT,
                                "role": SERVICE_ACCOUNT,
                                "kubernetesServiceAccountToken": {
                                    "serviceAccountRef": {"name": SERVICE_ACCOUNT, "audiences": ["vault"]},
                                    "expirationSeconds": 600,
                                },
                            }
                        },
                    }
                }
            },
        },
    )
    return "model-keys"


def custom(kube):
    return kubernetes.client.CustomObjectsApi(kube)


def external_secret(kube, name, key, refresh="2s"):
    custom(kube).create_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        "externalsecrets",
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ExternalSecret",
            "metadata": {"name": name},
            "spec": {
                "refreshInterval": refresh,
                "secretStoreRef": {"name": "model-keys", "kind": "SecretStore"},
                "target": {"name": name},
                "dataFrom": [{"extract": {"key": key}}],
            },
        },
    )


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout}s")


def secret_value(kube, name):
    try:
        secret = kubernetes.client.CoreV1Api(kube).read_namespaced_secret(name, NAMESPACE)
    except kubernetes.client.ApiException as exc:
        if exc.status == 404:
            return None
        raise
    return base64.b64decode(secret.data["api_key"]).decode()


def vault_key(vault, path):
    found = vault.secrets.kv.v2.read_secret_version(
        path=path, mount_point=MODEL_KEYS_MOUNT, raise_on_deleted_version=True
    )
    return found["data"]["data"]["api_key"]


def test_a_key_in_vault_reaches_the_secret_and_a_rotated_one_follows(vault, kube, store):
    external_secret(kube, "openai", "acme/openai")
    first = vault_key(vault, "acme/openai")
    assert wait_for("the key in the Secret", lambda: secret_value(kube, "openai") == first)
    rotated = f"sk-rotated-{time.monotonic_ns()}"
    written = time.monotonic()
    vault.secrets.kv.v2.create_or_update_secret(
        path="acme/openai", secret={"api_key": rotated}, mount_point=MODEL_KEYS_MOUNT
    )
    assert wait_for("the rotated key in the Secret", lambda: secret_value(kube, "openai") == rotated, timeout=30)
    print(f"seconds from a Vault write to the updated Secret: {time.monotonic() - written:.1f}")


def test_another_customers_path_is_refused_and_reported(kube, store):
    external_secret(kube, "globex-openai", "globex/openai")

    def not_ready():
        status = (
            custom(kube)
            .get_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "externalsecrets", "globex-openai")
            .get("status", {})
        )
        ready = [c for c in status.get("conditions", []) if c["type"] == "Ready"]
        return ready and ready[0]["status"] == "False" and ready[0]

    condition = wait_for("the ExternalSecret reporting the refusal", not_ready)
    assert condition["reason"] == "SecretSyncedError", condition
    # The controller's event on the ExternalSecret carries Vault's own answer.
    events = (
        kubernetes.client.CoreV1Api(kube)
        .list_namespaced_event(NAMESPACE, field_selector="involvedObject.name=globex-openai")
        .items
    )
    assert any("Code: 403" in e.message and "permission denied" in e.message for e in events), [
        e.message for e in events
    ]
    assert secret_value(kube, "globex-openai") is None
