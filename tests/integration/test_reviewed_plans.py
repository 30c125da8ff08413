"""Apply only the plan that was reviewed: site.yml --check saves each
account's plan for review, with its digest and the state's lineage and
serial; a later site.yml applies exactly that plan, and refuses one whose
digest, lineage or serial no longer matches, with nothing changed (a plan
file that is not the reviewed one, a state replaced since, a plan applied
already). Real OpenTofu, S3 backend on moto, on an account of its own."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from dev.testkit.ansible_cli import (
    ansible_playbook,
    moto_client,
    moto_request_offset,
    moto_requests,
    output,
    own_account,
    plan_counts,
)

pytestmark = pytest.mark.integration

HOST, ACCOUNT = "reviewed", "888899990123"
NAME = f"{ACCOUNT}-{HOST}-voice"
BUCKET, KEY = f"voicestack-tfstate-{ACCOUNT}", f"accounts/{ACCOUNT}/{HOST}/voice.tfstate"


@pytest.fixture(scope="module")
def inventory(sandbox, tmp_path_factory):
    path = own_account(sandbox, tmp_path_factory.mktemp("reviewed"), HOST, ACCOUNT)
    boot = ansible_playbook(sandbox, "bootstrap_backend.yml", "-l", HOST, inventory=path)
    assert boot.returncode == 0, output(boot)
    return path


def site(sandbox, inventory, *args, env=None):
    return ansible_playbook(sandbox, "site.yml", "-l", HOST, *args, inventory=inventory, env=env)


def review(sandbox, inventory, folder):
    """A check run that saves the plan for review; returns the saved record."""
    checked = site(
        sandbox, inventory, "--check", "-e", f"plan_review_dir={folder}", env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"}
    )
    assert checked.returncode == 0, output(checked)
    record = json.loads((folder / f"{NAME}.json").read_text())
    assert record["sha256"] == hashlib.sha256((folder / f"{NAME}.tfplan").read_bytes()).hexdigest()
    # Handed on to an AWX workflow's next nodes.
    assert record["sha256"] in checked.stdout and "reviewed_plan_sha256" in checked.stdout
    return record


def state(sandbox):
    s3 = moto_client(sandbox, "s3", ACCOUNT)
    return json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())


def put_state(sandbox, body):
    moto_client(sandbox, "s3", ACCOUNT).put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(body).encode())


def refused(sandbox, inventory, folder, message):
    """A run given the reviewed plans, refused with `message` before any change in the account."""
    requests = moto_request_offset(sandbox)
    result = site(sandbox, inventory, "-e", f"apply_reviewed={folder}")
    assert result.returncode == 2, output(result)
    assert message in " ".join(result.stdout.split()), output(result)
    assert [r for r in moto_requests(sandbox, requests) if is_write(r)] == []


def is_write(request):
    """A request that changes the account, but the state lock's (taken and let go around a read)."""
    if (request.get("path") or "").endswith(".tflock"):
        return False
    action = request.get("action") or ""
    return action[:3] in ("Cre", "Del", "Upd", "Mod", "Put", "Att", "Tag") or (
        not action and request.get("method") in ("PUT", "POST", "DELETE")
    )


def test_a_reviewed_plan_applies_once_and_one_not_as_reviewed_is_refused(sandbox, inventory, tmp_path):
    first = review(sandbox, inventory, tmp_path / "first")
    assert first["state"] == {"lineage": "", "serial": 0}  # the stack's first plan: no state yet
    assert first["counts"]["create"] >= 40
    assert moto_client(sandbox, "eks", ACCOUNT).list_clusters()["clusters"] == []  # the check run made nothing

    applied = site(sandbox, inventory, "-e", f"apply_reviewed={tmp_path / 'first'}")
    assert applied.returncode == 0, output(applied)
    assert plan_counts(applied, HOST)["create"] == first["counts"]["create"]
    made = state(sandbox)
    assert moto_client(sandbox, "eks", ACCOUNT).list_clusters()["clusters"] == [f"{HOST}-voice"]

    # Serial: the same plan once more (a saved plan applied twice).
    refused(
        sandbox,
        inventory,
        tmp_path / "first",
        "the reviewed plan is stale: it was made against no state yet, and the state is now at serial "
        f"{made['serial']}",
    )

    # Something to review: the load balancer's idle timeout changed by hand.
    elbv2 = moto_client(sandbox, "elbv2", ACCOUNT)
    arn = elbv2.describe_load_balancers(Names=[f"{HOST}-voice"])["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "60"}]
    )
    second = review(sandbox, inventory, tmp_path / "second")
    assert second["state"] == {"lineage": made["lineage"], "serial": made["serial"]}
    assert second["changes"] == [
        {"address": "module.alb.aws_lb.this", "action": "update", "attributes": ["idle_timeout"]}
    ]

    # Digest: another plan file in the reviewed one's place.
    swapped = tmp_path / "swapped"
    shutil.copytree(tmp_path / "second", swapped)
    shutil.copy(tmp_path / "first" / f"{NAME}.tfplan", swapped / f"{NAME}.tfplan")
    refused(sandbox, inventory, swapped, f"not the reviewed {second['sha256']}: it is not the plan that was reviewed")

    # Digest, as an AWX workflow hands it on: the plan was not the one approved.
    approved = json.dumps({"reviewed_plan_sha256": {NAME: first["sha256"]}})
    requests = moto_request_offset(sandbox)
    other = site(sandbox, inventory, "-e", f"apply_reviewed={tmp_path / 'second'}", "-e", approved)
    assert other.returncode == 2, output(other)
    assert "it is not the plan that was reviewed" in " ".join(other.stdout.split())
    assert [r for r in moto_requests(sandbox, requests) if is_write(r)] == []

    # Lineage: the state replaced by another one (restored from elsewhere) since the review.
    put_state(sandbox, {**made, "lineage": "00000000-0000-4000-8000-000000000000"})
    try:
        refused(
            sandbox,
            inventory,
            tmp_path / "second",
            f"made against state lineage {made['lineage']}, and the state is now lineage "
            "00000000-0000-4000-8000-000000000000",
        )
    finally:
        put_state(sandbox, made)

    # The reviewed plan, as reviewed.
    reviewed = site(sandbox, inventory, "-e", f"apply_reviewed={tmp_path / 'second'}")
    assert reviewed.returncode == 0, output(reviewed)
    attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    assert {a["Key"]: a["Value"] for a in attributes}["idle_timeout.timeout_seconds"] == "3600"
    assert state(sandbox)["serial"] > made["serial"]


def test_an_account_without_a_reviewed_plan_is_refused_naming_it(sandbox, inventory, tmp_path):
    requests = moto_request_offset(sandbox)
    result = site(sandbox, inventory, "-e", f"apply_reviewed={tmp_path}")
    assert result.returncode == 2, output(result)
    assert f"no reviewed plan for customer {HOST} in account {ACCOUNT}" in " ".join(result.stdout.split())
    assert moto_requests(sandbox, requests) == []
