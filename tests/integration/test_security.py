"""The security properties of the design, proven on a sandbox account of its
own ("canary"): a full site.yml run at -vvvv leaks no credential anywhere it
could land, every lease it issued is revoked, and every bad input is refused,
naming the input, before any AWS call."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from types import SimpleNamespace

import hvac
import pytest
import yaml

from dev.sandbox import workers
from dev.sandbox.vault_setup import MODEL_KEY_SETS, MODEL_KEYS_MOUNT
from dev.settings import ROOT
from dev.testkit.ansible_cli import (
    INVENTORY,
    ansible_playbook,
    kube_api,
    moto_client,
    moto_request_offset,
    moto_requests,
    output,
    outstanding_leases,
    own_account,
    plan_counts,
    work_folder,
)
from dev.testkit.canary import ArgvSampler, Scan, audit_offset, issued_since, token_hmacs_since
from dev.testkit.webhook import WebhookReceiver

pytestmark = [pytest.mark.integration, pytest.mark.security]

HOST, ACCOUNT = "canary", "444455556666"
# The secret part of the drift webhook's URL (as in Slack's incoming webhooks); made here, so that the scan of
# the checkout does not find it in this file.
WEBHOOK_SECRET = secrets.token_hex(12)
ROLES = (f"voicestack-{HOST}",)


@pytest.fixture(scope="module")
def inventory(sandbox, tmp_path_factory):
    path = own_account(sandbox, tmp_path_factory.mktemp("canary"), HOST, ACCOUNT, model_keys=True)
    boot = ansible_playbook(sandbox, "bootstrap_backend.yml", "-l", HOST, inventory=path)
    assert boot.returncode == 0, output(boot)
    return path


@pytest.fixture(scope="module")
def canary_run(sandbox, inventory, tmp_path_factory):
    """The account's first rollout, reviewed: site.yml --check saving its plan for review, then site.yml applying
    exactly that plan; then a drift of the load balancer, and drift.yml posting the notice to a webhook whose URL
    holds a secret. Each at -vvvv with a log file and its own temp dirs, every process's command line sampled."""
    run_dir = tmp_path_factory.mktemp("canary-run")
    temp = run_dir / "tmp"
    temp.mkdir()
    reviews, drift_reports = temp / "reviews", temp / "drift"
    raw_log, hashed_log = sandbox["openbao"]["raw_audit_log"], sandbox["openbao"]["audit_log"]
    raw_offset, hashed_offset = audit_offset(raw_log), audit_offset(hashed_log)
    leases_before = outstanding_leases(sandbox, ROLES)
    env = {
        "ANSIBLE_LOG_PATH": str(run_dir / "ansible.log"),
        "TMPDIR": str(temp),
        "ANSIBLE_LOCAL_TEMP": str(temp / "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": str(temp / "ansible-remote"),
    }
    runs = []
    with ArgvSampler() as sampler, WebhookReceiver() as hook:

        def run(playbook, *args, expect=0, **extra_env):
            runs.append(
                ansible_playbook(sandbox, playbook, *args, "-vvvv", inventory=inventory, env={**env, **extra_env})
            )
            assert runs[-1].returncode == expect, output(runs[-1])
            return runs[-1]

        run("site.yml", "-l", HOST, "--check", "-e", f"plan_review_dir={reviews}")
        result = run("site.yml", "-l", HOST, "-e", f"apply_reviewed={reviews}")
        elbv2 = moto_client(sandbox, "elbv2", ACCOUNT)
        arn = elbv2.describe_load_balancers(Names=[f"{HOST}-voice"])["LoadBalancers"][0]["LoadBalancerArn"]
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "60"}]
        )
        webhook = {"VOICESTACK_DRIFT_WEBHOOK_URL": hook.url(f"services/T0/B0/{WEBHOOK_SECRET}")}
        run("drift.yml", "-l", f"{HOST},localhost", "-e", f"drift_report_dir={drift_reports}", expect=2, **webhook)
        assert len(hook.posts) == 1, "no drift notice was posted"
    return SimpleNamespace(
        result=result,
        runs=runs,
        log=run_dir / "ansible.log",
        temp=temp,
        reviews=reviews,
        drift_reports=drift_reports,
        secrets=issued_since(raw_log, raw_offset),
        token_hmacs=token_hmacs_since(hashed_log, hashed_offset),
        sampler=sampler,
        leases_before=leases_before,
    )


