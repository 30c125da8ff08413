"""Fault injection on one sandbox account of its own ("faults"): Vault down,
sealed or gone mid-run, AWS answering 5xx and throttling errors, a failure
in the middle of an apply, the Kubernetes API down, terraform killed during
apply, and two runs on the account at once.

Every fault must end with one clear message, no traceback, no credential in
the output, no lease left in OpenBao, and a state that the next run
converges from. All AWS traffic of the account goes through a fault-injecting
proxy in front of moto (one address for the whole module, because the state
backend's endpoint is part of its configuration)."""

from __future__ import annotations

import json
import re
import shlex
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest
import yaml

from dev.testkit.ansible_cli import (
    INVENTORY,
    ansible_playbook,
    moto_client,
    moto_request_offset,
    moto_requests,
    output,
    outstanding_leases,
    own_account,
    plan_counts,
    recap,
    work_folder,
)
from dev.testkit.canary import audit_offset, issued_since
from dev.testkit.fault_proxy import FaultProxy
from dev.testkit.net import free_port
from dev.testkit.procs import reap, sigkill, wait_for_tofu
from tests.unit.plugins.module_utils.idle_proxy import IdleProxy

pytestmark = [pytest.mark.integration, pytest.mark.faults]

HOST, ACCOUNT = "faults", "333344445555"
ROLES = (f"voicestack-{HOST}",)
STATE_KEY = f"accounts/{ACCOUNT}/{HOST}/voice.tfstate"
BUCKET = f"voicestack-tfstate-{ACCOUNT}"
# Managed resource instances of the whole stack with the sandbox inventory's inputs.
STACK_INSTANCES = 57


@pytest.fixture(scope="module")
def aws(sandbox):
    """The account's AWS endpoint: a fault proxy in front of moto, healthy until a test says otherwise."""
    with FaultProxy(sandbox["moto"]["url"]) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def inventory(sandbox, aws, tmp_path_factory):
    path = own_account(sandbox, tmp_path_factory.mktemp("faults"), HOST, ACCOUNT)
    boot = run(sandbox, aws, path, "bootstrap_backend.yml")
    assert boot.returncode == 0, output(boot)
    return path


@pytest.fixture
def audited(sandbox):
    """Check after the test that no credential the test's runs obtained is in their output."""
    raw_log = sandbox["openbao"]["raw_audit_log"]
    offset = audit_offset(raw_log)
    results = []
    yield results
    issued = issued_since(raw_log, offset)
    for result in results:
        text = result.stdout + result.stderr
        assert [kind for secret, kind in issued.items() if secret in text] == []
        assert "Traceback" not in text, output(result)
    assert outstanding_leases(sandbox, ROLES) == set()


@pytest.fixture
def converged(sandbox, aws, inventory):
    """The account's whole stack, as a test that needs it starts: applied by a
    run of its own when an earlier test left it incomplete, so that one
    failure shows as one failure."""
    if lock_held(sandbox):  # a lock an earlier test's killed run left; no run is going on now
        s3(sandbox).delete_object(Bucket=BUCKET, Key=f"{STATE_KEY}.tflock")
    if not stack_complete(sandbox):
        applied = run(sandbox, aws, inventory, "site.yml")
        assert applied.returncode == 0, output(applied)
        assert stack_complete(sandbox), f"the stack has {instances(state(sandbox))} instances, not {STACK_INSTANCES}"


def run(sandbox, aws, inventory, playbook, *extra, env=None, popen=False):
    return ansible_playbook(
        sandbox,
        playbook,
        "-l",
        HOST,
        # An EKS token names the STS endpoint the cluster trusts (moto's own),
        # not the client's way to AWS; the roles that make one (service_account,
        # verify) take one endpoint for all their AWS calls, so theirs go to
        # moto directly. Terraform and vault_credentials' STS call take the proxy.
        "-e",
        json.dumps({f"{role}_aws_endpoint_url": sandbox["moto"]["url"] for role in ("service_account", "verify")}),
        *extra,
        inventory=inventory,
        env={"AWS_ENDPOINT_URL": aws.url, **(env or {})},
        popen=popen,
    )


