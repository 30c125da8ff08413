"""The vault_sts lookup and vault_lease_revoke module against the sandbox's
real OpenBao (AWS secrets engine) and moto."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import hvac
import jwt as pyjwt
import kubernetes
import pytest
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader
from ansible.template import is_trusted_as_template

from dev.sandbox.vault_setup import MANAGEMENT_ACCOUNT_ID, client_in
from dev.testkit.net import free_port

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def vault_sts():
    plugin = lookup_loader.get("voicestack.aws.vault_sts")
    assert plugin is not None, "voicestack.aws.vault_sts not found: run through 'make test'"
    return plugin


@pytest.fixture
def vault(sandbox, root_token):
    return hvac.Client(url=sandbox["openbao"]["url"], token=root_token)


def lookup(plugin, sandbox, role="voicestack-deployer", **options):
    options.setdefault("url", sandbox["openbao"]["url"])
    return plugin.run([role], variables={}, **options)[0]


def caller(sandbox, creds):
    sts = boto3.client(
        "sts",
        endpoint_url=sandbox["moto"]["url"],
        region_name="us-east-1",
        aws_access_key_id=creds["access_key"],
        aws_secret_access_key=creds["secret_key"],
        aws_session_token=creds["security_token"],
    )
    return sts.get_caller_identity()


def lease_alive(vault, lease_id):
    try:
        vault.sys.read_lease(lease_id)
    except hvac.exceptions.InvalidRequest:
        return False
    return True


def revoke(sandbox, creds, token):
    from ansible_collections.voicestack.aws.plugins.module_utils import _vault
    from ansible_collections.voicestack.aws.plugins.module_utils._vault_revoke import revoke as do_revoke

    client = _vault.VaultClient({"url": sandbox["openbao"]["url"]})
    client.login({"auth_method": "token", "token": creds["auth_token"] or token})
    return do_revoke(client, [creds["lease_id"]], bool(creds["auth_token"]), False)


# --- auth methods -----------------------------------------------------------


def mint_jwt(sandbox, audience="voicestack", subject="ci-pipeline"):
    jwt_cfg = sandbox["openbao"]["jwt"]
    now = int(time.time())
    claims = {"iss": jwt_cfg["issuer"], "aud": audience, "sub": subject, "iat": now, "exp": now + 300}
    return pyjwt.encode(claims, Path(jwt_cfg["signing_key"]).read_text(), algorithm="RS256")


def approle_secret_id(vault):
    return vault.auth.approle.generate_secret_id("voicestack")["data"]["secret_id"]


def kubernetes_sa_token(sandbox):
    kube = sandbox["kube-apiserver"]
    config = kubernetes.client.Configuration()
    config.host = kube["url"]
    config.ssl_ca_cert = kube["ca_file"]
    config.api_key = {"authorization": "Bearer " + kube["token"]}
    with kubernetes.client.ApiClient(config) as api:
        core = kubernetes.client.CoreV1Api(api)
        sa = sandbox["openbao"]["kubernetes"]["service_account"]
        try:
            core.create_namespaced_service_account("default", {"metadata": {"name": sa}})
        except kubernetes.client.ApiException as exc:
            if exc.status != 409:
                raise
        request = {"spec": {"audiences": [], "expirationSeconds": 600}}
        return core.create_namespaced_service_account_token(sa, "default", request).status.token


def test_token_auth_issues_assumed_role_credentials_of_the_account(vault_sts, sandbox, root_token, vault):
    creds = lookup(vault_sts, sandbox, token=root_token)
    assert caller(sandbox, creds)["Account"] == ACCOUNT
    assert creds["auth_token"] is None  # the user's token is never ours to revoke
    assert creds["lease_duration"] == 1800
    assert creds["renewable"] is False
    expiration = datetime.datetime.fromisoformat(creds["expiration"].replace("Z", "+00:00"))
    remaining = (expiration - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 1700 < remaining <= 1800
    # Never templated: the values carry no trust to be rendered as templates.
    assert not any(is_trusted_as_template(creds[k]) for k in ("access_key", "secret_key", "security_token"))
    assert lease_alive(vault, creds["lease_id"])
    result = revoke(sandbox, creds, root_token)
    assert result["revoked"] == [creds["lease_id"]]
    assert not lease_alive(vault, creds["lease_id"])


def test_approle_login_issues_and_revoke_self_takes_the_token(vault_sts, sandbox, vault):
    secret_id = approle_secret_id(vault)
    creds = lookup(
        vault_sts,
        sandbox,
        auth_method="approle",
        role_id=sandbox["openbao"]["approle"]["role_id"],
        secret_id=secret_id,
    )
    assert caller(sandbox, creds)["Account"] == ACCOUNT
    token = str(creds["auth_token"])
    assert vault.lookup_token(token)["data"]["policies"] == ["default", "voicestack-runner"]
    result = revoke(sandbox, creds, None)
    assert result == {"revoked": [creds["lease_id"]], "already_gone": [], "not_revoked": [], "token_revoked": True}
    with pytest.raises(hvac.exceptions.Forbidden):
        vault.lookup_token(token)


def test_approle_secret_id_file(vault_sts, sandbox, vault, tmp_path):
    path = tmp_path / "secret-id"
    path.write_text(approle_secret_id(vault) + "\n")
    creds = lookup(
        vault_sts,
        sandbox,
        auth_method="approle",
        role_id=sandbox["openbao"]["approle"]["role_id"],
        secret_id_file=str(path),
    )
    assert caller(sandbox, creds)["Account"] == ACCOUNT
    revoke(sandbox, creds, None)


def test_jwt_login_from_a_file(vault_sts, sandbox, tmp_path):
    path = tmp_path / "oidc-token"
    path.write_text(mint_jwt(sandbox))
    creds = lookup(vault_sts, sandbox, auth_method="jwt", jwt_file=str(path), auth_role="voicestack")
    assert caller(sandbox, creds)["Account"] == ACCOUNT
    revoke(sandbox, creds, None)


def test_jwt_with_the_wrong_audience_is_refused(vault_sts, sandbox):
    with pytest.raises(AnsibleLookupError, match=r"^vault_sts: .*logging in with auth_method jwt"):
        lookup(vault_sts, sandbox, auth_method="jwt", jwt=mint_jwt(sandbox, audience="other"), auth_role="voicestack")


def test_kubernetes_login_with_a_service_account_token(vault_sts, sandbox, tmp_path):
    path = tmp_path / "token"
    path.write_text(kubernetes_sa_token(sandbox))
    creds = lookup(
        vault_sts, sandbox, auth_method="kubernetes", kubernetes_token_file=str(path), auth_role="voicestack"
    )
    assert caller(sandbox, creds)["Account"] == ACCOUNT
    revoke(sandbox, creds, None)


def test_options_come_from_the_environment(vault_sts, sandbox, vault, monkeypatch):
    monkeypatch.setenv("BAO_ADDR", sandbox["openbao"]["url"])
    monkeypatch.delenv("VAULT_ADDR", raising=False)
    monkeypatch.setenv("VOICESTACK_VAULT_AUTH_METHOD", "approle")
    monkeypatch.setenv("VOICESTACK_VAULT_ROLE_ID", sandbox["openbao"]["approle"]["role_id"])
    monkeypatch.setenv("VOICESTACK_VAULT_SECRET_ID", approle_secret_id(vault))
    creds = vault_sts.run(["voicestack-deployer"], variables={})[0]
    assert caller(sandbox, creds)["Account"] == ACCOUNT
    revoke(sandbox, creds, None)


# --- credential types -----------------------------------------------------


def test_federation_token(vault_sts, sandbox, root_token):
    creds = lookup(vault_sts, sandbox, "voicestack-federation", token=root_token, credential_type="federation_token")
    assert creds["security_token"]
    # AWS issues it in the account of Vault's own IAM user; moto keeps no record of federation tokens (its
    # GetCallerIdentity answers its default user), so only the lease is checked here.
    assert creds["lease_duration"] == 1800
    revoke(sandbox, creds, root_token)


def test_iam_user_is_deleted_in_moto_on_revocation(vault_sts, sandbox, root_token):
    creds = lookup(vault_sts, sandbox, "voicestack-iam-user", token=root_token, credential_type="iam_user")
    assert creds["security_token"] is None
    # Vault creates the user in the account of its own IAM user (the management account).
    iam = client_in(sandbox["moto"]["url"], "us-east-1", "iam", MANAGEMENT_ACCOUNT_ID)
    user = caller(sandbox, creds)["Arn"].rsplit("/", 1)[1]
    assert user in [u["UserName"] for u in iam.list_users()["Users"]]
    revoke(sandbox, creds, root_token)
    assert user not in [u["UserName"] for u in iam.list_users()["Users"]]


def test_requested_ttl_and_session_name(vault_sts, sandbox, root_token):
    creds = lookup(vault_sts, sandbox, token=root_token, ttl="45m", role_session_name="nightly-drift")
    assert creds["lease_duration"] == 2700
    assert caller(sandbox, creds)["Arn"].endswith("/nightly-drift")
    revoke(sandbox, creds, root_token)


# --- failures ---------------------------------------------------------------


@pytest.mark.security
@pytest.mark.proves("P5 TTL floor: a short lease fails before Terraform, naming the setting")
def test_ttl_floor_fails_names_the_setting_and_leaves_no_lease(vault_sts, sandbox, root_token, vault):
    before = set(vault.list("sys/leases/lookup/aws/sts/voicestack-short") or {"data": {"keys": []}}["data"]["keys"])
    with pytest.raises(AnsibleLookupError) as err:
        lookup(vault_sts, sandbox, "voicestack-short", token=root_token)
    message = str(err.value)
    assert "granted a 900s lease for AWS role 'voicestack-short', shorter than min_ttl (1800s)" in message
    assert "default_sts_ttl / max_sts_ttl" in message
    after = vault.list("sys/leases/lookup/aws/sts/voicestack-short")
    assert set(after["data"]["keys"] if after else []) == before


def test_ttl_floor_can_be_lowered(vault_sts, sandbox, root_token):
    creds = lookup(vault_sts, sandbox, "voicestack-short", token=root_token, min_ttl="10m")
    assert creds["lease_duration"] == 900
    revoke(sandbox, creds, root_token)


def test_a_failed_lookup_after_login_revokes_its_token(vault_sts, sandbox, vault):
    secret_id = approle_secret_id(vault)
    accessors_before = set(vault.list("auth/token/accessors")["data"]["keys"])
    with pytest.raises(AnsibleLookupError, match="shorter than min_ttl"):
        lookup(
            vault_sts,
            sandbox,
            "voicestack-short",
            auth_method="approle",
            role_id=sandbox["openbao"]["approle"]["role_id"],
            secret_id=secret_id,
        )
    accessors_after = set(vault.list("auth/token/accessors")["data"]["keys"])
    assert accessors_after <= accessors_before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"role": "no-such-role"}, r"Vault refused issuing AWS credentials for role 'no-such-role'"),
        ({"mount_point": "aws-wrong"}, r"no such Vault path while issuing .* check the mount point"),
        ({"token": "not-a-token"}, r"permission denied while issuing"),
        ({"url": "vault.example:8200"}, r"url: 'vault.example:8200' is not an http\(s\) URL"),
        ({"credential_type": "assume_role"}, r"Invalid value 'assume_role' for config 'credential_type'"),
        ({"auth_method": "ldap"}, r"Invalid value 'ldap' for config 'auth_method'"),
        ({"auth_method": "approle", "secret_id": "x"}, r"role_id: auth_method approle needs role_id"),
        ({"min_ttl": "half an hour"}, r"min_ttl: 'half an hour' is not a duration"),
        (
            {"auth_method": "jwt", "jwt_file": "/nonexistent/jwt", "auth_role": "voicestack"},
            r"jwt_file: cannot read /nonexistent/jwt",
        ),
    ],
)
def test_bad_requests_get_one_clear_line(vault_sts, sandbox, root_token, options, message):
    options = {"token": root_token, **options}
    role = options.pop("role", "voicestack-deployer")
    with pytest.raises(AnsibleLookupError) as err:
        lookup(vault_sts, sandbox, role, **options)
    text = str(err.value)
    assert __import__("re").search(message, text), text
    assert "\n" not in text and "Traceback" not in text
    assert root_token not in text


def test_a_token_without_the_policy_is_denied(vault_sts, sandbox, vault):
    weak = vault.auth.token.create(policies=["default"], ttl="5m")["auth"]["client_token"]
    with pytest.raises(AnsibleLookupError, match="permission denied while issuing AWS credentials"):
        lookup(vault_sts, sandbox, token=weak)


def test_vault_down_fails_after_retries_without_traceback(vault_sts, sandbox, root_token):
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(AnsibleLookupError) as err:
        lookup(vault_sts, sandbox, url=url, token=root_token, retries=2)
    assert str(err.value) == (
        f"vault_sts: cannot reach Vault at {url} while issuing AWS credentials for role "
        "'voicestack-deployer' at aws/sts (retries exhausted)"
    )
    assert time.monotonic() - started >= 0.5  # the backoff ran (0.5 s before the second retry)


def test_a_sealed_vault_is_named(vault_sts, sandbox, sealed_openbao):
    url, token = sealed_openbao
    with pytest.raises(AnsibleLookupError) as err:
        lookup(vault_sts, sandbox, url=url, token=token, retries=1)
    assert f"Vault at {url} is sealed or unavailable (503)" in str(err.value) or "kept failing" in str(err.value)


# --- the module -------------------------------------------------------------


def run_module(module_args, check=False):
    args = " ".join(f"{k}={v}" for k, v in module_args.items())
    cmd = ["ansible", "localhost", "-m", "voicestack.aws.vault_lease_revoke", "-a", args, "-o"]
    if check:
        cmd.append("--check")
    return subprocess.run(
        [shutil.which(cmd[0]), *cmd[1:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false"},
    )


def test_module_check_mode_is_honest_and_a_second_revoke_is_not_an_error(vault_sts, sandbox, root_token, vault):
    creds = lookup(vault_sts, sandbox, token=root_token)
    args = {"url": sandbox["openbao"]["url"], "token": root_token, "lease_ids": creds["lease_id"]}
    check = run_module(args, check=True)
    assert "CHANGED" in check.stdout, check.stdout + check.stderr
    assert lease_alive(vault, creds["lease_id"])
    first = run_module(args)
    assert "CHANGED" in first.stdout, first.stdout + first.stderr
    assert not lease_alive(vault, creds["lease_id"])
    second = run_module(args)
    assert "SUCCESS" in second.stdout and '"already_gone": ["' + creds["lease_id"] in second.stdout
    assert root_token not in first.stdout + second.stdout + check.stdout
