"""mirror(): the work copy of the bundled Terraform."""

from __future__ import annotations

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
