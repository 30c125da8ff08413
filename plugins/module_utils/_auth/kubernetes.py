# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Kubernetes auth, for AWX on Kubernetes: the pod's service account token."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._auth._files import read_secret_file
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

NAME = "kubernetes"
TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105 - a path

ARGSPEC = {
    "kubernetes_token_file": {"type": "path", "default": TOKEN_FILE},
}


def login(client, options):
    if not options.get("auth_role"):
        raise VaultError("auth_role: auth_method kubernetes needs the Vault Kubernetes role name")
    token = read_secret_file(options.get("kubernetes_token_file") or TOKEN_FILE, "kubernetes_token_file")
    response = client.auth.kubernetes.login(
        role=options["auth_role"], jwt=token, mount_point=options.get("auth_mount") or NAME
    )
    return response["auth"]
