"""The playbooks end to end on the sandbox inventory's two customer accounts:
bootstrap, provision both at once, re-run without changes, check mode,
service account and verification, drift, bad input, guarded destroy; leases
revoked each time."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import threading
from pathlib import Path

import boto3
import hvac
import pytest
import yaml
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from websockets.sync.server import serve

from ansible_collections.voicestack.aws.plugins.module_utils._eks_token import eks_token
from dev import settings
from dev.sandbox.vault_setup import MODEL_KEY_SETS, MODEL_KEYS_MOUNT
from dev.testkit.ansible_cli import (
    ACCOUNTS,
    ALL_AT_ONCE,
    INVENTORY,
    ansible_playbook,
    kube_api,
    moto_client,
    moto_request_offset,
    moto_requests,
    output,
    outstanding_leases,
    plan_counts,
    recap,
    sandbox_env,
)
from dev.testkit.canary import audit_offset, issued_since
from dev.testkit.webhook import WebhookReceiver
from tests.unit.plugins.module_utils.idle_proxy import IdleProxy

pytestmark = pytest.mark.integration

NAMESPACES = {"acme": "voice", "globex": "voice-globex"}
NODE_PORTS = {"acme": 30080, "globex": 30081}  # one kube-apiserver serves both sandbox accounts
NO_CHANGES = {"create": 0, "update": 0, "delete": 0, "replace": 0}
# The state key of earlier releases, and of this one (templated per host by ansible-playbook).
OLD_KEY = "accounts/{{ voicestack_account_id }}/voice.tfstate"


WRITE = re.compile(
    r"(Create|Delete|Update|Modify|Attach|Detach|Tag|Untag|Put|Associate|Disassociate|Authorize|Revoke|Register|"
    r"Deregister|Set|Add|Remove|Run|Terminate|Allocate|Release)"
)


def writes(requests):
    """The requests that change something in the account (query and JSON APIs by action, REST ones by method),
    but the state lock's (a plan takes it and lets go)."""
    return [
        r
        for r in requests
        if (WRITE.match(r["action"]) if r.get("action") else r.get("method") in ("POST", "PUT", "PATCH", "DELETE"))
        and not (r.get("path") or "").endswith(".tflock")
    ]


def state_keys(sandbox, account):
    s3 = moto(sandbox, "s3", account)
    listed = s3.list_objects_v2(Bucket=f"voicestack-tfstate-{account}", Prefix="accounts/")  # not the stack tests'
    return sorted(o["Key"] for o in listed.get("Contents", []))


def moto(sandbox, service, account="123456789012"):
    return moto_client(sandbox, service, account)


def alb(sandbox, host="acme"):
    """(elbv2 client, ARN of the host's load balancer)."""
    elbv2 = moto(sandbox, "elbv2", ACCOUNTS[host])
    return elbv2, elbv2.describe_load_balancers(Names=[f"{host}-voice"])["LoadBalancers"][0]["LoadBalancerArn"]


def idle_timeout(sandbox, host="acme"):
    elbv2, arn = alb(sandbox, host)
    attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in attributes}["idle_timeout.timeout_seconds"]


def service_account(sandbox, host):
    return kube_api(sandbox).read_namespaced_service_account("voice-agent", NAMESPACES[host])


@pytest.fixture(scope="module")
def provisioned(sandbox):
    before = outstanding_leases(sandbox)
    boot = ansible_playbook(sandbox, "bootstrap_backend.yml")
    assert boot.returncode == 0, output(boot)
    # Applied at the state key of earlier releases (no customer in it): the
    # next run moves it (test_the_state_moves_from_the_old_key_with_nothing_replaced).
    first = ansible_playbook(sandbox, "site.yml", *ALL_AT_ONCE, "-e", f"terraform_stack_backend_key={OLD_KEY}")
    assert first.returncode == 0, output(first)
    yield first, before
    for host, account in ACCOUNTS.items():
        if moto(sandbox, "eks", account).list_clusters()["clusters"]:
            ansible_playbook(sandbox, "destroy.yml", "-l", host, "-e", f"confirm_destroy={account}")


