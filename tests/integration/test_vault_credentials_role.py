"""The vault_credentials role end to end: one login, one issue, account guard,
revocation, and no secret anywhere in output, log or files."""

from __future__ import annotations

import json
import os
import subprocess

import hvac
import pytest

from dev.settings import ROOT
from dev.testkit.ansible_cli import INVENTORY, moto_request_offset, moto_requests, sandbox_env
from dev.testkit.canary import Scan, audit_offset, issued_since, token_hmacs_since

pytestmark = pytest.mark.integration

PLAYBOOK = ROOT / "tests" / "integration" / "playbooks" / "vault_credentials.yml"


def playbook(sandbox, tmp_path, *extra, env=None, verbosity="-v", playbooks=(PLAYBOOK,)):
    tmp = tmp_path / "ansible-tmp"
    tmp.mkdir(exist_ok=True)
    run_env = {
        **os.environ,
        "ANSIBLE_LOG_PATH": str(tmp_path / "ansible.log"),
        "ANSIBLE_LOCAL_TEMP": str(tmp / "local"),
        "ANSIBLE_REMOTE_TEMP": str(tmp / "remote"),
        "ANSIBLE_KEEP_REMOTE_FILES": "false",
        **sandbox_env(sandbox),
        **(env or {}),
    }
    # One account of the sandbox inventory: request counts are per account.
    return subprocess.run(
        ["ansible-playbook", "-i", str(INVENTORY), "-l", "acme", *map(str, playbooks), verbosity, *extra],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def approle_env(sandbox, root_token):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    secret_id = vault.auth.approle.generate_secret_id("voicestack")["data"]["secret_id"]
    extra = [
        "-e",
        "vault_credentials_auth_method=approle",
        "-e",
        f"vault_credentials_role_id={sandbox['openbao']['approle']['role_id']}",
    ]
    return extra, {"VOICESTACK_VAULT_SECRET_ID": secret_id}, secret_id


def audit_requests(audit_log, offset):
    """(operation, path) of every request in the hashed audit log after offset, but those of the External Secrets
    controller, which logs in for the model keys of other tests' accounts and revokes its own tokens meanwhile."""
    with open(audit_log, encoding="utf-8") as log:
        log.seek(offset)
        entries = [json.loads(line) for line in log]
    return [
        (e["request"]["operation"], e["request"]["path"])
        for e in entries
        if e["type"] == "request"
        and not any(p.startswith("voicestack-model-keys-") for p in (e.get("auth") or {}).get("policies") or [])
        and not e["request"]["path"].startswith("auth/voicestack-eks/")
    ]


def outstanding(vault, prefix="aws/sts/voicestack-deployer"):
    listing = vault.list(f"sys/leases/lookup/{prefix}")
    return listing["data"]["keys"] if listing else []


@pytest.mark.security
@pytest.mark.proves("P1 no credential in output, logs, disk, state, plans or argv")
def test_run_at_vvvv_issues_once_revokes_and_leaks_nothing(sandbox, root_token, tmp_path):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    extra, env, secret_id = approle_env(sandbox, root_token)
    raw, hashed = sandbox["openbao"]["raw_audit_log"], sandbox["openbao"]["audit_log"]
    raw_offset, hashed_offset = audit_offset(raw), audit_offset(hashed)
    before = set(outstanding(vault))

    result = playbook(sandbox, tmp_path, *extra, env=env, verbosity="-vvvv")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "issued for account 123456789012" in result.stdout

    # One login, one issue, then the lease and the login token revoked.
    requests = audit_requests(hashed, hashed_offset)
    assert requests.count(("update", "auth/approle/login")) == 1
    assert requests.count(("update", "aws/sts/voicestack-deployer")) == 1
    assert requests.count(("update", "sys/leases/revoke")) == 1
    assert requests.count(("update", "auth/token/revoke-self")) == 1
    assert set(outstanding(vault)) == before

    secrets = issued_since(raw, raw_offset)
    assert sorted(set(secrets.values())) == ["access_key", "secret_key", "security_token"]
    secrets[secret_id] = "approle secret_id"
    token_hmacs = token_hmacs_since(hashed, hashed_offset)
    assert len(token_hmacs) == 1  # the run's one login token
    scan = Scan(secrets, token_hmacs, vault)
    scan.text("stdout", result.stdout)
    scan.text("stderr", result.stderr)
    scan.tree(tmp_path)
    print(scan.summary())
    assert scan.files >= 1 and scan.bytes > 10_000  # the -vvvv output and the log were read
    assert scan.hits == []


@pytest.mark.security
@pytest.mark.proves("P4 account guard: the credentials' account is the inventory's")
def test_account_guard_stops_the_run_and_revokes(sandbox, root_token, tmp_path):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    extra, env, _ = approle_env(sandbox, root_token)
    before = set(outstanding(vault, "aws/sts/voicestack-other-account"))
    result = playbook(sandbox, tmp_path, *extra, "-e", "vault_credentials_aws_role=voicestack-other-account", env=env)
    assert result.returncode == 2
    assert (
        "account guard: Vault role voicestack-other-account issued credentials for AWS account "
        "210987654321, but this host is account 123456789012"
    ) in result.stdout
    assert "issued for account" not in result.stdout
    assert set(outstanding(vault, "aws/sts/voicestack-other-account")) == before


@pytest.mark.security
@pytest.mark.proves("P3 every lease revoked when a run succeeds")
@pytest.mark.parametrize("auth", ["token", "approle"])
def test_two_playbooks_in_one_run_each_revoke_what_they_issued(sandbox, root_token, tmp_path, auth):
    """`ansible-playbook bootstrap_backend.yml site.yml`: facts outlive a play, so the second issue must not find
    the first one's vault_credentials_revoked and skip its revocation."""
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    extra, env, _ = approle_env(sandbox, root_token) if auth == "approle" else ([], {"VAULT_TOKEN": root_token}, None)
    hashed = sandbox["openbao"]["audit_log"]
    offset = audit_offset(hashed)
    before = set(outstanding(vault))
    result = playbook(sandbox, tmp_path, *extra, env=env, playbooks=(PLAYBOOK, PLAYBOOK))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    requests = audit_requests(hashed, offset)
    assert requests.count(("update", "aws/sts/voicestack-deployer")) == 2
    assert requests.count(("update", "sys/leases/revoke")) == 2
    if auth == "approle":
        assert requests.count(("update", "auth/token/revoke-self")) == 2
    assert set(outstanding(vault)) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-e", "voicestack_account_id=12345678901"], "vault_credentials_account_id must be 12 digits (got 11"),
        (["-e", "voicestack_region=us-east1"], "an AWS region name such as eu-west-1 (got us-east1)"),
        (["-e", "vault_credentials_credential_type=assume_role"], "vault_credentials_credential_type"),
        (["-e", "vault_credentials_auth_method=ldap"], "vault_credentials_auth_method"),
        (["-e", "vault_credentials_min_ttl=soon"], "min_ttl: 'soon' is not a duration"),
    ],
)
def test_bad_input_is_rejected_before_vault_is_asked(sandbox, tmp_path, extra, message):
    offset = audit_offset(sandbox["openbao"]["audit_log"])
    result = playbook(sandbox, tmp_path, *extra)
    assert result.returncode == 2
    assert message in result.stdout, result.stdout[-3000:]
    issued = [r for r in audit_requests(sandbox["openbao"]["audit_log"], offset) if r[1].startswith("aws/")]
    assert issued == []