def state_versions(sandbox):
    """(key@version, body) of every version of every object in the account's state bucket."""
    s3 = moto_client(sandbox, "s3", ACCOUNT)
    bucket = f"voicestack-tfstate-{ACCOUNT}"
    for version in s3.list_object_versions(Bucket=bucket).get("Versions", []):
        body = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])["Body"].read()
        yield f"s3://{bucket}/{version['Key']}@{version['VersionId']}", body.decode("utf-8", "replace")


def model_keys(sandbox):
    """The canary customer's model keys in Vault (key -> "model key <set>"), each checked to have reached the
    Kubernetes Secret External Secrets made of it, so that the scan looks for keys the run really moved."""
    found = {}
    for key_set in MODEL_KEY_SETS:
        key = vault(sandbox).secrets.kv.v2.read_secret_version(
            path=f"{HOST}/{key_set}", mount_point=MODEL_KEYS_MOUNT, raise_on_deleted_version=True
        )["data"]["data"]["api_key"]
        secret = kube_api(sandbox).read_namespaced_secret(f"model-key-{key_set}", f"voice-{HOST}")
        assert base64.b64decode(secret.data["api_key"]).decode() == key
        found[key] = f"model key {key_set}"
    return found


@pytest.fixture(scope="module")
def scanned(sandbox, canary_run):
    """Everywhere the canary run could have left a credential or a model key, searched for both."""
    root_token = sandbox["openbao"]["root_token"]  # the run's own Vault token (VAULT_TOKEN)
    state_dir = Path(sandbox["openbao"]["raw_audit_log"]).parent
    credentials = {**canary_run.secrets, root_token: "vault token", WEBHOOK_SECRET: "drift webhook URL"}
    keys = model_keys(sandbox)
    scan = Scan({**credentials, **keys}, canary_run.token_hmacs, vault(sandbox))
    for number, run in enumerate(canary_run.runs, start=1):
        scan.text(f"ansible-playbook stdout (run {number})", run.stdout)
        scan.text(f"ansible-playbook stderr (run {number})", run.stderr)
    scan.file(canary_run.log)
    scan.tree(canary_run.temp)
    # The sandbox's folder: work dirs (bundled Terraform, tfvars, backend
    # settings, plan files, .terraform), lease records, logs. Left out: the
    # raw audit log, the oracle of this test, and the sandbox's own settings,
    # which hold its root token by design; the dev server prints that token
    # when it starts, so its log is searched for everything else. The
    # cluster's etcd holds the model keys' Secrets by design (where the agent
    # reads them): it is searched for the credentials only.
    openbao_log = state_dir / "logs" / "openbao.log"
    raw_audit_log = Path(sandbox["openbao"]["raw_audit_log"])
    etcd = state_dir / "etcd"
    scan.tree(state_dir, skip=(raw_audit_log, state_dir / "sandbox.env", state_dir / "state.json", openbao_log, etcd))
    in_etcd = Scan(credentials, canary_run.token_hmacs, vault(sandbox))
    in_etcd.tree(etcd)
    scan.file(openbao_log, exempt=(root_token,))
    # The checkout, without the virtualenvs, git objects, this sandbox (above)
    # and the sandboxes of the other test workers (whose credentials these are not).
    scan.tree(ROOT, skip=(ROOT / ".venv", ROOT / ".venv-scan", ROOT / ".git", state_dir, workers.STATE_ROOT))
    scan.tree(Path.home() / ".cache" / "voicestack" / "eks")  # the CA files service_account writes
    objects = 0
    for where, body in state_versions(sandbox):
        objects += 1
        scan.text(where, body)
    for command_line in canary_run.sampler.command_lines:
        scan.text("a process's command line", command_line)
    model_key_hits = [hit for hit in scan.hits if hit[0] in keys.values()]
    return SimpleNamespace(
        scan=scan,
        objects=objects,
        model_keys=keys,
        credential_hits=[hit for hit in scan.hits if hit not in model_key_hits] + in_etcd.hits,
        model_key_hits=model_key_hits,
    )


