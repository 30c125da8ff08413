"""What the roles' tasks must say themselves, whatever the environment or an
earlier play left behind: the revocation flag is reset by the task that
issues, and every Kubernetes task pins TLS validation and bypasses proxies."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES = Path(__file__).resolve().parents[2] / "roles"


def tasks(path):
    """Every task of a tasks file, blocks, rescues and always sections flattened."""
    found = []

    def walk(items):
        for task in items or []:
            found.append(task)
            for section in ("block", "rescue", "always"):
                walk(task.get(section))

    walk(yaml.safe_load(path.read_text()))
    return found


def test_the_task_that_issues_resets_the_revoked_flag():
    """Facts outlive a play: `ansible-playbook bootstrap_backend.yml site.yml` issues twice in one process, and
    the second issue must not find the first one's vault_credentials_revoked (revoke.yml would skip it)."""
    (issue,) = [
        t for t in tasks(ROLES / "vault_credentials" / "tasks" / "main.yml") if "voicestack.aws.vault_sts" in str(t)
    ]
    assert issue["ansible.builtin.set_fact"]["vault_credentials_revoked"] is False
    (revoke, remember) = tasks(ROLES / "vault_credentials" / "tasks" / "revoke.yml")
    assert "not (vault_credentials_revoked | default(false))" in revoke["when"]
    assert remember["ansible.builtin.set_fact"]["vault_credentials_revoked"] == "{{ vault_credentials_aws is defined }}"


def test_revoke_forgets_the_login_tokens_record_by_its_accessor():
    (revoke, remember) = tasks(ROLES / "vault_credentials" / "tasks" / "revoke.yml")
    assert "vault_credentials_login_accessor" in revoke["voicestack.aws.vault_lease_revoke"]["token_accessor"]
    assert remember["ansible.builtin.set_fact"]["vault_credentials_login_accessor"] is None


TASK_FILES = sorted(ROLES.glob("*/tasks/*.yml"))
KUBERNETES_TASKS = [
    (path.relative_to(ROLES).as_posix(), task["name"])
    for path in TASK_FILES
    for task in tasks(path)
    if any(key.startswith("kubernetes.core.k8s") for key in task)
]


def test_there_are_kubernetes_tasks_to_check():
    assert len(KUBERNETES_TASKS) >= 4


def test_helm_pins_tls_validation_and_bypasses_any_proxy():
    """helm is a separate program: kubernetes.core.helm hands it the cluster's CA, and the task's environment
    keeps HTTPS_PROXY from routing the token's connection (not a secret: the token travels in HELM_KUBETOKEN)."""
    helm = [task for path in TASK_FILES for task in tasks(path) if "kubernetes.core.helm" in task]
    assert helm
    for task in helm:
        assert task["kubernetes.core.helm"]["validate_certs"] is True
        assert task["environment"] == {"NO_PROXY": "*", "no_proxy": "*"}


@pytest.mark.parametrize(("path", "name"), KUBERNETES_TASKS)
def test_kubernetes_tasks_pin_tls_validation_and_bypass_any_proxy(path, name, monkeypatch):
    """K8S_AUTH_VERIFY_SSL=no, K8S_AUTH_PROXY or HTTPS_PROXY in the controller environment change nothing:
    kubernetes.core builds the client from the task's arguments, and takes the environment only for what is unset."""
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s import client as k8s_client
    from kubernetes.client.rest import should_bypass_proxies

    (task,) = [t for t in tasks(ROLES / path) if t.get("name") == name]
    args = next(value for key, value in task.items() if key.startswith("kubernetes.core."))
    assert args["validate_certs"] is True
    assert args["no_proxy"] == "*"

    monkeypatch.setenv("K8S_AUTH_VERIFY_SSL", "no")
    monkeypatch.setenv("K8S_AUTH_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    params = {"host": "https://eks.example", "api_key": "k8s-aws-v1.x", "ca_cert": "/ca.crt"}
    params.update({k: args[k] for k in ("validate_certs", "no_proxy")})
    auth = k8s_client._create_auth_spec(**params)
    assert auth["verify_ssl"] is True
    assert auth["proxy"] == "http://proxy.example:3128"  # taken from the environment, and then bypassed:
    assert should_bypass_proxies(params["host"], auth["no_proxy"])