# Every playbook that deploys or touches the state: each extra is what it needs to get as far as its credentials.
DEPLOYING_PLAYBOOKS = {
    "site.yml": [],
    # Its report play runs all the same: the report goes to the test's folder.
    "drift.yml": ["-e", "drift_report_dir={tmp}/drift"],
    "destroy.yml": ["-e", "confirm_destroy=123456789012"],
    "bootstrap_backend.yml": [],
    "unlock.yml": ["-e", "lock_id=00000000-0000-0000-0000-000000000000"],
}


@pytest.mark.parametrize(
    ("credential_type", "why"),
    [
        ("federation_token", "GetFederationToken credentials cannot call IAM"),
        ("session_token", "GetSessionToken credentials cannot call IAM"),
        ("iam_user", "an IAM user's identity is deleted when its lease is revoked"),
    ],
)
def test_the_playbooks_deploy_only_with_assumed_role_credentials(sandbox, tmp_path, credential_type, why):
    audit, requests = audit_offset(sandbox["openbao"]["audit_log"]), moto_request_offset(sandbox)
    for name, extra in DEPLOYING_PLAYBOOKS.items():
        result = playbook(
            sandbox,
            tmp_path,
            "-e",
            f"vault_credentials_credential_type={credential_type}",
            *(arg.format(tmp=tmp_path) for arg in extra),
            playbooks=(ROOT / "playbooks" / name,),
        )
        assert result.returncode == 2, (name, result.stdout[-3000:])
        refusal = f"vault_credentials_credential_type: '{credential_type}' cannot deploy: {why}"
        assert refusal in " ".join(result.stdout.split()), (name, result.stdout[-3000:])
    assert audit_requests(sandbox["openbao"]["audit_log"], audit) == []  # Vault was not asked at all
    assert moto_requests(sandbox, requests) == []