def finish(proc, timeout=900) -> SimpleNamespace:
    """The result of a started run, once it has ended."""
    stdout, stderr = proc.communicate(timeout=timeout)
    return SimpleNamespace(returncode=proc.returncode, stdout=stdout, stderr=stderr)


def s3(sandbox):
    return moto_client(sandbox, "s3", ACCOUNT)


def state(sandbox) -> dict:
    return json.loads(s3(sandbox).get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())


def instances(tfstate: dict) -> int:
    """How many managed resource instances a state holds."""
    return sum(len(r["instances"]) for r in tfstate["resources"] if r["mode"] == "managed")


def stack_exists(sandbox) -> bool:
    objects = s3(sandbox).list_objects_v2(Bucket=BUCKET, Prefix=STATE_KEY).get("Contents", [])
    return STATE_KEY in (item["Key"] for item in objects)


def stack_complete(sandbox) -> bool:
    return stack_exists(sandbox) and instances(state(sandbox)) == STACK_INSTANCES


def lock_held(sandbox) -> bool:
    return "Contents" in s3(sandbox).list_objects_v2(Bucket=BUCKET, Prefix=f"{STATE_KEY}.tflock")


def idle_timeout_variables(seconds: int) -> str:
    variables = yaml.safe_load((INVENTORY / "group_vars" / "customer_accounts.yml").read_text())[
        "terraform_stack_variables"
    ]
    variables["alb"]["idle_timeout"] = seconds
    return json.dumps({"terraform_stack_variables": variables})


# --- Vault -------------------------------------------------------------------


@pytest.mark.proves("F1 OpenBao down at the start: clear message, nothing called")
def test_vault_down_at_start_fails_before_any_aws_call(sandbox, aws, inventory, audited):
    requests = moto_request_offset(sandbox)
    down = run(sandbox, aws, inventory, "site.yml", env={"VAULT_ADDR": f"http://127.0.0.1:{free_port()}"})
    audited.append(down)
    assert down.returncode == 2, output(down)
    assert "cannot reach Vault at http://127.0.0.1:" in down.stdout, output(down)
    assert moto_requests(sandbox, requests) == []


@pytest.mark.proves("F2 OpenBao sealed: named, nothing called")
def test_a_sealed_vault_is_named_and_nothing_is_called(sandbox, aws, inventory, sealed_openbao, audited):
    url = sealed_openbao[0]
    requests = moto_request_offset(sandbox)
    sealed = run(sandbox, aws, inventory, "site.yml", env={"VAULT_ADDR": url})
    audited.append(sealed)
    assert sealed.returncode == 2, output(sealed)
    assert f"Vault at {url} is sealed or unavailable (503)" in sealed.stdout or (
        f"Vault at {url} kept failing" in sealed.stdout
    ), output(sealed)
    assert moto_requests(sandbox, requests) == []


# --- AWS -----------------------------------------------------------------------


@pytest.mark.proves("P3 every lease revoked when a run fails mid-apply")
def test_a_failure_mid_apply_revokes_the_lease_and_keeps_what_was_made(sandbox, aws, inventory, audited):
    aws.fail_actions = {"CreateLoadBalancer"}
    try:
        failed = run(sandbox, aws, inventory, "site.yml")
    finally:
        aws.fail_actions = set()
    audited.append(failed)
    assert failed.returncode == 2, output(failed)
    assert aws.failed_actions, "the injected failure was never reached"
    assert "injected fault: ValidationError" in failed.stdout, output(failed)
    # The resources made before the failure are in the state, and the lock is released.
    assert 0 < instances(state(sandbox)) < STACK_INSTANCES
    assert not lock_held(sandbox)


