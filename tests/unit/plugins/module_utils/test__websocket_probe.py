"""websocket_probe against a local WebSocket server, directly and behind a proxy that cuts idle connections."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from idle_proxy import IdleProxy  # beside this file
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from ansible_collections.voicestack.aws.plugins.module_utils import _websocket_probe
from ansible_collections.voicestack.aws.plugins.module_utils._websocket_probe import probe

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "ws_proxy", "wss_proxy", "socks_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_environment(monkeypatch):
    """websockets honours proxy variables; the local servers must be reached directly."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _handler(ws):
    """/: echo; /close: close with 1001 after 0.3 s; /silent: read, never answer."""
    with contextlib.suppress(ConnectionClosed):
        if ws.request.path == "/close":
            time.sleep(0.3)
            ws.close(1001, "server going away")
        elif ws.request.path == "/silent":
            for _ in ws:
                pass
        else:
            for message in ws:
                ws.send(message)


def _forbid(connection, request):
    return connection.respond(403, "forbidden\n") if request.path == "/forbidden" else None


@contextlib.contextmanager
def websocket_server(ssl_context=None):
    # No server keepalive pings either: the connection must be truly idle.
    with serve(_handler, "127.0.0.1", 0, ssl=ssl_context, ping_interval=None, process_request=_forbid) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.socket.getsockname()[1]
        finally:
            server.shutdown()
            thread.join(timeout=5)


@pytest.fixture(scope="module")
def port():
    with websocket_server() as port:
        yield port


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A wss:// server with a self-signed certificate for 127.0.0.1: (port, path of the certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "websocket_probe test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    with websocket_server(context) as port:
        yield port, str(cert_path)


# --- module_utils ------------------------------------------------------------


def test_an_idle_connection_survives_and_the_message_is_echoed(port, monkeypatch):
    seen = {}

    def recording_connect(url, **options):
        seen.update(options)
        return connect(url, **options)

    connect = _websocket_probe.connect
    monkeypatch.setattr(_websocket_probe, "connect", recording_connect)
    result = probe(f"ws://127.0.0.1:{port}/", idle_seconds=2)
    assert result["survived"] and result["connected"], result
    assert result["error"] is None and result["close_code"] is None
    assert result["idle_seconds"] >= 2
    assert result["elapsed"] >= result["idle_seconds"]
    assert seen["ping_interval"] is None, "keepalive pings would keep the connection alive through an ALB"


def test_survives_a_proxy_whose_idle_timeout_is_longer(port):
    with IdleProxy(("127.0.0.1", port), idle_timeout=3) as proxy:
        result = probe(f"ws://127.0.0.1:{proxy.port}/", idle_seconds=1.5)
    assert result["survived"], result
    assert proxy.cut == 0


def test_a_proxy_with_a_shorter_idle_timeout_drops_the_connection(port):
    with IdleProxy(("127.0.0.1", port), idle_timeout=1) as proxy:
        result = probe(f"ws://127.0.0.1:{proxy.port}/", idle_seconds=2.5)
    assert proxy.cut == 1
    assert result["connected"] and not result["survived"], result
    assert result["elapsed"] < 2.5, result  # dropped before the idle period ended
    assert result["idle_seconds"] == result["elapsed"]
    assert result["close_code"] is None
    assert result["error"].startswith(f"connection dropped after {result['elapsed']:g} s while idle, without"), result


def test_a_close_frame_while_idle_is_reported(port):
    result = probe(f"ws://127.0.0.1:{port}/close", idle_seconds=5)
    assert not result["survived"], result
    assert result["elapsed"] < 5
    assert (result["close_code"], result["close_reason"]) == (1001, "server going away")
    assert "closed by the server" in result["error"] and "with code 1001 (server going away)" in result["error"]


def test_no_reply_is_not_survival(port):
    result = probe(f"ws://127.0.0.1:{port}/silent", idle_seconds=0, reply_timeout=0.5)
    assert result["connected"] and not result["survived"], result
    assert result["error"].startswith("no reply within reply_timeout 0.5 s after 0 s idle")


def test_connection_refused_is_one_clear_line():
    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        free = bound_not_listening.getsockname()[1]
        result = probe(f"ws://127.0.0.1:{free}/", idle_seconds=0)
    assert not result["connected"] and not result["survived"], result
    assert result["error"] == f"connection refused by 127.0.0.1:{free}: nothing listens there"
    assert result["elapsed"] == 0.0


def test_a_refused_upgrade_names_the_http_status(port):
    result = probe(f"ws://127.0.0.1:{port}/forbidden", idle_seconds=0)
    assert not result["connected"]
    assert result["error"] == f"ws://127.0.0.1:{port}/forbidden refused the WebSocket upgrade with HTTP 403"


