"""The collection as users get it: 'ansible-galaxy collection build' ships the
collection and nothing else (no workbench, virtualenvs, caches or Terraform
state); the tarball installs into an empty collections path with no Galaxy
server, where every plugin documents itself, every playbook parses and runs by
its name, and the collection's own unit tests pass; ansible-builder turns it
into an execution environment build context."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest
import yaml

from dev.settings import ROOT

GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
TARBALL = f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"
# The dependency collections (galaxy.yml) come with the ansible package in the venv.
BUNDLED = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections"

# Every top-level path of the tarball, and of its tests/ and inventory/ folders.
SHIPPED = {
    "CHANGELOG.rst",
    "FILES.json",
    "LICENSE",
    "MANIFEST.json",
    "README.md",
    "bindep.txt",
    "changelogs",
    "docs",
    "extensions",
    "inventory",
    "meta",
    "playbooks",
    "plugins",
    "roles",
    "terraform",
    "tests",
}
SHIPPED_UNDER = {"tests": {"unit", "sanity"}, "inventory": {"example"}}

# What a developer's checkout holds besides the collection: none of it may ship.
LEFT_BEHIND = [
    ".venv/bin/python",
    ".venv-scan/bin/python",
    ".git/HEAD",
    ".pytest_cache/v/cache/nodeids",
    ".ruff_cache/CACHEDIR.TAG",
    "dev/sandbox/.state/state.json",
    "dev/sandbox/.state/sandbox.env",
    "dev/sandbox/.state-tests/gw0/sandbox.env",
    "dev/bench/results/results.json",
    "terraform/stacks/voice/.terraform/providers/registry.opentofu.org/hashicorp/aws/marker",
    "terraform/stacks/voice/terraform.tfstate",
    "terraform/stacks/voice/terraform.tfstate.backup",
    "terraform/stacks/voice/plan.tfplan",
    "plugins/modules/__pycache__/eks_token.cpython-311.pyc",
    "tests/output/junit/sanity.xml",
    "extensions/awx/context/Dockerfile",
    "extensions/awx/voicestack-aws-0.0.1.tar.gz",
    "changelogs/.plugin-cache.yaml",
    "roles/verify/.cache/molecule/state.yml",
]


def run(*cmd, env=None, cwd=None, timeout=300):
    result = subprocess.run(
        [shutil.which(cmd[0]), *cmd[1:]], capture_output=True, text=True, timeout=timeout, check=False, env=env, cwd=cwd
    )
    assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


def checkout_copy(dest: Path) -> Path:
    """The files git would commit (tracked and new), plus what a working
    checkout accumulates (LEFT_BEHIND)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    for name in LEFT_BEHIND:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text("left behind\n")
    return dest


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    source = checkout_copy(tmp_path_factory.mktemp("checkout"))
    out = tmp_path_factory.mktemp("dist")
    run("ansible-galaxy", "collection", "build", "--output-path", str(out), str(source))
    return out / TARBALL


@pytest.fixture(scope="module")
def installed(tarball, tmp_path_factory) -> dict[str, str]:
    """The tarball installed into an empty collections path, offline; the
    environment that sees it (and the bundled dependencies) only."""
    path = tmp_path_factory.mktemp("collections")
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": f"{path}{os.pathsep}{BUNDLED.parent}"}
    run("ansible-galaxy", "collection", "install", "--offline", str(tarball), "-p", str(path), env=env)
    assert (path / "ansible_collections" / "voicestack" / "aws" / "MANIFEST.json").is_file()
    return env | {"VOICESTACK_INSTALLED": str(path / "ansible_collections" / "voicestack" / "aws")}


def test_the_tarball_leaves_the_working_state_out(tarball):
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    shipped = [name for name in LEFT_BEHIND if name in names]
    assert not shipped, f"shipped: {shipped}"
    assert not [n for n in names if "/.terraform" in n or n.endswith((".tfstate", ".pyc")) or "/.state/" in n]
    for needed in [
        "MANIFEST.json",
        "meta/runtime.yml",
        "meta/ee-requirements.txt",
        "meta/execution-environment.yml",
        "bindep.txt",
        "plugins/lookup/vault_sts.py",
        "roles/vault_credentials/meta/argument_specs.yml",
        "playbooks/site.yml",
        "terraform/stacks/voice/main.tf",
        "extensions/awx/credential_type.yml",
        "changelogs/changelog.yaml",
    ]:
        assert needed in names, needed


def test_the_tarball_holds_the_collection_and_nothing_else(tarball):
    with tarfile.open(tarball) as tar:
        names = [name.split("/") for name in tar.getnames()]
    assert {parts[0] for parts in names} == SHIPPED
    for folder, allowed in SHIPPED_UNDER.items():
        assert {parts[1] for parts in names if parts[0] == folder and len(parts) > 1} == allowed, folder


