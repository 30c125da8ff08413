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
import contextlib
import datetime
import errno
import os
import secrets
import stat

from ansible_collections.voicestack.aws.plugins.module_utils._private import PRIVATE, make_folders

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


def _folder(path: str) -> int:
    """A descriptor of the CA file's folder: created 0700 with any missing parent, never a symlink, made 0700
    when it is the user's own; ValueError when another user owns it."""
    path = make_folders(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise ValueError(
                f"{path} is a symlink or not a folder; the CA bundle is written only into a real folder"
            ) from None
        raise
    info = os.fstat(descriptor)
    if info.st_uid != os.geteuid():
        os.close(descriptor)
        raise ValueError(f"{path} is owned by uid {info.st_uid}, not by you (uid {os.geteuid()})")
    if stat.S_IMODE(info.st_mode) != PRIVATE:
        os.fchmod(descriptor, PRIVATE)
    return descriptor


def _read_file(folder: int, name: str) -> bytes | None:
    """The content of a regular file name in folder; None when missing, a symlink or not a file."""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read()


def write_ca_file(path: str, certificate_authority_data: str, check_mode: bool = False) -> bool:
    """Write the cluster's (public) CA bundle to path; True when the file changes.

    The folder (and any missing parent) is created 0700, and an existing one
    of the user's made 0700; a symlink, as the folder or the file, is never
    followed: the bundle is what the Kubernetes tasks trust, and a link would
    let whoever controls its target choose it. The file is written 0600 under
    a temporary name and renamed over the old one, so a reader never sees half
    a bundle. In check mode only tell whether it would change.
    """
    pem = base64.b64decode(certificate_authority_data)
    path = os.path.abspath(os.path.expanduser(path))
    directory, name = os.path.split(path)
    if check_mode:
        try:
            folder = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return True
        try:
            return _read_file(folder, name) != pem
        finally:
            os.close(folder)
    folder = _folder(directory)
    try:
        if _read_file(folder, name) == pem:
            return False
        temporary = f".{name}.{secrets.token_hex(8)}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(pem)
                out.flush()
                os.fsync(out.fileno())
            os.rename(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise
    finally:
        os.close(folder)
    return True
