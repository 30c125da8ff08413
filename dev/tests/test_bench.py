"""The benchmark's own logic: the process-tree memory sampler, the Vault audit
log counting and the table (dev/bench/measure.py, dev/bench/run.py's figures)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter

import psutil
import pytest

from dev.bench import measure, run

# A parent that starts a child holding 64 MiB, then both wait to be killed.
TREE = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "b = bytearray(64 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
                  "print('ready', flush=True); import time; time.sleep(60)"], stdout=sys.stdout)
time.sleep(60)
"""


@pytest.fixture
def tree():
    parent = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline().strip() == "ready"
    yield psutil.Process(parent.pid)
    for proc in [*psutil.Process(parent.pid).children(recursive=True), parent]:
        proc.kill()
    parent.wait()


def test_tree_memory_sums_the_process_and_its_descendants(tree):
    (child,) = tree.children(recursive=True)
    rss, pss, count = measure.tree_memory(tree)
    assert count == 2
    assert rss >= child.memory_info().rss >= 64 * 2**20
    assert rss > tree.memory_info().rss
    # The child's 64 MiB are its own pages: PSS counts them in full.
    assert rss >= pss >= 64 * 2**20


def test_tree_memory_of_an_ended_process_is_zero():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    handle = psutil.Process(proc.pid)
    proc.wait()
    assert measure.tree_memory(handle) == (0, 0, 0)


def test_stopwatch_counts_the_cpu_time_of_waited_for_descendants():
    burn = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'sum(range(3 * 10**7))'])"
    with measure.Stopwatch() as watch:
        subprocess.run([sys.executable, "-c", burn], check=True)
    assert watch.cpu_seconds > 0.1  # the grandchild's loop; an empty Python start takes far less
    assert watch.seconds > 0


def test_peak_rss_sees_the_child_memory(tree):
    with measure.PeakRss(tree.pid, interval=0.05) as peak:
        while peak.samples < 3:
            time.sleep(0.05)
    assert peak.peak_bytes >= peak.peak_pss_bytes >= 64 * 2**20
    assert peak.peak_processes == 2


def audit_lines(*paths, responses=True):
    for operation, path in paths:
        yield json.dumps({"type": "request", "request": {"operation": operation, "path": path}})
        if responses:
            yield json.dumps({"type": "response", "request": {"operation": operation, "path": path}})


ONE_RUN = [
    ("update", "auth/approle/login"),
    ("update", "aws/sts/bench-100000000001"),
    ("update", "sys/leases/lookup"),
    ("update", "sys/leases/revoke"),
    ("update", "auth/token/revoke-self"),
]


def test_vault_requests_counts_requests_by_kind_and_ignores_responses():
    kinds = measure.vault_requests(audit_lines(*ONE_RUN, ("read", "sys/policy/default")))
    assert kinds == Counter(
        {"login": 1, "issue": 1, "lookup-lease": 1, "revoke-lease": 1, "revoke-token": 1, "read sys/policy/default": 1}
    )
    assert not measure.one_of_each(kinds, 1)
    assert measure.per_account(kinds, 1) == (
        "login 1, issue 1, lookup-lease 1, revoke-lease 1, revoke-token 1, other 1"
    )


def test_one_of_each_per_account():
    kinds = measure.vault_requests(audit_lines(*(ONE_RUN * 4)))
    assert measure.one_of_each(kinds, 4)
    assert not measure.one_of_each(kinds, 2)
    assert measure.per_account(kinds, 8).startswith("login 0.5,")


def test_audit_since_reads_from_the_offset(tmp_path):
    log = tmp_path / "audit.log"
    log.write_text("\n".join(audit_lines(("update", "aws/sts/x"))) + "\n")
    offset = log.stat().st_size
    with log.open("a") as handle:
        handle.write("\n".join(audit_lines(*ONE_RUN)) + "\n")
    assert measure.audit_since(str(log), offset) == Counter(
        {"login": 1, "issue": 1, "lookup-lease": 1, "revoke-lease": 1, "revoke-token": 1}
    )


def test_provider_copies_counts_files_not_links(tmp_path):
    cache = tmp_path / "cache" / "terraform-provider-aws_v6"
    cache.parent.mkdir()
    cache.write_bytes(b"binary")
    providers = tmp_path / "work" / ".terraform" / "providers"
    providers.mkdir(parents=True)
    (providers / "terraform-provider-aws_v6").symlink_to(cache)
    assert run.provider_copies(tmp_path / "work") == 0
    (providers / "terraform-provider-time_v0").write_bytes(b"binary")
    assert run.provider_copies(tmp_path / "work") == 1


