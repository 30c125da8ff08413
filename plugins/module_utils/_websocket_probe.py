# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Does an idle WebSocket survive the load balancer (or proxy) in front of the server?

Opens a WebSocket, stays silent for a while (no data, no keepalive pings, so
that every idle timeout on the path runs), then sends one message and waits for
a reply. Internal: the leading underscore means no compatibility promise
outside the collection.
"""

from __future__ import annotations

import socket
import ssl
import time
from urllib.parse import urlsplit

try:
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
    from websockets.sync.client import connect

    HAS_WEBSOCKETS = True
    WEBSOCKETS_IMPORT_ERROR = None
except ImportError as exc:  # reported by the module with missing_required_lib
    HAS_WEBSOCKETS = False
    WEBSOCKETS_IMPORT_ERROR = exc


def _seconds(value):
    return round(value, 3)


def _endpoint(url):
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "wss" else 80)
    return f"{parts.hostname}:{port}"


def ssl_context(validate_certs=True, ca_path=None):
    """The TLS settings of a wss:// probe."""
    context = ssl.create_default_context(cafile=ca_path)
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def describe_connect_error(exc, url, connect_timeout):  # noqa: PLR0911 - one return per error kind
    """One line for a failure to open the WebSocket (no traceback)."""
    where = _endpoint(url)
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where}: nothing listens there"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {urlsplit(url).hostname}: {exc.strerror or exc}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"TLS certificate of {where} not trusted: {exc.verify_message or exc}"
            " (set ca_path to the CA bundle that signed it, or validate_certs=false)"
        )
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake with {where} failed: {exc.reason or exc}"
    if isinstance(exc, TimeoutError):
        return f"no WebSocket connection to {where} within connect_timeout {connect_timeout:g} s"
    if isinstance(exc, InvalidStatus):
        return f"{url} refused the WebSocket upgrade with HTTP {exc.response.status_code}"
    if isinstance(exc, InvalidURI):
        return f"url: {url!r} is not a valid WebSocket URL"
    if isinstance(exc, InvalidHandshake):
        return f"WebSocket handshake with {url} failed: {exc}"
    if isinstance(exc, OSError):
        return f"cannot connect to {where}: {exc.strerror or exc}"
    return f"cannot connect to {url}: {type(exc).__name__}: {exc}"


def _closed(result, exc, elapsed, phase):
    """Record how the connection ended, elapsed seconds after the idle period began, when ConnectionClosed
    was raised."""
    result["elapsed"] = elapsed
    if exc.rcvd is None:
        result["error"] = (
            f"connection dropped after {elapsed:g} s {phase}, without a WebSocket close frame"
            " (the TCP connection was closed)"
        )
        return
    result["close_code"] = exc.rcvd.code
    result["close_reason"] = exc.rcvd.reason
    reason = f" ({exc.rcvd.reason})" if exc.rcvd.reason else ""
    result["error"] = f"connection closed by the server after {elapsed:g} s {phase}, with code {exc.rcvd.code}{reason}"


class ProbeError(Exception):
    """The WebSocket did not open: one line, no traceback."""


def probe(
    url,
    idle_seconds=65.0,
    message="ping",
    reply_timeout=10.0,
    connect_timeout=10.0,
    validate_certs=True,
    ca_path=None,
    headers=None,
    subprotocols=None,
):
    """Connect, stay idle for idle_seconds, send message, wait for a reply.

    Returns a dict: connected, survived (the send and a reply both succeeded),
    idle_seconds (how long the connection actually stayed idle), elapsed (from
    the opening handshake to the drop or to the reply), close_code / close_reason
    (from the server's close frame, if one came) and error (one line or None).
    """
    result = {
        "connected": False,
        "survived": False,
        "idle_seconds": 0.0,
        "elapsed": 0.0,
        "close_code": None,
        "close_reason": None,
        "error": None,
    }
    try:
        connection = _open(url, connect_timeout, validate_certs, ca_path, headers, subprotocols)
    except ProbeError as exc:
        result["error"] = str(exc)
        return result
    result["connected"] = True
    with connection:
        _exchange(connection, result, idle_seconds, message, reply_timeout)
    return result


def _open(url, connect_timeout, validate_certs, ca_path, headers, subprotocols):
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ProbeError(f"url: {url!r} is not a ws:// or wss:// URL")
    options = {
        "open_timeout": connect_timeout,
        "close_timeout": min(connect_timeout, 5),
        # No keepalive pings: they are traffic, and would keep the connection
        # alive through exactly the idle timeout this probe measures.
        "ping_interval": None,
        "ping_timeout": None,
        "additional_headers": {str(k): str(v) for k, v in (headers or {}).items()},
        "subprotocols": list(subprotocols) if subprotocols else None,
    }
    if parts.scheme == "wss":
        try:
            options["ssl"] = ssl_context(validate_certs, ca_path)
        except OSError as exc:  # missing, unreadable, or (ssl.SSLError) not PEM
            reason = getattr(exc, "reason", None) or exc
            raise ProbeError(f"ca_path: cannot use {ca_path} as a CA bundle: {reason}") from None
    try:
        return connect(url, **options)
    except Exception as exc:  # socket, TLS, handshake and proxy errors: one line each
        raise ProbeError(describe_connect_error(exc, url, connect_timeout)) from None


def _exchange(connection, result, idle_seconds, message, reply_timeout):
    """Stay idle, then send message and wait for a reply; fills result in."""
    started = time.monotonic()
    try:
        _idle(connection, started + max(idle_seconds, 0.0))
    except ConnectionClosed as exc:
        # One reading: a drop while idle ends the idle period and the probe at the same moment.
        result["idle_seconds"] = elapsed = _seconds(time.monotonic() - started)
        _closed(result, exc, elapsed, "while idle")
        return
    result["idle_seconds"] = _seconds(time.monotonic() - started)
    phase = "on sending the message"
    try:
        connection.send(message)
        phase = "while waiting for the reply"
        connection.recv(timeout=reply_timeout)
    except ConnectionClosed as exc:
        _closed(result, exc, _seconds(time.monotonic() - started), phase)
        return
    except TimeoutError:
        result["elapsed"] = _seconds(time.monotonic() - started)
        result["error"] = (
            f"no reply within reply_timeout {reply_timeout:g} s after {result['idle_seconds']:g} s idle: the"
            " connection was dropped silently, or the server does not answer this message"
        )
        return
    result["elapsed"] = _seconds(time.monotonic() - started)
    result["survived"] = True


def _idle(connection, deadline):
    """Send nothing until deadline; raises ConnectionClosed as soon as the peer goes away.

    Waiting in recv() rather than sleeping notices a drop when it happens. A
    message the server sends on its own is read and ignored.
    """
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            connection.recv(timeout=remaining)
        except TimeoutError:
            return
