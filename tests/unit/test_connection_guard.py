"""Every role that issues or receives credentials refuses, before it touches them, a connection that would put
them on another machine or on disk (a non-local ansible_connection, pipelining off, ANSIBLE_KEEP_REMOTE_FILES),
with one message naming the setting, why and the fix: local ansible-playbook runs, nothing to reach (Vault, AWS
and Kubernetes addresses are dead ports; a role that got past the check fails on them instead)."""

from __future__ import annotations

import json
import os

import pytest
from local_playbook import failures, run_cases  # beside this file

DEAD = "http://127.0.0.1:1"
ROLES = {
    "vault_credentials": {
        "vault_credentials_url": DEAD,
        "vault_credentials_token": "not-a-token",
        "vault_credentials_aws_role": "deployer",
        "vault_credentials_account_id": "123456789012",
        "vault_credentials_region": "eu-west-1",
        "vault_credentials_lease_record_dir": None,
    },
    "terraform_stack": {
        "terraform_stack_secret_environment": {"AWS_ACCESS_KEY_ID": "AKIA0", "AWS_SECRET_ACCESS_KEY": "x"},
        "terraform_stack_backend_bucket": "voicestack-tfstate-123456789012",
        "terraform_stack_account_id": "123456789012",
        "terraform_stack_region": "eu-west-1",
        "terraform_stack_customer": "acme",
        "terraform_stack_binary_path": "/nonexistent/tofu",
        # terraform_stack_work_root: a folder of the test's (set below)
    },
    "service_account": {
        "service_account_cluster_name": "voice",
        "service_account_cluster_endpoint": "https://127.0.0.1:1",
        "service_account_cluster_ca_data": "bm90IGEgY2E=",
        "service_account_role_arn": "arn:aws:iam::123456789012:role/acme-voice-agent",
        "service_account_aws_credentials": {"access_key": "AKIA0", "secret_key": "x", "security_token": None},
        "service_account_region": "eu-west-1",
        "service_account_aws_endpoint_url": DEAD,
    },
    "verify": {
        "verify_outputs": {"alb_arn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1"},
        "verify_aws_credentials": {"access_key": "AKIA0", "secret_key": "x", "security_token": None},
        "verify_region": "eu-west-1",
        "verify_aws_endpoint_url": DEAD,
    },
}
SETTINGS = {
    # host vars of the case, the environment of the run, the start of the one message
    "ssh": ({"ansible_connection": "ssh", "ansible_host": "127.0.0.1"}, {}, "ansible_connection is ssh: "),
    "paramiko": ({"ansible_connection": "paramiko_ssh"}, {}, "ansible_connection is paramiko_ssh: "),
    # As in a playbook of one's own that does not turn it on (Ansible's default is off).
    "no-pipelining": ({"ansible_pipelining": False}, {}, "pipelining is off: "),
    "keep-remote-files": ({}, {"ANSIBLE_KEEP_REMOTE_FILES": "1"}, "ANSIBLE_KEEP_REMOTE_FILES is on: "),
}
CHECK_MESSAGES = ("ansible_connection is ", "pipelining is off: ", "ANSIBLE_KEEP_REMOTE_FILES is on: ")

PLAYBOOK = """
- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  # Each host sets ansible_pipelining itself (a play's vars would win over the host's).
  tasks:
    - name: The role under test
      ansible.builtin.include_role:
        name: "voicestack.aws.{{ role }}"
"""


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    failed = {}
    by_env = {}
    work_root = tmp_path_factory.mktemp("work")
    for setting, (host_vars, env, _message) in {**SETTINGS, "good": ({}, {}, None)}.items():
        by_env.setdefault(json.dumps(env), {}).update(
            {
                f"{role}-{setting}": {
                    "role": role,
                    **inputs,
                    "ansible_pipelining": True,
                    **host_vars,
                    "terraform_stack_work_root": str(work_root / setting),
                }
                for role, inputs in ROLES.items()
            }
        )
    for env, hosts in by_env.items():
        directory = tmp_path_factory.mktemp("connection")
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_KEEP", "ANSIBLE_PIPE"))}
        failed |= failures(run_cases(directory, hosts, PLAYBOOK, {**environment, **json.loads(env)}))
    return failed, work_root


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("role", ROLES)
def test_the_role_refuses_the_setting_first_naming_it_why_and_the_fix(refused, role, setting):
    failures, work_root = refused
    messages = failures[f"{role}-{setting}"]
    assert len(messages) == 1, messages  # the check's message, and nothing failed after it
    message = messages[0]
    assert message.startswith(SETTINGS[setting][2]), message
    assert " credentials" in message and ("set " in message or "unset" in message or "remove" in message), message
    assert not any(other in message for other in CHECK_MESSAGES if not message.startswith(other)), message
    if role == "terraform_stack":
        assert not (work_root / setting).exists()  # refused before its work folder was written


@pytest.mark.parametrize("role", ROLES)
def test_a_local_pipelined_run_passes_the_check(refused, role):
    messages = refused[0][f"{role}-good"]
    assert messages, "the run was expected to fail later, on an address nothing listens on"
    assert not any(message.startswith(CHECK_MESSAGES) for message in messages), messages
