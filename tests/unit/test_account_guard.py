"""The account guard of role vault_credentials asks AWS's own regional STS, whatever the environment says,
and accepts only the principal the Vault role issues: one local ansible-playbook run of the guard's tasks
against an in-process moto server (the sandbox's override) and AWS's endpoint (never reached: see below)."""

from __future__ import annotations

import json
import os
import socketserver
import threading

import boto3
import pytest
from local_playbook import run_cases  # beside this file
from moto.server import ThreadedMotoServer

ACCOUNT = "123456789012"  # moto's default account
DEAD = "http://127.0.0.1:1"  # nothing listens on port 1

PLAYBOOK = """
- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    ansible_pipelining: true
  tasks:
    - name: The guard's tasks, as main.yml runs them once Vault issued the credentials
      ansible.builtin.include_role:
        name: voicestack.aws.vault_credentials
        tasks_from: account_guard
      vars:
        # What main.yml chose: the deployer's roles, unless a host says otherwise.
        vault_credentials_issued_by: >-
          {{ issued_by | default({'vault_role': 'voicestack-deployer', 'iam_role': 'voicestack-deployer',
                                  'read_only': false}) }}
    - name: Passed
      ansible.builtin.debug:
        msg: "guard passed for {{ vault_credentials_caller.arn }}"
"""


