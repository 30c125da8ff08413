"""A fault-injecting HTTP proxy on loopback, in front of the sandbox's moto.

Forwards every request to the upstream AWS endpoint, except:

- every ``every``-th request (counted from ``offset``) gets a retryable fault
  instead, alternating a 5xx and the service's throttling error, in the
  protocol of the service the request is signed for (query, ec2, rest-xml,
  rest-json or json, as botocore's model of it says), the way AWS answers
  under load;
- every forwarded request can be slowed down by ``delay`` seconds;
- a request for an action in ``fail_actions`` gets a non-retryable
  ValidationError, to break a run at a known point.

Query-signed (presigned) requests pass untouched: in AWS those are the EKS
control plane checking a bearer token, not the client under test.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import botocore.session

_botocore = botocore.session.get_session()

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}
SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
# SigV4 signing names that differ from the service's name in botocore's models.
BOTOCORE_NAMES = {"elasticloadbalancing": "elbv2", "aoss": "opensearchserverless"}


@functools.cache
def protocol(service: str) -> tuple[str, str]:
    """(protocol, JSON version) that AWS speaks for the service a request is
    signed for (query, ec2, rest-xml, rest-json or json), from botocore's model."""
    metadata = _botocore.get_service_model(BOTOCORE_NAMES.get(service, service)).metadata
    return metadata["protocol"], metadata.get("jsonVersion", "1.0")


def fault(service: str, throttle: bool, code: str | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of an AWS error as the service itself answers it."""
    kind, json_version = protocol(service)
    if code:
        status, message = 400, f"injected fault: {code}"
    elif throttle:
        code = {"s3": "SlowDown", "ec2": "RequestLimitExceeded"}.get(service)
        code = code or ("Throttling" if kind == "query" else "ThrottlingException")
        status = 503 if code in ("SlowDown", "RequestLimitExceeded") else 400
        message = "Please reduce your request rate." if code == "SlowDown" else "Rate exceeded"
    else:
        status, message = 503, "Service is unavailable."
        code = "ServiceUnavailable" if kind in ("query", "ec2", "rest-xml") else "ServiceUnavailableException"
    if kind == "json":
        body = json.dumps({"__type": code, "message": message})
        return status, {"Content-Type": f"application/x-amz-json-{json_version}"}, body.encode()
    if kind == "rest-json":
        body = json.dumps({"message": message})
        return status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body.encode()
    error = f"<Code>{code}</Code><Message>{message}</Message>"
    if kind == "rest-xml":
        body = f"<Error>{error}<RequestId>injected</RequestId></Error>"
    elif kind == "ec2":
        body = f"<Response><Errors><Error>{error}</Error></Errors><RequestID>injected</RequestID></Response>"
    else:  # query
        sender = "Sender" if status < 500 else "Receiver"
        error = f"<Error><Type>{sender}</Type>{error}</Error>"
        body = f"<ErrorResponse>{error}<RequestId>injected</RequestId></ErrorResponse>"
    return status, {"Content-Type": "text/xml"}, body.encode()


class FaultProxy:
    """Listens on 127.0.0.1 (``url``); use as a context manager."""

    def __init__(self, upstream_url: str, fail_actions: tuple[str, ...] = (), delay: float = 0):
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port)
        self.every = 0  # see faulting()
        self.offset = 0
        self.fail_actions = set(fail_actions)
        self.delay = delay  # seconds added to every forwarded request
        self.forwarded = 0
        self.faults = 0  # retryable faults answered
        self.failed_actions: list[str] = []
        self._seen = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    @contextlib.contextmanager
    def faulting(self, every: int, offset: int = 0):
        """Within the block, answer requests offset + every, offset + 2 * every, ...
        (counted from the block's start) with a retryable fault."""
        with self._lock:
            self.every, self.offset, self._seen, self.faults = every, offset, 0, 0
        try:
            yield self
        finally:
            with self._lock:
                self.every = 0

    def _decide(self, handler, body: bytes) -> tuple[int, dict, bytes] | None:
        query = urlsplit(handler.path).query
        if "X-Amz-Signature" in query:
            return None
        authorization = handler.headers.get("Authorization", "")
        match = SERVICE.search(authorization)
        service = match.group(1) if match else ""
        content_type = handler.headers.get("Content-Type", "")
        action = (handler.headers.get("X-Amz-Target", "").rpartition(".")[2]) or (
            parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
            if "x-www-form-urlencoded" in content_type
            else ""
        )
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            if action and action in self.fail_actions:
                self.failed_actions.append(action)
                return fault(service, throttle=False, code="ValidationError")
            self._seen += 1
            if self.every and self._seen > self.offset and (self._seen - self.offset) % self.every == 0:
                self.faults += 1
                return fault(service, throttle=self.faults % 2 == 0)
            self.forwarded += 1
        return None

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        chunk = self.rfile.read(size + 2)[:size]
                        if not size:
                            break
                        chunks.append(chunk)
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(self, status: int, headers: dict, body: bytes) -> None:
                self.send_response(status)
                length = str(len(body))
                for key, value in headers.items():
                    if key.lower() == "content-length":
                        length = value if self.command == "HEAD" else length  # HEAD: the object's size
                    elif key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _any(self) -> None:
                try:
                    self._proxy()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up on this request

            def _proxy(self) -> None:
                body = self._body()
                fault = proxy._decide(self, body)
                if fault:
                    self._send(*fault)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                if self.headers.get("Transfer-Encoding"):
                    headers["Content-Length"] = str(len(body))
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                try:
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                    self._send(response.status, dict(response.getheaders()), data)
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

        return Handler
