"""The sandbox is real: each part answers its real client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import boto3
import hvac
import kubernetes
import pytest

from dev.settings import ROOT

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


def test_an_eks_cluster_is_served_by_the_sandbox_apiserver_with_eks_tokens(sandbox, root_token, tmp_path):
    """moto's cluster endpoint and CA lead to the kube-apiserver, which accepts
    an eks_token module token as the Vault-issued caller (EKS authenticator)."""
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    secret = vault.secrets.aws.generate_credentials(name="voicestack-deployer", endpoint="sts")
    data = secret["data"]
    try:
        eks = boto3.client(
            "eks",
            endpoint_url=sandbox["moto"]["url"],
            region_name="us-east-1",
            aws_access_key_id=data["access_key"],
            aws_secret_access_key=data["secret_key"],
            aws_session_token=data["security_token"],
        )
        cluster = eks.create_cluster(
            name="token-test",
            roleArn="arn:aws:iam::123456789012:role/eks",
            resourcesVpcConfig={"subnetIds": ["subnet-1"]},
            # The authenticator admits only through access entries: the creator's bootstrap entry here.
            accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True},
        )["cluster"]
        assert cluster["endpoint"] == sandbox["kube-apiserver"]["url"]
        args = {
            "cluster_name": "token-test",
            "cluster_endpoint": cluster["endpoint"],
            "cluster_certificate_authority_data": cluster["certificateAuthority"]["data"],
            "region": "us-east-1",
            "endpoint_url": sandbox["moto"]["url"],
            "access_key": data["access_key"],
            "secret_key": data["secret_key"],
            "session_token": data["security_token"],
        }
        run = subprocess.run(
            [
                "ansible",
                "localhost",
                "-c",
                "local",
                "-e",
                f"ansible_python_interpreter={sys.executable}",
                "-m",
                "voicestack.aws.eks_token",
                "-a",
                json.dumps(args),
            ],
            env={**os.environ, "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "json"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        result = json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
        assert result["token"].startswith("k8s-aws-v1.")
        config_file = tmp_path / "kubeconfig.json"
        config_file.write_text(json.dumps(result["kubeconfig"]))
        api = kubernetes.config.new_client_from_config(str(config_file))
        review = kubernetes.client.AuthenticationV1Api(api).create_self_subject_review(
            {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
        )
        assert ":assumed-role/voicestack-deployer/" in review.status.user_info.username
        eks.delete_cluster(name="token-test")
    finally:
        vault.sys.revoke_lease(secret["lease_id"])


def test_openbao_writes_its_audit_log(sandbox, root_token):
    hvac.Client(url=sandbox["openbao"]["url"], token=root_token).sys.read_health_status(method="GET")
    hvac.Client(url=sandbox["openbao"]["url"], token=root_token).sys.list_mounted_secrets_engines()
    with open(sandbox["openbao"]["audit_log"]) as log:
        assert '"path":"sys/mounts"' in log.read()


def _sandbox(args, tmp_path, port_base):
    env = {"VOICESTACK_SANDBOX_DIR": str(tmp_path / "state"), "VOICESTACK_SANDBOX_PORT_BASE": str(port_base)}
    return subprocess.run(
        [sys.executable, "-m", "dev.sandbox", *args],
        env={**os.environ, **env},
        cwd=ROOT,
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