def test_bootstrap_makes_a_kms_encrypted_tls_only_bucket_per_account_idempotently(provisioned, sandbox):
    for account in ACCOUNTS.values():
        s3, kms = moto(sandbox, "s3", account), moto(sandbox, "kms", account)
        bucket = f"voicestack-tfstate-{account}"
        key_arn = kms.describe_key(KeyId="alias/voicestack-tfstate")["KeyMetadata"]["Arn"]
        assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
        statement = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        # The state object is encrypted with that key.
        state = s3.head_object(Bucket=bucket, Key=f"accounts/{account}/voice.tfstate")
        assert state["ServerSideEncryption"] == "aws:kms"
    again = ansible_playbook(sandbox, "bootstrap_backend.yml")
    assert again.returncode == 0, output(again)
    for host in ACCOUNTS:
        assert recap(again, host)["changed"] == 1  # only the revocation of this run's lease and token
    # Its revocation also forgot each lease's record, so the next run has none to look up.
    records = Path(sandbox_env(sandbox)["VOICESTACK_SANDBOX_DIR"]) / "leases"
    assert sorted(p.parent.name for p in records.glob("*/*.json")) == []


def test_site_provisions_both_accounts_in_one_run(provisioned, sandbox):
    first, before = provisioned
    for host, account in ACCOUNTS.items():
        assert plan_counts(first, host)["create"] >= 10
        assert moto(sandbox, "eks", account).list_clusters()["clusters"] == [f"{host}-voice"]
    assert outstanding_leases(sandbox) == before


def test_each_service_account_carries_its_accounts_role(provisioned, sandbox):
    for host, account in ACCOUNTS.items():
        arn = service_account(sandbox, host).metadata.annotations["eks.amazonaws.com/role-arn"]
        assert arn == f"arn:aws:iam::{account}:role/{host}-voice-agent"
        assert moto(sandbox, "iam", account).get_role(RoleName=f"{host}-voice-agent")["Role"]["Arn"] == arn


