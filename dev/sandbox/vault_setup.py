"""Configure the sandbox's OpenBao dev server like a customer's Vault.

- (the file audit device comes from the server's configuration: OpenBao
  refuses to enable audit devices through its API);
- what playbooks/vault_platform.yml does for a customer's Vault: the AWS
  secrets engine at ``aws/`` (IAM and STS endpoints pointed at moto) with the
  key of Vault's own IAM user in the management account, rotated at once; the
  policies ``voicestack-runner`` and ``voicestack-onboarding``; AppRole and
  JWT auth (keys generated here so tests can mint tokens), role
  ``voicestack`` each, granting the runner's policy;
- the AWS engine's roles the tests issue from (default TTL 30 min).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import boto3
import hvac
import jinja2

from dev.settings import ROOT

# The runner's ACL policy (roles/vault_platform), which the auth roles grant.
RUNNER_POLICY = "voicestack-runner"

ADMIN_ROLE_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)

ASSUME_ROLE_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


def assumed_role(account_id: str, iam_role: str, ttl: int = 1800) -> dict:
    """The parameters of a Vault AWS role that assumes one IAM role of an account."""
    return {
        "credential_type": "assumed_role",
        "role_arns": [f"arn:aws:iam::{account_id}:role/{iam_role}"],
        "default_sts_ttl": ttl,
        "max_sts_ttl": 7200,
    }


def aws_roles(account_id: str, other_account_id: str) -> dict[str, dict]:
    """The engine's roles: name -> parameters of aws/roles/<name>."""
    return {
        "voicestack-deployer": assumed_role(account_id, "voicestack-deployer"),
        "voicestack-planner": assumed_role(account_id, "voicestack-planner"),
        "voicestack-federation": {
            "credential_type": "federation_token",
            "policy_document": ADMIN_ROLE_POLICY,
            "default_sts_ttl": 1800,
            "max_sts_ttl": 7200,
        },
        "voicestack-iam-user": {
            "credential_type": "iam_user",
            "policy_document": ADMIN_ROLE_POLICY,
        },
        # For the account guard: a role in a different account (and that account's planner).
        "voicestack-other-account": assumed_role(other_account_id, "voicestack-deployer"),
        "voicestack-other-account-planner": assumed_role(other_account_id, "voicestack-planner"),
        # onboard_account.yml's way into member accounts (management_account()).
        "voicestack-management": {
            **assumed_role(MANAGEMENT_ACCOUNT_ID, "voicestack-onboarding", ttl=900),
            "max_sts_ttl": 900,
        },
        # For the TTL floor: a lease shorter than the default 30 min floor.
        "voicestack-short": {**assumed_role(account_id, "voicestack-deployer", ttl=900), "max_sts_ttl": 900},
    }


def account_policy(kind: str, account_id: str, customers: list[str], region: str) -> str:
    """One of the collection's account policies (deployer, planner, boundary),
    rendered for a sandbox account as onboard_account.yml renders it."""
    template = (ROOT / "roles" / "account_access" / "templates" / f"{kind}-policy.json.j2").read_text()
    return jinja2.Template(template, undefined=jinja2.StrictUndefined).render(
        partition="aws",
        account_id=account_id,
        region=region,
        names=[f"{customer}-voice" for customer in customers],
        # The sandbox inventory's state bucket and KMS alias (group_vars/customer_accounts.yml).
        state_bucket=f"voicestack-tfstate-{account_id}",
        state_key_alias="voicestack-tfstate",
        boundary="voicestack-boundary",
    )


# The sandbox's AWS Organizations management account. Its role
# voicestack-onboarding may assume the admin role of member accounts, and the
# Vault role voicestack-management issues it: onboard_account.yml's way in.
MANAGEMENT_ACCOUNT_ID = "999999999999"
ADMIN_ROLE = "OrganizationAccountAccessRole"
# The IAM user Vault's AWS engine signs with, in the management account; its key is rotated by Vault at once.
VAULT_USER = "voicestack-vault"
# Customers' model API keys: a KV v2 mount, one secret per customer and key set (<customer>/<set>, field api_key),
# which External Secrets Operator reads into the agent's namespace.
MODEL_KEYS_MOUNT = "voicestack-model-keys"
MODEL_KEY_SETS = ("openai", "anthropic", "deepgram")
# JWT auth as CI or AWX sets it up (vault_platform_jwt); the public key comes from jwt_keys().
SANDBOX_JWT = {"config": {"bound_issuer": "voicestack-sandbox"}, "bound_audiences": ["voicestack"]}


def client_in(aws_url: str, region: str, service: str, account_id: str):
    """A client of the sandbox's moto acting in one account, with the sandbox's own key (never enforced)."""
    client = boto3.client(
        service,
        endpoint_url=aws_url,
        region_name=region,
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )

    def in_account(request, **_kwargs):
        request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign", in_account)
    return client


def _role(iam, name: str, trust: str, policy_name: str, policy: str) -> None:
    try:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=policy)


