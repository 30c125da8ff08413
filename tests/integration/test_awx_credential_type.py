"""The AWX credential type (extensions/awx/credential_type.yml): a job whose
environment holds only what its injectors set gets credentials from the
sandbox's OpenBao through the vault_sts lookup, for AppRole and for JWT."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import hvac
import jinja2.sandbox
import pytest
import yaml
from test_vault_sts import approle_secret_id, lease_alive, mint_jwt

from dev.settings import ROOT

pytestmark = pytest.mark.integration

CREDENTIAL_TYPE = yaml.safe_load((ROOT / "extensions" / "awx" / "credential_type.yml").read_text())
LEASE_PLAYBOOK = ROOT / "tests" / "integration" / "playbooks" / "awx_credential_lookup.yml"


def injected(inputs: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The environment and extra vars AWX injects for these inputs: every field
    is rendered, an empty one as an empty string (what AWX does for a field left
    blank); file injectors become files, named as tower.filename.<name>."""
    fields = {field["id"]: inputs.get(field["id"], "") for field in CREDENTIAL_TYPE["inputs"]["fields"]}
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    filenames = {}
    for key, template in CREDENTIAL_TYPE["injectors"].get("file", {}).items():
        name = key.split(".", 1)[1]
        path = tmp_path / f"awx-{name}"
        path.write_text(env.from_string(template).render(**fields))
        filenames[name] = str(path)
    namespace = {**fields, "tower": {"filename": filenames}}
    job_env = {k: env.from_string(v).render(**namespace) for k, v in CREDENTIAL_TYPE["injectors"]["env"].items()}
    extra_vars = {
        k: env.from_string(v).render(**namespace) for k, v in CREDENTIAL_TYPE["injectors"]["extra_vars"].items()
    }
    return job_env, extra_vars


def run_job(job_env, extra_vars, sandbox):
    """ansible-playbook with a clean environment: the injected variables, plus
    only what any process needs to find Ansible and the collection."""
    env = {
        **job_env,
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
    }
    # The caller check asks the sandbox's moto for the identity: a test-only
    # extra var, never part of the credential.
    extra = {**extra_vars, "awx_test_aws_endpoint_url": sandbox["moto"]["url"]}
    return subprocess.run(
        [shutil.which("ansible-playbook"), str(LEASE_PLAYBOOK), "-e", json.dumps(extra)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def reported(result) -> dict:
    match = re.search(r'"msg": (\{[^}]*"account"[^}]*\})', result.stdout)
    assert match, result.stdout[-3000:] + result.stderr[-2000:]
    return json.loads(match.group(1))


@pytest.mark.parametrize("auth_method", ["approle", "jwt"])
def test_a_job_with_only_the_injected_environment_gets_and_revokes(auth_method, sandbox, root_token, tmp_path):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=root_token)
    if auth_method == "approle":
        secret = approle_secret_id(vault)
        inputs = {"role_id": sandbox["openbao"]["approle"]["role_id"], "secret_id": secret}
    else:
        secret = mint_jwt(sandbox)
        inputs = {"jwt": secret, "auth_role": "voicestack"}
    job_env, extra_vars = injected({"url": sandbox["openbao"]["url"], "auth_method": auth_method, **inputs}, tmp_path)

    result = run_job(job_env, extra_vars, sandbox)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # The role's two inputs that come as extra vars say what the environment says.
    assert extra_vars == {
        "vault_credentials_url": job_env["VAULT_ADDR"],
        "vault_credentials_auth_method": job_env["VOICESTACK_VAULT_AUTH_METHOD"],
    }
    report = reported(result)
    assert report["account"] == "123456789012"
    assert report["lease_duration"] == 1800
    assert report["revoked"] == [report["lease_id"]] and report["token_revoked"] is True
    assert not lease_alive(vault, report["lease_id"])
    assert secret not in result.stdout + result.stderr