def kube_as(sandbox, role_name, cluster="acme-voice"):
    """The sandbox kube-apiserver with a valid EKS token of an assumed role of acme's account."""
    iam = moto(sandbox, "iam")
    trust = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
    if role_name not in [r["RoleName"] for r in iam.list_roles()["Roles"]]:
        iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust)
    creds = moto(sandbox, "sts").assume_role(
        RoleArn=f"arn:aws:iam::123456789012:role/{role_name}", RoleSessionName="probe"
    )["Credentials"]
    sts = boto3.client(
        "sts",
        endpoint_url=sandbox["moto"]["url"],
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    return kube_api(sandbox, eks_token(sts, cluster)["token"])


def test_only_a_role_with_an_access_entry_reaches_the_kubernetes_api(provisioned, sandbox):
    # The deployer's role has the stack's admin access entry; a role of the same account without one,
    # with an equally valid token, is refused as EKS refuses it.
    assert kube_as(sandbox, "voicestack-deployer").read_namespace("voice").metadata.name == "voice"
    with pytest.raises(ApiException) as refused:
        kube_as(sandbox, "voicestack-stranger").read_namespace("voice")
    assert refused.value.status == 401


def test_the_state_moves_from_the_old_key_with_nothing_replaced(provisioned, sandbox):
    for account in ACCOUNTS.values():
        assert state_keys(sandbox, account) == [f"accounts/{account}/voice.tfstate"]
    moved = ansible_playbook(sandbox, "site.yml", *ALL_AT_ONCE, "--tags", "terraform")
    assert moved.returncode == 0, output(moved)
    for host, account in ACCOUNTS.items():
        assert plan_counts(moved, host) == NO_CHANGES  # nothing lost, nothing replaced
        assert (
            f"moved the state of {host} in account {account} from accounts/{account}/voice.tfstate to "
            f"accounts/{account}/{host}/voice.tfstate"
        ) in " ".join(moved.stdout.split())
        # The old object is gone (its versions stay in the versioned bucket), no lock is left.
        assert state_keys(sandbox, account) == [f"accounts/{account}/{host}/voice.tfstate"]
        s3 = moto(sandbox, "s3", account)
        versions = s3.list_object_versions(Bucket=f"voicestack-tfstate-{account}", Prefix=f"accounts/{account}/voice")
        assert versions.get("Versions") and versions.get("DeleteMarkers")
        state = s3.head_object(Bucket=f"voicestack-tfstate-{account}", Key=f"accounts/{account}/{host}/voice.tfstate")
        assert state["ServerSideEncryption"] == "aws:kms"


def test_a_second_run_changes_nothing(provisioned, sandbox):
    _, before = provisioned
    again = ansible_playbook(sandbox, "site.yml", *ALL_AT_ONCE)
    assert again.returncode == 0, output(again)
    for host in ACCOUNTS:
        assert plan_counts(again, host) == NO_CHANGES
        assert recap(again, host)["changed"] == 1  # only the revocation of this run's lease and token
    assert outstanding_leases(sandbox) == before


def test_check_mode_plans_only(provisioned, sandbox):
    variables = yaml.safe_load((INVENTORY / "group_vars" / "customer_accounts.yml").read_text())[
        "terraform_stack_variables"
    ]
    variables["alb"]["idle_timeout"] = 1800
    checked = ansible_playbook(
        sandbox, "site.yml", "-l", "acme", "--check", "-e", json.dumps({"terraform_stack_variables": variables})
    )
    assert checked.returncode == 0, output(checked)
    assert plan_counts(checked)["update"] >= 1
    assert idle_timeout(sandbox) == "3600"


def test_a_hand_edited_annotation_is_put_back_and_other_owners_fields_kept(provisioned, sandbox):
    api = kube_api(sandbox)
    api.patch_namespaced_service_account(
        "voice-agent",
        "voice",
        {
            "metadata": {
                "annotations": {
                    "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/someone-else",
                    "team": "ops",
                },
                "labels": {"cost-center": "42"},
            }
        },
        field_manager="kubectl-edit",
    )
    put_back = ansible_playbook(sandbox, "site.yml", "-l", "acme", "--tags", "service_account", "--diff")
    assert put_back.returncode == 0, output(put_back)
    assert "someone-else" in put_back.stdout  # the diff shows what was put back
    metadata = service_account(sandbox, "acme").metadata
    assert metadata.annotations["eks.amazonaws.com/role-arn"] == "arn:aws:iam::123456789012:role/acme-voice-agent"
    assert metadata.annotations["team"] == "ops"
    assert metadata.labels["cost-center"] == "42"
    again = ansible_playbook(sandbox, "site.yml", "-l", "acme", "--tags", "service_account")
    assert recap(again)["changed"] == 1  # only the revocation


def model_key_in_secret(sandbox, host, key_set):
    secret = kube_api(sandbox).read_namespaced_secret(f"model-key-{key_set}", NAMESPACES[host])
    return base64.b64decode(secret.data["api_key"]).decode()


def model_key_in_vault(sandbox, customer, key_set):
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])
    found = vault.secrets.kv.v2.read_secret_version(
        path=f"{customer}/{key_set}", mount_point=MODEL_KEYS_MOUNT, raise_on_deleted_version=True
    )
    return found["data"]["data"]["api_key"]


def test_each_agent_gets_its_own_customers_model_keys_from_vault(provisioned, sandbox):
    for host in ACCOUNTS:
        for key_set in MODEL_KEY_SETS:
            assert model_key_in_secret(sandbox, host, key_set) == model_key_in_vault(sandbox, host, key_set)
    # The planner's group may read the store and the ExternalSecrets, so that a check run compares them.
    rbac = k8s.RbacAuthorizationV1Api(kube_api(sandbox).api_client)
    binding = rbac.read_namespaced_role_binding("voicestack-planner-model-keys", "voice")
    assert [(s.kind, s.name) for s in binding.subjects] == [("Group", "voicestack-planner")]


