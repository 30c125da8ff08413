# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""A fleet report: what one run of site.yml, drift.yml or destroy.yml did in
each customer account (converged, changed, failed, not reached), with the
stack version it ran, and which accounts a resumed run still has to touch."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

COLLECTION = Path(__file__).resolve().parents[2]
OUTCOMES = ("converged", "changed", "failed", "not reached")
# A resumed run leaves out the accounts whose last outcome was one of these, at the same stack version.
DONE = ("converged", "changed")


def collection_version(root: Path = COLLECTION) -> str:
    """The collection's version: an installed collection's MANIFEST.json, else the checkout's galaxy.yml."""
    manifest = root / "MANIFEST.json"
    if manifest.is_file():
        return json.loads(manifest.read_text())["collection_info"]["version"]
    for line in (root / "galaxy.yml").read_text().splitlines():
        if line.startswith("version:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    raise ValueError(f"no version in {root / 'galaxy.yml'}")


def terraform_digest(root: Path = COLLECTION) -> str:
    """sha256 of the bundled Terraform (every file's path and content, in path order; what a run plans)."""
    digest = hashlib.sha256()
    base = root / "terraform"
    for path in sorted(p for p in base.rglob("*") if p.is_file() and ".terraform" not in p.relative_to(base).parts):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def stack_version(root: Path = COLLECTION) -> dict:
    return {"collection": collection_version(root), "terraform": terraform_digest(root)}


def outcome(record: dict) -> str:
    """One account's outcome from what the run recorded for it."""
    if not record.get("started"):
        return "not reached"
    if record.get("failed"):
        return "failed"
    return "changed" if any(int(n) for n in (record.get("counts") or {}).values()) else "converged"


def first_line(message) -> str | None:
    if isinstance(message, (list, tuple)):  # an assert's messages
        message = next((m for m in message if m), None)
    if not message:
        return None
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return lines[0][:300] if lines else None


def _count(counts, *kinds):
    """Resources of these plan actions; None without a plan (not reached, stopped before it, or destroy.yml,
    which plans nothing)."""
    return sum(int(counts.get(kind, 0)) for kind in kinds) if counts else None


def report(playbook: str, hosts: list[str], records: dict[str, dict], version: dict, started: str, ended: str) -> dict:
    """The report of one run over `hosts` (the play's hosts, in inventory order)."""
    accounts = []
    for host in hosts:
        record = records.get(host, {})
        counts = record.get("counts")
        accounts.append(
            {
                "host": host,
                "account_id": record.get("account_id"),
                "outcome": outcome(record),
                "added": _count(counts, "create", "replace"),
                "changed": _count(counts, "update"),
                "destroyed": _count(counts, "delete", "replace"),
                "seconds": record.get("seconds"),
                "error": first_line(record.get("error")),
            }
        )
    totals = {name: sum(1 for a in accounts if a["outcome"] == name) for name in OUTCOMES}
    return {
        "playbook": playbook,
        "started": started,
        "ended": ended,
        "stack_version": version,
        "totals": totals,
        "accounts": accounts,
    }


def markdown(fleet: dict) -> str:
    version = fleet["stack_version"]
    totals = ", ".join(f"{count} {name}" for name, count in fleet["totals"].items())
    lines = [
        f"# Fleet report: {fleet['playbook']}",
        "",
        f"{fleet['started']} to {fleet['ended']}; collection {version['collection']}, "
        f"Terraform {version['terraform'][:12]}; {totals}.",
        "",
        "| account | host | outcome | added | changed | destroyed | seconds | error |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in fleet["accounts"]:
        error = (a["error"] or "").replace("|", "\\|")
        seconds = "" if a["seconds"] is None else f"{a['seconds']:.1f}"
        added, changed, destroyed = ("" if a[key] is None else a[key] for key in ("added", "changed", "destroyed"))
        lines.append(
            f"| {a['account_id'] or ''} | {a['host']} | {a['outcome']} | {added} | {changed} | {destroyed} | "
            f"{seconds} | {error} |"
        )
    return "\n".join(lines) + "\n"


def still_to_do(fleet: dict, hosts: list[str], version: dict) -> list[str]:
    """The hosts a resumed run touches: every host but those the report has converged (or changed) at this
    stack version. A host the report does not name, or a report of another stack version, is not done."""
    if fleet.get("stack_version") != version:
        return list(hosts)
    done = {a["host"] for a in fleet.get("accounts", []) if a["outcome"] in DONE}
    return [host for host in hosts if host not in done]


def merge(previous: dict, current: dict) -> dict:
    """The report of a resumed run for the whole fleet: its own accounts, then those of the report it resumed
    that it did not touch (kept as they were, when of the same stack version)."""
    if previous.get("stack_version") != current["stack_version"]:
        return current
    touched = {a["host"] for a in current["accounts"]}
    accounts = current["accounts"] + [a for a in previous.get("accounts", []) if a["host"] not in touched]
    totals = {name: sum(1 for a in accounts if a["outcome"] == name) for name in OUTCOMES}
    return {**current, "totals": totals, "accounts": accounts, "resumed": previous.get("started")}
