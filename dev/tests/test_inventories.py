"""The inventories (the sandbox's and the shipped example) parse and give every account what the playbooks need."""

from __future__ import annotations

import json
import subprocess

import pytest

from dev.settings import ROOT, SANDBOX_INVENTORY

NEEDED = {
    "voicestack_account_id",
    "voicestack_customer",
    "voicestack_region",
    "vault_credentials_url",
    "terraform_stack_backend_bucket",
}


@pytest.mark.parametrize("path", [SANDBOX_INVENTORY, ROOT / "inventory" / "example"], ids=["sandbox", "example"])
def test_inventory_has_two_accounts_with_their_settings(path):
    listing = subprocess.run(
        ["ansible-inventory", "-i", str(path), "--list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    inventory = json.loads(listing.stdout)
    hosts = inventory["customer_accounts"]["hosts"]
    assert len(hosts) == 2
    accounts = set()
    for host in hosts:
        variables = inventory["_meta"]["hostvars"][host]
        assert NEEDED <= set(variables), f"{host} lacks {NEEDED - set(variables)}"
        accounts.add(variables["voicestack_account_id"])
    assert len(accounts) == 2


@pytest.mark.parametrize("playbook", sorted((ROOT / "playbooks").glob("*.yml")), ids=lambda p: p.name)
def test_playbooks_pass_syntax_check_with_the_example_inventory(playbook):
    result = subprocess.run(
        ["ansible-playbook", "-i", str(ROOT / "inventory" / "example"), "--syntax-check", str(playbook)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