def test_a_key_set_missing_in_vault_fails_naming_it_with_the_controllers_reason(provisioned, sandbox):
    extra = {"model_keys_sets": ["openai", "elevenlabs"], "model_keys_wait_seconds": 6}
    failed = ansible_playbook(sandbox, "site.yml", "-l", "acme", "--tags", "model_keys", "-e", json.dumps(extra))
    assert failed.returncode == 2, output(failed)
    assert "model keys not synced in voice after 6 s: elevenlabs: SecretSyncedError" in " ".join(failed.stdout.split())
    k8s.CustomObjectsApi(kube_api(sandbox).api_client).delete_namespaced_custom_object(
        "external-secrets.io", "v1", "voice", "externalsecrets", "model-key-elevenlabs"
    )


def test_the_operator_installs_from_its_pinned_chart_with_helm(provisioned, sandbox):
    tools = settings.tools_env()
    extra = {
        "model_keys_install_operator": True,
        # The chart of the pinned release, from its source (the chart repository cannot be reached here).
        "model_keys_operator_chart_ref": tools["VOICESTACK_ESO_CHART"],
        "model_keys_operator_chart_repo_url": None,
        "model_keys_operator_helm_binary": tools["VOICESTACK_HELM"],
        # No kubelet runs the chart's pods here (the sandbox runs the controller as a process), so
        # nothing would get ready, and a webhook nobody serves would refuse every ExternalSecret.
        "model_keys_operator_wait": False,
        "model_keys_operator_values": {"webhook": {"create": False}, "certController": {"create": False}},
    }
    args = ("-l", "acme", "--tags", "model_keys", "-e", json.dumps(extra))
    installed = ansible_playbook(sandbox, "site.yml", *args)
    assert installed.returncode == 0, output(installed)
    apps = k8s.AppsV1Api(kube_api(sandbox).api_client)
    deployment = apps.read_namespaced_deployment("external-secrets", "external-secrets")
    assert deployment.spec.template.spec.containers[0].image.endswith(":v0.16.2")
    checked = ansible_playbook(sandbox, "site.yml", *args, "--check")
    assert checked.returncode == 0, output(checked)
    assert "check mode cannot compare Helm releases" in " ".join(checked.stdout.split())


def test_a_short_agent_timeout_fails_the_preflight_before_any_call(provisioned, sandbox):
    audit_log = sandbox["openbao"]["audit_log"]
    audit, requests = audit_offset(audit_log), moto_request_offset(sandbox)
    short = ansible_playbook(sandbox, "site.yml", "-l", "acme", "-e", "verify_agent_server_timeout=60")
    assert short.returncode == 2
    assert "the agent's server-side timeout (60 s) is shorter than the ALB idle timeout (3600 s)" in short.stdout
    assert moto_requests(sandbox, requests) == []
    assert audit_offset(audit_log) == audit  # Vault was not asked either


