"""The molecule scenarios (molecule/) against the sandbox, in one
`molecule test --all` run: check, default and drift, in that (name) order, on
the scenarios' own account (molecule/inventory), which the default scenario
creates before the first and destroys after the last (shared state)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from kubernetes import client as k8s

from dev.settings import ROOT
from dev.testkit.ansible_cli import sandbox_env

pytestmark = pytest.mark.integration

ACCOUNT = "345678901234"
NAMESPACE = "voice-molecule"
AGENT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/molecule-voice-agent"
MOLECULE = Path(sys.executable).parent / "molecule"
MOLECULE_DIR = ROOT / "molecule"


def molecule(sandbox, ephemeral: Path, *args, timeout=3000):
    """molecule from the checkout, with the sandbox's environment (molecule.yml
    takes VAULT_TOKEN from it) and its own ephemeral directory."""
    env = {
        **os.environ,
        **sandbox_env(sandbox),
        "MOLECULE_EPHEMERAL_DIRECTORY": str(ephemeral),
        "NO_COLOR": "1",
        "ANSIBLE_NOCOLOR": "1",
    }
    return subprocess.run(
        [str(MOLECULE), *args],
        cwd=ROOT,
        env=env,
        # One stream: molecule's step lines and ansible's output, in order.
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def output(result) -> str:
    return result.stdout[-8000:]


def steps(result, scenario: str, action: str) -> str:
    """What the steps of one kind of one scenario printed."""
    text = result.stdout
    # molecule's log lines read "[scenario > action] Executing" without colours.
    mark = re.escape(f"[{scenario} > {action}]")
    found = re.findall(rf"{mark} Executing\n(.*?){mark} Executed", text, re.S)
    assert found, f"no '{action}' step of scenario {scenario}:\n" + output(result)
    return "\n".join(found)


@pytest.fixture(scope="module")
def ephemeral(tmp_path_factory):
    return tmp_path_factory.mktemp("molecule")


@pytest.fixture(scope="module")
def scenarios(sandbox, ephemeral):
    """Every scenario, leaving the converged account for the test of verify
    below; destroyed afterwards through the default scenario."""
    # One apply and one destroy of the whole stack, a few plans: several minutes.
    result = molecule(sandbox, ephemeral, "test", "--all", "--destroy", "never", "--no-command-borders")
    yield result
    gone = molecule(sandbox, ephemeral, "destroy", "-s", "default", "--no-command-borders")
    assert gone.returncode == 0, output(gone)


@pytest.mark.timeout(3600)
def test_every_scenario_passes(scenarios):
    assert scenarios.returncode == 0, output(scenarios)
    recap = re.findall(r"^(\w+)\s+: actions=\d+ .* missing=(\d+)\s+failed=(\d+)$", scenarios.stdout, re.M)
    assert {scenario[0] for scenario in recap} == {"check", "default", "drift"}, output(scenarios)
    # A step whose playbook is missing counts as "missing", not as failed.
    assert {scenario[1:] for scenario in recap} == {("0", "0")}, output(scenarios)


def test_check_mode_planned_the_whole_stack_and_created_nothing(scenarios):
    checked = steps(scenarios, "check", "check")
    counts = re.search(r'"create": (\d+),\s+"delete": 0,\s+"replace": 0,\s+"update": 0', checked)
    assert counts and int(counts.group(1)) >= 10, checked[-4000:]
    verified = steps(scenarios, "check", "verify")
    assert "no resource in the state, no load balancer, agent role or service account was created" in verified
    assert "no outstanding lease of Vault roles voicestack-molecule and voicestack-molecule-planner" in verified


def test_a_second_converge_changes_nothing_but_its_own_lease(scenarios):
    idempotent = steps(scenarios, "default", "verify")
    assert "idempotent: an empty plan, and only 'Revoke this run's Vault lease and login token' changed" in idempotent
    assert f"{NAMESPACE}/voice-agent is annotated with {AGENT_ROLE}" in idempotent
    assert "molecule-voice: idle timeout 3600 s, HTTP/2 on" in idempotent


def test_drift_is_seen_before_it_is_repaired(scenarios):
    text = scenarios.stdout
    seen = text.find(f"drift detected in account {ACCOUNT}")
    assert seen >= 0, output(scenarios)
    assert "module.alb.aws_lb.this" in text[seen : seen + 400]
    repaired = text.find("molecule-voice: idle timeout 3600 s, HTTP/2 on", seen)
    assert repaired > seen, output(scenarios)


def test_verify_and_idempotence_fail_on_a_hand_edited_annotation(scenarios, sandbox, ephemeral):
    assert scenarios.returncode == 0, "needs the converged account the scenarios leave"
    env = sandbox_env(sandbox)
    config = k8s.Configuration()
    config.host = env["VOICESTACK_KUBE_API"]
    config.ssl_ca_cert = env["VOICESTACK_KUBE_CA_FILE"]
    config.api_key = {"authorization": f"Bearer {env['VOICESTACK_KUBE_TOKEN']}"}
    other = f"arn:aws:iam::{ACCOUNT}:role/someone-else"
    k8s.CoreV1Api(k8s.ApiClient(config)).patch_namespaced_service_account(
        "voice-agent", NAMESPACE, {"metadata": {"annotations": {"eks.amazonaws.com/role-arn": other}}}
    )
    failed = molecule(sandbox, ephemeral, "verify", "-s", "default", "--no-command-borders")
    assert failed.returncode != 0, output(failed)
    assert f"not with {AGENT_ROLE}" in failed.stdout, output(failed)
    assert other in failed.stdout, output(failed)

    # The idempotence step on its own (molecule runs it as a verify step): the
    # second converge puts the annotation back, a change it must report.
    second = subprocess.run(
        ["ansible-playbook", "-i", str(MOLECULE_DIR / "inventory"), str(MOLECULE_DIR / "default" / "idempotence.yml")],
        env={
            **os.environ,
            **env,
            "VAULT_TOKEN": sandbox["openbao"]["root_token"],
            "MOLECULE_SCENARIO_DIRECTORY": str(MOLECULE_DIR / "default"),
            "ANSIBLE_NOCOLOR": "1",
        },
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert second.returncode == 2, second.stdout[-4000:] + second.stderr[-2000:]
    assert "not idempotent" in second.stdout, second.stdout[-4000:]
    assert "with its IRSA annotation" in second.stdout, second.stdout[-4000:]