@pytest.mark.proves("F3 AWS 5xx and throttling retried to a complete stack")
def test_5xx_and_throttling_from_aws_are_retried_to_a_complete_stack(sandbox, aws, inventory, audited, fault_offset):
    """Starts from whatever the account has (the previous test leaves a partly
    made stack); every fifth AWS request, counted from the offset that
    --fault-offset sets, is alternately a 503 and the service's throttling error."""
    made_before = instances(state(sandbox)) if stack_exists(sandbox) else 0
    with aws.faulting(every=5, offset=fault_offset):
        done = run(sandbox, aws, inventory, "site.yml")
    audited.append(done)
    assert done.returncode == 0, output(done)
    assert aws.faults >= 20, f"only {aws.faults} faults were injected"
    assert stack_complete(sandbox)
    # Only the missing part was created: nothing made before was made twice.
    assert plan_counts(done, HOST)["create"] == STACK_INSTANCES - made_before


@pytest.mark.proves("F4 Kubernetes API down: named, lease revoked")
def test_the_kubernetes_api_down_is_named(sandbox, aws, inventory, converged, audited):
    endpoint = f"https://127.0.0.1:{free_port()}"
    down = run(sandbox, aws, inventory, "site.yml", "-e", f"service_account_cluster_endpoint={endpoint}")
    audited.append(down)
    assert down.returncode == 2, output(down)
    assert plan_counts(down, HOST) == {"create": 0, "update": 0, "delete": 0, "replace": 0}
    assert f"on {endpoint}: " in down.stdout, output(down)
    assert "Connection refused" in down.stdout, output(down)


@pytest.mark.proves("F5 OpenBao gone mid-run: lease named, revoked by the next run")
def test_vault_gone_mid_run_names_the_lease_and_the_next_run_revokes_it(sandbox, aws, inventory, converged, audited):
    """OpenBao stops answering after the credentials were issued (its address
    goes dead, as when the server is killed): the run cannot revoke, says so,
    and keeps the lease record; the next run revokes that lease first."""
    openbao = sandbox["openbao"]["url"].rsplit(":", 1)
    upstream = (openbao[0].rpartition("/")[2], int(openbao[1]))
    port = free_port()
    vault_env = {"VAULT_ADDR": f"http://127.0.0.1:{port}"}
    with IdleProxy(upstream, idle_timeout=3600, port=port):
        started = run(sandbox, aws, inventory, "site.yml", env=vault_env, popen=True)
        wait_for_tofu(work_folder(sandbox, ACCOUNT, HOST), "plan")
    stopped = finish(started)
    audited.append(stopped)
    assert stopped.returncode == 2, output(stopped)
    assert f"cannot reach Vault at http://127.0.0.1:{port}" in stopped.stdout, output(stopped)
    assert len(outstanding_leases(sandbox, ROLES)) == 1
    with IdleProxy(upstream, idle_timeout=3600, port=port):
        rerun = run(sandbox, aws, inventory, "site.yml", env=vault_env)
    audited.append(rerun)
    assert rerun.returncode == 0, output(rerun)
    assert "revoked 1 lease(s) that an interrupted run on account 333344445555 left" in rerun.stdout


@pytest.mark.proves("P3 an interrupted run's lease is revoked by the next run")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_runs_lease_is_recorded_and_revoked_by_the_next_run(
    sandbox, aws, inventory, converged, audited, signum
):
    """Ctrl-C or a SIGTERM stops ansible-playbook before its always: section:
    its lease stays (until the TTL), recorded without any secret, and the next
    run on the account revokes it first."""
    change = idle_timeout_variables(1900 if signum == signal.SIGINT else 2000)
    aws.delay = 1.0  # slow AWS down so the signal lands during the apply
    try:
        started = run(sandbox, aws, inventory, "site.yml", "-e", change, popen=True)
        tofu = wait_for_tofu(work_folder(sandbox, ACCOUNT, HOST), "apply")
        started.send_signal(signum)
        stopped = finish(started, timeout=600)
        psutil.wait_procs([tofu], timeout=600)  # an apply already under way is let finish
    finally:
        aws.delay = 0
    audited.append(stopped)
    assert stopped.returncode != 0
    left = outstanding_leases(sandbox, ROLES)
    assert len(left) == 1
    records = list((Path(sandbox["openbao"]["raw_audit_log"]).parent / "leases" / ACCOUNT).glob("*.json"))
    assert [json.loads(path.read_text())["lease_id"] for path in records] == sorted(left)
    following = run(sandbox, aws, inventory, "site.yml", "-e", change)
    audited.append(following)
    assert following.returncode == 0, output(following)
    assert f"revoked 1 lease(s) that an interrupted run on account {ACCOUNT} left" in following.stdout


