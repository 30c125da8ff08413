"""mirror(): the work copy of the bundled Terraform."""

from __future__ import annotations

import pytest

from ansible_collections.voicestack.aws.plugins.module_utils._mirror import mirror


def tree(root):
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_mirror_copies_what_differs_removes_what_is_gone_and_keeps_terraform_data(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "modules" / "alb").mkdir(parents=True)
    (src / "modules" / "alb" / "main.tf").write_text("new")
    (src / "stacks").mkdir()
    (src / "stacks" / "main.tf").write_text("stack")
    (dest / "modules" / "alb").mkdir(parents=True)
    (dest / "modules" / "alb" / "main.tf").write_text("old")
    (dest / "modules" / "alb" / "gone.tf").write_text("stale")
    (dest / "modules" / "old").mkdir()
    (dest / "modules" / "old" / "main.tf").write_text("stale")
    (dest / "stacks" / ".terraform").mkdir(parents=True)
    (dest / "stacks" / ".terraform" / "providers").write_text("cache")

    assert mirror(str(src), str(dest), (".terraform",), check_mode=True) == {
        "copied": ["modules/alb/main.tf", "stacks/main.tf"],
        "removed": ["modules/alb/gone.tf", "modules/old"],
    }
    assert tree(dest)["modules/alb/main.tf"] == "old"  # check mode changed nothing

    mirror(str(src), str(dest), (".terraform",))
    assert tree(dest) == {**tree(src), "stacks/.terraform/providers": "cache"}
    assert (dest / "stacks" / "main.tf").stat().st_mode & 0o777 == 0o600
    assert mirror(str(src), str(dest), (".terraform",)) == {"copied": [], "removed": []}


def test_files_are_written_beside_the_copy_and_are_not_removed(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "stacks").mkdir(parents=True)
    (src / "stacks" / "main.tf").write_text("stack")
    (dest / "inputs").mkdir(parents=True)
    (dest / "inputs" / "variables.tf").write_text("old rules")
    (dest / "inputs" / "stale.tf").write_text("stale")
    files = {"voice.tfvars.json": "{}", "inputs/variables.tf": "rules"}

    assert mirror(str(src), str(dest), files=files) == {
        "copied": ["inputs/variables.tf", "stacks/main.tf", "voice.tfvars.json"],
        "removed": ["inputs/stale.tf"],
    }
    assert tree(dest) == {"stacks/main.tf": "stack", "voice.tfvars.json": "{}", "inputs/variables.tf": "rules"}
    assert (dest / "voice.tfvars.json").stat().st_mode & 0o777 == 0o600
    assert (dest / "stacks").stat().st_mode & 0o777 == 0o700  # every folder it creates
    assert mirror(str(src), str(dest), files=files) == {"copied": [], "removed": []}
    # A file no longer asked for goes, like one src no longer has.
    assert mirror(str(src), str(dest), files={"voice.tfvars.json": "{}"})["removed"] == ["inputs"]


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside", "a/../../b", "stacks/main.tf", "./x"])
def test_files_stay_inside_dest_and_do_not_shadow_src(tmp_path, path):
    (tmp_path / "src" / "stacks").mkdir(parents=True)
    (tmp_path / "src" / "stacks" / "main.tf").write_text("stack")
    with pytest.raises(ValueError, match="files: "):
        mirror(str(tmp_path / "src"), str(tmp_path / "dest"), files={path: "x"})
    assert not (tmp_path / "dest").exists()


def test_a_missing_dest_is_made_with_folders_0700(tmp_path):
    (tmp_path / "src" / "stacks").mkdir(parents=True)
    (tmp_path / "src" / "top.tf").write_text("top")
    (tmp_path / "src" / "stacks" / "main.tf").write_text("stack")
    dest = tmp_path / "work" / "123456789012"
    mirror(str(tmp_path / "src"), str(dest), files={"voice.tfvars.json": "{}"})
    assert tree(dest) == {"top.tf": "top", "stacks/main.tf": "stack", "voice.tfvars.json": "{}"}
    assert {(d.stat().st_mode & 0o777) for d in (tmp_path / "work", dest, dest / "stacks")} == {0o700}
