"""Every bundled module and stack is formatted and valid for the real providers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from dev.settings import ROOT, read_env

pytestmark = pytest.mark.integration

ROOTS = sorted(p.relative_to(ROOT) for kind in ("modules", "stacks") for p in (ROOT / "terraform" / kind).iterdir())


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    target = tmp_path_factory.mktemp("static") / "terraform"
    shutil.copytree(ROOT / "terraform", target, symlinks=True)
    (target.parent / "plugin-cache").mkdir()
    return target


def tofu(tools, cwd, *args, plugin_cache=None):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "TF_CLI_CONFIG_FILE": tools["VOICESTACK_TF_CLI_CONFIG"],
        "TF_IN_AUTOMATION": "1",
        **({"TF_PLUGIN_CACHE_DIR": str(plugin_cache)} if plugin_cache else {}),
    }
    return subprocess.run(
        [tools["VOICESTACK_TOFU"], *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_everything_is_formatted(tools):
    result = tofu(tools, ROOT / "terraform", "fmt", "-check", "-recursive", "-diff")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("path", ROOTS, ids=str)
def test_validates(tools, copy, path):
    cwd = copy.parent / path
    cache = copy.parent / "plugin-cache"
    init = tofu(tools, cwd, "init", "-backend=false", "-input=false", "-no-color", plugin_cache=cache)
    assert init.returncode == 0, init.stdout + init.stderr
    result = tofu(tools, cwd, "validate", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr


# `name = { source = "hashicorp/name" ... version = "..." }` inside a required_providers block.
PROVIDER = re.compile(r'(\w+)\s*=\s*\{\s*source\s*=\s*"hashicorp/\w+"\s*version\s*=\s*"([^"]+)"', re.S)
BUILT = {"aws": "AWS_PROVIDER_VERSION", "time": "TIME_PROVIDER_VERSION", "vault": "VAULT_PROVIDER_VERSION"}


def _admits(constraint: str, version: str) -> bool:
    """Whether a `>= A, < B` constraint admits version (numeric comparison)."""
    number = tuple(int(part) for part in version.split("."))
    for part in constraint.split(","):
        op, _, bound = part.strip().partition(" ")
        limit = tuple(int(p) for p in bound.split("."))
        limit += (0,) * (len(number) - len(limit))
        if not {">=": number >= limit, "<": number < limit}[op]:
            return False
    return True


@pytest.mark.parametrize("path", ROOTS, ids=str)
def test_every_provider_is_bounded_to_the_major_the_toolchain_builds(path):
    """A new major (aws 7.0) never reaches a nightly drift run: every constraint has an upper bound of the next
    major, and admits the version dev/tools/versions.env builds (the version every sandbox test runs)."""
    built = read_env(ROOT / "dev" / "tools" / "versions.env")
    text = (ROOT / path / "versions.tf").read_text()
    constraints = dict(PROVIDER.findall(text))
    assert constraints, f"{path}/versions.tf names no hashicorp provider with a version"
    assert set(constraints) == set(re.findall(r'source\s*=\s*"hashicorp/(\w+)"', text))
    for name, constraint in constraints.items():
        version = built[BUILT[name]]
        major = int(version.split(".")[0])
        assert re.fullmatch(rf">= [0-9.]+, < {major + 1}\.0", constraint), (path, name, constraint)
        assert _admits(constraint, version), (path, name, constraint, version)
