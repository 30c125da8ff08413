"""Every plugin and role documents itself: ansible-doc renders it without error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = (
    [("module", f"voicestack.aws.{p.stem}") for p in sorted((ROOT / "plugins" / "modules").glob("[!_]*.py"))]
    + [("lookup", f"voicestack.aws.{p.stem}") for p in sorted((ROOT / "plugins" / "lookup").glob("[!_]*.py"))]
    + [("filter", f"voicestack.aws.{p.stem}") for p in sorted((ROOT / "plugins" / "filter").glob("[!_]*.py"))]
    + [("role", f"voicestack.aws.{p.name}") for p in sorted((ROOT / "roles").iterdir()) if p.is_dir()]
)


@pytest.mark.parametrize(("kind", "name"), PLUGINS, ids=[name for _kind, name in PLUGINS])
def test_ansible_doc_renders(kind, name):
    result = subprocess.run(["ansible-doc", "-t", kind, name], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr and "WARNING" not in result.stderr, result.stderr
    if kind != "role":
        assert "EXAMPLES" in result.stdout and "RETURN VALUES" in result.stdout
