"""Crash recovery on a sandbox account of its own ("crashes"): tofu SIGKILLed
early, in the middle and late in a first apply, and during a destroy. After
each kill the next run converges by itself (after the unlock the killed run's
successor names): the resources the killed run created but could not save in
the state are adopted (import), never created twice, and no Vault lease is
left. One account, one sequence: every full apply costs minutes."""

from __future__ import annotations

import json
import re
import shlex
import time
from collections import Counter
from types import SimpleNamespace

import pytest

from dev.testkit.ansible_cli import (
    ansible_playbook,
    moto_client,
    moto_request_offset,
    moto_requests,
    output,
    outstanding_leases,
    own_account,
    recap,
    work_folder,
)
from dev.testkit.procs import reap, sigkill, wait_for_tofu

pytestmark = [pytest.mark.integration, pytest.mark.faults]

HOST, ACCOUNT = "crashes", "777788889999"
ROLES = (f"voicestack-{HOST}",)
STATE_KEY = f"accounts/{ACCOUNT}/{HOST}/voice.tfstate"
BUCKET = f"voicestack-tfstate-{ACCOUNT}"
# Managed resource instances of the whole stack with the sandbox inventory's inputs (as in test_faults).
STACK_INSTANCES = 57
# moto request actions that make something.
MAKES = ("Create", "Allocate", "Attach", "Associate", "Authorize", "Put", "Tag")
DELETES = ("Delete", "Release", "Detach", "Disassociate", "Revoke")


@pytest.fixture(scope="module")
def inventory(sandbox, tmp_path_factory):
    path = own_account(sandbox, tmp_path_factory.mktemp("crashes"), HOST, ACCOUNT)
    boot = run(sandbox, path, "bootstrap_backend.yml")
    assert boot.returncode == 0, output(boot)
    return path


def run(sandbox, inventory, playbook, *extra, popen=False):
    return ansible_playbook(sandbox, playbook, "-l", HOST, *extra, inventory=inventory, popen=popen)


def client(sandbox, service):
    return moto_client(sandbox, service, ACCOUNT)


def state(sandbox) -> dict:
    return json.loads(client(sandbox, "s3").get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())


def instances(sandbox) -> int:
    objects = client(sandbox, "s3").list_objects_v2(Bucket=BUCKET, Prefix=STATE_KEY).get("Contents", [])
    if STATE_KEY not in (item["Key"] for item in objects):
        return 0
    return sum(len(r["instances"]) for r in state(sandbox)["resources"] if r["mode"] == "managed")


def release_lock(sandbox):
    """What the advised unlock does, for a lock whose holder is known dead (the test killed it)."""
    client(sandbox, "s3").delete_object(Bucket=BUCKET, Key=f"{STATE_KEY}.tflock")


def writes_of(requests, kinds) -> list[str]:
    """The requests that make (or delete) something; moto logs no action for EKS (REST): a POST makes, a DELETE
    deletes."""
    verb = "POST" if kinds == MAKES else "DELETE"
    return [
        r["action"] or f"eks {r['method']} {r['path']}"
        for r in requests
        if (r["action"] or "").startswith(kinds) or (r["service"] == "eks" and r["method"] == verb)
    ]


def kill_after(sandbox, inventory, playbook, *extra, command="apply", kinds=MAKES, writes=1):
    """Start playbook, SIGKILL its tofu `command` once moto has seen `writes` requests of `kinds` from it, and
    return the run's result with the actions moto saw (what the killed process had done)."""
    offset = moto_request_offset(sandbox)
    started = run(sandbox, inventory, playbook, *extra, popen=True)
    tofu = wait_for_tofu(work_folder(sandbox, ACCOUNT, HOST), command, started=started, timeout=900)
    start = moto_request_offset(sandbox)
    deadline = time.monotonic() + 900
    seen = []
    while time.monotonic() < deadline and tofu.is_running():
        seen = writes_of(moto_requests(sandbox, start), kinds)
        if len(seen) >= writes:
            break
        time.sleep(0.02)
    assert len(seen) >= writes, f"tofu {command} ended after {len(seen)} writes: {seen}"
    plugins = sigkill(tofu)
    stdout, stderr = started.communicate(timeout=600)
    reap(plugins)
    result = SimpleNamespace(returncode=started.returncode, stdout=stdout, stderr=stderr)
    assert result.returncode == 2, output(result)
    assert "tofu was killed by SIGKILL" in result.stdout, output(result)
    assert "Traceback" not in result.stdout + result.stderr
    result.writes = writes_of(moto_requests(sandbox, offset), kinds)
    return result


def adopted(result) -> list[str]:
    """Resource addresses the run said it adopted."""
    lines = re.findall(r"Adopting \(found in AWS, missing from the state\): ([^\"]+)", result.stdout)
    return [item.split(" (")[0] for line in lines for item in line.split(", ")]