# --- terraform ------------------------------------------------------------------


@pytest.mark.proves("F6 terraform killed mid-apply: state intact, unlock command given")
def test_terraform_killed_mid_apply_leaves_an_intact_state_and_the_unlock_command(
    sandbox, aws, inventory, converged, audited
):
    lineage, serial = state(sandbox)["lineage"], state(sandbox)["serial"]
    aws.delay = 1.0  # slow AWS down so the kill lands while the apply holds the lock
    try:
        started = run(sandbox, aws, inventory, "site.yml", "-e", idle_timeout_variables(1800), popen=True)
        tofu = wait_for_tofu(work_folder(sandbox, ACCOUNT, HOST), "apply")
        deadline = time.monotonic() + 120
        while not lock_held(sandbox) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock_held(sandbox)
        plugins = sigkill(tofu)
        killed = finish(started, timeout=600)
        reap(plugins)
        audited.append(killed)
    finally:
        aws.delay = 0
    assert killed.returncode == 2, output(killed)
    assert "Traceback" not in killed.stdout
    # The state is what the last write left: same lineage, never older.
    assert state(sandbox)["lineage"] == lineage
    assert state(sandbox)["serial"] >= serial
    assert lock_held(sandbox)
    # The next run fails on the lock (after a short wait) and names the command that releases it.
    locked = run(sandbox, aws, inventory, "site.yml", "-e", "terraform_stack_lock_timeout=3")
    audited.append(locked)
    assert locked.returncode == 2, output(locked)
    assert "Error acquiring the state lock" in locked.stdout, output(locked)
    command = re.search(r"release the lock with: (ansible-playbook .+? -e lock_id=[0-9a-f-]{36})", locked.stdout)
    assert command, output(locked)
    argv = shlex.split(command.group(1))
    unlock = run(sandbox, aws, inventory, argv[3], *argv[4:])
    audited.append(unlock)
    assert unlock.returncode == 0, output(unlock)
    assert not lock_held(sandbox)
    converged = run(sandbox, aws, inventory, "site.yml")
    audited.append(converged)
    assert converged.returncode == 0, output(converged)
    assert state(sandbox)["lineage"] == lineage


@pytest.mark.proves("F7 two runs on one account: one waits or fails clearly, state intact")
def test_two_runs_on_one_account_at_once_never_corrupt_the_state(sandbox, aws, inventory, converged, audited):
    lineage, serial = state(sandbox)["lineage"], state(sandbox)["serial"]
    change = idle_timeout_variables(1700)
    runs = [run(sandbox, aws, inventory, "site.yml", "-e", change, popen=True) for name in ("first", "second")]
    finished = [finish(proc) for proc in runs]
    audited.extend(finished)
    assert min(result.returncode for result in finished) == 0, [result.stdout[-3000:] for result in finished]
    for result in finished:
        stdout = result.stdout
        assert "Traceback" not in stdout
        if result.returncode:
            # The loser waited for the lock and then found its plan stale: Terraform refuses it.
            assert re.search(r"Saved plan is stale|state lock", stdout), stdout[-3000:]
    after = state(sandbox)
    assert after["lineage"] == lineage
    assert after["serial"] > serial
    settled = run(sandbox, aws, inventory, "site.yml", "-e", idle_timeout_variables(1700))
    audited.append(settled)
    assert settled.returncode == 0, output(settled)
    assert plan_counts(settled, HOST)["update"] == 0
    assert recap(settled, HOST)["failed"] == 0
