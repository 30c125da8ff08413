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

    assert mirror(str(src), str(dest), ("stacks/.terraform",), check_mode=True) == {
        "copied": ["modules/alb/main.tf", "stacks/main.tf"],
        "removed": ["modules/alb/gone.tf", "modules/old"],
        "made_private": True,
    }
    assert tree(dest)["modules/alb/main.tf"] == "old"  # check mode changed nothing

    mirror(str(src), str(dest), ("stacks/.terraform",))
    assert tree(dest) == {**tree(src), "stacks/.terraform/providers": "cache"}
    assert (dest / "stacks" / "main.tf").stat().st_mode & 0o777 == 0o600
    assert mirror(str(src), str(dest), ("stacks/.terraform",)) == {"copied": [], "removed": [], "made_private": False}


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
        "made_private": True,
    }
    assert tree(dest) == {"stacks/main.tf": "stack", "voice.tfvars.json": "{}", "inputs/variables.tf": "rules"}
    assert (dest / "voice.tfvars.json").stat().st_mode & 0o777 == 0o600
    assert (dest / "stacks").stat().st_mode & 0o777 == 0o700  # every folder it creates
    assert mirror(str(src), str(dest), files=files) == {"copied": [], "removed": [], "made_private": False}
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


def source(tmp_path):
    (tmp_path / "src" / "stacks").mkdir(parents=True)
    (tmp_path / "src" / "top.tf").write_text("top")
    (tmp_path / "src" / "stacks" / "main.tf").write_text("stack")
    return str(tmp_path / "src")


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o711])
def test_an_existing_dest_is_made_0700(tmp_path, mode):
    dest = tmp_path / "dest"
    dest.mkdir()
    dest.chmod(mode)
    src = source(tmp_path)
    assert mirror(src, str(dest), check_mode=True)["made_private"] is True
    assert dest.stat().st_mode & 0o777 == mode  # check mode changed nothing
    assert mirror(src, str(dest))["made_private"] is True
    assert dest.stat().st_mode & 0o777 == 0o700
    assert mirror(src, str(dest)) == {"copied": [], "removed": [], "made_private": False}


def test_a_symlink_as_dest_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "dest").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match=r"^dest: .*/dest is a symlink"):
        mirror(source(tmp_path), str(tmp_path / "dest"))
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_symlinked_file_in_dest_is_replaced_never_written_through(tmp_path):
    target = tmp_path / "target"
    target.write_text("not yours")
    target.chmod(0o644)
    dest = tmp_path / "dest"
    (dest / "stacks").mkdir(parents=True, mode=0o700)
    (dest / "top.tf").symlink_to(target)
    (dest / "voice.tfvars.json").symlink_to(target)
    result = mirror(source(tmp_path), str(dest), files={"voice.tfvars.json": "{}"})
    assert result["copied"] == ["stacks/main.tf", "top.tf", "voice.tfvars.json"]
    assert target.read_text() == "not yours"
    assert target.stat().st_mode & 0o777 == 0o644  # its target is not chmodded either
    assert not (dest / "top.tf").is_symlink()
    assert (dest / "top.tf").read_text() == "top"
    assert (dest / "voice.tfvars.json").stat().st_mode & 0o777 == 0o600


def test_a_symlink_with_the_same_content_is_replaced_too(tmp_path):
    (tmp_path / "same").write_text("top")
    dest = tmp_path / "dest"
    dest.mkdir(mode=0o700)
    (dest / "top.tf").symlink_to(tmp_path / "same")
    assert "top.tf" in mirror(source(tmp_path), str(dest))["copied"]
    assert not (dest / "top.tf").is_symlink()


def test_a_symlinked_folder_in_dest_is_replaced_never_written_through(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "main.tf").write_text("old")
    dest = tmp_path / "dest"
    dest.mkdir(mode=0o700)
    (dest / "stacks").symlink_to(elsewhere)
    mirror(source(tmp_path), str(dest))
    assert (elsewhere / "main.tf").read_text() == "old"
    assert not (dest / "stacks").is_symlink()
    assert (dest / "stacks").stat().st_mode & 0o777 == 0o700
    assert tree(dest) == {"top.tf": "top", "stacks/main.tf": "stack"}


def test_an_unasked_for_symlink_is_removed_not_its_target(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "precious").write_text("x")
    dest = tmp_path / "dest"
    dest.mkdir(mode=0o700)
    (dest / "link").symlink_to(tmp_path / "elsewhere")
    assert mirror(source(tmp_path), str(dest))["removed"] == ["link"]
    assert (tmp_path / "elsewhere" / "precious").read_text() == "x"


def test_keep_matches_at_the_top_of_dest_only(tmp_path):
    dest = tmp_path / "dest"
    (dest / "stacks" / "crash.log").parent.mkdir(parents=True, mode=0o700)
    dest.chmod(0o700)
    (dest / "crash.log").write_text("kept")
    (dest / "stacks" / "crash.log").write_text("stale")
    (dest / "stacks" / ".terraform").mkdir()
    result = mirror(source(tmp_path), str(dest), keep=("crash.log", "stacks/.terraform"))
    assert result["removed"] == ["stacks/crash.log"]
    assert (dest / "crash.log").read_text() == "kept"
    assert (dest / "stacks" / ".terraform").is_dir()


def test_keep_does_not_hide_a_nested_source_file_of_the_same_name(tmp_path):
    src = source(tmp_path)
    (tmp_path / "src" / "stacks" / "crash.log").write_text("from src")
    mirror(src, str(tmp_path / "dest"), keep=("crash.log",))
    assert (tmp_path / "dest" / "stacks" / "crash.log").read_text() == "from src"


@pytest.mark.parametrize("path", ["/etc", "../outside", "a/../../b", "./x", "", "."])
def test_keep_paths_stay_inside_dest(tmp_path, path):
    with pytest.raises(ValueError, match="keep: "):
        mirror(source(tmp_path), str(tmp_path / "dest"), keep=(path,))
