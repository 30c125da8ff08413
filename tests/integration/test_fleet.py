"""site.yml across a fleet of six sandbox accounts: the rollout goes in waves
(a canary account, then growing waves), a failed account stops the later
waves, the fleet report says which accounts were not reached, and a run
given that report touches only the accounts it does not have converged.

A failure is injected where it costs no cloud call: an agent timeout shorter
than the load balancer's idle timeout, which site.yml's preflight refuses. The
runs are limited to the preflight stage (--tags preflight), so each account's
outcome comes from the real playbook, waves and callback, without an apply."""

from __future__ import annotations

import json
import re

import pytest

from dev.testkit.ansible_cli import INVENTORY, ansible_playbook, moto_request_offset, moto_requests, output
from dev.testkit.canary import audit_offset

pytestmark = pytest.mark.integration

HOSTS = [f"fleet{n}" for n in range(1, 7)]
WAVES = json.dumps({"site_waves": [1, 2, "100%"]})


def inventory(directory, broken=()):
    """Six accounts with the sandbox's settings; each host in `broken` fails site.yml's preflight."""
    (directory / "group_vars").unlink(missing_ok=True)
    (directory / "group_vars").symlink_to(INVENTORY / "group_vars")
    hosts = {
        host: {
            "voicestack_account_id": f"77770000000{n}",
            "voicestack_customer": host,
            "vault_credentials_aws_role": f"voicestack-{host}",
            **({"verify_agent_server_timeout": 60} if host in broken else {}),
        }
        for n, host in enumerate(HOSTS, start=1)
    }
    (directory / "hosts.yml").write_text(json.dumps({"customer_accounts": {"hosts": hosts}}))
    return directory


def rollout(sandbox, path, reports, *extra):
    env = {"VOICESTACK_FLEET_REPORT_DIR": str(reports)}
    return ansible_playbook(sandbox, "site.yml", "--tags", "preflight", "-e", WAVES, *extra, inventory=path, env=env)


def outcomes(reports):
    fleet = json.loads((reports / "fleet-site.json").read_text())
    return {a["host"]: a["outcome"] for a in fleet["accounts"]}, fleet


def ran(result):
    """The hosts that ran at least one task."""
    return sorted(set(re.findall(r"^(?:ok|changed|fatal|skipping): \[(fleet\d)\]", result.stdout, re.MULTILINE)))


def test_a_failed_canary_stops_the_rollout_with_the_others_untouched(sandbox, tmp_path):
    audit_log = sandbox["openbao"]["audit_log"]
    audit, requests = audit_offset(audit_log), moto_request_offset(sandbox)
    path, reports = inventory(tmp_path, broken={"fleet1"}), tmp_path / "reports"
    stopped = rollout(sandbox, path, reports)
    assert stopped.returncode == 2, output(stopped)
    assert ran(stopped) == ["fleet1"]
    found, fleet = outcomes(reports)
    assert found == {"fleet1": "failed", **{host: "not reached" for host in HOSTS[1:]}}
    assert fleet["accounts"][0]["error"].startswith("the agent's server-side timeout (60 s) is shorter")
    assert "not reached, untouched by this run: fleet2, fleet3, fleet4, fleet5, fleet6" in " ".join(
        stopped.stderr.split()
    )
    assert "| 777700000002 | fleet2 | not reached |" in (reports / "fleet-site.md").read_text()
    assert moto_requests(sandbox, requests) == []
    assert audit_offset(audit_log) == audit


def test_a_failure_in_a_later_wave_stops_the_next_waves_and_a_resumed_run_touches_only_the_rest(sandbox, tmp_path):
    reports = tmp_path / "reports"
    stopped = rollout(sandbox, inventory(tmp_path, broken={"fleet3"}), reports)
    assert stopped.returncode == 2, output(stopped)
    found, fleet = outcomes(reports)
    # The canary converged; in the second wave fleet3 failed and fleet2, stopped with it, did not finish.
    assert found == {
        "fleet1": "converged",
        "fleet2": "failed",
        "fleet3": "failed",
        "fleet4": "not reached",
        "fleet5": "not reached",
        "fleet6": "not reached",
    }
    assert "max_fail_percentage" in fleet["accounts"][1]["error"]
    assert ran(stopped) == ["fleet1", "fleet2", "fleet3"]

    fixed = inventory(tmp_path)
    report = str(reports / "fleet-site.json")
    resumed = rollout(sandbox, fixed, reports, "-e", f"fleet_resume={report}")
    assert resumed.returncode == 0, output(resumed)
    assert ran(resumed) == HOSTS[1:]
    found, fleet = outcomes(reports)
    assert found == dict.fromkeys(HOSTS, "converged")
    assert fleet["resumed"]
    # Nothing left to do: a second resume touches no account.
    again = rollout(sandbox, fixed, reports, "-e", f"fleet_resume={report}")
    assert again.returncode == 0, output(again)
    assert ran(again) == []
