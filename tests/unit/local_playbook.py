"""One local ansible-playbook run in which every inventory host is a case, read
through the JSON callback: for the roles' checks that need no service."""

from __future__ import annotations

import json
import shutil
import subprocess


def run_report(directory, hosts: dict, playbook: str, env: dict) -> dict:
    """The JSON callback's report of the run; env is the whole environment of ansible-playbook."""
    (directory / "hosts.json").write_text(json.dumps({"all": {"hosts": hosts}}))
    (directory / "play.yml").write_text(playbook)
    result = subprocess.run(
        [shutil.which("ansible-playbook"), "-i", "hosts.json", "--forks", "4", "play.yml"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**env, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_HOST_KEY_CHECKING": "0"},
    )
    return json.loads(result.stdout)


def run_cases(directory, hosts: dict, playbook: str, env: dict) -> dict[str, list[tuple[str, bool, str]]]:
    """(task name, failed or unreachable, message on one line) of every task each host ran; env is the
    whole environment of ansible-playbook."""
    report = run_report(directory, hosts, playbook, env)
    outcomes = {name: [] for name in hosts}
    for play in report["plays"]:
        for task in play["tasks"]:
            for name, outcome in task["hosts"].items():
                failed = bool(outcome.get("failed") or outcome.get("unreachable"))
                outcomes[name].append((task["task"]["name"], failed, " ".join(str(outcome.get("msg", "")).split())))
    return outcomes


def failures(outcomes: dict) -> dict[str, list[str]]:
    """The messages of each host's failed tasks."""
    return {name: [message for _task, failed, message in tasks if failed] for name, tasks in outcomes.items()}