def test_wrong_idle_timeout_fails_verify_shows_as_drift_notified_once_and_is_repaired(provisioned, sandbox, tmp_path):
    elbv2, arn = alb(sandbox)
    # Someone "fixes" the load balancer by hand, back to the AWS default.
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "60"}]
    )
    verified = ansible_playbook(sandbox, "site.yml", "-l", "acme", "--tags", "verify")
    assert verified.returncode == 2, output(verified)
    assert "the ALB's idle_timeout.timeout_seconds is 60, not 3600" in verified.stdout
    assert idle_timeout(sandbox) == "60"  # verify never changes anything

    with WebhookReceiver() as hook, WebhookReceiver(status=500) as down:

        def drift(webhook=hook):
            env = {"VOICESTACK_DRIFT_WEBHOOK_URL": webhook.url("services/T0/B0/secret-part")}
            ran = ansible_playbook(sandbox, "drift.yml", "-e", f"drift_report_dir={tmp_path}", env=env)
            assert ran.returncode == 2, output(ran)  # drift, new or not
            assert "secret-part" not in output(ran)
            return ran

        drifted = drift()
        assert "drift in 1 account(s): 123456789012" in drifted.stdout
        report = json.loads((tmp_path / "drift-report.json").read_text())
        assert report["drifted"] == ["123456789012"]
        acme = next(a for a in report["accounts"] if a["account_id"] == "123456789012")
        timeout = {"address": "module.alb.aws_lb.this", "action": "update", "attributes": ["idle_timeout"]}
        assert timeout in acme["plan"]["changes"]
        markdown = (tmp_path / "drift-report.md").read_text()
        assert "`module.alb.aws_lb.this`: Terraform would update it (idle_timeout)" in markdown
        assert [path for path, _ in hook.posts] == ["/services/T0/B0/secret-part"]
        assert hook.posts[0][1]["text"].splitlines()[1] == (
            "- 123456789012 (acme, new): update module.alb.aws_lb.this (idle_timeout)"
        )

        # The same drift the next night: no notice.
        drift()
        assert len(hook.posts) == 1

        # More of it, while the webhook fails: the run fails saying so, and the drift stays to be notified.
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "routing.http2.enabled", "Value": "false"}]
        )
        failed = drift(down)
        assert len(down.posts) == 1
        assert "the drift notice to the webhook failed (Status code was 500" in " ".join(failed.stdout.split())
        assert json.loads((tmp_path / "drift-report.json").read_text())["notified"] == []
        # The next run posts it: the drift changed since the last notice.
        drift()
        assert len(hook.posts) == 2
        assert "(acme, changed): update module.alb.aws_lb.this (enable_http2,idle_timeout)" in hook.posts[1][1]["text"]

    repaired = ansible_playbook(sandbox, "site.yml", "-l", "acme")
    assert repaired.returncode == 0, output(repaired)
    assert idle_timeout(sandbox) == "3600"
    clean = ansible_playbook(sandbox, "drift.yml", "-e", f"drift_report_dir={tmp_path}")
    assert clean.returncode == 0, output(clean)
    report = json.loads((tmp_path / "drift-report.json").read_text())
    assert report["drifted"] == [] and report["known_drift"] == {}


def state_object(sandbox, host, body=None):
    """The host's state in its bucket; with body, replaced by it."""
    s3, account = moto(sandbox, "s3", ACCOUNTS[host]), ACCOUNTS[host]
    where = {"Bucket": f"voicestack-tfstate-{account}", "Key": f"accounts/{account}/{host}/voice.tfstate"}
    if body is not None:
        s3.put_object(**where, Body=json.dumps(body).encode())
    return json.loads(s3.get_object(**where)["Body"].read())


def test_a_reviewed_plan_applies_exactly_once_and_one_not_as_reviewed_is_refused(provisioned, sandbox, tmp_path):
    host, account = "globex", ACCOUNTS["globex"]
    name, reviews = f"{account}-{host}-voice", tmp_path / "reviews"
    elbv2, arn = alb(sandbox, host)
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]
    )
    checked = ansible_playbook(
        sandbox,
        "site.yml",
        "-l",
        host,
        "--check",
        "-e",
        f"plan_review_dir={reviews}",
        env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"},
    )
    assert checked.returncode == 0, output(checked)
    record = json.loads((reviews / f"{name}.json").read_text())
    made = state_object(sandbox, host)
    assert record["state"] == {"lineage": made["lineage"], "serial": made["serial"]}
    assert record["sha256"] == hashlib.sha256((reviews / f"{name}.tfplan").read_bytes()).hexdigest()
    assert record["changes"] == [
        {"address": "module.alb.aws_lb.this", "action": "update", "attributes": ["idle_timeout"]}
    ]
    # Handed on to an AWX workflow's next nodes.
    assert "reviewed_plan_sha256" in checked.stdout and record["sha256"] in checked.stdout

    def refused(message, folder=reviews, *extra):
        requests = moto_request_offset(sandbox)
        result = ansible_playbook(sandbox, "site.yml", "-l", host, "-e", f"apply_reviewed={folder}", *extra)
        assert result.returncode == 2, output(result)
        assert message in " ".join(result.stdout.split()), output(result)
        assert writes(moto_requests(sandbox, requests)) == []

    # Digest: the plan file replaced in the folder, its record rewritten to match; the workflow still hands on the
    # digest that was approved.
    swapped = tmp_path / "swapped"
    shutil.copytree(reviews, swapped)
    with open(swapped / f"{name}.tfplan", "ab") as plan:
        plan.write(b"\0")
    forged = {**record, "sha256": hashlib.sha256((swapped / f"{name}.tfplan").read_bytes()).hexdigest()}
    (swapped / f"{name}.json").write_text(json.dumps(forged))
    approved = json.dumps({"reviewed_plan_sha256": {name: record["sha256"]}})
    refused(f"not the reviewed {record['sha256']}: it is not the plan that was reviewed", swapped, "-e", approved)

    # Lineage: the state replaced by another one since the review.
    other = "00000000-0000-4000-8000-000000000000"
    state_object(sandbox, host, {**made, "lineage": other})
    try:
        refused(f"made against state lineage {made['lineage']}, and the state is now lineage {other}")
    finally:
        state_object(sandbox, host, made)

    applied = ansible_playbook(sandbox, "site.yml", "-l", host, "-e", f"apply_reviewed={reviews}", "-e", approved)
    assert applied.returncode == 0, output(applied)
    assert idle_timeout(sandbox, host) == "3600"
    assert state_object(sandbox, host)["serial"] > made["serial"]

    # Serial: the same plan once more (a saved plan applied twice).
    refused(f"the reviewed plan is stale: it was made against serial {made['serial']}, and the state is now at serial")


