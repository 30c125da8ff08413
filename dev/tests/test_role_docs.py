"""Each role README's options table is the one generated from its argument_specs
(dev/tools/role_docs.py), and its prose names no input that does not exist."""

from __future__ import annotations

import re

import pytest
import yaml

from dev.settings import ROOT
from dev.tools import role_docs

ROLES = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())


def argument_specs(role):
    return yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_readme_has_the_generated_options_table(role):
    readme = (role / "README.md").read_text()
    assert role_docs.render(role) in readme, f"run: python -m dev.tools.role_docs ({role.name}/README.md is stale)"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_readme_names_exactly_the_options_of_each_entry_point(role):
    readme = (role / "README.md").read_text()
    table = readme.split(role_docs.BEGIN, 1)[1].split(role_docs.END, 1)[0]
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