@pytest.mark.parametrize("url", ["http://example.com/", "ws://", "example.com:443"])
def test_only_websocket_urls(url):
    assert probe(url)["error"] == f"url: {url!r} is not a ws:// or wss:// URL"


def test_wss_trusts_the_given_ca_bundle(tls):
    port, cert = tls
    result = probe(f"wss://127.0.0.1:{port}/", idle_seconds=0, ca_path=cert)
    assert result["survived"], result


def test_wss_rejects_an_untrusted_certificate(tls):
    port, _ = tls
    result = probe(f"wss://127.0.0.1:{port}/", idle_seconds=0)
    assert not result["connected"]
    assert result["error"].startswith(f"TLS certificate of 127.0.0.1:{port} not trusted: "), result
    assert result["error"].endswith("(set ca_path to the CA bundle that signed it, or validate_certs=false)")


def test_wss_without_certificate_validation(tls):
    port, _ = tls
    assert probe(f"wss://127.0.0.1:{port}/", idle_seconds=0, validate_certs=False)["survived"]


def test_an_unusable_ca_path_is_named(tls, tmp_path):
    port, _ = tls
    missing = tmp_path / "missing.pem"
    result = probe(f"wss://127.0.0.1:{port}/", ca_path=str(missing))
    assert result["error"].startswith(f"ca_path: cannot use {missing} as a CA bundle: "), result


def test_connect_errors_are_one_line():
    url = "ws://voice.example.invalid/"
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert _websocket_probe.describe_connect_error(gai, url, 10) == (
        "cannot resolve voice.example.invalid: Name or service not known"
    )
    assert _websocket_probe.describe_connect_error(TimeoutError(), url, 2.5) == (
        "no WebSocket connection to voice.example.invalid:80 within connect_timeout 2.5 s"
    )


# --- the module, end to end --------------------------------------------------


def run_module(tmp_path, check=False, **args):
    """ansible localhost -m voicestack.aws.websocket_probe: (exit code, the task's result)."""
    env = {
        **os.environ,
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_STDOUT_CALLBACK": "json",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "local"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "remote"),
    }
    cmd = ["ansible", "localhost", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}"]
    cmd += ["-m", "voicestack.aws.websocket_probe", "-a", json.dumps(args), *(["--check"] if check else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=env)
    try:
        output = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON from ansible (exit {proc.returncode}): {proc.stdout}{proc.stderr}")
    return proc.returncode, output["plays"][0]["tasks"][0]["hosts"]["localhost"]


def test_module_reports_survival(port, tmp_path):
    rc, result = run_module(tmp_path, url=f"ws://127.0.0.1:{port}/", idle_seconds=1)
    assert rc == 0, result
    assert result["survived"] and not result["changed"], result
    assert result["idle_seconds"] >= 1
    assert not result.get("failed")


def test_module_probes_in_check_mode(port, tmp_path):
    rc, result = run_module(tmp_path, check=True, url=f"ws://127.0.0.1:{port}/", idle_seconds=0)
    assert rc == 0, result
    assert result["survived"] and not result["changed"], result


def test_module_fails_when_the_connection_is_dropped(port, tmp_path):
    with IdleProxy(("127.0.0.1", port), idle_timeout=1) as proxy:
        rc, result = run_module(tmp_path, url=f"ws://127.0.0.1:{proxy.port}/", idle_seconds=2)
    assert rc != 0 and result["failed"] and not result["survived"], result
    assert not result["changed"]
    assert result["msg"].startswith(f"connection dropped after {result['elapsed']:g} s while idle"), result["msg"]
    assert "raise the ALB's idle_timeout (and that of any proxy in between) above 2 s" in result["msg"]


def test_module_reports_a_drop_without_failing_on_request(port, tmp_path):
    with IdleProxy(("127.0.0.1", port), idle_timeout=0.5) as proxy:
        rc, result = run_module(tmp_path, url=f"ws://127.0.0.1:{proxy.port}/", idle_seconds=1, fail_on_drop=False)
    assert rc == 0, result
    assert not result["survived"] and not result.get("failed") and result["elapsed"] < 1, result


def test_module_fails_clearly_when_it_cannot_connect(tmp_path):
    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        free = bound_not_listening.getsockname()[1]
        rc, result = run_module(tmp_path, url=f"ws://127.0.0.1:{free}/", fail_on_drop=False)
    assert rc != 0 and result["failed"], result
    assert result["msg"] == f"connection refused by 127.0.0.1:{free}: nothing listens there"