def test_an_account_without_a_reviewed_plan_is_refused_before_any_call(provisioned, sandbox, tmp_path):
    requests = moto_request_offset(sandbox)
    result = ansible_playbook(sandbox, "site.yml", "-l", "acme", "-e", f"apply_reviewed={tmp_path}")
    assert result.returncode == 2, output(result)
    assert "no reviewed plan for customer acme in account 123456789012" in " ".join(result.stdout.split())
    assert moto_requests(sandbox, requests) == []


def test_the_agents_node_port_service_and_the_alb_path_are_verified_and_repaired(provisioned, sandbox):
    for host in ACCOUNTS:
        service = kube_api(sandbox).read_namespaced_service("voice-agent", NAMESPACES[host])
        assert service.spec.type == "NodePort"
        assert [(p.node_port, p.port, p.target_port) for p in service.spec.ports] == [(NODE_PORTS[host], 8080, 8080)]
    eks, ec2, autoscaling = moto(sandbox, "eks"), moto(sandbox, "ec2"), moto(sandbox, "autoscaling")
    cluster = eks.describe_cluster(name="acme-voice")["cluster"]
    cluster_sg = cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
    nodegroup = eks.describe_nodegroup(clusterName="acme-voice", nodegroupName="acme-voice-default")["nodegroup"]
    asg = nodegroup["resources"]["autoScalingGroups"][0]["name"]
    elbv2, arn = alb(sandbox)
    alb_sg = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]["SecurityGroups"][0]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [cluster_sg]}])
    rule = next(
        r
        for r in rules["SecurityGroupRules"]
        if r.get("ReferencedGroupInfo", {}).get("GroupId") == alb_sg and not r["IsEgress"]
    )
    group_arn = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg])["AutoScalingGroups"][0][
        "TargetGroupARNs"
    ][0]

    # Someone removes the rule and the attachment by hand: the ALB would answer 503.
    ec2.revoke_security_group_ingress(GroupId=cluster_sg, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
    autoscaling.detach_load_balancer_target_groups(AutoScalingGroupName=asg, TargetGroupARNs=[group_arn])
    verified = ansible_playbook(sandbox, "site.yml", "-l", "acme", "--tags", "verify")
    assert verified.returncode == 2, output(verified)
    assert "does not admit the load balancer on port 30080" in verified.stdout
    assert f"the target group is not attached to the node group's Auto Scaling group {asg}" in verified.stdout
    assert "no node is registered in the target group" in verified.stdout

    repaired = ansible_playbook(sandbox, "site.yml", "-l", "acme")
    assert repaired.returncode == 0, output(repaired)
    assert autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg])["AutoScalingGroups"][0][
        "TargetGroupARNs"
    ] == [group_arn]
    assert len(elbv2.describe_target_health(TargetGroupArn=group_arn)["TargetHealthDescriptions"]) == 3


