"""Benchmarks of site.yml on the running sandbox (``make bench`` starts a fresh one).

Measures, in one run, and prints one Markdown table (and writes it as JSON):

- overhead: site.yml's first apply of one account vs bare ``tofu init`` +
  ``tofu apply -auto-approve`` of the same stack, inputs and backend settings
  (in a fresh account of its own, so that both are first applies);
- no-op rerun: site.yml again on the converged account;
- drift: drift.yml on the converged account;
- vault: Vault requests per account run, from OpenBao's audit log;
- accounts: N fresh accounts in one site.yml run with --forks N: wall time and
  the peak RSS summed over ansible-playbook and all its descendants;
- rollout: site.yml on 6 fresh accounts in its default waves (a canary, then
  10%, then the rest), on 6 others all at once, and the first again resumed
  from its fleet report (nothing left to do);
- fleet: drift.yml and a no-op site.yml (in its default waves) over every
  account site.yml applied (16 with the default --accounts), CPU per account
  against bare ``tofu init && tofu plan -detailed-exitcode`` of a converged
  stack, the cost a nightly drift check pays per account.

Each account is a generated inventory host (a Vault role of its own, a state
bucket made by bootstrap_backend.yml, an agent namespace of its own) that
reuses the sandbox inventory's group_vars. Vault logins use AppRole, as a
scheduled run would. Logs of every run go to the output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import hvac
import psutil
import yaml

from dev.bench.measure import (
    PeakRss,
    Stopwatch,
    audit_since,
    cpu_by_role,
    markdown_table,
    one_of_each,
    per_account,
    seconds_by_role,
)
from dev.sandbox import vault_setup
from dev.sandbox.sandbox import REGION
from dev.settings import ROOT, SANDBOX_INVENTORY, sandbox_dir, tools_env
from dev.testkit import tf
from dev.testkit.ansible_cli import sandbox_env

FIRST_ACCOUNT = 100000000001  # generated account ids count up from here
ROLLOUT = 6  # accounts of each rollout figure
ALL_AT_ONCE = '{"site_waves": ["100%"]}'

TARGET_OVERHEAD = 1.15
TARGET_NOOP = 0.25
# CPU per account over a fleet, against bare tofu init + plan of one converged stack.
TARGET_FLEET_DRIFT = 2.0
TARGET_FLEET_NOOP = 3.0
# The baseline, as an operator would type it ($0: the tofu binary).
BARE_TOFU = '"$0" init -input=false -backend-config=backend.hcl && "$0" apply -input=false -auto-approve'
# And of the drift check: exit code 0 when the stack is converged (2 would be drift).
BARE_PLAN = '"$0" init -input=false -backend-config=backend.hcl && "$0" plan -input=false -detailed-exitcode'


def measured(watch, rss) -> dict:
    """Time, CPU, load and peak memory of one measured run."""
    return {
        "seconds": round(watch.seconds, 1),
        "cpu_seconds": round(watch.cpu_seconds, 1),
        "load_average": round(os.getloadavg()[1], 2),
        "peak_rss_mb": round(rss.peak_bytes / 2**20),
        "peak_pss_mb": round(rss.peak_pss_bytes / 2**20),
    }


class Bench:
    def __init__(self, sandbox: dict, tools: dict, out: Path):
        self.sandbox, self.tools, self.out = sandbox, tools, out
        self.vault = hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])
        self.next_account = FIRST_ACCOUNT
        self.secret_id = self.vault.auth.approle.generate_secret_id("voicestack")["data"]["secret_id"]
        self.inventories = Path(tempfile.mkdtemp(prefix="bench-inventory-", dir=out))
        self.bare_stack = None  # the stack folder of the bare tofu runs (bare_stack_like)

    # -- accounts -----------------------------------------------------------

    def new_accounts(self, count: int) -> list[str]:
        """count fresh account ids, each onboarded for its customer bench<last four digits>."""
        ids = [str(self.next_account + i) for i in range(count)]
        self.next_account += count
        for account in ids:
            # Vault counts a lease from when STS answered: with a default TTL equal to
            # the 30 min floor (min_ttl), a slow AssumeRole under load yields 1797 s and
            # fails the floor. One hour leaves the margin a customer's role needs too.
            vault_setup.onboard(self.sandbox, REGION, account, f"bench{account[-4:]}", ttl=3600)
        return ids

    def inventory(self, name: str, accounts: list[str]) -> Path:
        """An inventory of these accounts, sharing the sandbox inventory's group_vars."""
        folder = self.inventories / name
        folder.mkdir()
        (folder / "group_vars").symlink_to(SANDBOX_INVENTORY / "group_vars")
        hosts = {
            f"b{account[-4:]}": {
                "voicestack_account_id": account,
                "voicestack_customer": f"bench{account[-4:]}",
                "vault_credentials_aws_role": f"voicestack-bench{account[-4:]}",
                "vault_credentials_planner_aws_role": f"voicestack-bench{account[-4:]}-planner",
                "vault_credentials_auth_method": "approle",
                "vault_credentials_role_id": self.sandbox["openbao"]["approle"]["role_id"],
                "sandbox_agent_namespace": f"voice-{account[-4:]}",
                # One kube-apiserver serves every sandbox cluster: a node port of its own per account.
                "sandbox_alb_node_port": 31000 + int(account) % 1000,
                # No model keys: their Vault login is made by onboarding, which the generated accounts skip; the
                # figures are of the stack, the service account and verify, as before model keys existed.
                "model_keys_sets": [],
            }
            for account in accounts
        }
        (folder / "hosts.yml").write_text(yaml.safe_dump({"customer_accounts": {"hosts": hosts}}, explicit_start=True))
        return folder

    # -- runs ---------------------------------------------------------------

    def playbook(
        self, label: str, inventory: Path, playbook: str, forks: int, *extra: str, profile=False, checkout=ROOT
    ) -> dict:
        """One ansible-playbook run: wall time, peak tree RSS, Vault requests; its output to <label>.log.
        checkout: the collection checkout whose playbook and roles run (another one for --compare-with)."""
        env = {
            **os.environ,
            **sandbox_env(self.sandbox),
            "VOICESTACK_VAULT_SECRET_ID": self.secret_id,
            "ANSIBLE_STDOUT_CALLBACK": "default",
        }
        if checkout != ROOT:
            env["ANSIBLE_COLLECTIONS_PATH"] = str(collections_path(checkout, self.out))
        env.pop("VAULT_TOKEN", None)
        # CPU seconds per task (dev/bench/callbacks/cpu_tasks.py) of every run; the wall time per task of a
        # profiled one.
        cpu_tasks = self.out / f"{label}.cpu.json"
        env["ANSIBLE_CALLBACK_PLUGINS"] = str(ROOT / "dev" / "bench" / "callbacks")
        env["VOICESTACK_CPU_TASKS"] = str(cpu_tasks)
        env["ANSIBLE_CALLBACKS_ENABLED"] = "cpu_tasks"
        if profile:
            env["ANSIBLE_CALLBACKS_ENABLED"] += ",ansible.posix.profile_tasks"
            env["PROFILE_TASKS_TASK_OUTPUT_LIMIT"] = "all"
        argv = ["ansible-playbook", "-i", str(inventory), "--forks", str(forks), str(checkout / "playbooks" / playbook)]
        audit = self.sandbox["openbao"]["audit_log"]
        offset = os.path.getsize(audit)
        log = self.out / f"{label}.log"
        print(f"  {label}: {playbook} --forks {forks} ...", flush=True)
        with log.open("w") as handle, Stopwatch() as watch:
            proc = subprocess.Popen([*argv, *extra], env=env, stdout=handle, stderr=subprocess.STDOUT)
            with PeakRss(proc.pid) as rss:
                proc.wait()
        if proc.returncode != 0:
            raise SystemExit(f"{label}: ansible-playbook exited {proc.returncode}; see {log}")
        result = {
            **measured(watch, rss),
            "peak_processes": rss.peak_processes,
            "vault": dict(audit_since(audit, offset)),
            "cpu_by_role": cpu_by_role(json.loads(cpu_tasks.read_text())),
        }
        if profile:
            with log.open() as lines:
                result["seconds_by_role"] = seconds_by_role(lines)
        print(f"  {label}: {result}", flush=True)
        return result

    def rollout(self, in_waves: list[str], at_once: list[str]) -> dict:
        """site.yml on fresh accounts in its default waves, then again resumed from that run's fleet report; and on
        other fresh accounts all at once."""
        waves_inventory = self.inventory("rollout-waves", in_waves)
        waves = self.playbook("rollout-waves", waves_inventory, "site.yml", len(in_waves))
        report = Path(sandbox_env(self.sandbox)["VOICESTACK_FLEET_REPORT_DIR"]) / "fleet-site.json"
        kept = shutil.copy(report, self.out / "fleet-site-rollout-waves.json")
        resumed = self.playbook(
            "rollout-resumed", waves_inventory, "site.yml", len(in_waves), "-e", f"fleet_resume={kept}"
        )
        once = self.inventory("rollout-at-once", at_once)
        everything = self.playbook("rollout-at-once", once, "site.yml", len(at_once), "-e", ALL_AT_ONCE)
        return {"waves": waves, "resumed": resumed, "at_once": everything}

    def bare(self, label: str, script: str, account: str, ok=(0,)) -> dict:
        """One run of a bare tofu script in the bare account's stack folder, with fresh STS credentials from
        Vault in its environment."""
        creds = tf.issue(self.sandbox, self.sandbox["openbao"]["root_token"], role=f"voicestack-bench{account[-4:]}")
        env = {**self.bare_stack.env, **tf.tofu_env(self.tools, self.sandbox, creds["data"])}
        env["TF_PLUGIN_CACHE_DIR"] = str(Path.home() / ".cache" / "voicestack" / "plugin-cache")
        print(f"  {label}: {script} ...", flush=True)
        with Stopwatch() as watch:
            proc = subprocess.Popen(
                ["sh", "-c", script, self.tools["VOICESTACK_TOFU"]],
                cwd=self.bare_stack.workdir,
                env=env,
                stdout=(self.out / f"{label}.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            with PeakRss(proc.pid) as rss:
                proc.wait()
        self.vault.sys.revoke_lease(creds["lease_id"])
        if proc.returncode not in ok:
            raise SystemExit(f"{label} exited {proc.returncode}; see {self.out / label}.log")
        result = measured(watch, rss)
        print(f"  {label}: {result}", flush=True)
        return result

    def bare_stack_like(self, like: str, account: str) -> None:
        """The stack folder of the bare runs: account's stack, with the inputs and backend settings that
        terraform_stack rendered for account like (account id swapped)."""
        work = sandbox_dir() / "work" / like / f"bench{like[-4:]}"  # terraform_stack's work folder of account like
        tfvars = json.loads((work / "voice.tfvars.json").read_text())
        tfvars.update(account_id=account, customer=f"bench{account[-4:]}")
        tfvars["agent"]["namespace"] = f"voice-{account[-4:]}"
        creds = tf.issue(self.sandbox, self.sandbox["openbao"]["root_token"], role=f"voicestack-bench{account[-4:]}")
        folder = self.out / "bare-tofu"
        folder.mkdir()
        self.bare_stack = tf.prepare(self.tools, self.sandbox, creds, folder, tfvars=tfvars)
        self.vault.sys.revoke_lease(creds["lease_id"])
        # The role's backend settings (the bucket and key of this account), its plugin cache and endpoint.
        backend = (work / "backend.hcl").read_text().replace(like, account)
        backend = backend.replace(f"bench{like[-4:]}", f"bench{account[-4:]}")  # the state key names the customer
        (self.bare_stack.workdir / "backend.hcl").write_text(backend)


def collections_path(checkout: Path, out: Path) -> Path:
    """A collections path in which voicestack.aws is the given checkout."""
    top = out / "compare-collections"
    link = top / "ansible_collections" / "voicestack" / "aws"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(checkout.resolve())
    return top


def disk_mb(path: Path) -> float:
    """Disk use of a folder, counting symbolic links as links (du -s)."""
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True).stdout
    return round(int(out.split()[0]) / 1024, 1)


def provider_copies(path: Path) -> int:
    """Provider binaries stored under path itself (links to the shared cache do not count)."""
    return sum(1 for p in path.rglob("terraform-provider-*") if p.is_file() and not p.is_symlink())


def other_commit(checkout: Path) -> str:
    """The commit (and whether it has changes) of the --compare-with checkout."""
    head = subprocess.run(
        ["git", "-C", str(checkout), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return head.stdout.strip() or str(checkout)


def machine() -> dict:
    return {
        "cpus": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": platform.processor() or platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--accounts", default="1,2,5,8", help="the N of the accounts figure (comma-separated; their sum is the fleet)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "dev" / "bench" / "results", help="folder for logs and results.json"
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        help="a checkout of another commit of the collection: its fleet rows too, on the same accounts, in this run",
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.accounts.split(",")]
    if counts[0] != 1:
        parser.error("--accounts must start with 1 (the reference)")

    sandbox = json.loads((sandbox_dir() / "state.json").read_text())
    tools = tools_env()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    bench = Bench(sandbox, tools, args.out)
    info = machine()
    print(f"machine: {info}", flush=True)

    groups = {n: bench.new_accounts(n) for n in counts}
    bare_account = bench.new_accounts(1)[0]
    in_waves, at_once = bench.new_accounts(ROLLOUT), bench.new_accounts(ROLLOUT)
    everything = [a for n in counts for a in groups[n]] + [bare_account] + in_waves + at_once
    print(f"bootstrap: {len(everything)} state buckets", flush=True)
    bench.playbook("bootstrap", bench.inventory("all", everything), "bootstrap_backend.yml", max(counts))

    runs: dict = {}
    one = bench.inventory("n1", groups[1])
    runs["apply"] = bench.playbook("apply-n1", one, "site.yml", 1, profile=True)
    bench.bare_stack_like(groups[1][0], bare_account)
    runs["bare"] = bench.bare("bare-tofu", BARE_TOFU, bare_account)
    runs["bare_plan"] = bench.bare("bare-plan", BARE_PLAN, bare_account, ok=(0, 2))  # 2: drift, as costly
    runs["noop"] = bench.playbook("noop-n1", one, "site.yml", 1, profile=True)
    drift_dir = f"drift_report_dir={args.out}/drift"
    runs["drift"] = bench.playbook("drift-n1", one, "drift.yml", 1, "-e", drift_dir, profile=True)
    runs["accounts"] = {1: runs["apply"]}
    for n in counts[1:]:
        # N accounts at once: in one wave (site.yml's default waves would start with a canary alone).
        inventory = bench.inventory(f"n{n}", groups[n])
        runs["accounts"][n] = bench.playbook(f"apply-n{n}", inventory, "site.yml", n, "-e", ALL_AT_ONCE)
    runs["rollout"] = bench.rollout(in_waves, at_once)
    work = sandbox_dir() / "work"
    accounts = [a for n in counts for a in groups[n]]
    # The fleet: every account site.yml applied, converged; the customer's default waves for site.yml.
    fleet = bench.inventory("fleet", accounts)
    runs["fleet"] = {
        "accounts": len(accounts),
        "forks": max(counts),
        "drift": bench.playbook("fleet-drift", fleet, "drift.yml", max(counts), "-e", drift_dir),
        "noop": bench.playbook("fleet-noop", fleet, "site.yml", max(counts)),
    }
    if args.compare_with:
        other = args.compare_with
        runs["fleet"]["compared"] = {
            "checkout": other_commit(other),
            "drift": bench.playbook(
                "fleet-drift-compared", fleet, "drift.yml", max(counts), "-e", drift_dir, checkout=other
            ),
            "noop": bench.playbook("fleet-noop-compared", fleet, "site.yml", max(counts), checkout=other),
        }
    runs["work_dir_mb"] = round(sum(disk_mb(work / a) for a in accounts) / len(accounts), 1)
    runs["provider_copies"] = sum(provider_copies(work / a) for a in accounts)

    rows = figures(runs, counts)
    table = markdown_table(rows)
    print()
    print(table)
    (args.out / "results.json").write_text(json.dumps({"machine": info, "runs": runs, "table": rows}, indent=2))
    print(f"\nlogs and results.json in {args.out}")
    return 0


def _time(run: dict) -> str:
    return f"{run['seconds']} s wall, {run['cpu_seconds']} s CPU (load {run['load_average']})"


def _ratio(label: str, run: dict, reference: dict, target: float | None) -> dict:
    wall = run["seconds"] / reference["seconds"]
    cpu = run["cpu_seconds"] / reference["cpu_seconds"]
    return {
        "figure": label,
        "measured": f"{wall:.2f} wall, {cpu:.2f} CPU",
        "target": f"<= {target}" if target else "",
        "met": wall <= target if target else None,
    }


def figures(runs: dict, counts: list[int]) -> list[dict]:
    """The table's rows from the runs' measurements."""
    apply, bare, noop, drift = runs["apply"], runs["bare"], runs["noop"], runs["drift"]
    rows = [
        {"figure": "site.yml first apply, 1 account", "measured": _time(apply)},
        {"figure": "bare tofu init + apply, same stack", "measured": _time(bare)},
        _ratio("overhead: site.yml / bare tofu", apply, bare, TARGET_OVERHEAD),
        {"figure": "no-op rerun of site.yml", "measured": _time(noop)},
        _ratio("no-op rerun / first apply", noop, apply, TARGET_NOOP),
        {"figure": "drift check (drift.yml)", "measured": _time(drift)},
        _ratio("drift check / first apply", drift, apply, None),
    ]
    for label, run in [("first apply", apply), ("no-op rerun", noop), ("drift check", drift)]:
        if "seconds_by_role" in run:
            stages = sorted(run["seconds_by_role"].items(), key=lambda item: -item[1])
            rows.append(
                {
                    "figure": f"{label}: task seconds per role",
                    "measured": ", ".join(f"{role} {seconds:.1f}" for role, seconds in stages),
                }
            )
    vault_runs = [("first apply", apply, 1), ("no-op rerun", noop, 1), ("drift check", drift, 1)]
    vault_runs += [(f"{n} accounts", runs["accounts"][n], n) for n in counts[1:]]
    for label, run, n in vault_runs:
        kinds = Counter(run["vault"])
        rows.append(
            {
                "figure": f"Vault requests per account: {label}",
                "measured": per_account(kinds, n),
                "target": "1 each, other 0",
                "met": one_of_each(kinds, n),
            }
        )
    base = runs["accounts"][1]
    for n in counts:
        run = runs["accounts"][n]
        rows.append(
            {
                "figure": f"accounts: N = {n}, --forks {n}",
                "measured": (
                    f"{_time(run)}; {run['seconds'] / base['seconds']:.2f} x N=1; "
                    f"peak RSS {run['peak_rss_mb']} MiB ({run['peak_rss_mb'] / n:.0f} per account), "
                    f"peak PSS {run['peak_pss_mb']} MiB ({run['peak_pss_mb'] / n:.0f} per account), "
                    f"{run['peak_processes']} processes"
                ),
                "target": f"time < {n} x N=1" if n > 1 else "",
                "met": run["seconds"] < n * base["seconds"] if n > 1 else None,
            }
        )
    rollout = runs["rollout"]
    rows += [
        {"figure": f"rollout: {ROLLOUT} fresh accounts in waves (1, 10%, 100%)", "measured": _time(rollout["waves"])},
        {"figure": f"rollout: {ROLLOUT} fresh accounts at once", "measured": _time(rollout["at_once"])},
        _ratio("rollout: in waves / at once", rollout["waves"], rollout["at_once"], None),
        {"figure": "rollout: resumed from its fleet report, nothing left", "measured": _time(rollout["resumed"])},
    ]
    fleet, bare_plan = runs["fleet"], runs["bare_plan"]
    rows.append({"figure": "bare tofu init + plan -detailed-exitcode, converged stack", "measured": _time(bare_plan)})
    fleet_runs = [
        ("drift.yml", fleet["drift"], TARGET_FLEET_DRIFT),
        ("no-op site.yml (default waves)", fleet["noop"], TARGET_FLEET_NOOP),
    ]
    if "compared" in fleet:
        other = fleet["compared"]
        fleet_runs += [
            (f"drift.yml of {other['checkout']}", other["drift"], TARGET_FLEET_DRIFT),
            (f"no-op site.yml (default waves) of {other['checkout']}", other["noop"], TARGET_FLEET_NOOP),
        ]
    for label, run, target in fleet_runs:
        cpu_each = run["cpu_seconds"] / fleet["accounts"]
        ratio = cpu_each / bare_plan["cpu_seconds"]
        rows.append(
            {
                "figure": f"fleet: {label}, {fleet['accounts']} accounts, --forks {fleet['forks']}",
                "measured": (
                    f"{_time(run)}; {cpu_each:.1f} s CPU per account, {ratio:.2f} x bare tofu plan; "
                    f"peak RSS {run['peak_rss_mb']} MiB"
                ),
                "target": f"<= {target} x bare plan CPU per account",
                "met": ratio <= target,
            }
        )
        by_role = sorted(run["cpu_by_role"].items(), key=lambda item: -item[1])
        rows.append(
            {
                "figure": f"fleet: {label}, CPU seconds per account by role",
                "measured": ", ".join(f"{role} {cpu / fleet['accounts']:.2f}" for role, cpu in by_role),
            }
        )
    rows.append(
        {
            "figure": "disk per account: work folder; provider binaries in it",
            "measured": f"{runs['work_dir_mb']} MiB; {runs['provider_copies']} (links to the shared cache)",
            "target": "0 provider copies",
            "met": runs["provider_copies"] == 0,
        }
    )
    return rows


if __name__ == "__main__":
    sys.exit(main())
