"""What Vault refuses reaches the user as one line, keeps its cause for -vvv,
and carries no credential: against a stub HTTP server on loopback (no Vault)."""

from __future__ import annotations

import json
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hvac.exceptions
import pytest
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.voicestack.aws.plugins.module_utils import _vault
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

TOKEN = "hvs.stub-token-never-shown"


@pytest.fixture
def vault():
    """(url, reply): every request gets reply['status'], reply['type'] and reply['body']."""
    reply = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = reply["body"].encode()
            self.send_response(reply["status"])
            self.send_header("Content-Type", reply["type"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_PUT = do_GET = do_POST

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", reply
    server.shutdown()
    server.server_close()


def client(url):
    vault = _vault.VaultClient({"url": url, "retries": 0})
    vault.login({"auth_method": "token", "token": TOKEN})
    return vault


def vault_refuses(reply):
    reply.update(status=400, type="application/json", body=json.dumps({"errors": ["Role 'nope' not found"]}))


def test_vaults_own_error_is_the_message_and_hvacs_error_the_context(vault):
    url, reply = vault
    vault_refuses(reply)
    with pytest.raises(VaultError) as err:
        client(url).issue("nope", "assumed_role")
    assert str(err.value) == "Vault refused issuing AWS credentials for role 'nope' at aws/sts: Role 'nope' not found"
    assert isinstance(err.value.__context__, hvac.exceptions.InvalidRequest)
    assert err.value.__cause__ is None  # Ansible appends a cause's text to the message, not a context's
    assert "hvac.exceptions.InvalidRequest: Role 'nope' not found" in "".join(traceback.format_exception(err.value))


def test_an_error_page_that_echoes_the_request_is_withheld(vault):
    url, reply = vault
    reply.update(status=502, type="text/html", body=f"<html><pre>X-Vault-Token: {TOKEN}</pre></html>")
    with pytest.raises(VaultError) as err:
        client(url).issue("deployer", "assumed_role")
    assert str(err.value) == (
        "Vault refused issuing AWS credentials for role 'deployer' at aws/sts: "
        "BadGateway without a Vault error message (response body withheld)"
    )
    context = err.value.__context__
    assert isinstance(context, hvac.exceptions.BadGateway)
    assert context.text is None and context.json is None
    assert TOKEN not in "".join(traceback.format_exception(err.value))


def test_a_lease_that_is_gone_and_a_revoked_token_are_not_errors(vault):
    url, reply = vault
    vault_refuses(reply)  # 400: Vault's answer to a lease it does not know
    assert client(url).revoke_lease("aws/sts/deployer/gone") is False
    reply.update(status=403, body=json.dumps({"errors": ["permission denied"]}))
    assert client(url).revoke_self() is False


def test_the_lookup_chains_the_error_and_shows_its_traceback_at_vvv(vault, monkeypatch):
    url, reply = vault
    vault_refuses(reply)
    plugin = lookup_loader.get("voicestack.aws.vault_sts")
    shown = []
    monkeypatch.setattr(sys.modules[type(plugin).__module__].display, "vvv", shown.append)
    with pytest.raises(AnsibleLookupError) as err:
        plugin.run(["nope"], variables={}, url=url, token=TOKEN, retries=0)
    message = "vault_sts: Vault refused issuing AWS credentials for role 'nope' at aws/sts: Role 'nope' not found"
    assert str(err.value) == message
    assert isinstance(err.value.__cause__, VaultError)
    (trace,) = shown
    assert "hvac.exceptions.InvalidRequest" in trace and "in issue_for_roles" in trace
    assert TOKEN not in trace


def test_a_bug_is_not_dressed_up_as_a_vault_error(vault):
    url, reply = vault
    reply.update(status=200, type="application/json", body=json.dumps({"data": "not a mapping"}))
    with pytest.raises(AttributeError):
        client(url).issue("deployer", "assumed_role")
