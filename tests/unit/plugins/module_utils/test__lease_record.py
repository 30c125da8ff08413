"""Lease records: written without secrets, found as leftovers only once their run has ended."""

from __future__ import annotations

import datetime
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.voicestack.aws.plugins.module_utils import _lease_record
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

URL = "https://vault.example.com:8200"


def ended_process():
    """The owner record of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    who = {"pid": child.pid, "started": _lease_record._started(child.pid), **_lease_record.machine()}
    child.wait()
    return who


def test_a_record_holds_the_lease_id_and_no_credential(tmp_path):
    _lease_record.write(tmp_path / "acme", URL, [{"lease_id": "aws/sts/deployer/abc", "expiration": "2026-01-01"}])
    (path,) = (tmp_path / "acme").iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    record = json.loads(path.read_text())
    assert set(record) == {"lease_id", "url", "expiration", "owner"}
    assert record["owner"]["pid"] > 0


def test_a_running_owners_lease_is_not_a_leftover(tmp_path):
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/deployer/live"}])
    assert _lease_record.leftovers(tmp_path, URL, "aws") == []


def test_an_ended_owners_lease_is_a_leftover_of_its_vault_only(tmp_path):
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/deployer/gone"}], who=ended_process())
    assert _lease_record.leftovers(tmp_path, URL, "aws") == ["aws/sts/deployer/gone"]
    assert _lease_record.leftovers(tmp_path, "https://other-vault:8200", "aws") == []


def test_a_reused_pid_does_not_keep_a_lease_alive(tmp_path):
    who = {**_lease_record.owner(), "pid": os.getpid(), "started": _lease_record._started(os.getpid()) - 1}
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/deployer/reused"}], who=who)
    assert _lease_record.leftovers(tmp_path, URL, "aws") == ["aws/sts/deployer/reused"]


def test_forget_removes_the_record_and_a_torn_record_is_ignored(tmp_path):
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/r/a"}, {"lease_id": "aws/sts/r/b"}], who=ended_process())
    (tmp_path / "torn.json").write_text('{"lease_id": ')
    _lease_record.forget(tmp_path, ["aws/sts/r/a", "never-recorded"])
    assert _lease_record.leftovers(tmp_path, URL, "aws") == ["aws/sts/r/b"]


def test_a_record_names_the_machine_its_pid_belongs_to(tmp_path):
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/deployer/abc"}])
    (path,) = tmp_path.iterdir()
    who = json.loads(path.read_text())["owner"]
    assert who["boot_id"] == Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    assert who["host"] == os.uname().nodename
    assert who["pid_ns"].startswith("pid:[")


def test_a_missing_folder_is_made_0700_with_its_parents(tmp_path):
    os.umask(old := os.umask(0o022))
    try:
        _lease_record.check_dir(tmp_path / "leases" / "123456789012")
    finally:
        os.umask(old)
    for folder in (tmp_path / "leases", tmp_path / "leases" / "123456789012"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o777, 0o701])
def test_a_folder_others_can_reach_is_refused_naming_it_and_the_fix(tmp_path, mode):
    folder = tmp_path / "leases"
    folder.mkdir(mode=0o700)
    _lease_record.write(folder, URL, [{"lease_id": "aws/sts/deployer/planted"}], who=ended_process())
    folder.chmod(mode)
    message = rf"^lease_record_dir: {folder} is of mode {mode:04o}, but must be owned by you .*\(chmod 0700 {folder}\)"
    for call in (
        lambda: _lease_record.check_dir(folder),
        lambda: _lease_record.leftovers(folder, URL, "aws"),
        lambda: _lease_record.write(folder, URL, [{"lease_id": "aws/sts/deployer/x"}]),
        lambda: _lease_record.forget(folder, ["aws/sts/deployer/planted"]),
    ):
        with pytest.raises(VaultError, match=message):
            call()
    assert len(list(folder.iterdir())) == 1


def test_a_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    (tmp_path / "leases").mkdir(mode=0o700)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    with pytest.raises(VaultError, match=rf"must be owned by you \(uid {os.getuid() + 1}\) with mode 0700.*chown"):
        _lease_record.check_dir(tmp_path / "leases")


def test_a_symlinked_folder_is_refused(tmp_path):
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "leases").symlink_to(tmp_path / "real")
    with pytest.raises(VaultError, match=r"^lease_record_dir: .*/leases is a symlink or not a folder"):
        _lease_record.leftovers(tmp_path / "leases", URL, "aws")
    with pytest.raises(VaultError, match=r"is a symlink"):
        _lease_record.write(tmp_path / "leases", URL, [{"lease_id": "aws/sts/deployer/x"}])
    assert list((tmp_path / "real").iterdir()) == []


def test_records_are_not_read_or_written_through_symlinks(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    planted = outside / "planted.json"
    who = ended_process()
    planted.write_text(json.dumps({"lease_id": "aws/sts/deployer/planted", "url": URL, "owner": who}))
    folder = tmp_path / "leases"
    folder.mkdir(mode=0o700)
    (folder / "planted.json").symlink_to(planted)
    assert _lease_record.leftovers(folder, URL, "aws") == []
    # A symlink where this lease's record goes is not written through.
    target = outside / "target"
    target.write_text("untouched")
    (folder / _lease_record._name("aws/sts/deployer/new")).symlink_to(target)
    with pytest.raises(OSError, match="Too many levels of symbolic links"):
        _lease_record.write(folder, URL, [{"lease_id": "aws/sts/deployer/new"}])
    assert target.read_text() == "untouched"


def test_a_fifo_record_does_not_hang_the_run(tmp_path):
    os.mkfifo(tmp_path / "fifo.json")
    assert _lease_record.leftovers(tmp_path, URL, "aws") == []


@pytest.mark.parametrize(
    "lease_id",
    [
        "database/creds/app/abc",
        "sys/leases/x",
        "aws-other/sts/deployer/abc",
        "aws/sts/../../database/creds/app/abc",
        "aws/sts/deployer",
        "aws/sts//abc",
        "auth/token/create/abc",
    ],
)
def test_only_lease_ids_under_the_runs_aws_mount_are_leftovers(tmp_path, lease_id):
    _lease_record.write(tmp_path, URL, [{"lease_id": lease_id}], who=ended_process())
    assert _lease_record.leftovers(tmp_path, URL, "aws") == []


def test_lease_ids_under_a_nested_mount(tmp_path):
    ids = ["team/aws/creds/deployer/a", "team/aws/sts/deployer/b", "aws/sts/deployer/c"]
    _lease_record.write(tmp_path, URL, [{"lease_id": i} for i in ids], who=ended_process())
    assert sorted(_lease_record.leftovers(tmp_path, URL, "team/aws")) == ids[:2]
    assert _lease_record.leftovers(tmp_path, URL, "aws") == ids[2:]


NOW = datetime.datetime(2026, 1, 2, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    "elsewhere",
    [{"boot_id": "another-boot"}, {"host": "another-host"}, {"pid_ns": "pid:[1]"}, {"boot_id": None, "host": None}],
    ids=["other-boot", "other-host", "other-pid-namespace", "no-machine-recorded"],
)
def test_a_record_of_another_machine_is_not_judged_by_its_pid(tmp_path, elsewhere):
    """Its pid is a process of another machine or namespace: alive or not here says nothing."""
    who = {**ended_process(), **elsewhere}
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/d/a", "expiration": "2026-01-02T12:30:00Z"}], who=who)
    assert _lease_record.leftovers(tmp_path, URL, "aws", now=NOW) == []  # left to its TTL
    just_after = NOW + datetime.timedelta(minutes=31)
    assert _lease_record.leftovers(tmp_path, URL, "aws", now=just_after) == []  # clocks may differ
    later = NOW + datetime.timedelta(minutes=36)
    assert _lease_record.leftovers(tmp_path, URL, "aws", now=later) == ["aws/sts/d/a"]  # over: drop the record


def test_a_live_pid_of_another_machine_does_not_keep_an_expired_record(tmp_path):
    who = {**_lease_record.owner(), "boot_id": "another-boot"}
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/d/a", "expiration": "2026-01-01T00:00:00Z"}], who=who)
    assert _lease_record.leftovers(tmp_path, URL, "aws", now=NOW) == ["aws/sts/d/a"]
