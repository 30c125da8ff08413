"""dev/tools/build.sh: one clear line for the failures a user can hit."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from dev.settings import ROOT


def run_build(tmp_path, *tools, versions=None, path=None):
    script_dir = tmp_path / "tools"
    script_dir.mkdir(exist_ok=True)
    shutil.copy(ROOT / "dev" / "tools" / "build.sh", script_dir / "build.sh")
    text = (ROOT / "dev" / "tools" / "versions.env").read_text()
    for key, value in (versions or {}).items():
        text += f"\n{key}={value}\n"
    (script_dir / "versions.env").write_text(text)
    env = {
        "HOME": os.environ["HOME"],
        "PATH": path if path is not None else os.environ["PATH"],
        "VOICESTACK_TOOLS": str(tmp_path / "cache"),
        "GOPATH": os.environ.get("GOPATH", str(Path.home() / "go")),
        "GOMODCACHE": os.environ.get("GOMODCACHE", str(Path.home() / "go" / "pkg" / "mod")),
    }
    return subprocess.run(
        ["bash", str(script_dir / "build.sh"), *tools],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def path_without(*names):
    """PATH entries holding none of the given commands."""
    keep = [d for d in os.environ["PATH"].split(os.pathsep) if not any((Path(d) / n).exists() for n in names)]
    return os.pathsep.join(keep)


def test_a_refused_module_is_one_line_naming_module_version_and_the_way_out(tmp_path):
    result = run_build(
        tmp_path,
        "tofu",
        versions={"TOFU_MODULE_VERSION": "v0.0.0-20000101000000-000000000000"},
        path=path_without("tofu"),
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "tools: the Go module proxy refused github.com/opentofu/opentofu@v0.0.0-20000101000000-000000000000"
    )
    assert "put a tofu binary on PATH" in lines[0]


def test_missing_go_is_one_line(tmp_path):
    result = run_build(tmp_path, "tofu", path=path_without("go", "tofu"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "tools: no 'go' on PATH: install Go >= 1.26 to build tofu, or put a tofu binary on PATH "
        "(see README, 'Supplying binaries')"
    )


def test_an_acceptable_binary_on_path_is_used_instead_of_building(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # A stand-in for an installed tofu: this test is about PATH discovery only.
    (fake_bin / "tofu").write_text('#!/bin/sh\necho \'{"terraform_version":"1.11.2"}\'\n')
    (fake_bin / "tofu").chmod(0o755)
    result = run_build(tmp_path, "tofu", path=f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["tofu", "1.11.2", str(fake_bin / "tofu"), "PATH"]


def test_a_too_old_binary_on_path_is_not_used(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # A stand-in for an old installed tofu: only its version matters here.
    (fake_bin / "tofu").write_text('#!/bin/sh\necho \'{"terraform_version":"1.6.0"}\'\n')
    (fake_bin / "tofu").chmod(0o755)
    result = run_build(
        tmp_path,
        "tofu",
        versions={"TOFU_MODULE_VERSION": "v0.0.0-20000101000000-000000000000"},
        path=f"{fake_bin}{os.pathsep}{path_without('tofu')}",
    )
    assert result.returncode == 1
    assert "refused github.com/opentofu/opentofu" in result.stderr


def test_unknown_tool_is_named(tmp_path):
    result = run_build(tmp_path, "terraform")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "tools: unknown tool 'terraform' (known: tofu providers bao-aws-plugin etcd kube-apiserver)"
    )