def echo(ws):
    for message in ws:
        ws.send(message)


def test_verify_probes_an_idle_websocket_and_reports_the_drop(provisioned, sandbox):
    # The sandbox ALB forwards nothing, so the probe goes to a local echo
    # server behind a proxy that, like a load balancer, cuts idle connections.
    with serve(echo, "127.0.0.1", 0, ping_interval=None) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with IdleProxy(("127.0.0.1", server.socket.getsockname()[1]), idle_timeout=1) as proxy:
            probed = ansible_playbook(
                sandbox,
                "site.yml",
                "-l",
                "acme",
                "--tags",
                "verify",
                "-e",
                json.dumps(
                    {
                        "verify_websocket_probe": True,
                        "verify_websocket_url": f"ws://127.0.0.1:{proxy.port}/",
                        "verify_websocket_idle_seconds": 2.5,
                    }
                ),
            )
        server.shutdown()
    assert probed.returncode == 2, output(probed)
    assert "an idle WebSocket through the ALB was dropped" in probed.stdout
    assert proxy.cut == 1


@pytest.mark.security
@pytest.mark.proves("P1 no credential in output, logs, disk, state, plans or argv")
def test_a_failed_plan_shows_terraforms_error_without_the_credentials(provisioned, sandbox):
    raw_log = sandbox["openbao"]["raw_audit_log"]
    offset = audit_offset(raw_log)
    # Moving an account's state to another key needs a state migration,
    # which Terraform refuses to guess.
    elsewhere = "terraform_stack_backend_key=accounts/123456789012/acme/elsewhere.tfstate"
    failed = ansible_playbook(sandbox, "site.yml", "-l", "acme", "-v", "-e", elsewhere)
    assert failed.returncode == 2, output(failed)
    assert "Error: Backend configuration changed" in failed.stdout, output(failed)
    assert "-migrate-state" in failed.stdout, output(failed)
    issued = issued_since(raw_log, offset)
    assert issued, "the run issued no credentials to look for"
    assert [kind for secret, kind in issued.items() if secret in failed.stdout + failed.stderr] == []


def test_a_state_another_customer_wrote_is_refused_naming_both(provisioned, sandbox):
    requests = moto_request_offset(sandbox)
    # A copy-paste slip: another customer's host pointed at acme's state.
    slip = ansible_playbook(
        sandbox,
        "site.yml",
        "-l",
        "acme",
        "-e",
        "voicestack_customer=initech",
        "-e",
        "terraform_stack_backend_key=accounts/123456789012/acme/voice.tfstate",
    )
    assert slip.returncode == 2, output(slip)
    text = " ".join(slip.stdout.split())
    assert "holds the stack of customer acme in account 123456789012" in text, output(slip)
    assert "this run is for customer initech in account 123456789012" in text
    assert writes(moto_requests(sandbox, requests)) == []


