"""meta/argument_specs.yml is the source of truth of every role's inputs:
defaults/main.yml must agree with it, and every input is prefixed and described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "roles").iterdir() if p.is_dir())


def load(path):
    return yaml.safe_load(path.read_text()) if path.exists() else {}


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_defaults_mirror_the_argument_spec(role):
    # Every entry point's options (an option shared by entry points is specified alike in each).
    entry_points = load(role / "meta" / "argument_specs.yml")["argument_specs"].values()
    options = {name: spec for entry in entry_points for name, spec in entry.get("options", {}).items()}
    defaults = load(role / "defaults" / "main.yml") or {}
    for name, spec in options.items():
        assert name.startswith(role.name + "_"), f"{name} is not prefixed with {role.name}_"
        assert spec.get("description"), f"{name} has no description"
        if spec.get("required"):
            assert name not in defaults, f"{name} is required, so it has no default"
        else:
            assert name in defaults, f"{name} is optional but missing from defaults/main.yml"
            inventory = re.fullmatch(r"\{\{ (voicestack_\w+)(?: \| default\(None\))? \}\}", str(defaults[name]))
            if inventory:
                # The inventory's account variable: documented, not a spec default, which
                # validate_argument_spec would template even when the option is set.
                assert "default" not in spec, name
                assert f"Defaults to the inventory's C({inventory.group(1)})." in spec["description"], name
            else:
                assert defaults[name] == spec.get("default"), f"{name}: defaults/main.yml and argument_specs differ"
    assert set(defaults) <= set(options), f"defaults without a spec: {set(defaults) - set(options)}"