def test_the_installed_collections_unit_tests_pass_against_it(installed, tmp_path):
    """The shipped tests/unit, run from outside the checkout with only the
    installed collection on the collections path, need nothing of the workbench."""
    tests = Path(installed["VOICESTACK_INSTALLED"]) / "tests" / "unit"
    assert not [p.name for p in tests.rglob("*.py") if re.search(r"^(from|import) dev\b", p.read_text(), re.M)]
    env = {key: value for key, value in installed.items() if key != "PYTHONPATH"}
    result = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests), env=env, cwd=tmp_path)
    assert re.search(r"^\d+ passed", result.stdout, re.M), result.stdout[-3000:]


def test_an_installed_playbook_runs_by_its_name_outside_the_checkout(installed, tmp_path):
    inventory = Path(installed["VOICESTACK_INSTALLED"]) / "inventory" / "example"
    result = run(
        "ansible-playbook", "-i", str(inventory), "voicestack.aws.site", "--list-tasks", env=installed, cwd=tmp_path
    )
    assert f"playbook: {installed['VOICESTACK_INSTALLED']}/playbooks/site.yml" in result.stdout
    assert "Issue short-lived AWS credentials from Vault" in result.stdout


def plugins(kind: str) -> list[str]:
    folder = ROOT / "plugins" / {"module": "modules", "lookup": "lookup", "filter": "filter"}[kind]
    return [f"voicestack.aws.{p.stem}" for p in sorted(folder.glob("[!_]*.py"))]


@pytest.mark.parametrize("kind", ["module", "lookup", "filter", "role"])
def test_ansible_doc_renders_every_plugin_of_the_installed_collection(installed, kind):
    names = (
        plugins(kind)
        if kind != "role"
        else [f"voicestack.aws.{p.name}" for p in sorted((ROOT / "roles").iterdir()) if p.is_dir()]
    )
    assert names
    result = run("ansible-doc", "-t", kind, *names, env=installed)
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    for name in names:
        assert name in result.stdout or name.rsplit(".", 1)[1] in result.stdout, name
    # ansible-doc resolved them from the installed copy, not the checkout.
    listed = run("ansible-doc", "-t", kind, "--list", "voicestack.aws", "--json", env=installed).stdout
    assert all(name in listed for name in names)


@pytest.mark.parametrize("playbook", sorted(p.name for p in (ROOT / "playbooks").glob("*.yml")))
def test_every_playbook_of_the_installed_collection_parses(installed, playbook):
    path = Path(installed["VOICESTACK_INSTALLED"]) / "playbooks" / playbook
    run("ansible-playbook", "--syntax-check", "-i", "localhost,", str(path), env=installed)


def test_ansible_builder_finds_the_python_and_system_requirements(installed):
    """What ansible-builder reads from every collection it puts in an image."""
    collections = Path(installed["VOICESTACK_INSTALLED"]).parents[2]
    result = run("ansible-builder", "introspect", str(collections), "--sanitize")
    assert "hvac" in result.stdout and "voicestack.aws" in result.stdout
    assert "unzip" in result.stdout


def test_ansible_builder_creates_the_execution_environment_context(tarball, tmp_path):
    """extensions/awx/execution-environment.yml with the tarball beside it, as
    its header says; 'create' writes the build context (building the image
    needs a container engine)."""
    (tmp_path / "extensions").mkdir()
    shutil.copytree(ROOT / "extensions" / "awx", tmp_path / "extensions" / "awx")
    shutil.copytree(ROOT / "meta", tmp_path / "meta")
    shutil.copy2(ROOT / "bindep.txt", tmp_path / "bindep.txt")
    shutil.copy2(tarball, tmp_path / "extensions" / "awx" / TARBALL)
    context = tmp_path / "context"

    run(
        "ansible-builder",
        "create",
        "-f",
        str(tmp_path / "extensions/awx/execution-environment.yml"),
        "-c",
        str(context),
    )

    build = context / "_build"
    requirements = (build / "requirements.txt").read_text().splitlines()
    assert "hvac>=2.0" in requirements and any(r.startswith("boto3") for r in requirements)
    assert "unzip [platform:rpm platform:dpkg]" in (build / "bindep.txt").read_text()
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())
    wanted = {"name": f"collections/{TARBALL}", "type": "file"}
    assert wanted in galaxy["collections"], "requirements.yml must name the tarball of galaxy.yml's version"
    assert (build / "collections" / TARBALL).is_file()
    containerfile = (context / "Dockerfile").read_text()
    final_stage = containerfile[containerfile.index("AS final") :]
    assert "opentofu/opentofu/releases/download" in final_stage and "sha256sum" in final_stage
    assert "tofu version" in final_stage
    assert "ansible-core==2.19.14" in containerfile
