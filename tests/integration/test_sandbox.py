"""The sandbox is real: each part answers its real client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import hvac
import kubernetes
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_openbao_issues_sts_credentials_that_moto_accepts(sandbox, root_token):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    secret = vault.secrets.aws.generate_credentials(name="voicestack-deployer", endpoint="sts")
    try:
        data = secret["data"]
        assert data["security_token"]
        sts = boto3.client(
            "sts",
            endpoint_url=sandbox["moto"]["url"],
            region_name="us-east-1",
            aws_access_key_id=data["access_key"],
            aws_secret_access_key=data["secret_key"],
            aws_session_token=data["security_token"],
        )
        identity = sts.get_caller_identity()
        assert identity["Account"] == "123456789012"
        assert ":assumed-role/voicestack-deployer/" in identity["Arn"]
    finally:
        vault.sys.revoke_lease(secret["lease_id"])


def test_kube_apiserver_answers_the_kubernetes_client_with_the_static_token(sandbox):
    kube = sandbox["kube-apiserver"]
    config = kubernetes.client.Configuration()
    config.host = kube["url"]
    config.ssl_ca_cert = kube["ca_file"]
    config.api_key = {"authorization": "Bearer " + kube["token"]}
    with kubernetes.client.ApiClient(config) as api:
        names = [ns.metadata.name for ns in kubernetes.client.CoreV1Api(api).list_namespace().items]
        assert "default" in names
        version = kubernetes.client.VersionApi(api).get_code()
        assert version.major == "1"


def test_kube_apiserver_rejects_a_wrong_token(sandbox):
    kube = sandbox["kube-apiserver"]
    config = kubernetes.client.Configuration()
    config.host = kube["url"]
    config.ssl_ca_cert = kube["ca_file"]
    config.api_key = {"authorization": "Bearer not-the-token"}
    with kubernetes.client.ApiClient(config) as api:
        with pytest.raises(kubernetes.client.ApiException) as err:
            kubernetes.client.CoreV1Api(api).list_namespace()
    assert err.value.status == 401


def test_openbao_writes_its_audit_log(sandbox, root_token):
    hvac.Client(url=sandbox["openbao"]["url"], token=root_token).sys.read_health_status(method="GET")
    hvac.Client(url=sandbox["openbao"]["url"], token=root_token).sys.list_mounted_secrets_engines()
    with open(sandbox["openbao"]["audit_log"]) as log:
        assert '"path":"sys/mounts"' in log.read()


def _sandbox(args, tmp_path, port_base):
    env = {"VOICESTACK_SANDBOX_DIR": str(tmp_path / "state"), "VOICESTACK_SANDBOX_PORT_BASE": str(port_base)}
    return subprocess.run(
        [sys.executable, str(ROOT / "sandbox" / "sandbox.py"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_down_with_nothing_running_exits_zero(tmp_path):
    result = _sandbox(["down"], tmp_path, 28200)
    assert result.returncode == 0, result.stderr
    assert "nothing was running" in result.stdout


def test_a_port_in_use_is_named_and_nothing_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # The OpenBao port is the base port.
        result = _sandbox(["up"], tmp_path, port)
    assert result.returncode == 1
    assert f"port in use: openbao port {port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "state" / "pids").exists()