def inventory_of_aws(sandbox) -> dict[str, Counter]:
    """What moto holds for the account, by kind: a name (or Name tag) and how many of it."""
    ec2, elbv2, iam = client(sandbox, "ec2"), client(sandbox, "elbv2"), client(sandbox, "iam")
    aoss, eks, logs = client(sandbox, "opensearchserverless"), client(sandbox, "eks"), client(sandbox, "logs")
    mine = [{"Name": "tag:voicestack:customer", "Values": [HOST]}]

    def names(items):
        return Counter(next((t["Value"] for t in item.get("Tags", []) if t["Key"] == "Name"), "?") for item in items)

    nat_live = [*mine, {"Name": "state", "Values": ["pending", "available"]}]
    clusters = eks.list_clusters()["clusters"]
    return {
        "vpc": names(ec2.describe_vpcs(Filters=mine)["Vpcs"]),
        "subnet": names(ec2.describe_subnets(Filters=mine)["Subnets"]),
        "igw": names(ec2.describe_internet_gateways(Filters=mine)["InternetGateways"]),
        "nat": names(ec2.describe_nat_gateways(Filters=nat_live)["NatGateways"]),
        "eip": names(ec2.describe_addresses(Filters=mine)["Addresses"]),
        "route_table": names(ec2.describe_route_tables(Filters=mine)["RouteTables"]),
        "security_group": Counter(
            g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"].startswith(HOST)
        ),
        "load_balancer": Counter(lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]),
        "target_group": Counter(tg["TargetGroupName"] for tg in elbv2.describe_target_groups()["TargetGroups"]),
        "role": Counter(r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(HOST)),
        "collection": Counter(c["name"] for c in aoss.list_collections()["collectionSummaries"]),
        "cluster": Counter(clusters),
        "node_group": Counter(n for c in clusters for n in eks.list_nodegroups(clusterName=c)["nodegroups"]),
        "log_group": Counter(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]),
    }


def duplicates(found: dict[str, Counter]) -> dict[str, list[str]]:
    """The names of which moto holds more than one, by kind."""
    twice = {kind: sorted(name for name, n in names.items() if n > 1) for kind, names in found.items()}
    return {kind: names for kind, names in twice.items() if names}


def recover(sandbox, inventory, playbook, *extra):
    began = time.monotonic()
    result = run(sandbox, inventory, playbook, *extra)
    result.seconds = round(time.monotonic() - began)
    assert result.returncode == 0, output(result)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.mark.proves("F8 tofu SIGKILLed early, mid and late in a first apply and during destroy: the next run converges")
@pytest.mark.timeout(3600)
def test_tofu_killed_at_any_point_the_next_run_adopts_and_converges(sandbox, inventory, properties):
    class Notes(list):
        """Each kill point's figures, recorded at once (also when a later stage fails)."""

        def append(self, item):
            super().append(item)
            point, writes, result = item
            detail = (
                f"after {len(writes)} writes (last {writes[-3:]}); the next run took"
                f" {getattr(result, 'seconds', '-')} s and adopted {adopted(result)}"
            )
            properties.record(f"tofu killed, {point}", detail)
            print(f"\ntofu killed, {point}: {detail}", flush=True)

    notes = Notes()
    if instances(sandbox):  # what an earlier, failed run of this test left
        release_lock(sandbox)
        assert run(sandbox, inventory, "destroy.yml", "-e", f"confirm_destroy={ACCOUNT}").returncode == 0
    assert instances(sandbox) == 0

    # Early in the first apply: after the first few resources.
    early = kill_after(sandbox, inventory, "site.yml", writes=3)
    assert "next run of the same playbook finds each such resource" in early.stdout, output(early)
    # The next run fails on the lock and names the command that releases it; that command releases it.
    locked = run(sandbox, inventory, "site.yml", "-e", "terraform_stack_lock_timeout=3")
    assert locked.returncode == 2, output(locked)
    command = re.search(r"release the lock with: (ansible-playbook .+? -e lock_id=[0-9a-f-]{36})", locked.stdout)
    assert command, output(locked)
    argv = shlex.split(command.group(1))
    unlock = run(sandbox, inventory, argv[3], *argv[4:])
    assert unlock.returncode == 0, output(unlock)
    recovered = recover(sandbox, inventory, "site.yml")
    notes.append(("apply, early", early.writes, recovered))
    assert instances(sandbox) == STACK_INSTANCES
    assert adopted(recovered), output(recovered)
    assert duplicates(inventory_of_aws(sandbox)) == {}

    # During destroy: after a few deletes.
    during = kill_after(
        sandbox,
        inventory,
        "destroy.yml",
        "-e",
        f"confirm_destroy={ACCOUNT}",
        command="destroy",
        kinds=DELETES,
        writes=8,
    )
    release_lock(sandbox)
    destroyed = recover(sandbox, inventory, "destroy.yml", "-e", f"confirm_destroy={ACCOUNT}")
    notes.append(("destroy", during.writes, destroyed))
    assert instances(sandbox) == 0
    assert {kind: +names for kind, names in inventory_of_aws(sandbox).items() if +names} == {}

    # In the middle of a first apply, then late in the apply of the run after it.
    middle = kill_after(sandbox, inventory, "site.yml", writes=20)
    release_lock(sandbox)
    # (The run after the middle kill adopts what it made, then creates the other half: killed near its end.)
    late = kill_after(sandbox, inventory, "site.yml", writes=15)
    notes.append(("apply, middle", middle.writes, late))
    assert adopted(late), output(late)
    release_lock(sandbox)
    recovered = recover(sandbox, inventory, "site.yml")
    notes.append(("apply, late", late.writes, recovered))
    assert adopted(recovered), output(recovered)
    assert instances(sandbox) == STACK_INSTANCES
    assert duplicates(inventory_of_aws(sandbox)) == {}

    # Converged: an empty plan.
    drift = run(sandbox, inventory, "drift.yml", "-e", f"drift_report_dir={inventory}")
    assert drift.returncode == 0, output(drift)
    assert recap(drift, HOST)["failed"] == 0
    assert outstanding_leases(sandbox, ROLES) == set()