@pytest.mark.proves("P1 no credential in output, logs, disk, state, plans or argv")
def test_a_full_run_at_vvvv_leaks_no_credential_anywhere(canary_run, scanned, properties):
    """Security property 1: no issued AWS key, secret, session token, Vault token
    or EKS token in output, logs, files on disk, state, plans or argv."""
    assert plan_counts(canary_run.result, HOST)["create"] >= 40  # a full apply, not a rerun
    kinds = set(canary_run.secrets.values())
    assert kinds == {"access_key", "secret_key", "security_token"}, "the run issued no credentials to look for"
    scan = scanned.scan
    properties.record(
        "no credential leaks",
        f"{scan.summary()}; {scanned.objects} state object versions; {canary_run.sampler.samples} process-table "
        f"samples ({canary_run.sampler.during_apply} during apply, {len(canary_run.sampler.command_lines)} "
        "command lines)",
    )
    assert scanned.objects >= 2  # the state and its earlier versions
    assert canary_run.sampler.during_apply > 0, "no sample was taken while tofu applied"
    assert scan.archives >= 1, "no plan file was scanned"
    assert scan.crash_logs == 0
    assert scanned.credential_hits == []


@pytest.mark.proves("P1 no credential in output, logs, disk, state, plans or argv")
def test_the_saved_plan_and_the_drift_notice_hold_no_secret(canary_run, scanned):
    """Security property 1, for what a fleet run leaves for people: the plan saved for review (and its record),
    the drift report, and the drift webhook's URL, itself a secret, in none of what the runs wrote or printed."""
    saved = sorted(path.name for path in canary_run.reviews.iterdir())
    assert saved == [f"{ACCOUNT}-{HOST}-voice.json", f"{ACCOUNT}-{HOST}-voice.tfplan"]
    assert sorted(path.name for path in canary_run.drift_reports.iterdir()) == ["drift-report.json", "drift-report.md"]
    # Both folders are in the scanned temp tree; the webhook URL's secret is one of the credentials searched for.
    assert all(path.is_relative_to(canary_run.temp) for path in (canary_run.reviews, canary_run.drift_reports))
    assert [hit for hit in scanned.credential_hits if hit[0] == "drift webhook URL"] == []
    assert scanned.credential_hits == []


@pytest.mark.proves("P9 no model key in output, logs, disk, state, plans or argv")
def test_the_model_keys_reach_the_cluster_and_nothing_the_run_writes(scanned):
    """Security property 9: the customer's model keys, synced into the cluster's
    Secrets during the run (checked by the fixture), are nowhere in its output,
    logs, files on disk, state, plans or argv."""
    assert len(scanned.model_keys) == 3
    assert scanned.model_key_hits == []


@pytest.mark.proves("P3 every lease revoked when a run succeeds")
def test_every_lease_of_a_successful_run_is_revoked(sandbox, canary_run):
    """Security property 3 (a): a run that succeeds leaves no lease."""
    assert outstanding_leases(sandbox, ROLES) == canary_run.leases_before == set()


@pytest.mark.proves("P2 credentials reach terraform only through its environment")
def test_credentials_reach_terraform_only_through_its_environment(sandbox, canary_run):
    """Security property 2: no -var, no tfvars, no backend file holds a credential."""
    work = work_folder(sandbox, ACCOUNT, HOST)
    files = [work / "backend.hcl", work / "voice.tfvars.json"]
    for path in files:
        text = path.read_text()
        assert [kind for secret, kind in canary_run.secrets.items() if secret in text] == []
        assert "access_key" not in text
        assert "secret_key" not in text
    tofu_lines = [line for line in canary_run.sampler.command_lines if line.split(" ", 1)[0].endswith("tofu")]
    assert tofu_lines, "no tofu command line was sampled"
    assert all("-var=" not in line and "-var " not in line for line in tofu_lines)


def vault(sandbox):
    return hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])


# --- bad input: refused before any AWS call, naming the input ---------------------------

SANDBOX_VARIABLES = yaml.safe_load((INVENTORY / "group_vars" / "customer_accounts.yml").read_text())[
    "terraform_stack_variables"
]


def stack(**override):
    """The sandbox's stack variables with some replaced (alb, node_group, ... merged one level deep)."""
    merged = json.loads(json.dumps(SANDBOX_VARIABLES))
    for key, value in override.items():
        merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return {"terraform_stack_variables": merged}


