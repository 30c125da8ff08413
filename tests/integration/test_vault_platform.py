"""playbooks/vault_platform.yml against the sandbox's OpenBao and moto: the
AWS engine's root key handed over once and rotated at once, idempotence,
check mode, the refusal to erase Vault's own key, and what the runner's and
the onboarding policies allow. The sandbox itself is set up by this playbook
(dev/sandbox/vault_setup.py); these tests run it again on the worker's
sandbox and leave Vault working."""

from __future__ import annotations

import re
from pathlib import Path

import hvac
import pytest

from dev.sandbox.vault_setup import (
    MANAGEMENT_ACCOUNT_ID,
    SANDBOX_JWT,
    VAULT_USER,
    client_in,
    vault_platform,
    vault_user,
)

pytestmark = pytest.mark.integration

REGION = "us-east-1"
P8 = "P8 Vault's AWS key is known only to Vault, and the runner cannot issue the management account's credentials"


def run(sandbox, *args, **extra_vars):
    """The playbook with the sandbox's settings (the endpoints, the JWT config it has) and `extra_vars`."""
    state = Path(sandbox["openbao"]["audit_log"]).parent
    jwt_config = {**SANDBOX_JWT["config"], "jwt_validation_pubkeys": [(state / "jwt-signing.pub").read_text()]}
    return vault_platform(
        url=sandbox["openbao"]["url"],
        root_token=sandbox["openbao"]["root_token"],
        state=state,
        region=REGION,
        extra_vars={
            "vault_platform_aws_iam_endpoint": sandbox["moto"]["url"],
            "vault_platform_aws_sts_endpoint": sandbox["moto"]["url"],
            "vault_platform_jwt": {**SANDBOX_JWT, "config": jwt_config},
            **extra_vars,
        },
        args=args,
    )


def recap(result) -> dict[str, int]:
    found = re.search(r"localhost\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", result.stdout)
    assert found, result.stdout[-3000:] + result.stderr[-2000:]
    return dict(zip(("ok", "changed", "failed"), map(int, found.groups()), strict=True))


@pytest.fixture
def vault(sandbox, root_token):
    return hvac.Client(url=sandbox["openbao"]["url"], token=root_token)


@pytest.fixture
def iam(sandbox):
    return client_in(sandbox["moto"]["url"], REGION, "iam", MANAGEMENT_ACCOUNT_ID)


def keys_of_vault_user(iam) -> set[str]:
    return {key["AccessKeyId"] for key in iam.list_access_keys(UserName=VAULT_USER)["AccessKeyMetadata"]}


def root_key(vault) -> str:
    return vault.read("aws/config/root")["data"]["access_key"]


def issues(vault) -> bool:
    return bool(
        vault.secrets.aws.generate_credentials(name="voicestack-deployer", endpoint="sts")["data"]["access_key"]
    )


def test_a_second_run_changes_nothing(sandbox):
    result = run(sandbox)
    assert result.returncode == 0, result.stdout[-3000:]
    assert recap(result)["changed"] == 0


