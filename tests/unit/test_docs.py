"""Every plugin and role documents itself: ansible-doc renders it without error,
and each role README's options table is the one generated from its argument_specs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest
import yaml

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


# --- role READMEs: their options table is generated from argument_specs -------

ROLES = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())


def role_docs():
    spec = importlib.util.spec_from_file_location("role_docs", ROOT / "tools" / "role_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def argument_specs(role):
    return yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_readme_has_the_generated_options_table(role):
    readme = (role / "README.md").read_text()
    assert role_docs().render(role) in readme, f"run: python tools/role_docs.py ({role.name}/README.md is stale)"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_readme_names_exactly_the_options_of_each_entry_point(role):
    readme = (role / "README.md").read_text()
    table = readme.split(role_docs().BEGIN, 1)[1].split(role_docs().END, 1)[0]
    sections = re.split(r"^### Entry point `(\w+)`$", table, flags=re.M)[1:]
    pairs = zip(sections[::2], sections[1::2], strict=True)
    documented = {entry: re.findall(r"^\| `(\w+)` \|", body, re.M) for entry, body in pairs}
    specs = argument_specs(role)
    assert documented == {entry: list(spec.get("options", {})) for entry, spec in specs.items()}
    # Prose names no input that does not exist: every role-prefixed name is an
    # option, or a fact the specs themselves name (plugin names such as
    # voicestack.aws.verify_checks are not variables).
    prefixed = re.compile(rf"(?<![.\w]){role.name}_\w+")
    unknown = set(prefixed.findall(readme)) - set(prefixed.findall(yaml.safe_dump(specs)))
    assert not unknown, f"{role.name}/README.md names {sorted(unknown)}, which argument_specs does not know"
