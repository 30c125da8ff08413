"""The fleet report's outcomes, its stack version and what a resumed run still has to do."""

from __future__ import annotations

import shutil

import pytest

from ansible_collections.voicestack.aws.plugins.plugin_utils import _fleet

VERSION = {"collection": "1.0.0", "terraform": "ab" * 32}


def fleet():
    records = {
        "a": {"started": True, "counts": {"create": 2, "replace": 1}},
        "b": {"started": True, "failed": True, "error": "boom\nand more"},
        "c": {"started": True, "counts": {"create": 0, "update": 0}},
        "d": {},
    }
    return _fleet.report("site", list(records), records, VERSION, "t0", "t1")


def test_each_accounts_outcome_counts_and_first_error_line():
    report = fleet()
    assert [(a["host"], a["outcome"]) for a in report["accounts"]] == [
        ("a", "changed"),
        ("b", "failed"),
        ("c", "converged"),
        ("d", "not reached"),
    ]
    assert (report["accounts"][0]["added"], report["accounts"][0]["destroyed"]) == (3, 1)
    assert report["accounts"][1]["error"] == "boom"
    assert _fleet.first_line(["", "the first message\nits detail", "another"]) == "the first message"
    assert report["totals"] == {"converged": 1, "changed": 1, "failed": 1, "not reached": 1}
    assert "| | d | not reached |" in _fleet.markdown(report).replace("|  |", "| |")


def test_a_resumed_run_does_what_is_not_converged_at_this_stack_version():
    report = fleet()
    assert _fleet.still_to_do(report, ["a", "b", "c", "d", "e"], VERSION) == ["b", "d", "e"]
    # Another release: every account again.
    assert _fleet.still_to_do(report, ["a", "b"], {**VERSION, "terraform": "cd" * 32}) == ["a", "b"]


def test_a_resumed_runs_report_keeps_the_accounts_it_left_alone():
    previous = fleet()
    records = {"b": {"started": True}, "d": {"started": True}}
    merged = _fleet.merge(previous, _fleet.report("site", ["b", "d"], records, VERSION, "t2", "t3"))
    assert {a["host"]: a["outcome"] for a in merged["accounts"]} == {
        "b": "converged",
        "d": "converged",
        "a": "changed",
        "c": "converged",
    }
    assert merged["resumed"] == "t0"


@pytest.fixture
def checkout(tmp_path):
    root = tmp_path / "collection"
    shutil.copytree(_fleet.COLLECTION / "terraform", root / "terraform")
    (root / "galaxy.yml").write_text("namespace: voicestack\nname: aws\nversion: 2.3.4\n")
    return root


def test_the_stack_version_follows_the_bundled_terraform(checkout):
    before = _fleet.stack_version(checkout)
    assert before["collection"] == "2.3.4"
    (checkout / "terraform" / ".terraform").mkdir()
    (checkout / "terraform" / ".terraform" / "cache").write_text("not part of the stack")
    assert _fleet.stack_version(checkout) == before
    variables = checkout / "terraform" / "stacks" / "voice" / "variables.tf"
    variables.write_text(variables.read_text() + "\n# edited\n")
    assert _fleet.stack_version(checkout)["terraform"] != before["terraform"]
