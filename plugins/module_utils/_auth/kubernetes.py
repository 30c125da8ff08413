# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Kubernetes auth, for AWX on Kubernetes: the pod's service account token."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._auth._files import read_secret_file
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

DEFAULT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105 - a path


def login(client, kubernetes_token_file=None, auth_role=None, auth_mount=None, **_):

    if not auth_role:
        raise VaultError("auth_role: auth_method kubernetes needs the Vault Kubernetes role name")
    token = read_secret_file(kubernetes_token_file or DEFAULT_TOKEN_FILE, "kubernetes_token_file")
    client.auth.kubernetes.login(role=auth_role, jwt=token, mount_point=auth_mount or "kubernetes")
    return True
