# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""EKS bearer tokens, made the way aws-iam-authenticator reads them.

A token is ``k8s-aws-v1.`` followed by the unpadded base64url encoding of a
presigned STS GetCallerIdentity URL whose signature covers the header
``x-k8s-aws-id: <cluster name>``. EKS calls that URL to learn who the caller
is, so the token proves the caller's identity for one cluster only.
"""

from __future__ import annotations

import base64
import datetime
import os

TOKEN_PREFIX = "k8s-aws-v1."  # noqa: S105 - a format prefix, not a secret
CLUSTER_HEADER = "x-k8s-aws-id"
# The presigned URL is valid for 60 s; EKS accepts a token for 15 minutes from
# its signing time. Report expiry a minute early, as the aws CLI does.
PRESIGN_SECONDS = 60
TOKEN_LIFETIME = datetime.timedelta(minutes=14)


def presign_caller_identity(sts_client, cluster_name: str) -> str:
    """A GET URL for sts:GetCallerIdentity whose signature covers the cluster header."""

    def add_cluster_header(request, **_kwargs):
        request.headers[CLUSTER_HEADER] = cluster_name

    event = "before-sign.sts.GetCallerIdentity"
    sts_client.meta.events.register(event, add_cluster_header)
    try:
        return sts_client.generate_presigned_url(
            "get_caller_identity", Params={}, ExpiresIn=PRESIGN_SECONDS, HttpMethod="GET"
        )
    finally:
        sts_client.meta.events.unregister(event, add_cluster_header)


def encode_token(presigned_url: str) -> str:
    return TOKEN_PREFIX + base64.urlsafe_b64encode(presigned_url.encode()).decode().rstrip("=")


def decode_token(token: str) -> str:
    """The presigned URL inside a token (ValueError when it is not one)."""
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError(f"an EKS token starts with {TOKEN_PREFIX!r}")
    body = token[len(TOKEN_PREFIX) :]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


def eks_token(sts_client, cluster_name: str, now: datetime.datetime | None = None) -> dict:
    """The token and its expiry (RFC 3339, UTC), as kubectl's ExecCredential reports it."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    expires = (now + TOKEN_LIFETIME).replace(microsecond=0)
    return {
        "token": encode_token(presign_caller_identity(sts_client, cluster_name)),
        "expiration_timestamp": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def kubeconfig(cluster_name: str, endpoint: str, certificate_authority_data: str, token: str) -> dict:
    """An in-memory kubeconfig for one cluster, ready for kubernetes.core's ``kubeconfig`` option."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority_data},
            }
        ],
        "users": [{"name": cluster_name, "user": {"token": token}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
    }


def write_ca_file(path: str, certificate_authority_data: str, check_mode: bool = False) -> bool:
    """Write the cluster's (public) CA bundle to path, creating its folder; True when the file changes.

    In check mode only tell whether it would change.
    """
    pem = base64.b64decode(certificate_authority_data)
    if os.path.exists(path):
        with open(path, "rb") as existing:
            if existing.read() == pem:
                return False
    if check_mode:
        return True
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as out:
        out.write(pem)
    os.chmod(path, 0o644)
    return True
