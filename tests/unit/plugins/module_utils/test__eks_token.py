"""EKS tokens in the documented format (dev/tests/test_eks_authenticator.py
shows the sandbox's EKS authenticator accepting them through moto's STS)."""

from __future__ import annotations

import base64
import datetime
import stat
import urllib.parse

import boto3
import pytest

from ansible_collections.voicestack.aws.plugins.module_utils._eks_token import (
    decode_token,
    eks_token,
    kubeconfig,
    write_ca_file,
)


def sts(region="eu-west-1", endpoint_url=None, **creds):
    creds = creds or {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}
    return boto3.client("sts", region_name=region, endpoint_url=endpoint_url, **creds)


def test_token_is_prefix_and_unpadded_base64url_of_a_regional_presigned_url():
    now = datetime.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=datetime.timezone.utc)
    result = eks_token(sts(), "voice-eks", now=now)
    token = result["token"]
    assert token.startswith("k8s-aws-v1.")
    body = token.removeprefix("k8s-aws-v1.")
    assert "=" not in body and "+" not in body and "/" not in body
    url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    assert url == decode_token(token)
    parts = urllib.parse.urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "sts.eu-west-1.amazonaws.com")
    query = urllib.parse.parse_qs(parts.query)
    assert query["Action"] == ["GetCallerIdentity"]
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-SignedHeaders"] == ["host;x-k8s-aws-id"]
    assert query["X-Amz-Credential"][0].startswith("AKIAIOSFODNN7EXAMPLE/")
    assert result["expiration_timestamp"] == "2026-01-02T03:18:05Z"


def test_the_cluster_header_is_not_left_registered():
    client = sts()
    eks_token(client, "one")
    url = client.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60)
    assert "x-k8s-aws-id" not in urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["X-Amz-SignedHeaders"][0]


def test_decode_refuses_other_tokens():
    with pytest.raises(ValueError, match="k8s-aws-v1"):
        decode_token("Bearer abc")


def test_kubeconfig_has_one_cluster_user_and_context():
    config = kubeconfig("voice-eks", "https://example", "Q0E=", "k8s-aws-v1.abc")
    assert config["current-context"] == "voice-eks"
    assert config["clusters"][0]["cluster"] == {"server": "https://example", "certificate-authority-data": "Q0E="}
    assert config["users"][0]["user"] == {"token": "k8s-aws-v1.abc"}


def test_ca_file_is_written_once_with_the_pem(tmp_path):
    pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    path = tmp_path / "eks" / "cluster.crt"
    assert write_ca_file(str(path), base64.b64encode(pem).decode()) is True
    assert path.read_bytes() == pem
    assert write_ca_file(str(path), base64.b64encode(pem).decode()) is False


def test_in_check_mode_the_ca_file_is_only_reported(tmp_path):
    pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    path = tmp_path / "eks" / "cluster.crt"
    assert write_ca_file(str(path), base64.b64encode(pem).decode(), check_mode=True) is True
    assert not path.parent.exists()
    write_ca_file(str(path), base64.b64encode(pem).decode())
    assert write_ca_file(str(path), base64.b64encode(pem).decode(), check_mode=True) is False
    assert write_ca_file(str(path), base64.b64encode(b"other").decode(), check_mode=True) is True
    assert path.read_bytes() == pem


PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def test_the_ca_folder_is_private_and_the_file_is_replaced_whole(tmp_path):
    path = tmp_path / "cache" / "eks" / "cluster.crt"
    assert write_ca_file(str(path), base64.b64encode(PEM).decode()) is True
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700  # a missing parent too
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    inode = path.stat().st_ino
    assert write_ca_file(str(path), base64.b64encode(b"other").decode()) is True
    assert path.read_bytes() == b"other" and path.stat().st_ino != inode  # renamed into place, not rewritten
    assert sorted(p.name for p in path.parent.iterdir()) == ["cluster.crt"]  # no temporary file left


def test_an_existing_ca_folder_of_the_user_is_made_private(tmp_path):
    folder = tmp_path / "eks"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    write_ca_file(str(folder / "cluster.crt"), base64.b64encode(PEM).decode())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_symlink_in_place_of_the_ca_file_is_replaced_never_written_through(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"keep")
    target.chmod(0o600)
    folder = tmp_path / "eks"
    folder.mkdir(mode=0o700)
    (folder / "cluster.crt").symlink_to(target)
    assert write_ca_file(str(folder / "cluster.crt"), base64.b64encode(PEM).decode(), check_mode=True) is True
    assert write_ca_file(str(folder / "cluster.crt"), base64.b64encode(PEM).decode()) is True
    assert target.read_bytes() == b"keep" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (folder / "cluster.crt").is_symlink() and (folder / "cluster.crt").read_bytes() == PEM


def test_a_symlinked_ca_folder_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "eks").symlink_to(real)
    with pytest.raises(ValueError, match="is a symlink or not a folder"):
        write_ca_file(str(tmp_path / "eks" / "cluster.crt"), base64.b64encode(PEM).decode())
    assert list(real.iterdir()) == []
