"""ansible-playbook against the sandbox inventory (dev/sandbox/inventory: two
customer accounts), with the sandbox's environment and its root token."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import hvac

from dev.sandbox.vault_setup import client_in, model_keys_of, new_account, onboard, onboard_model_keys
from dev.settings import SANDBOX_INVENTORY, read_env

INVENTORY = SANDBOX_INVENTORY
ACCOUNTS = {"acme": "123456789012", "globex": "210987654321"}
# site.yml rolls out in waves, a canary account first (tests/integration/test_fleet.py); a test that runs both
# sandbox accounts at once (--forks 2) and is not about waves puts them in one wave.
ALL_AT_ONCE = ("--forks", "2", "-e", '{"site_waves": ["100%"]}')


def sandbox_env(sandbox: dict) -> dict[str, str]:
    return read_env(Path(sandbox["openbao"]["audit_log"]).parent / "sandbox.env")


def ansible_playbook(sandbox, playbook, *extra, env=None, timeout=1800, inventory=INVENTORY, popen=False):
    """Run one playbook on the sandbox inventory: a path, or one of the
    collection's playbooks by its file name ("site.yml") or full name
    ("voicestack.aws.site"), run by its full name as users run it.

    With popen=True, start it and return the Popen (stdout and stderr to pipes).
    """
    if os.path.isabs(playbook):
        path = playbook
    else:
        name = Path(playbook).stem if playbook.endswith(".yml") else playbook.rpartition(".")[2]
        path = f"voicestack.aws.{name}"
    run_env = {
        **os.environ,
        **sandbox_env(sandbox),
        "VAULT_TOKEN": sandbox["openbao"]["root_token"],
        "ANSIBLE_STDOUT_CALLBACK": "default",
        **(env or {}),
    }
    argv = ["ansible-playbook", "-i", str(inventory), str(path), *extra]
    if popen:
        return subprocess.Popen(argv, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(
        argv,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def output(result) -> str:
    return result.stdout[-4000:] + result.stderr[-3000:]


def recap(result, host="acme") -> dict[str, int]:
    match = re.search(
        rf"{host}\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", result.stdout
    )
    assert match, output(result)
    return dict(zip(("ok", "changed", "unreachable", "failed", "skipped"), map(int, match.groups()), strict=True))


def plan_counts(result, host="acme") -> dict[str, int]:
    """The plan summary the terraform_stack role prints for one host: {'create': N, ...}."""
    match = re.search(rf'(?:ok|changed): \[{host}\] => \{{\s+"msg": (\{{[^}}]*"create"[^}}]*\}})', result.stdout)
    assert match, output(result)
    return json.loads(match.group(1))


def moto_requests(sandbox, offset=0) -> list[dict]:
    """moto's request log from a byte offset: service, action, method, path of each request."""
    with open(sandbox["moto"]["request_log"], encoding="utf-8") as log:
        log.seek(offset)
        return [json.loads(line) for line in log]


def moto_request_offset(sandbox) -> int:
    path = Path(sandbox["moto"]["request_log"])
    return path.stat().st_size if path.exists() else 0


def work_folder(sandbox, account_id, host) -> Path:
    """The terraform_stack work folder of one inventory host in this sandbox (terraform_stack_work_root of the
    sandbox inventory)."""
    return Path(sandbox_env(sandbox)["VOICESTACK_SANDBOX_DIR"]) / "work" / account_id / host


def own_account(sandbox, directory, host, account_id, onboarded=True, model_keys=False) -> Path:
    """An inventory of one more sandbox account (its deployer and planner IAM roles,
    their Vault roles voicestack-<host> and voicestack-<host>-planner, bucket name,
    namespace), so a test can break and repair it without touching the others.
    Returns the inventory directory; run bootstrap_backend.yml on it first.
    Not onboarded, the account is as AWS Organizations creates it (its admin role
    only): onboard_account.yml makes the rest. With model_keys, the customer's
    model keys are seeded in Vault and its agent's Vault login onboarded, and
    site.yml syncs them; without, the account lists no key sets."""
    if onboarded:
        vault_roles = onboard(sandbox, "us-east-1", account_id, host)
    else:
        new_account(sandbox["moto"]["url"], "us-east-1", account_id)
        vault_roles = {"deployer": f"voicestack-{host}", "planner": f"voicestack-{host}-planner"}
    inventory = Path(directory) / f"inventory-{host}"
    inventory.mkdir(parents=True, exist_ok=True)
    (inventory / "group_vars").unlink(missing_ok=True)
    (inventory / "group_vars").symlink_to(INVENTORY / "group_vars")
    hosts = {
        "customer_accounts": {
            "hosts": {
                host: {
                    "voicestack_account_id": account_id,
                    "voicestack_customer": host,
                    "vault_credentials_aws_role": vault_roles["deployer"],
                    "vault_credentials_planner_aws_role": vault_roles["planner"],
                    # One kube-apiserver serves every sandbox cluster: a namespace and
                    # a node port of its own (the inventory's hosts take 30080-30082).
                    "sandbox_agent_namespace": f"voice-{host}",
                    "sandbox_alb_node_port": 31000 + int(account_id) % 1000,
                    **({} if model_keys else {"model_keys_sets": []}),
                }
            }
        }
    }
    (inventory / "hosts.yml").write_text(json.dumps(hosts))
    if model_keys:
        url, root_token = sandbox["openbao"]["url"], sandbox["openbao"]["root_token"]
        model_keys_of(hvac.Client(url=url, token=root_token), host)
        onboard_model_keys(url=url, root_token=root_token, state=inventory, inventory=inventory)
    return inventory


def outstanding_leases(
    sandbox,
    roles=("voicestack-deployer", "voicestack-planner", "voicestack-other-account", "voicestack-other-account-planner"),
) -> set[str]:
    """Lease ids OpenBao still holds for these Vault AWS roles."""
    vault = hvac.Client(url=sandbox["openbao"]["url"], token=sandbox["openbao"]["root_token"])
    leases = set()
    for role in roles:
        listing = vault.list(f"sys/leases/lookup/aws/sts/{role}")
        leases |= {f"aws/sts/{role}/{key}" for key in listing["data"]["keys"]} if listing else set()
    return leases


def moto_client(sandbox, service, account):
    """A client of the sandbox's moto acting in one account (moto accepts any key)."""
    return client_in(sandbox["moto"]["url"], "us-east-1", service, account)


def kube_api(sandbox, token=None):
    """The sandbox kube-apiserver (CoreV1Api) with this bearer token, by default its admin's."""
    from kubernetes import client as k8s

    env = sandbox_env(sandbox)
    config = k8s.Configuration()
    config.host = env["VOICESTACK_KUBE_API"]
    config.ssl_ca_cert = env["VOICESTACK_KUBE_CA_FILE"]
    config.api_key = {"authorization": f"Bearer {token or env['VOICESTACK_KUBE_TOKEN']}"}
    return k8s.CoreV1Api(k8s.ApiClient(config))
