"""Every bundled module and stack is formatted and valid for the real providers."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from dev.settings import ROOT

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