def new_account(aws_url: str, region: str, account_id: str) -> None:
    """A member account as AWS Organizations creates it: OrganizationAccountAccessRole, trusted by the
    management account, with the AWS managed policy AdministratorAccess. Idempotent."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = client_in(aws_url, region, "iam", account_id)
    try:
        iam.create_role(RoleName=ADMIN_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    iam.attach_role_policy(RoleName=ADMIN_ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")


def management_account(aws_url: str, region: str) -> None:
    """The management account's voicestack-onboarding role: it may assume member accounts' admin role, no more."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::*:role/{ADMIN_ROLE}"}],
    }
    iam = client_in(aws_url, region, "iam", MANAGEMENT_ACCOUNT_ID)
    _role(iam, "voicestack-onboarding", ASSUME_ROLE_TRUST, "voicestack-onboarding", json.dumps(policy))


def make_iam_roles(aws_url: str, region: str, accounts: dict[str, list[str]]) -> None:
    """Onboard sandbox accounts (account id -> the customers it holds): the roles
    voicestack-deployer and voicestack-planner with the collection's policies
    (docs/iam-policies.md), which the sandbox enforces for the credentials Vault
    issues, and the permissions boundary voicestack-boundary. Idempotent."""
    for account_id, customers in accounts.items():
        iam = client_in(aws_url, region, "iam", account_id)
        try:
            iam.create_policy(
                PolicyName="voicestack-boundary",
                PolicyDocument=account_policy("boundary", account_id, customers, region),
            )
        except iam.exceptions.EntityAlreadyExistsException:
            pass
        for kind in ("deployer", "planner"):
            role = f"voicestack-{kind}"
            _role(iam, role, ASSUME_ROLE_TRUST, role, account_policy(kind, account_id, customers, region))


def onboard(state: dict, region: str, account_id: str, customer: str, ttl: int = 1800) -> dict[str, str]:
    """Onboard one more sandbox account for one customer's stack, as a customer's
    platform team would: its IAM roles (make_iam_roles) and two Vault AWS roles,
    voicestack-<customer> for the deployer and voicestack-<customer>-planner.
    Returns the Vault role names by kind. Idempotent."""
    make_iam_roles(state["moto"]["url"], region, {account_id: [customer]})
    vault = hvac.Client(url=state["openbao"]["url"], token=state["openbao"]["root_token"])
    names = {"deployer": f"voicestack-{customer}", "planner": f"voicestack-{customer}-planner"}
    for kind, name in names.items():
        vault.write(f"aws/roles/{name}", **assumed_role(account_id, f"voicestack-{kind}", ttl))
    return names


def jwt_keys(state: Path) -> str:
    """An RSA key pair whose private half lets tests mint JWTs for JWT auth."""
    key, pub = state / "jwt-signing.key", state / "jwt-signing.pub"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-out", str(pub)], check=True, capture_output=True)
    key.chmod(0o600)
    return pub.read_text()


def vault_user(aws_url: str, region: str) -> tuple[str, str]:
    """Vault's own IAM user in the management account, with the policy the
    runbook gives it, and a fresh access key: (access key id, secret key)."""
    iam = client_in(aws_url, region, "iam", MANAGEMENT_ACCOUNT_ID)
    user_arn = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:user/{VAULT_USER}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/voicestack-*"},
            {
                "Effect": "Allow",
                "Action": ["iam:GetUser", "iam:CreateAccessKey", "iam:DeleteAccessKey"],
                "Resource": user_arn,
            },
        ],
    }
    try:
        iam.create_user(UserName=VAULT_USER)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    iam.put_user_policy(UserName=VAULT_USER, PolicyName=VAULT_USER, PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=VAULT_USER)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def playbook(name, *, url, token, state, extra_vars: dict, args=()) -> subprocess.CompletedProcess:
    """Run the collection's playbook `name` against the sandbox's OpenBao with this token and these extra variables
    (written to a 0600 file in the sandbox state and removed after: they may hold the one-time root key)."""
    vars_file = state / f"{name}-vars.json"
    fd = os.open(vars_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(extra_vars, fh)
    env = {
        **os.environ,
        "VAULT_ADDR": url,
        "VAULT_TOKEN": token,
        "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".venv" / "collections")),
        "ANSIBLE_STDOUT_CALLBACK": "default",
    }
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), f"voicestack.aws.{name}", "-e", f"@{vars_file}"]
    try:
        return subprocess.run([*argv, *args], env=env, capture_output=True, text=True, check=False)
    finally:
        vars_file.unlink()


def vault_platform(*, url, root_token, state, region, extra_vars: dict, args=()) -> subprocess.CompletedProcess:
    """playbooks/vault_platform.yml on the sandbox's OpenBao."""
    extra_vars = {"vault_platform_url": url, "vault_platform_aws_region": region, **extra_vars}
    return playbook("vault_platform", url=url, token=root_token, state=state, extra_vars=extra_vars, args=args)


