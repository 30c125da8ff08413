"""The Kubernetes version against the EKS release calendar (module eks_version_support): the
refusal, and the warnings before an end of support, on an injected date so that they do not rot."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest
from local_playbook import run_report  # beside this file

from ansible_collections.voicestack.aws.plugins.module_utils._kubernetes_support import assess

CALENDAR_FILE = Path(__file__).parents[2] / "terraform" / "stacks" / "voice" / "kubernetes_versions.json"
CALENDAR = json.loads(CALENDAR_FILE.read_text())
# A made-up calendar: the dates here are fixed, not the real ones.
TEST_CALENDAR = {
    "default": "1.41",
    "versions": {
        "1.40": {"end_of_standard_support": "2030-03-01", "end_of_extended_support": "2031-03-01"},
        "1.41": {"end_of_standard_support": "2030-07-01", "end_of_extended_support": "2031-07-01"},
    },
}


def day(text):
    return datetime.date.fromisoformat(text)


def test_the_shipped_calendar_is_well_formed():
    assert CALENDAR["default"] in CALENDAR["versions"]
    for version, entry in CALENDAR["versions"].items():
        assert day(entry["end_of_standard_support"]) < day(entry["end_of_extended_support"]), version
    # 1.31's extended support ended on 2026-11-26 (EKS release calendar).
    assert CALENDAR["versions"]["1.31"]["end_of_extended_support"] == "2026-11-26"


def test_past_end_of_extended_support_is_refused():
    error = assess("1.40", TEST_CALENDAR, day("2031-03-01"))[1]
    assert error == (
        "kubernetes_version: EKS 1.40 reached its end of extended support on 2031-03-01; "
        "EKS no longer creates or keeps clusters on it. Use 1.41."
    )


def test_the_real_1_31_is_refused_today():
    error = assess("1.31", CALENDAR, datetime.date.today())[1]
    assert "reached its end of extended support on 2026-11-26" in error


def test_an_unknown_version_is_refused_naming_the_known_ones():
    error = assess("1.29", TEST_CALENDAR, day("2030-01-01"))[1]
    assert error == "kubernetes_version: '1.29' is not an EKS version this collection knows; use one of 1.40, 1.41."


@pytest.mark.parametrize(
    ("today", "support_type", "expected"),
    [
        ("2029-12-30", "STANDARD", []),  # 61 days before the end of standard support
        ("2030-01-01", "STANDARD", ["ends standard support on 2030-03-01, in 59 days: EKS upgrades the cluster"]),
        ("2030-01-01", "EXTENDED", ["in 59 days: the cluster enters extended support then, and extended support"]),
        ("2030-06-01", "STANDARD", ["past its end of standard support (2030-03-01): EKS upgrades the cluster"]),
        ("2030-06-01", "EXTENDED", ["past its end of standard support (2030-03-01): the cluster stays on it"]),
        (
            "2031-02-01",
            "EXTENDED",
            ["past its end of standard support", "ends extended support on 2031-03-01, in 28 days"],
        ),
    ],
)
def test_warnings_near_an_end(today, support_type, expected):
    dates, error, warnings = assess("1.40", TEST_CALENDAR, day(today), support_type, 60)
    assert error is None
    assert dates == {"end_of_standard_support": "2030-03-01", "end_of_extended_support": "2031-03-01"}
    assert len(warnings) == len(expected), warnings
    for warning, part in zip(warnings, expected, strict=True):
        assert part in warning, warning


PLAYBOOK = """
- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Check
      voicestack.aws.eks_version_support:
        version: "{{ version }}"
        calendar: "{{ calendar }}"
        today: "{{ today }}"
"""


def test_the_module_warns_and_refuses_through_ansible(tmp_path):
    hosts = {
        "near": {"version": "1.40", "calendar": TEST_CALENDAR, "today": "2030-02-01"},
        "far": {"version": "1.41", "calendar": TEST_CALENDAR, "today": "2030-02-01"},
        "ended": {"version": "1.40", "calendar": TEST_CALENDAR, "today": "2031-05-01"},
    }
    report = run_report(tmp_path, hosts, PLAYBOOK, dict(os.environ))
    outcome = report["plays"][0]["tasks"][0]["hosts"]
    assert not outcome["near"].get("failed")
    assert outcome["near"]["warnings"] == [
        "kubernetes_version: EKS 1.40 ends standard support on 2030-03-01, in 28 days: EKS upgrades the cluster "
        "to the next version then (kubernetes_support_type STANDARD). Plan the upgrade."
    ]
    assert not outcome["far"].get("failed")
    assert not outcome["far"].get("warnings")
    assert outcome["ended"]["failed"]
    assert "reached its end of extended support on 2031-03-01" in outcome["ended"]["msg"]
