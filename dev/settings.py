"""Where the workbench finds things: one reader for every part of it."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the collection's files and dev/)."""

TOOLS_DIR = Path(os.environ.get("VOICESTACK_TOOLS", Path.home() / ".cache" / "voicestack" / "tools"))
"""The version-keyed cache of built binaries (make tools); its tools.env names them."""

SANDBOX_INVENTORY = ROOT / "dev" / "sandbox" / "inventory"
"""The inventory of the sandbox's two accounts (acme, globex)."""


def sandbox_dir() -> Path:
    """The state folder of the sandbox this process works with: VOICESTACK_SANDBOX_DIR,
    or the one that 'make sandbox-up' starts."""
    return Path(os.environ.get("VOICESTACK_SANDBOX_DIR", ROOT / "dev" / "sandbox" / ".state"))


def read_env(path: Path) -> dict[str, str]:
    """A KEY=VALUE file as a dict (tools.env, sandbox.env)."""
    pairs = (line.partition("=") for line in path.read_text().splitlines() if line)
    return {key: value for key, sep, value in pairs if key and sep}


def tools_env() -> dict[str, str]:
    """The tool cache's tools.env; a clear error when 'make tools' has not run."""
    path = TOOLS_DIR / "tools.env"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run 'make tools' first")
    return read_env(path)
