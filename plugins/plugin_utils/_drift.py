# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Which accounts' drift is new since the last drift check: the drift each
account is known to have (what its plan would change) is kept in the drift
report, and a notice is due only for an account whose drift was not known,
or differs from what was known."""

from __future__ import annotations


def signature(plan: dict) -> list[str]:
    """What an account's drift is: each change its plan would make (action, resource, changed attributes'
    names), sorted; empty when the plan changes nothing."""
    lines = []
    for change in plan.get("changes") or []:
        attributes = ",".join(change.get("attributes") or [])
        lines.append(f"{change['action']} {change['address']}" + (f" ({attributes})" if attributes else ""))
    return sorted(lines)


def known(report: dict) -> dict[str, list[str]]:
    """host -> signature of the drift a report knew of."""
    return dict(report.get("known_drift") or {})


def news(accounts: list[dict], previous: dict) -> dict:
    """Compare this run's accounts (host, account_id, plan) with the previous report.

    Returns `known_drift`, the drift known after this run (an account this run did not plan keeps what was known
    of it), and `new`, each account whose drift is new or changed, with `kind` (new or changed) and its
    signature as `changes`."""
    before = known(previous)
    after = {host: lines for host, lines in before.items() if host not in {a["host"] for a in accounts}}
    new = []
    for account in accounts:
        lines = signature(account["plan"])
        if not lines:
            continue
        after[account["host"]] = lines
        if before.get(account["host"]) != lines:
            kind = "changed" if account["host"] in before else "new"
            new.append({"host": account["host"], "account_id": account["account_id"], "kind": kind, "changes": lines})
    return {"known_drift": dict(sorted(after.items())), "new": new}


def notice(new: list[dict], report: str) -> str:
    """A chat message (Slack's `text`) naming each account whose drift is new or changed, and the report."""
    lines = [f"voicestack drift check: new or changed drift in {len(new)} account(s)"]
    for account in new:
        lines.append(
            f"- {account['account_id']} ({account['host']}, {account['kind']}): " + "; ".join(account["changes"])
        )
    lines.append(f"Report: {report}")
    return "\n".join(lines)
