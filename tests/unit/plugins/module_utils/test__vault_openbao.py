"""What the Vault client and revocation do against a real OpenBao dev server
(the `openbao` fixture of tests/unit/conftest.py): a login token revoked also
when its policy may not look its lease up, login token accessors and their
records, no second login or issue after an error answer, no redirect followed."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hvac.exceptions
import pytest

from ansible_collections.voicestack.aws.plugins.module_utils import _lease_record, _vault
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._vault_revoke import revoke
from ansible_collections.voicestack.aws.plugins.plugin_utils import _vault_sts

# A policy that may issue a (PKI) lease but not look leases up; the default
# policy comes with it (revoke-self), and has no sys/leases/revoke.
ISSUER_WITHOUT_LOOKUP = """
path "pki/issue/run" { capabilities = ["update"] }
path "sys/leases/lookup" { capabilities = ["deny"] }
path "sys/leases/lookup/*" { capabilities = ["deny"] }
"""


def approle(root, policy, name="run"):
    """(role_id, secret_id) of an AppRole whose tokens have `policy` (and default)."""
    if "approle/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("approle")
    root.sys.create_or_update_policy(name, policy)
    root.auth.approle.create_or_update_approle(name, token_policies=[name], token_ttl="1h")
    role_id = root.auth.approle.read_role_id(name)["data"]["role_id"]
    return role_id, root.auth.approle.generate_secret_id(name)["data"]["secret_id"]


def pki(root):
    """A PKI engine whose role `run` issues certificates with a lease: a real lease without AWS."""
    root.sys.enable_secrets_engine("pki", path="pki")
    root.write_data("pki/root/generate/internal", data={"common_name": "unit", "ttl": "24h"})
    root.write_data("pki/roles/run", data={"allow_any_name": True, "generate_lease": True, "ttl": "1h"})


def logged_in(url, role_id, secret_id, **options):
    client = _vault.VaultClient({"url": url, **options})
    client.login({"auth_method": "approle", "role_id": role_id, "secret_id": secret_id})
    return client


def token_alive(root, token):
    try:
        root.auth.token.lookup(token)
    except (hvac.exceptions.Forbidden, hvac.exceptions.InvalidRequest):
        return False
    return True


def lease_alive(root, lease_id, wait=5.0):
    """Whether the lease still exists; waits for a revocation Vault finishes in the background."""
    deadline = time.monotonic() + wait
    while True:
        try:
            root.sys.read_lease(lease_id)
        except hvac.exceptions.InvalidRequest:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.1)


def ended_owner():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    who = {"pid": child.pid, "started": _lease_record._started(child.pid), **_lease_record.machine()}
    child.wait()
    return who


# --- revocation -----------------------------------------------------------------


def test_a_policy_without_lease_lookup_still_revokes_the_login_token_and_its_lease(openbao):
    url, root = openbao
    pki(root)
    client = logged_in(url, *approle(root, ISSUER_WITHOUT_LOOKUP))
    token = client.token
    lease_id = client._hvac.write_data("pki/issue/run", data={"common_name": "x.example"})["lease_id"]

    result = revoke(client, [lease_id], revoke_self=True, check_mode=False)

    assert result["token_revoked"] is True
    assert [line.split(":", 1)[0] for line in result["not_revoked"]] == [lease_id]  # sys/leases/revoke denied
    assert "permission denied" in result["not_revoked"][0]
    assert not token_alive(root, token)
    assert not lease_alive(root, lease_id)  # went with the token that issued it


def test_a_lease_that_may_not_be_looked_up_is_revoked_all_the_same(openbao):
    url, root = openbao
    pki(root)
    policy = ISSUER_WITHOUT_LOOKUP + 'path "sys/leases/revoke" { capabilities = ["update"] }\n'
    client = logged_in(url, *approle(root, policy))
    lease_id = client._hvac.write_data("pki/issue/run", data={"common_name": "x.example"})["lease_id"]
    assert revoke(client, [lease_id], revoke_self=False, check_mode=True)["revoked"] == [lease_id]
    assert lease_alive(root, lease_id, wait=0)
    result = revoke(client, [lease_id], revoke_self=False, check_mode=False)
    assert result == {"revoked": [lease_id], "already_gone": [], "not_revoked": [], "token_revoked": False}
    assert not lease_alive(root, lease_id)
    assert token_alive(root, client.token)


# --- login token accessors ------------------------------------------------------


def test_a_login_knows_its_token_accessor_and_expiry(openbao):
    url, root = openbao
    client = logged_in(url, *approle(root, ISSUER_WITHOUT_LOOKUP))
    assert client.logged_in
    assert client.accessor == root.auth.token.lookup(client.token)["data"]["accessor"]
    assert client.accessor != client.token
    assert client.token_expiration.endswith("Z")
    user = _vault.VaultClient({"url": url})
    user.login({"auth_method": "token", "token": root.token})
    assert (user.logged_in, user.accessor) == (False, None)  # the user's own token is never recorded


def test_the_next_run_revokes_an_ended_runs_login_token_by_its_accessor(openbao, tmp_path):
    url, root = openbao
    records = tmp_path / "leases"
    killed = logged_in(url, *approle(root, ISSUER_WITHOUT_LOOKUP))
    _lease_record.write_token(records, url, killed.accessor, killed.token_expiration, who=ended_owner())
    assert killed.token not in "".join(path.read_text() for path in records.iterdir())

    # The next run: its token may revoke by accessor.
    policy = 'path "auth/token/revoke-accessor" { capabilities = ["update"] }\n'
    following = logged_in(url, *approle(root, policy, name="next"))
    assert _vault_sts.revoke_leftovers(following, records, "aws") == ([], [killed.accessor], [])
    assert not token_alive(root, killed.token)
    assert list(records.iterdir()) == []


def test_a_token_the_next_run_may_not_revoke_is_kept_until_it_expires(openbao, tmp_path):
    url, root = openbao
    records = tmp_path / "leases"
    killed = logged_in(url, *approle(root, ISSUER_WITHOUT_LOOKUP))
    _lease_record.write_token(records, url, killed.accessor, killed.token_expiration, who=ended_owner())
    following = logged_in(url, *approle(root, ISSUER_WITHOUT_LOOKUP, name="next"))  # no revoke-accessor

    done, tokens, errors = _vault_sts.revoke_leftovers(following, records, "aws")
    assert (done, tokens) == ([], [])
    assert len(errors) == 1 and "auth/token/revoke-accessor" in errors[0] and "permission denied" in errors[0]
    assert len(list(records.iterdir())) == 1 and token_alive(root, killed.token)

    # Once its recorded expiry (and the clock-skew margin) has passed, it is only forgotten.
    _lease_record.write_token(records, url, killed.accessor, "2000-01-01T00:00:00Z", who=ended_owner())
    assert _vault_sts.revoke_leftovers(following, records, "aws") == ([], [killed.accessor], [])
    assert list(records.iterdir()) == []


def test_a_failed_lookup_revokes_its_login_token_and_forgets_its_record(openbao, tmp_path):
    url, root = openbao
    role_id, secret_id = approle(root, ISSUER_WITHOUT_LOOKUP)
    before = set(root.auth.token.list_accessors()["data"]["keys"])
    options = {
        "url": url,
        "auth_method": "approle",
        "role_id": role_id,
        "secret_id": secret_id,
        "credential_type": "assumed_role",
        "mount_point": "aws",  # not mounted: the issue fails after the login
        "min_ttl": "30m",
        "lease_record_dir": str(tmp_path / "leases"),
    }
    with pytest.raises(VaultError, match="while issuing AWS credentials"):
        _vault_sts.issue_for_roles(["deployer"], options)
    assert set(root.auth.token.list_accessors()["data"]["keys"]) == before
    assert list((tmp_path / "leases").iterdir()) == []


# --- no second login or issue after an error answer -------------------------------


class FlakyBalancer:
    """A stand-in for a load balancer that fails after the backend did the work
    (a double: a real OpenBao cannot be made to answer 502 after succeeding).
    It forwards each request to the real OpenBao, then answers 502 instead of
    OpenBao's answer; it counts the requests per path."""

    def __init__(self, upstream):
        host, port = upstream.removeprefix("http://").split(":")
        self.paths = []
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                balancer.paths.append((self.command, self.path))
                connection = http.client.HTTPConnection(host, int(port), timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                connection.request(self.command, self.path, body=body, headers=headers)
                connection.getresponse().read()
                connection.close()
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def balancer(openbao):
    flaky = FlakyBalancer(openbao[0])
    yield flaky
    flaky.close()


def test_a_login_answered_with_a_5xx_is_not_sent_again(openbao, balancer):
    root = openbao[1]
    role_id, secret_id = approle(root, ISSUER_WITHOUT_LOOKUP)
    before = set(root.auth.token.list_accessors()["data"]["keys"])
    client = _vault.VaultClient({"url": balancer.url, "retries": 3})
    with pytest.raises(VaultError, match="refused logging in with auth_method approle: BadGateway"):
        client.login({"auth_method": "approle", "role_id": role_id, "secret_id": secret_id})
    assert balancer.paths == [("POST", "/v1/auth/approle/login")]
    # The one token Vault created is left to its TTL (its answer never arrived); a retry would add one per try.
    assert len(set(root.auth.token.list_accessors()["data"]["keys"]) - before) == 1


def test_an_issue_answered_with_a_5xx_is_not_sent_again_but_a_revocation_is(openbao, balancer):
    root = openbao[1]
    client = _vault.VaultClient({"url": balancer.url, "retries": 2})
    client.login({"auth_method": "token", "token": root.token})
    with pytest.raises(VaultError, match=r"refused issuing AWS credentials .*: BadGateway"):
        client.issue("deployer", "assumed_role")
    assert balancer.paths == [("POST", "/v1/aws/sts/deployer")]
    balancer.paths.clear()
    with pytest.raises(VaultError, match="refused looking up a lease: BadGateway"):
        client.revoke_lease("aws/sts/deployer/x")
    assert balancer.paths == [("PUT", "/v1/sys/leases/lookup")] * 3  # idempotent: retried


# --- redirects ------------------------------------------------------------------


class Listener:
    """A loopback HTTP server answering every request with `answer(handler)`; records what it got."""

    def __init__(self, answer):
        self.got = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                listener.got.append((self.command, self.path, dict(self.headers), body))
                answer(self)

            do_PUT = do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def redirected():
    """(redirector, recorder): the redirector answers 307 to the recorder, which records what reaches it."""

    def ok(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")

    recorder = Listener(ok)

    # The redirecting server is a double of a malicious (or misconfigured) proxy
    # in front of Vault: no real component answers a Vault request with 307.
    def redirect(handler):
        handler.send_response(307)
        handler.send_header("Location", recorder.url + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    redirector = Listener(redirect)
    yield redirector, recorder
    redirector.close()
    recorder.close()


def test_a_redirect_never_carries_a_login_secret_or_a_token_elsewhere(openbao, redirected):
    url, root = openbao
    redirector, recorder = redirected
    role_id, secret_id = approle(root, ISSUER_WITHOUT_LOOKUP)

    client = _vault.VaultClient({"url": redirector.url})
    with pytest.raises(VaultError, match=r"answered with a redirect \(307\) to http://127\.0\.0\.1:\d+ while logging"):
        client.login({"auth_method": "approle", "role_id": role_id, "secret_id": secret_id})

    token = logged_in(url, role_id, secret_id).token  # a real token, sent to the redirector
    client = _vault.VaultClient({"url": redirector.url})
    client.login({"auth_method": "token", "token": token})
    with pytest.raises(VaultError, match=r"redirect \(307\) .* while revoking the run's own Vault token"):
        client.revoke_self()

    assert [got[1] for got in redirector.got] == ["/v1/auth/approle/login", "/v1/auth/token/revoke-self"]
    assert recorder.got == []  # neither the secret_id nor the token reached the second host
    assert token_alive(root, token)
