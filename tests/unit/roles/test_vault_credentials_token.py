"""The Vault token the vault_credentials role logs in with stays out of the facts other roles receive (issue 21,
point 9): ansible-playbook runs the role as site.yml does, with the real role files and stand-ins for what needs
a Vault or AWS (the lookup voicestack.aws.vault_sts, the modules vault_lease_revoke and amazon.aws.aws_caller_info),
found first on the collections path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ansible_collections.voicestack.aws.plugins.plugin_utils._terraform as inside

COLLECTION = Path(inside.__file__).resolve().parents[2]
ACCOUNT = "123456789012"
LOGIN_TOKEN = "hvs.LOGIN-TOKEN-OF-THE-RUN"
ISSUED = {
    "access_key": "ASIAISSUEDKEY",
    "secret_key": "issued/secret+key",
    "security_token": "issued-session-token",
    "lease_id": "aws/creds/voicestack-deployer/abc",
    "lease_duration": 3600,
    "expiration": "2099-01-01T00:00:00Z",
    "revoked_leftovers": [],
    "auth_token": LOGIN_TOKEN,
}
FAKE_LOOKUP = f"""
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        return [{json.dumps(ISSUED)}]
"""
FAKE_MODULE = """
import json, os
from ansible.module_utils.basic import AnsibleModule

NAMES = {names}
module = AnsibleModule(argument_spec={{name: {{"type": "raw", "no_log": name == "token"}} for name in NAMES}})
with open(os.environ["RECORDS"] + "/{module}.json", "w") as record:
    json.dump(module.params, record)
module.exit_json(changed=False, **{result})
"""
REVOKE_ARGS = [
    "url",
    "namespace",
    "ca_cert",
    "validate_certs",
    "timeout",
    "retries",
    "token",
    "lease_ids",
    "revoke_self",
    "lease_record_dir",
]
CALLER_ARGS = ["access_key", "secret_key", "session_token", "region", "endpoint_url"]


def overlay(root):
    """Collections: voicestack.aws (its files, the lookup and vault_lease_revoke replaced) and amazon.aws (only
    aws_caller_info); every other collection is still found on the configured path."""
    ours = root / "ansible_collections" / "voicestack" / "aws"
    for entry in COLLECTION.iterdir():
        if entry.name != "plugins":
            (ours / entry.name).parent.mkdir(parents=True, exist_ok=True)
            (ours / entry.name).symlink_to(entry)
    for kind in (COLLECTION / "plugins").iterdir():
        if kind.name not in ("lookup", "modules"):
            (ours / "plugins" / kind.name).parent.mkdir(parents=True, exist_ok=True)
            (ours / "plugins" / kind.name).symlink_to(kind)
    (ours / "plugins" / "lookup").mkdir()
    (ours / "plugins" / "lookup" / "vault_sts.py").write_text(FAKE_LOOKUP)
    (ours / "plugins" / "modules").mkdir()
    (ours / "plugins" / "modules" / "vault_lease_revoke.py").write_text(
        FAKE_MODULE.format(names=REVOKE_ARGS, module="vault_lease_revoke", result="{}")
    )
    amazon = root / "ansible_collections" / "amazon" / "aws" / "plugins" / "modules"
    amazon.mkdir(parents=True)
    (amazon / "aws_caller_info.py").write_text(
        FAKE_MODULE.format(names=CALLER_ARGS, module="aws_caller_info", result=f"{{'account': '{ACCOUNT}'}}")
    )


def test_the_login_token_is_in_its_own_fact_which_only_revocation_reads(tmp_path):
    overlay(tmp_path / "collections")
    records = tmp_path / "records"
    records.mkdir()
    facts = tmp_path / "facts.json"
    playbook = tmp_path / "play.yml"
    role_vars = {
        "vault_credentials_url": "https://vault.example:8200",
        "vault_credentials_account_id": ACCOUNT,
        "vault_credentials_region": "eu-west-1",
        "vault_credentials_aws_role": "voicestack-deployer",
        "vault_credentials_lease_record_dir": None,
    }
    keep = ("aws", "env", "lease", "login_token")
    dump = ", ".join(f"'vault_credentials_{name}': vault_credentials_{name} | default(none)" for name in keep)
    issue = {"ansible.builtin.include_role": {"name": "voicestack.aws.vault_credentials"}, "vars": role_vars}
    playbook.write_text(
        json.dumps(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "connection": "local",
                    "vars": {"ansible_python_interpreter": sys.executable},
                    "tasks": [
                        issue,
                        {
                            "ansible.builtin.copy": {
                                "content": "{{ {" + dump + "} | to_json }}",
                                "dest": str(facts),
                            },
                            "no_log": True,
                        },
                        {
                            "ansible.builtin.include_role": {
                                "name": "voicestack.aws.vault_credentials",
                                "tasks_from": "revoke",
                            },
                            "vars": role_vars,
                        },
                    ],
                }
            ]
        )
    )
    env = {
        **os.environ,
        "RECORDS": str(records),
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(
            [str(tmp_path / "collections"), os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")]
        ),
    }
    ran = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", str(playbook)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert LOGIN_TOKEN not in ran.stdout + ran.stderr

    published = json.loads(facts.read_text())
    # What site.yml hands to service_account and verify (vault_credentials_aws) and to terraform_stack
    # (vault_credentials_env) holds the AWS credentials and no Vault token.
    assert published["vault_credentials_aws"]["access_key"] == ISSUED["access_key"]
    assert "auth_token" not in published["vault_credentials_aws"]
    for name in ("vault_credentials_aws", "vault_credentials_env", "vault_credentials_lease"):
        assert LOGIN_TOKEN not in json.dumps(published[name]), name
    assert published["vault_credentials_login_token"] == LOGIN_TOKEN
    # The account guard got the AWS credentials only; revocation got the login token, to revoke it too.
    assert LOGIN_TOKEN not in (records / "aws_caller_info.json").read_text()
    revoked = json.loads((records / "vault_lease_revoke.json").read_text())
    assert revoked["token"] == LOGIN_TOKEN
    assert revoked["revoke_self"] is True
    assert revoked["lease_ids"] == [ISSUED["lease_id"]]
