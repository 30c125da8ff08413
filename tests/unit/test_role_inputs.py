"""The roles refuse inputs that would go into a Vault URL or the state backend as is, naming the
input, before any call: one local ansible-playbook run, one host per bad input, nothing to reach."""

from __future__ import annotations

import os

import pytest
from local_playbook import failures, run_cases  # beside this file

# Nothing listens on port 1: a check that let a value through would fail on the connection instead.
VAULT = {"vault_credentials_url": "http://127.0.0.1:1", "vault_credentials_token": "not-a-token"}
BACKEND = {"terraform_stack_backend_bucket": "voicestack-tfstate-123456789012"}

CASES = {
    "vault-role-dotdot": ({"vault_credentials_aws_role": "../../sys/raw/x"}, "vault_credentials_aws_role: "),
    "vault-mount-dotdot": ({"vault_credentials_mount_point": "aws/../cubbyhole"}, "vault_credentials_mount_point: "),
    "vault-auth-mount": ({"vault_credentials_auth_mount": "../token"}, "vault_credentials_auth_mount: "),
    "vault-session-name": ({"vault_credentials_role_session_name": "a b"}, "vault_credentials_role_session_name: "),
    # Names the account guard compares with the caller: refused before Vault is asked.
    "vault-iam-role-arn": (
        {"vault_credentials_deployer_iam_role": "arn:aws:iam::210987654321:role/voicestack-deployer"},
        "vault_credentials_deployer_iam_role: 'arn:aws:iam::210987654321:role/voicestack-deployer' is an ARN: give the "
        "IAM role's name (with its path if it has one), such as voicestack-deployer",
    ),
    "vault-iam-role-long": ({"vault_credentials_planner_iam_role": "p" * 65}, "vault_credentials_planner_iam_role: "),
    "vault-planner-role-dotdot": (
        {"vault_credentials_planner_aws_role": "../x", "vault_credentials_read_only": True},
        "vault_credentials_planner_aws_role: ",
    ),
    # A read-only run takes the planner's credentials: without its Vault role, nothing is issued.
    "vault-read-only-without-planner": (
        {"vault_credentials_read_only": True},
        "this run only reads (--check, the drift check or a verify-only run), so it takes the planner's credentials, "
        "but vault_credentials_planner_aws_role is not set",
    ),
    # Only assumed_role can deploy: refused before Vault is asked (port 1 would fail on the connection), saying why.
    "vault-type-federation": (
        {"vault_credentials_credential_type": "federation_token"},
        "vault_credentials_credential_type: 'federation_token' cannot deploy: GetFederationToken credentials cannot "
        "call IAM",
    ),
    "vault-type-session": (
        {"vault_credentials_credential_type": "session_token"},
        "vault_credentials_credential_type: 'session_token' cannot deploy: GetSessionToken credentials cannot call IAM",
    ),
    "vault-type-iam-user": (
        {"vault_credentials_credential_type": "iam_user"},
        "vault_credentials_credential_type: 'iam_user' cannot deploy: an IAM user's identity is deleted when its lease",
    ),
    "backend-bucket": ({"terraform_stack_backend_bucket": "192.168.1.2"}, "terraform_stack_backend_bucket: "),
    "backend-bucket-xn": ({"terraform_stack_backend_bucket": "xn--state"}, "terraform_stack_backend_bucket: "),
    "backend-key": ({"terraform_stack_backend_key": "../other/voice.tfstate"}, "terraform_stack_backend_key: "),
    "backend-key-slash": ({"terraform_stack_backend_key": "/voice.tfstate"}, "terraform_stack_backend_key: "),
    "backend-kms": ({"terraform_stack_backend_kms_key_id": "alias/../x"}, "terraform_stack_backend_kms_key_id: "),
}
# Good values pass these checks: the run goes on and fails later (no Vault, no tofu).
GOOD = {
    "vault-good": {
        "vault_credentials_mount_point": "team/aws",
        "vault_credentials_auth_mount": "ci/approle",
        "vault_credentials_role_session_name": "voicestack@run-1",
        "vault_credentials_deployer_iam_role": "teams/voice/voicestack-deployer",
        "vault_credentials_planner_aws_role": "acme-planner",
        "vault_credentials_read_only": True,
    },
    "backend-good": {
        "terraform_stack_backend_key": "accounts/123456789012/voice.tfstate",
        "terraform_stack_backend_kms_key_id": "arn:aws:kms:eu-west-1:123456789012:alias/voicestack-tfstate",
    },
}

PLAYBOOK = """
- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    ansible_pipelining: true
  tasks:
    - name: Vault credentials
      ansible.builtin.include_role:
        name: voicestack.aws.vault_credentials
      vars:
        vault_credentials_aws_role: "{{ bad.vault_credentials_aws_role | default('deployer') }}"
        vault_credentials_account_id: "123456789012"
        vault_credentials_region: eu-west-1
        vault_credentials_lease_record_dir: null
      when: kind == 'vault'
    - name: The stack's inputs
      ansible.builtin.include_role:
        name: voicestack.aws.terraform_stack
        tasks_from: inputs
      vars:
        terraform_stack_account_id: "123456789012"
        terraform_stack_region: eu-west-1
        terraform_stack_customer: acme
        terraform_stack_binary_path: /nonexistent/tofu
      when: kind == 'backend'
"""


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    directory = tmp_path_factory.mktemp("role-inputs")
    hosts = {}
    for case, bad in {**{case: bad for case, (bad, _message) in CASES.items()}, **GOOD}.items():
        kind = "vault" if case.startswith("vault") else "backend"
        defaults = VAULT if kind == "vault" else {**BACKEND, "terraform_stack_work_root": str(directory / case)}
        hosts[case] = {"kind": kind, "bad": bad, **defaults, **bad}
    messages = failures(run_cases(directory, hosts, PLAYBOOK, dict(os.environ)))
    return messages, directory


@pytest.mark.parametrize("case", CASES)
def test_a_bad_vault_path_or_backend_input_is_refused_naming_it(refused, case):
    messages, directory = refused
    assert len(messages[case]) == 1, messages[case]
    assert messages[case][0].startswith(CASES[case][1]), messages[case]
    assert not (directory / case).exists()  # nothing written (no work folder, no backend.hcl)


@pytest.mark.parametrize("case", GOOD)
def test_good_values_pass_these_checks(refused, case):
    messages = refused[0]
    assert messages[case], "the run was expected to fail later, without Vault or tofu"
    assert not any(" is not a" in message for message in messages[case]), messages[case]