def fake_runs(apply=100.0, bare=90.0, noop=20.0):
    vault = dict(Counter(measure.vault_requests(audit_lines(*ONE_RUN))))
    one = {"seconds": apply, "cpu_seconds": apply / 2, "load_average": 2.0, "peak_rss_mb": 500, "peak_pss_mb": 300}
    one.update(peak_processes=9, vault=vault)
    two = {**one, "seconds": 150.0, "vault": {k: 2 * v for k, v in vault.items()}}
    return {
        "apply": one,
        "bare": {"seconds": bare, "cpu_seconds": bare / 2, "load_average": 2.0, "peak_rss_mb": 400},
        "noop": {**one, "seconds": noop, "cpu_seconds": noop / 2, "seconds_by_role": {"verify": 3.0, "playbook": 9.25}},
        "drift": {**one, "seconds": 15.0, "cpu_seconds": 7.5},
        "accounts": {1: one, 2: two},
        "bare_plan": {"seconds": 3.0, "cpu_seconds": 2.0, "load_average": 2.0, "peak_rss_mb": 300},
        "rollout": {"waves": {**one, "seconds": 300.0}, "at_once": {**one, "seconds": 200.0}, "resumed": one},
        "fleet": {
            "accounts": 16,
            "forks": 8,
            "drift": {**one, "seconds": 60.0, "cpu_seconds": 64.0, "cpu_by_role": {"terraform_stack": 48.0, "x": 16.0}},
            "noop": {**one, "seconds": 120.0, "cpu_seconds": 112.0, "cpu_by_role": {}},
            "compared": {
                "checkout": "abc1234",
                "drift": {**one, "cpu_seconds": 96.0, "cpu_by_role": {}},
                "noop": {**one, "cpu_seconds": 160.0, "cpu_by_role": {}},
            },
        },
        "work_dir_mb": 0.3,
        "provider_copies": 0,
    }


def test_figures_compare_with_the_targets():
    rows = {row["figure"]: row for row in run.figures(fake_runs(), [1, 2])}
    assert rows["overhead: site.yml / bare tofu"]["measured"] == "1.11 wall, 1.11 CPU"
    assert rows["overhead: site.yml / bare tofu"]["met"] is True
    assert rows["no-op rerun / first apply"]["met"] is True
    assert rows["no-op rerun: task seconds per role"]["measured"] == "playbook 9.2, verify 3.0"
    assert rows["Vault requests per account: 2 accounts"]["met"] is True
    assert "; 1.50 x N=1; peak RSS 500 MiB (250 per account)" in rows["accounts: N = 2, --forks 2"]["measured"]

    assert rows["rollout: in waves / at once"]["measured"].startswith("1.50 wall")
    # Per account: drift 64 / 16 = 4.0 s CPU, 2.0 x bare plan (met); no-op 112 / 16 = 7.0 s, 3.5 x (missed).
    drift = rows["fleet: drift.yml, 16 accounts, --forks 8"]
    assert "4.0 s CPU per account, 2.00 x bare tofu plan" in drift["measured"] and drift["met"] is True
    noop = rows["fleet: no-op site.yml (default waves), 16 accounts, --forks 8"]
    assert "7.0 s CPU per account, 3.50 x bare tofu plan" in noop["measured"] and noop["met"] is False
    assert rows["fleet: drift.yml, CPU seconds per account by role"]["measured"] == "terraform_stack 3.00, x 1.00"
    # --compare-with: the other checkout's fleet rows, on the same accounts and bare plan.
    compared = rows["fleet: drift.yml of abc1234, 16 accounts, --forks 8"]
    assert "6.0 s CPU per account, 3.00 x bare tofu plan" in compared["measured"] and compared["met"] is False

    missed = {row["figure"]: row for row in run.figures(fake_runs(apply=120.0, noop=40.0), [1, 2])}
    assert missed["overhead: site.yml / bare tofu"]["met"] is False
    assert missed["no-op rerun / first apply"]["met"] is False
    assert "| **no** |" in measure.markdown_table(list(missed.values()))


PROFILE_RECAP = """\
TASKS RECAP ********************************************************************
Monday 30 November 2026  06:19:36 +0000 (0:00:00.052)       0:01:53.994 *******
===============================================================================
voicestack.aws.terraform_stack : Apply exactly that plan --------------- 76.60s
voicestack.aws.terraform_stack : Plan (credentials only in the terraform process environment) -- 10.95s
voicestack.aws.verify : The agent's service account --------------------- 1.87s
Verify the deployed stack ----------------------------------------------- 0.38s
Plan and apply the account's stack -------------------------------------- 0.12s
"""


def test_seconds_by_role_sums_the_profile_recap_per_role():
    assert measure.seconds_by_role(PROFILE_RECAP.splitlines(keepends=True)) == {
        "terraform_stack": 87.55,
        "verify": 1.87,
        "playbook": 0.5,
    }


CPU_PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Burn a second of CPU in a child process
      ansible.builtin.command:
        argv: ["{{ ansible_playbook_python }}", "burn.py"]
      changed_when: false
    - name: Next
      ansible.builtin.debug:
        msg: done
"""
BURN = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 1:\n    pass\n"


def test_the_cpu_tasks_callback_charges_a_task_with_its_child_processes(tmp_path):
    (tmp_path / "play.yml").write_text(CPU_PLAYBOOK)
    (tmp_path / "burn.py").write_text(BURN)
    env = {
        **os.environ,
        "ANSIBLE_CALLBACK_PLUGINS": str(run.ROOT / "dev" / "bench" / "callbacks"),
        "ANSIBLE_CALLBACKS_ENABLED": "cpu_tasks",
        "VOICESTACK_CPU_TASKS": str(tmp_path / "cpu.json"),
    }
    subprocess.run(["ansible-playbook", "play.yml"], cwd=tmp_path, env=env, check=True)
    rows = {task: (role, cpu) for task, role, cpu in json.loads((tmp_path / "cpu.json").read_text())}
    assert rows["Burn a second of CPU in a child process"][0] == "playbook"
    assert rows["Burn a second of CPU in a child process"][1] >= 1.0
    assert rows["Next"][1] < 1.0
    assert measure.cpu_by_role([["a", "verify", 1.5], ["b", "verify", 0.25], ["c", "playbook", 2.0]]) == {
        "verify": 1.75,
        "playbook": 2.0,
    }
