from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.plugin_utils import _drift

TIMEOUT = {"address": "module.alb.aws_lb.this", "action": "update", "attributes": ["idle_timeout"]}
BOTH = {**TIMEOUT, "attributes": ["enable_http2", "idle_timeout"]}
CLEAN = {"changed": False, "changes": []}


def account(host, *changes):
    return {"host": host, "account_id": f"{host}-id", "plan": {"changed": bool(changes), "changes": list(changes)}}


def test_the_first_drift_of_an_account_is_new_and_a_clean_account_is_not_known():
    found = _drift.news([account("acme", TIMEOUT), account("globex")], {})
    assert found["known_drift"] == {"acme": ["update module.alb.aws_lb.this (idle_timeout)"]}
    assert [(n["host"], n["kind"]) for n in found["new"]] == [("acme", "new")]


def test_the_same_drift_again_is_no_news_and_other_attributes_of_it_are():
    first = _drift.news([account("acme", TIMEOUT)], {})
    assert _drift.news([account("acme", TIMEOUT)], first)["new"] == []
    changed = _drift.news([account("acme", BOTH)], first)
    assert [(n["host"], n["kind"]) for n in changed["new"]] == [("acme", "changed")]
    assert changed["new"][0]["changes"] == ["update module.alb.aws_lb.this (enable_http2,idle_timeout)"]


def test_repaired_drift_is_forgotten_so_that_it_is_news_when_it_comes_back():
    first = _drift.news([account("acme", TIMEOUT)], {})
    repaired = _drift.news([account("acme")], first)
    assert repaired == {"known_drift": {}, "new": []}
    assert len(_drift.news([account("acme", TIMEOUT)], repaired)["new"]) == 1


def test_an_account_this_run_did_not_plan_keeps_its_known_drift():
    first = _drift.news([account("acme", TIMEOUT), account("globex", TIMEOUT)], {})
    # globex failed before its plan this time: no news of it, and its drift is still known.
    second = _drift.news([account("acme", TIMEOUT)], first)
    assert second["new"] == []
    assert set(second["known_drift"]) == {"acme", "globex"}


def test_the_notice_names_each_account_its_changes_and_the_report():
    text = _drift.notice(_drift.news([account("acme", TIMEOUT)], {})["new"], "/r/drift-report.md")
    assert text.splitlines() == [
        "voicestack drift check: new or changed drift in 1 account(s)",
        "- acme-id (acme, new): update module.alb.aws_lb.this (idle_timeout)",
        "Report: /r/drift-report.md",
    ]