BAD_INPUTS = {
    # The account and the customer (role terraform_stack, checked first).
    "account-11-digits": ({"voicestack_account_id": "12345678901"}, "terraform_stack_account_id must be 12 digits"),
    "account-13-digits": ({"voicestack_account_id": "1234567890123"}, "terraform_stack_account_id must be 12 digits"),
    "account-letters": ({"voicestack_account_id": "12345678901a"}, "terraform_stack_account_id must be 12 digits"),
    "customer-capitals": ({"voicestack_customer": "Acme"}, "terraform_stack_customer 3-20 lowercase"),
    "customer-too-short": ({"voicestack_customer": "ab"}, "terraform_stack_customer 3-20 lowercase"),
    "customer-underscore": ({"voicestack_customer": "acme_corp"}, "terraform_stack_customer 3-20 lowercase"),
    # The stack's variables (planned alone, no provider, no backend).
    "region-typo": ({"voicestack_region": "us-east1"}, "region must be an AWS region name"),
    "region-unknown": ({"voicestack_region": "mars-north-1"}, "region must be an AWS region name"),
    "vpc-cidr-/8": (stack(vpc_cidr="10.0.0.0/8"), "vpc_cidr must be an IPv4 CIDR block between /16 and /20"),
    "vpc-cidr-octet": (stack(vpc_cidr="10.400.0.0/16"), "vpc_cidr must be an IPv4 CIDR block"),
    "one-zone": (stack(availability_zones=["us-east-1a"]), "availability_zones must name 2 or 3 zones"),
    "four-zones": (
        stack(availability_zones=["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]),
        "availability_zones must name 2 or 3 zones",
    ),
    "idle-timeout-0": (stack(alb={"idle_timeout": 0}), "alb.idle_timeout must be a whole number of seconds"),
    "idle-timeout-5000": (stack(alb={"idle_timeout": 5000}), "alb.idle_timeout must be a whole number of seconds"),
    "idle-timeout-fraction": (stack(alb={"idle_timeout": 60.5}), "alb.idle_timeout must be a whole number of seconds"),
    "idle-timeout-text": (
        stack(alb={"idle_timeout": "an hour"}),
        'terraform_stack_variables.alb.idle_timeout: a number is required (given "an hour")',
    ),
    # What verify refuses, the stack refuses before anything is created.
    "collection-type-search": (
        stack(vector_store={"collection_type": "SEARCH"}),
        "vector_store.collection_type must be VECTORSEARCH",
    ),
    # A bucket name S3 refuses, named before the backend is ever asked (not "Backend configuration changed").
    "backend-bucket-name": ({"terraform_stack_backend_bucket": "Voice_State"}, "terraform_stack_backend_bucket: "),
    # Two hosts for one customer stack (same account and customer) would share a state: both named.
    "twin-a": (
        {"voicestack_account_id": "555500009999", "voicestack_customer": "twin"},
        "inventory hosts twin-a and twin-b are both customer twin in account 555500009999",
    ),
    "twin-b": (
        {"voicestack_account_id": "555500009999", "voicestack_customer": "twin"},
        "inventory hosts twin-b and twin-a are both customer twin in account 555500009999",
    ),
    "no-certificate": (
        stack(alb={"allow_http_only": False}),
        "alb.certificate_arn (an ACM certificate ARN) is required",
    ),
    "certificate-not-arn": (
        stack(alb={"certificate_arn": "my-cert"}),
        "alb.certificate_arn must be an ACM certificate ARN",
    ),
    "ingress-cidr": (stack(alb={"ingress_cidrs": ["0.0.0.0/33"]}), "alb.ingress_cidrs must list IPv4 CIDR blocks"),
    "target-port": (stack(alb={"target_port": 70000}), "alb.target_port must be a TCP port"),
    "health-check-path": (stack(alb={"health_check_path": "healthz"}), "alb.health_check_path must start with /"),
    "x86-on-arm-ami": (
        stack(node_group={"instance_types": ["m7i.large"]}),
        "node_group.ami_type does not match the instance architecture",
    ),
    "arm-on-x86-ami": (
        stack(node_group={"ami_type": "AL2023_x86_64_STANDARD"}),
        "node_group.ami_type does not match the instance architecture",
    ),
    "mixed-architectures": (
        stack(node_group={"instance_types": ["m7g.large", "m7i.large"]}),
        "must not mix ARM (Graviton, e.g. m7g) and x86",
    ),
    "min-above-desired": (stack(node_group={"min_size": 4}), "1 <= min_size <= desired_size <= max_size"),
    "max-size-500": (stack(node_group={"max_size": 500}), "node_group.max_size above 100 is refused"),
    "unknown-ami": (stack(node_group={"ami_type": "UBUNTU_ARM_64"}), "node_group.ami_type must be one of"),
    "instance-type-shape": (
        stack(node_group={"instance_types": ["large"]}),
        "node_group.instance_types must list EC2 instance types",
    ),
    "disk-5-gib": (stack(node_group={"disk_size": 5}), "node_group.disk_size must be 20 to 1000 GiB"),
    "kubernetes-1.29": (stack(kubernetes_version="1.29"), "kubernetes_version: '1.29' is not an EKS version"),
    "kubernetes-1.31-ended": (
        stack(kubernetes_version="1.31"),
        "kubernetes_version: EKS 1.31 reached its end of extended support on 2026-11-26",
    ),
    "support-type": (stack(kubernetes_support_type="forever"), "kubernetes_support_type must be STANDARD or EXTENDED"),
    "collection-policy-name-33": (
        stack(collection_name="voice-vectors-for-acme-corp"),
        "collection_name: 'voice-vectors-for-acme-corp' makes the OpenSearch Serverless policy name "
        "'voice-vectors-for-acme-corp-agent' (33 characters); AWS allows 32",
    ),
    "customer-internal": (
        {"voicestack_customer": "internal-x"},
        "AWS refuses load balancer names beginning with 'internal-'",
    ),
    "certificate-region": (
        stack(alb={"allow_http_only": False, "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/1"}),
        "alb.certificate_arn: the certificate is in region eu-west-1, the stack in us-east-1",
    ),
    "admin-policy": (
        stack(agent={"managed_policy_arns": ["arn:aws:iam::aws:policy/PowerUserAccess"]}),
        "agent.managed_policy_arns: arn:aws:iam::aws:policy/PowerUserAccess would give the voice agent's pods",
    ),
    "boundary-not-policy": (
        stack(iam_permissions_boundary_arn="arn:aws:iam::123456789012:role/boundary"),
        "iam_permissions_boundary_arn must be an IAM managed policy ARN",
    ),
    "collection-capitals": (stack(collection_name="Voice-Vectors"), "collection_name must be 3-32 characters"),
    "collection-too-short": (stack(collection_name="vv"), "collection_name must be 3-32 characters"),
    "collection-type": (
        stack(vector_store={"collection_type": "TIMESERIES"}),
        "vector_store.collection_type must be VECTORSEARCH",
    ),
    "collection-unreachable": (
        stack(vector_store={"private_endpoint": False}),
        "vector_store: with private_endpoint = false, set public = true or name vpc_endpoint_ids",
    ),
    "vpc-endpoint-id": (
        stack(vector_store={"vpc_endpoint_ids": ["endpoint-1"]}),
        "vector_store.vpc_endpoint_ids must be OpenSearch Serverless VPC endpoint ids",
    ),
    "secrets-kms-alias": (stack(secrets_kms_key_arn="alias/eks"), "secrets_kms_key_arn must be a KMS key ARN"),
    "api-cidr": (stack(cluster_public_access_cidrs=["everyone"]), "cluster_public_access_cidrs must all be IPv4"),
    "api-cidr-none": (stack(cluster_public_access_cidrs=[]), "cluster_public_access_cidrs must list the CIDRs"),
    "api-cidr-anywhere": (
        stack(cluster_public_access_cidrs=["0.0.0.0/0"]),
        "cluster_public_access_cidrs opens the Kubernetes API endpoint to the whole internet",
    ),
    "namespace-capitals": (stack(agent={"namespace": "Voice"}), "agent.namespace and agent.service_account must be"),
    "policy-not-arn": (
        stack(agent={"managed_policy_arns": ["AdministratorAccess"]}),
        "agent.managed_policy_arns must be IAM policy ARNs",
    ),
    "aws-tag-prefix": (stack(tags={"aws:owner": "ops"}), "tags: at most 40, keys 1-128 characters"),
    "negative-iam-wait": (stack(iam_propagation_wait_seconds=-1), "iam_propagation_wait_seconds must be 0 to 300"),
    "undeclared-variable": (stack(idle_timeout=3600), "stack voice has no variable named idle_timeout"),
    "wrong-type": (stack(single_nat_gateway="maybe"), "a bool is required"),
    # The agent's timeouts against the ALB idle timeout (role verify's preflight).
    "agent-timeout-short": (
        {"verify_agent_server_timeout": 60},
        "the agent's server-side timeout (60 s) is shorter than the ALB idle timeout (3600 s)",
    ),
    # Vault options (role vault_credentials: argument specs and the lookup's own checks, before any request).
    "vault-auth-method": ({"vault_credentials_auth_method": "ldap"}, "vault_credentials_auth_method"),
    "vault-timeout-text": ({"vault_credentials_timeout": "soon"}, "vault_credentials_timeout"),
    "vault-ttl-text": ({"vault_credentials_ttl": "ten minutes"}, "ttl: 'ten minutes' is not a duration"),
    "vault-min-ttl-negative": ({"vault_credentials_min_ttl": "-5"}, "min_ttl: '-5' is not a duration"),
}


# The lookup's own refusals: its task is no_log, so Ansible shows the message
# only in the default output's error line, not in the task's result.
LOOKUP_CASES = ("vault-ttl-text", "vault-min-ttl-negative")


@pytest.fixture(scope="module")
def refused(sandbox, inventory, tmp_path_factory):
    """One site.yml run over an inventory with one host per bad input (each its
    own account id, unless the id is the bad value), then one run per lookup
    case, and moto's request log over all of them. Returns ({case: the failure
    messages of its host}, its recap, requests)."""
    directory = tmp_path_factory.mktemp("bad-inputs")
    (directory / "group_vars").symlink_to(INVENTORY / "group_vars")
    hosts = {
        case: {
            "voicestack_account_id": f"5555000000{number:02d}",
            "voicestack_customer": "bad-input",
            "vault_credentials_aws_role": ROLES[0],
            **bad,
        }
        for number, (case, (bad, message)) in enumerate(BAD_INPUTS.items())
    }
    (directory / "hosts.yml").write_text(json.dumps({"customer_accounts": {"hosts": hosts}}))
    requests = moto_request_offset(sandbox)
    # Every host is refused on its own: in one wave, with no failure stopping the others.
    waves = json.dumps({"site_waves": ["100%"], "site_max_fail_percentage": 100})
    result = ansible_playbook(
        sandbox,
        "site.yml",
        "--forks",
        "4",
        "-e",
        waves,
        inventory=directory,
        env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"},
    )
    assert result.returncode == 2, output(result)
    report = json.loads(result.stdout)
    messages = {case: [] for case in BAD_INPUTS}
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, outcome in task["hosts"].items():
                if outcome.get("failed") and not outcome.get("ignore_errors"):
                    messages[host].append(" ".join(str(outcome.get("msg", "")).split()))
    for case in LOOKUP_CASES:
        alone = ansible_playbook(sandbox, "site.yml", "-l", case, inventory=directory)
        assert alone.returncode == 2, output(alone)
        messages[case] = [line for line in (alone.stdout + alone.stderr).splitlines() if line.startswith("[ERROR]")]
    assert report["stats"].keys() == BAD_INPUTS.keys()
    return messages, [report["stats"][case] for case in BAD_INPUTS], moto_requests(sandbox, requests)


@pytest.mark.proves("P6 every bad input refused, naming it, before any AWS call")
@pytest.mark.parametrize("case", BAD_INPUTS)
def test_a_bad_input_is_refused_naming_it(refused, case):
    """Security property 6: one clear message naming the input."""
    messages = refused[0]
    assert messages[case], f"{case} was not refused"
    assert BAD_INPUTS[case][1] in " ".join(messages[case]), messages[case]
    assert not any("Traceback" in message for message in messages[case])


@pytest.mark.proves("P6 every bad input refused, naming it, before any AWS call")
def test_no_bad_input_reached_aws(refused, properties):
    """Security property 6: nothing was called, so nothing was created."""
    messages, stats, requests = refused
    refused_count = sum(1 for case in messages if messages[case])
    properties.record("bad inputs", f"{refused_count}/{len(messages)} refused, {len(requests)} AWS requests")
    assert len(messages) >= 30
    assert all(host["failures"] >= 1 for host in stats)
    assert requests == []