class _ProxyRecorder(socketserver.ThreadingTCPServer):
    """Where the guard's HTTPS goes: it records each CONNECT target and refuses it.

    A stand-in for the Internet on purpose: the unit tests must not call AWS, and
    the target of the CONNECT is exactly the endpoint the guard chose."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.targets = []
        recorder = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline().decode("latin-1").split()
                if line:
                    recorder.targets.append(line[1] if line[0] == "CONNECT" else line[0])
                self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    proxy = _ProxyRecorder()
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        host, port = moto.get_host_and_port()
        moto_url = f"http://{host}:{port}"
        keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "eu-west-1"}
        iam = boto3.client("iam", endpoint_url=moto_url, **keys)
        sts = boto3.client("sts", endpoint_url=moto_url, **keys)
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
            }
        )
        role = iam.create_role(RoleName="voicestack-deployer", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        assumed = sts.assume_role(RoleArn=role, RoleSessionName="run")["Credentials"]
        deployer = {
            "access_key": assumed["AccessKeyId"],
            "secret_key": assumed["SecretAccessKey"],
            "security_token": assumed["SessionToken"],
        }
        iam.create_user(UserName="vault-user")
        key = iam.create_access_key(UserName="vault-user")["AccessKey"]
        user = {"access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"], "security_token": None}

        base = {"vault_credentials_account_id": ACCOUNT, "vault_credentials_aws": deployer}
        sandbox = {**base, "vault_credentials_region": "eu-west-1", "vault_credentials_aws_endpoint_url": moto_url}
        hosts = {
            # No override of the role's own: AWS's regional endpoint, in the region's partition.
            "aws": {**base, "vault_credentials_region": "eu-west-1"},
            "aws-cn": {**base, "vault_credentials_region": "cn-north-1"},
            "aws-gov": {**base, "vault_credentials_region": "us-gov-west-1"},
            # The role's override (the sandbox inventory's): moto.
            "sandbox": sandbox,
            # The IAM role named with its path: an assumed role's ARN has no path.
            "sandbox-role-path": {
                **sandbox,
                "issued_by": {
                    "vault_role": "voicestack-deployer",
                    "iam_role": "teams/voicestack-deployer",
                    "read_only": False,
                },
            },
            "iam-user": {**sandbox, "vault_credentials_aws": user},
            # A read-only run expects the planner: the deployer's credentials are refused.
            "other-role": {
                **sandbox,
                "issued_by": {"vault_role": "voicestack-planner", "iam_role": "voicestack-planner", "read_only": True},
            },
            "federation": {**sandbox, "vault_credentials_credential_type": "federation_token"},
            "iam-user-type": {
                **sandbox,
                "vault_credentials_aws": user,
                "vault_credentials_credential_type": "iam_user",
            },
        }
        directory = tmp_path_factory.mktemp("account-guard")
        # Every way botocore or amazon.aws take an endpoint from the environment points at a dead port.
        (directory / "aws-config").write_text(f"[default]\nendpoint_url = {DEAD}\n")
        env = {
            key: value for key, value in os.environ.items() if "proxy" not in key.lower() and not key.startswith("AWS_")
        }
        env |= {
            "AWS_URL": DEAD,
            "AWS_ENDPOINT_URL": DEAD,
            "AWS_ENDPOINT_URL_STS": DEAD,
            "AWS_CONFIG_FILE": str(directory / "aws-config"),
            "HTTPS_PROXY": f"http://127.0.0.1:{proxy.server_address[1]}",
            "NO_PROXY": "127.0.0.1,localhost",
            "AWS_MAX_ATTEMPTS": "1",
        }
        outcomes = run_cases(directory, hosts, PLAYBOOK, env)
    finally:
        proxy.shutdown()
        moto.stop()
    return outcomes, proxy.targets


def failure(outcomes, host):
    failed = [(task, msg) for task, failed, msg in outcomes[host] if failed]
    assert len(failed) == 1, outcomes[host]
    return failed[0]


@pytest.mark.parametrize(
    ("host", "endpoint"),
    [
        ("aws", "sts.eu-west-1.amazonaws.com:443"),
        ("aws-cn", "sts.cn-north-1.amazonaws.com.cn:443"),
        ("aws-gov", "sts.us-gov-west-1.amazonaws.com:443"),
    ],
)
def test_without_the_roles_override_sts_is_asked_at_aws_regional_endpoint_whatever_the_environment_says(
    guarded, host, endpoint
):
    outcomes, targets = guarded
    assert endpoint in targets, targets
    task = failure(outcomes, host)[0]
    assert task.endswith(": Ask STS whose credentials these are")  # AWS is not reachable from the unit tests


@pytest.mark.parametrize("host", ["sandbox", "sandbox-role-path"])
def test_the_roles_override_is_the_only_other_endpoint_and_the_right_principal_passes(guarded, host):
    outcomes = guarded[0]
    assert not any(failed for _task, failed, _message in outcomes[host]), outcomes[host]
    assert ("Passed", None, f"guard passed for arn:aws:sts::{ACCOUNT}:assumed-role/voicestack-deployer/run") in [
        (task, failed or None, msg) for task, failed, msg in outcomes[host]
    ]


@pytest.mark.parametrize(
    ("host", "vault_role", "words"),
    [
        (
            "iam-user",
            "voicestack-deployer",
            f"arn:aws:iam::{ACCOUNT}:user/vault-user'; credential_type assumed_role issues an assumed role",
        ),
        (
            "other-role",
            "voicestack-planner",
            "an assumed role of voicestack-deployer, not of voicestack-planner; nothing was planned and the "
            "credentials were revoked. Fix the Vault role (its credential_type and role_arns) or "
            "vault_credentials_credential_type / vault_credentials_planner_iam_role.",
        ),
        ("federation", "voicestack-deployer", "credential_type federation_token issues a federated user"),
    ],
)
def test_a_principal_the_vault_role_does_not_issue_is_refused_naming_it(guarded, host, vault_role, words):
    outcomes = guarded[0]
    task, msg = failure(outcomes, host)
    assert task.endswith(": The credentials must be the principal the Vault role issues")
    assert msg.startswith(f"account guard: Vault role {vault_role}: STS says the credentials are "), msg
    assert words in msg, msg


def test_an_iam_user_passes_for_credential_type_iam_user(guarded):
    outcomes = guarded[0]
    assert not any(failed for _task, failed, _message in outcomes["iam-user-type"]), outcomes["iam-user-type"]
