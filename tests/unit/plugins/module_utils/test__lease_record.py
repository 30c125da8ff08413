"""Lease records: written without secrets, found as leftovers only once their run has ended."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

from ansible_collections.voicestack.aws.plugins.module_utils import _lease_record

URL = "https://vault.example.com:8200"


def ended_process():
    """The owner record of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    who = {"pid": child.pid, "started": _lease_record._started(child.pid)}
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
    assert _lease_record.leftovers(tmp_path, URL) == []


def test_an_ended_owners_lease_is_a_leftover_of_its_vault_only(tmp_path):
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/deployer/gone"}], who=ended_process())
    assert _lease_record.leftovers(tmp_path, URL) == ["aws/sts/deployer/gone"]
    assert _lease_record.leftovers(tmp_path, "https://other-vault:8200") == []


def test_a_reused_pid_does_not_keep_a_lease_alive(tmp_path):
    import os

    who = {"pid": os.getpid(), "started": _lease_record._started(os.getpid()) - 1}
    _lease_record.write(tmp_path, URL, [{"lease_id": "aws/sts/deployer/reused"}], who=who)
    assert _lease_record.leftovers(tmp_path, URL) == ["aws/sts/deployer/reused"]


def test_forget_removes_the_record_and_a_torn_record_is_ignored(tmp_path):
    _lease_record.write(tmp_path, URL, [{"lease_id": "a"}, {"lease_id": "b"}], who=ended_process())
    (tmp_path / "torn.json").write_text('{"lease_id": ')
    _lease_record.forget(tmp_path, ["a", "never-recorded"])
    assert _lease_record.leftovers(tmp_path, URL) == ["b"]
