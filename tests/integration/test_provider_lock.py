"""The provider lock file (issue 15, point 8): an account's work folder keeps the .terraform.lock.hcl its first
init wrote, later inits may neither accept a provider package whose checksum differs nor rewrite the file, and
terraform_stack_upgrade_providers is the one way to record new packages. Runs site.yml in check mode (plans
only) on a sandbox account of its own, with a copy of the tools' provider mirror whose time provider the test
changes; the shared mirror is never touched."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from dev.testkit.ansible_cli import ansible_playbook, output, outstanding_leases, own_account, work_folder

pytestmark = pytest.mark.integration

HOST, ACCOUNT = "pinned", "555566667777"
ROLES = (f"voicestack-{HOST}",)
REGISTRY = "registry.opentofu.org/hashicorp"
LOCK_FILE = ".terraform.lock.hcl"
CHECKSUM = "doesn't match any of the checksums previously recorded in the dependency lock file"
READ_ONLY = "Changes to the required provider dependencies were detected, but the lock file is read-only"
HINT = "run again with terraform_stack_upgrade_providers=true"


@pytest.fixture(scope="module")
def mirror(tools, tmp_path_factory):
    """A provider mirror of the test's own and a CLI configuration naming it: the time provider copied (the
    test changes its bytes), the others' files linked to the tools' mirror (never written)."""
    top = tmp_path_factory.mktemp("mirror")
    shared = Path(tools["VOICESTACK_PROVIDER_MIRROR"]) / REGISTRY
    own = top / "providers" / REGISTRY
    own.mkdir(parents=True)
    for provider in shared.iterdir():
        if provider.name == "time":
            shutil.copytree(provider, own / provider.name, symlinks=False)
            continue
        # Folders of their own (tofu does not walk a linked folder), each file a link.
        for source in provider.rglob("*"):
            if source.is_file():
                target = own / source.relative_to(shared)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(source)
    config = top / "tofurc"
    config.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{top / "providers"}"\n  }}\n}}\n')
    return top


@pytest.fixture(scope="module")
def inventory(sandbox, tmp_path_factory):
    path = own_account(sandbox, tmp_path_factory.mktemp("pinned"), HOST, ACCOUNT)
    boot = ansible_playbook(sandbox, "bootstrap_backend.yml", "-l", HOST, inventory=path)
    assert boot.returncode == 0, output(boot)
    return path


def plan(sandbox, inventory, mirror, **extra):
    """site.yml in check mode on the account (credentials, init, plan; nothing applied)."""
    variables = {
        "terraform_stack_cli_config_file": str(mirror / "tofurc"),
        "terraform_stack_plugin_cache_dir": str(mirror / "plugin-cache"),
        **extra,
    }
    return ansible_playbook(
        sandbox, "site.yml", "-l", HOST, "--check", "-e", json.dumps(variables), inventory=inventory
    )


def flat(result) -> str:
    return " ".join((result.stdout + result.stderr).replace("\\n", " ").split())


def hashes(lock: Path, name: str) -> list[str]:
    block = re.search(rf'provider "{REGISTRY}/{name}" {{(.*?)\n}}', lock.read_text(), re.S)
    assert block, lock.read_text()
    return re.findall(r'"(h1:[^"]+)"', block.group(1))


def test_later_inits_are_checked_against_the_first_inits_lock_file_and_upgrading_is_explicit(
    sandbox, inventory, mirror
):
    lock = work_folder(sandbox, ACCOUNT, HOST) / "stacks/voice" / LOCK_FILE
    lock.unlink(missing_ok=True)  # an earlier run of this test on the same sandbox

    first = plan(sandbox, inventory, mirror)
    assert first.returncode == 0, output(first)
    written = lock.read_text()
    time_hashes, aws_hashes = hashes(lock, "time"), hashes(lock, "aws")
    assert time_hashes and aws_hashes

    # A lock file that lacks a provider the stack needs is not completed silently.
    lock.write_text(re.sub(rf'provider "{REGISTRY}/time" {{.*?\n}}\n', "", written, flags=re.S))
    incomplete = plan(sandbox, inventory, mirror)
    assert incomplete.returncode != 0
    assert READ_ONLY in flat(incomplete), output(incomplete)
    assert HINT in flat(incomplete), output(incomplete)
    assert f'"{REGISTRY}/time"' not in lock.read_text()
    lock.write_text(written)

    # The same provider version with other bytes in the mirror (a new build, or a changed package).
    binary = next((mirror / "providers" / REGISTRY / "time").rglob("terraform-provider-time*"))
    with binary.open("ab") as package:
        package.write(b"\0changed")
    changed = plan(sandbox, inventory, mirror)
    assert changed.returncode != 0
    assert CHECKSUM in flat(changed), output(changed)
    assert HINT in flat(changed), output(changed)
    assert lock.read_text() == written

    upgraded = plan(sandbox, inventory, mirror, terraform_stack_upgrade_providers=True)
    assert upgraded.returncode == 0, output(upgraded)
    assert hashes(lock, "aws") == aws_hashes
    assert hashes(lock, "time") != time_hashes  # the new package's checksum is recorded
    assert outstanding_leases(sandbox, ROLES) == set()
