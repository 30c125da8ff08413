"""The Vault options are declared once, in module_utils/_vault.py's ARGSPEC (one
argspec per option group: connection, auth): the doc fragment documents exactly
it, and the vault_credentials role, whose meta/argument_specs.yml stays its
source of truth for Ansible, agrees with it and with the lookup's own options."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.voicestack.aws.plugins.doc_fragments.vault import ModuleDocFragment
from ansible_collections.voicestack.aws.plugins.lookup import vault_sts
from ansible_collections.voicestack.aws.plugins.module_utils import _auth, _vault
from ansible_collections.voicestack.aws.plugins.module_utils._auth import kubernetes

ROLE = Path(__file__).resolve().parents[4] / "roles" / "vault_credentials"
PREFIX = "vault_credentials_"

FRAGMENT = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
PLUGIN_ENV = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
# The lookup's options beyond the Vault ones: the AWS secrets engine request and the lease record.
LOOKUP = {
    **{name: doc for name, doc in yaml.safe_load(vault_sts.DOCUMENTATION)["options"].items() if name != "_terms"},
    **yaml.safe_load(ModuleDocFragment.LEASE_RECORD)["options"],
}
# Where the role deliberately differs from the lookup, and why.
ROLE_DEFAULTS = {"lease_record_dir": "~/.cache/voicestack/leases"}  # the lookup records nothing unless asked
ROLE_REQUIRED = {"url"}  # the lookup falls back to VAULT_ADDR; the role names its Vault


def load(path):
    return yaml.safe_load((ROLE / path).read_text())


ROLE_SPEC = load("meta/argument_specs.yml")["argument_specs"]
ROLE_DEFAULTS_FILE = load("defaults/main.yml")


def fallback_env(spec):
    return spec["fallback"][1] if "fallback" in spec else []


@pytest.mark.parametrize("name", sorted(set(_vault.ARGSPEC) | set(FRAGMENT)))
def test_the_doc_fragment_documents_the_argspec(name):
    assert name in _vault.ARGSPEC, f"{name} is documented but in no argspec"
    assert name in FRAGMENT, f"{name} is in the argspec but not in doc_fragments/vault.py"
    spec, doc = _vault.ARGSPEC[name], FRAGMENT[name]
    assert (doc["type"], doc.get("default"), doc.get("choices")) == (
        spec["type"],
        spec.get("default"),
        spec.get("choices"),
    )


@pytest.mark.parametrize("name", sorted(_vault.ARGSPEC))
def test_the_lookup_reads_every_environment_variable_a_module_reads(name):
    documented = [env["name"] for env in PLUGIN_ENV.get(name, {}).get("env", [])]
    assert set(fallback_env(_vault.ARGSPEC[name])) <= set(documented)


def test_bao_token_is_read_and_documented_beside_vault_token():
    assert fallback_env(_vault.ARGSPEC["token"]) == ["VAULT_TOKEN", "BAO_TOKEN"]
    # Ansible's config takes the last variable set: VAULT_TOKEN wins, as in the modules.
    assert [env["name"] for env in PLUGIN_ENV["token"]["env"]] == ["BAO_TOKEN", "VAULT_TOKEN"]
    assert "E(BAO_TOKEN)" in " ".join(FRAGMENT["token"]["description"])


def test_the_auth_method_choices_are_the_auth_modules():
    assert _vault.ARGSPEC["auth_method"]["choices"] == list(_auth.METHODS) == ["token", "approle", "jwt", "kubernetes"]


def test_the_lookup_documents_the_credential_types_it_accepts():
    assert LOOKUP["credential_type"]["choices"] == list(_vault.CREDENTIAL_TYPES)


# Lookup options the role does not offer: it never names the IAM role to assume. Each of its Vault roles (the
# deployer's, the planner's) assumes one, and the account guard checks it is the one the run's mode expects.
NOT_IN_ROLE = {"role_arn"}


@pytest.mark.parametrize("name", sorted((set(_vault.ARGSPEC) | set(LOOKUP)) - NOT_IN_ROLE))
def test_the_role_agrees_with_the_spec(name):
    spec = _vault.ARGSPEC.get(name) or LOOKUP[name]
    role = ROLE_SPEC["main"]["options"].get(PREFIX + name)
    assert role is not None, f"{PREFIX}{name} is missing from the role's argument_specs"
    default = ROLE_DEFAULTS.get(name, spec.get("default"))
    assert role["type"] == spec["type"]
    assert role.get("choices") == spec.get("choices")
    assert bool(role.get("required")) == (name in ROLE_REQUIRED)
    if name not in ROLE_REQUIRED:
        assert role.get("default") == default
        assert ROLE_DEFAULTS_FILE[PREFIX + name] == default


def test_the_kubernetes_token_path_is_the_same_everywhere():
    path = "/var/run/secrets/kubernetes.io/serviceaccount/token"
    assert kubernetes.TOKEN_FILE == path
    assert _vault.ARGSPEC["kubernetes_token_file"]["default"] == path
    assert FRAGMENT["kubernetes_token_file"]["default"] == path
    assert ROLE_SPEC["main"]["options"][PREFIX + "kubernetes_token_file"]["default"] == path
    assert ROLE_DEFAULTS_FILE[PREFIX + "kubernetes_token_file"] == path


def test_the_role_passes_every_lookup_option_under_its_own_name():
    tasks = load("tasks/main.yml")
    (issue,) = [t for t in tasks if "_vault_credentials_lookup_options" in t.get("vars", {})]
    passed = dict(re.findall(r"'(\w+)': (\w+)", issue["vars"]["_vault_credentials_lookup_options"]))
    expected = {name: PREFIX + name for name in (set(_vault.ARGSPEC) | set(LOOKUP)) - NOT_IN_ROLE}
    expected["lease_record_dir"] = "_vault_credentials_record_dir"  # one subdirectory per account (vars/main.yml)
    assert passed == expected


def test_the_role_revokes_over_the_same_connection():
    (revoke,) = [t for t in load("tasks/revoke.yml") if "voicestack.aws.vault_lease_revoke" in t]
    args = revoke["voicestack.aws.vault_lease_revoke"]
    assert set(_vault.CONNECTION_ARGSPEC) <= set(args)
    for name in _vault.CONNECTION_ARGSPEC:
        assert PREFIX + name in args[name], f"revoke.yml passes {name} from {args[name]}"