def test_a_replacement_or_downgrade_is_refused_without_consent_and_applied_with_it(provisioned, sandbox):
    eks = moto(sandbox, "eks")
    group = eks.list_nodegroups(clusterName="acme-voice")["nodegroups"][0]
    before = eks.describe_nodegroup(clusterName="acme-voice", nodegroupName=group)["nodegroup"]
    variables = yaml.safe_load((INVENTORY / "group_vars" / "customer_accounts.yml").read_text())[
        "terraform_stack_variables"
    ]
    variables["node_group"] = {"disk_size": before["diskSize"] + 10}  # forces a new node group
    replace = ["-e", json.dumps({"terraform_stack_variables": variables})]
    why = "module.eks.aws_eks_node_group.this would be replaced (disk_size cannot be changed in place)"
    # Check mode shows it as a warning, and applies nothing.
    checked = ansible_playbook(sandbox, "site.yml", "-l", "acme", "--check", *replace)
    assert checked.returncode == 0, output(checked)
    assert "WARNING: the plan for customer acme in account 123456789012" in " ".join(checked.stdout.split())
    # Without consent: refused with what would go and why, nothing written.
    requests = moto_request_offset(sandbox)
    refused = ansible_playbook(sandbox, "site.yml", "-l", "acme", *replace)
    assert refused.returncode == 2, output(refused)
    text = " ".join(refused.stdout.split())
    assert why in text, output(refused)
    assert "run again with -e allow_replace=123456789012" in text
    assert writes(moto_requests(sandbox, requests)) == []
    assert eks.describe_nodegroup(clusterName="acme-voice", nodegroupName=group)["nodegroup"] == before
    # Consent for another account is no consent.
    other = ansible_playbook(
        sandbox, "site.yml", "-l", "acme", "--tags", "terraform", *replace, "-e", "allow_replace=210987654321"
    )
    assert other.returncode == 2 and why in " ".join(other.stdout.split()), output(other)
    # A lower Kubernetes version than the cluster runs is a downgrade EKS refuses: refused, consent or not.
    running = eks.describe_cluster(name="acme-voice")["cluster"]["version"]
    lower = f"1.{int(running.split('.')[1]) - 1}"
    down = ansible_playbook(
        sandbox,
        "site.yml",
        "-l",
        "acme",
        "--tags",
        "terraform",
        "-e",
        "allow_replace=123456789012",
        "-e",
        json.dumps({"terraform_stack_variables": {**variables, "node_group": {}, "kubernetes_version": lower}}),
    )
    assert down.returncode == 2, output(down)
    assert f"runs Kubernetes {running}; kubernetes_version {lower} would be a downgrade" in " ".join(
        down.stdout.split()
    )
    assert eks.describe_cluster(name="acme-voice")["cluster"]["version"] == running
    # With the account's consent: applied.
    allowed = ansible_playbook(
        sandbox, "site.yml", "-l", "acme", "--tags", "terraform", *replace, "-e", "allow_replace=123456789012"
    )
    assert allowed.returncode == 0, output(allowed)
    assert plan_counts(allowed, "acme")["replace"] >= 1
    after = eks.describe_nodegroup(clusterName="acme-voice", nodegroupName=group)["nodegroup"]
    assert after["diskSize"] == before["diskSize"] + 10


def test_destroy_refuses_without_the_account_id(provisioned, sandbox):
    requests = moto_request_offset(sandbox)
    refused = ansible_playbook(sandbox, "destroy.yml", "-l", "acme", "-e", "confirm_destroy=yes")
    assert refused.returncode == 2
    assert "refusing to destroy account 123456789012: pass -e confirm_destroy=123456789012" in refused.stdout
    assert moto_requests(sandbox, requests) == []


def test_destroy_with_the_account_id_removes_the_stack(provisioned, sandbox):
    _, before = provisioned
    for host, account in ACCOUNTS.items():
        # The sandbox runs a customer's defaults: the stack picked its zones (not the Local Zone
        # us-east-1-bos-1a, not us-east-1b on use1-az3) and the load balancer is protected.
        elbv2, arn = alb(sandbox, host)
        balancer = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
        assert sorted(z["ZoneName"] for z in balancer["AvailabilityZones"]) == [
            "us-east-1a",
            "us-east-1c",
            "us-east-1d",
        ]
        attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        assert {a["Key"]: a["Value"] for a in attributes}["deletion_protection.enabled"] == "true"

        gone = ansible_playbook(sandbox, "destroy.yml", "-l", host, "-e", f"confirm_destroy={account}")
        assert gone.returncode == 0, output(gone)
        reports = Path(sandbox_env(sandbox)["VOICESTACK_FLEET_REPORT_DIR"])
        [destroyed] = json.loads((reports / "fleet-destroy.json").read_text())["accounts"]
        assert (destroyed["host"], destroyed["outcome"]) == (host, "changed")
        assert destroyed["destroyed"] >= 40 and destroyed["added"] == 0
        assert moto(sandbox, "eks", account).list_clusters()["clusters"] == []
        assert elbv2.describe_load_balancers()["LoadBalancers"] == []
        vpcs = moto(sandbox, "ec2", account).describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])
        assert vpcs["Vpcs"] == []
    # Nothing these runs issued is left (a lease an earlier test left may have been revoked by them meanwhile).
    assert outstanding_leases(sandbox) <= before