@pytest.mark.security
@pytest.mark.proves(P8)
def test_a_key_handed_over_is_rotated_at_once_and_never_shown(sandbox, vault, iam):
    # Replacing the key: the operator deletes the engine's current key (IAM allows two per user) and makes a new one.
    iam.delete_access_key(UserName=VAULT_USER, AccessKeyId=root_key(vault))
    access_key, secret_key = vault_user(sandbox["moto"]["url"], REGION)
    result = run(
        sandbox,
        "-vvv",
        vault_platform_aws_access_key=access_key,
        vault_platform_aws_secret_key=secret_key,
        vault_platform_aws_replace_root_key=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert recap(result)["changed"] == 1
    assert secret_key not in result.stdout + result.stderr
    # The key handed over is gone from IAM; Vault's own replaced it, and issuing works with it.
    assert keys_of_vault_user(iam) == {root_key(vault)}
    assert access_key != root_key(vault)
    assert issues(vault)


@pytest.mark.proves(P8)
def test_a_scheduled_rotation_and_its_check_mode(sandbox, vault, iam):
    before = root_key(vault)
    checked = run(sandbox, "--check", "--diff", vault_platform_aws_root_rotation="now")
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert recap(checked)["changed"] == 1
    assert root_key(vault) == before
    rotated = run(sandbox, vault_platform_aws_root_rotation="now")
    assert rotated.returncode == 0, rotated.stdout[-3000:]
    assert root_key(vault) != before
    assert keys_of_vault_user(iam) == {root_key(vault)}
    assert issues(vault)


def test_a_change_that_would_erase_vaults_key_is_refused(sandbox, vault):
    before = vault.read("aws/config/root")["data"]
    result = run(sandbox, vault_platform_aws_region="eu-west-1")
    assert result.returncode != 0
    assert "writing it would erase the root key Vault holds" in result.stdout
    assert "differs in region" in result.stdout
    assert vault.read("aws/config/root")["data"] == before


def test_check_mode_reports_a_changed_policy_and_writes_nothing(sandbox, vault):
    vault.sys.create_or_update_acl_policy("voicestack-runner", 'path "aws/sts/*" { capabilities = ["update"] }')
    checked = run(sandbox, "--check", "--diff")
    assert recap(checked)["changed"] == 1
    assert "sys/leases/revoke" in checked.stdout  # the diff shows the rules that would be written
    assert "sys/leases" not in vault.sys.read_acl_policy("voicestack-runner")["data"]["policy"]
    assert recap(run(sandbox))["changed"] == 1
    assert "sys/leases/revoke" in vault.sys.read_acl_policy("voicestack-runner")["data"]["policy"]


@pytest.mark.security
@pytest.mark.proves(P8)
def test_the_runner_may_issue_the_accounts_but_not_the_management_account(sandbox, vault):
    runner = hvac.Client(
        url=sandbox["openbao"]["url"],
        token=vault.auth.token.create(policies=["voicestack-runner"], ttl="5m")["auth"]["client_token"],
    )
    lease = runner.secrets.aws.generate_credentials(name="voicestack-planner", endpoint="sts")["lease_id"]
    runner.sys.revoke_lease(lease)
    with pytest.raises(hvac.exceptions.Forbidden):
        runner.secrets.aws.generate_credentials(name="voicestack-management", endpoint="sts")
    with pytest.raises(hvac.exceptions.Forbidden):
        runner.write("aws/roles/voicestack-deployer", credential_type="iam_user")
    onboarding = hvac.Client(
        url=sandbox["openbao"]["url"],
        token=vault.auth.token.create(policies=["voicestack-onboarding"], ttl="5m")["auth"]["client_token"],
    )
    lease = onboarding.secrets.aws.generate_credentials(name="voicestack-management", endpoint="sts")["lease_id"]
    onboarding.sys.revoke_lease(lease)
    assert onboarding.read("aws/roles/voicestack-planner")["data"]["credential_type"] == "assumed_role"


def test_the_runner_may_point_an_agents_login_at_its_issuer_but_not_rebind_it_or_read_a_key(sandbox, vault):
    """The sandbox's onboarding (onboard_account.yml --tags model_keys, with an onboarding token) made acme's
    login; the runner writes only its issuer, never the role that says whom it trusts, nor reads the keys."""
    runner = hvac.Client(
        url=sandbox["openbao"]["url"],
        token=vault.auth.token.create(policies=["voicestack-runner"], ttl="5m")["auth"]["client_token"],
    )
    mount = "auth/voicestack-eks/123456789012/acme"
    signing_key = (Path(sandbox["openbao"]["audit_log"]).parent / "kube" / "sa.pub").read_text()
    runner.write(f"{mount}/config", jwt_validation_pubkeys=[signing_key], bound_issuer="https://kubernetes.default.svc")
    with pytest.raises(hvac.exceptions.Forbidden):
        runner.write(f"{mount}/role/voice-agent", bound_subject="system:serviceaccount:other:intruder")
    with pytest.raises(hvac.exceptions.Forbidden):
        runner.secrets.kv.v2.read_secret_version(path="acme/openai", mount_point="voicestack-model-keys")
    with pytest.raises(hvac.exceptions.Forbidden):
        runner.sys.enable_auth_method("jwt", path="voicestack-eks/123456789012/intruder")
    assert vault.read(f"{mount}/role/voice-agent")["data"]["bound_subject"] == "system:serviceaccount:voice:voice-agent"
    assert vault.read(f"{mount}/config")["data"]["bound_issuer"] == "https://kubernetes.default.svc"
    # The agent's own policy reads its customer's keys and nothing else.
    rules = vault.sys.read_acl_policy("voicestack-model-keys-acme")["data"]["policy"]
    assert re.findall(r'path "([^"]+)"', rules) == ["voicestack-model-keys/data/acme/*"]
