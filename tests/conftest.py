"""Shared fixtures: the sandbox that ``make test`` starts, and its clients."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ansible.plugins.loader import init_plugin_loader

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_DIR = Path(os.environ.get("VOICESTACK_SANDBOX_DIR", ROOT / "sandbox" / ".state"))
TOOLS_DIR = Path(os.environ.get("VOICESTACK_TOOLS", Path.home() / ".cache" / "voicestack" / "tools"))

# The checkout is the collection voicestack.aws, found through the link that
# 'make venv' puts in the venv's collections path. Ansible's collection loader
# serves both plugin lookups and plain imports of its modules.
init_plugin_loader(
    [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".venv" / "collections")).split(os.pathsep) if p]
)


def _read_env(path: Path) -> dict[str, str]:
    pairs = (line.partition("=") for line in path.read_text().splitlines() if line)
    return {key: value for key, _, value in pairs}


@pytest.fixture(scope="session")
def sandbox() -> dict:
    """The running sandbox's state; integration tests fail (never skip) without it."""
    state = SANDBOX_DIR / "state.json"
    if not state.exists():
        pytest.fail(f"no sandbox state at {state}: run the suite with 'make test' (it starts the sandbox)")
    return json.loads(state.read_text())


@pytest.fixture(scope="session")
def tools() -> dict[str, str]:
    path = TOOLS_DIR / "tools.env"
    if not path.exists():
        pytest.fail(f"{path} missing: run 'make tools'")
    return _read_env(path)


@pytest.fixture(scope="session")
def root_token(sandbox) -> str:
    """The sandbox OpenBao's root token (sandbox-only; used to arrange tests)."""
    return sandbox["openbao"]["root_token"]