def onboard_model_keys(*, url, root_token, state, inventory=ROOT / "dev" / "sandbox" / "inventory") -> None:
    """The Vault side of the model keys of an inventory's accounts, as onboard_account.yml makes it (tag
    model_keys), with a token of the onboarding policy."""
    token = hvac.Client(url=url, token=root_token).auth.token.create(
        policies=["voicestack-onboarding"], ttl="10m", no_default_policy=True
    )["auth"]["client_token"]
    done = playbook(
        "onboard_account",
        url=url,
        token=token,
        state=state,
        extra_vars={},
        args=["-i", str(inventory), "--tags", "model_keys"],
    )
    if done.returncode != 0:
        raise RuntimeError(f"onboard_account.yml --tags model_keys failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")


def model_keys_of(client, customer: str) -> dict[str, str]:
    """A new random key of each key set for one customer: key -> "model key <set>"."""
    written = {}
    for key_set in MODEL_KEY_SETS:
        key = f"sk-sandbox-{secrets.token_urlsafe(24)}"
        client.secrets.kv.v2.create_or_update_secret(
            path=f"{customer}/{key_set}", secret={"api_key": key}, mount_point=MODEL_KEYS_MOUNT
        )
        written[key] = f"model key {key_set}"
    return written


def seed_model_keys(client, customers: list[str]) -> dict:
    """The model-key mount with a random key per customer and key set (random per sandbox: the canary knows
    what to look for by reading them back)."""
    client.sys.enable_secrets_engine("kv", path=MODEL_KEYS_MOUNT, options={"version": "2"})
    for customer in customers:
        model_keys_of(client, customer)
    return {"mount": MODEL_KEYS_MOUNT, "customers": customers, "sets": list(MODEL_KEY_SETS)}


def configure(*, url, root_token, aws_url, audit_log, state, aws_plugin, account_id, other_account_id, region):
    client = hvac.Client(url=url, token=root_token)
    details: dict = {"audit_log": str(audit_log)}
    # The first account also holds customer "sandbox", which the stack tests deploy (dev/testkit/tf.py).
    make_iam_roles(aws_url, region, {account_id: ["acme", "sandbox"], other_account_id: ["globex"]})
    management_account(aws_url, region)
    # OpenBao ships the AWS engine as an external plugin (dev/tools/build.sh builds it): registered here.
    plugin = Path(aws_plugin)
    client.write(
        "sys/plugins/catalog/secret/aws",
        command=plugin.name,
        sha256=hashlib.sha256(plugin.read_bytes()).hexdigest(),
    )
    access_key, secret_key = vault_user(aws_url, region)
    platform = vault_platform(
        url=url,
        root_token=root_token,
        state=state,
        region=region,
        extra_vars={
            "vault_platform_aws_iam_endpoint": aws_url,
            "vault_platform_aws_sts_endpoint": aws_url,
            "vault_platform_aws_access_key": access_key,
            "vault_platform_aws_secret_key": secret_key,
            "vault_platform_jwt": SANDBOX_JWT
            | {"config": {**SANDBOX_JWT["config"], "jwt_validation_pubkeys": [jwt_keys(state)]}},
        },
    )
    if platform.returncode != 0:
        raise RuntimeError(f"vault_platform.yml failed:\n{platform.stdout[-3000:]}{platform.stderr[-2000:]}")
    roles = aws_roles(account_id, other_account_id)
    for name, params in roles.items():
        client.write(f"aws/roles/{name}", **params)
    details["aws_roles"] = sorted(roles)
    details["model_keys"] = seed_model_keys(client, ["acme", "globex", "sandbox"])
    onboard_model_keys(url=url, root_token=root_token, state=state)
    role_id = client.read("auth/approle/role/voicestack/role-id")["data"]["role_id"]
    details["approle"] = {"mount": "approle", "role": "voicestack", "role_id": role_id}
    details["jwt"] = {
        "mount": "jwt",
        "role": "voicestack",
        "issuer": SANDBOX_JWT["config"]["bound_issuer"],
        "audience": SANDBOX_JWT["bound_audiences"][0],
        "signing_key": str(state / "jwt-signing.key"),
    }
    return details


def configure_kubernetes_auth(*, url, root_token, kube_url, ca_file, reviewer_token):
    """Kubernetes auth against the sandbox kube-apiserver (TokenReview), role
    ``voicestack`` for service account default/voicestack-awx."""
    client = hvac.Client(url=url, token=root_token)
    client.sys.enable_auth_method("kubernetes")
    client.write(
        "auth/kubernetes/config",
        kubernetes_host=kube_url,
        kubernetes_ca_cert=Path(ca_file).read_text(),
        token_reviewer_jwt=reviewer_token,
    )
    client.write(
        "auth/kubernetes/role/voicestack",
        bound_service_account_names=["voicestack-awx"],
        bound_service_account_namespaces=["default"],
        token_policies=[RUNNER_POLICY],
        token_ttl="1h",
    )
    return {"mount": "kubernetes", "role": "voicestack", "namespace": "default", "service_account": "voicestack-awx"}
