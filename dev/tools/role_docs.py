"""Each role README's options table, generated from its meta/argument_specs.yml
(the one place the options are documented).

  python -m dev.tools.role_docs          # rewrite the table in every roles/*/README.md
  python -m dev.tools.role_docs --check  # exit 1 when a README's table is stale (make lint)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

from dev.settings import ROOT

BEGIN = "<!-- BEGIN OPTIONS: generated from meta/argument_specs.yml by dev/tools/role_docs.py, do not edit -->"
END = "<!-- END OPTIONS -->"
# Ansible documentation markup, as plain Markdown.
MARKUP = re.compile(r"\b([CMOVIRE])\(([^)]*)\)")


def plain(text) -> str:
    text = " ".join(text) if isinstance(text, list) else str(text)
    text = MARKUP.sub(lambda m: f"*{m.group(2)}*" if m.group(1) == "I" else f"`{m.group(2)}`", text)
    return " ".join(text.split()).replace("|", "\\|")


def default(spec: dict) -> str:
    if "default" not in spec:
        return ""
    value = spec["default"]
    return f"`{value if isinstance(value, str) else json.dumps(value)}`"


def render(role: Path) -> str:
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    lines = [BEGIN, "## Options", ""]
    for entry_point, spec in specs.items():
        lines += [f"### Entry point `{entry_point}`", "", plain(spec.get("short_description", "")), ""]
        lines += ["| option | type | required | default | description |", "| --- | --- | --- | --- | --- |"]
        for name, option in spec.get("options", {}).items():
            choices = f" Choices: {', '.join(f'`{c}`' for c in option['choices'])}." if "choices" in option else ""
            lines.append(
                f"| `{name}` | {option.get('type', 'str')} | {'yes' if option.get('required') else 'no'} "
                f"| {default(option)} | {plain(option.get('description', ''))}{choices} |"
            )
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def with_table(readme: str, table: str) -> str:
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        return head + table + rest.split(END, 1)[1]
    return readme.rstrip("\n") + "\n\n" + table + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--check", action="store_true", help="only report stale READMEs")
    args = parser.parse_args()
    stale = []
    for role in sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir()):
        path = role / "README.md"
        current = path.read_text() if path.exists() else f"# voicestack.aws.{role.name}\n"
        wanted = with_table(current, render(role))
        if wanted != current:
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.write_text(wanted)
    if args.check and stale:
        print(f"stale options table in {', '.join(stale)}: run python -m dev.tools.role_docs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
