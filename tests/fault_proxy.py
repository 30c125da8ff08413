"""A fault-injecting HTTP proxy on loopback, in front of the sandbox's moto.

Forwards every request to the upstream AWS endpoint, except:

- every ``every``-th request gets a retryable fault instead, alternating a 5xx
  and the service's throttling error, in the service's own error format
  (query XML, EC2 XML, S3 XML, JSON), the way AWS answers under load;
- every forwarded request can be slowed down by ``delay`` seconds;
- a request for an action in ``fail_actions`` gets a non-retryable
  ValidationError, to break a run at a known point.

Query-signed (presigned) requests pass untouched: in AWS those are the EKS
control plane checking a bearer token, not the client under test.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}
SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


def _fault(service: str, json_protocol: bool, throttle: bool, code: str | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of an AWS error in the protocol the client speaks."""
    if code:
        status, message = 400, f"injected fault: {code}"
    elif throttle:
        status, message = (503, "Please reduce your request rate.") if service == "s3" else (400, "Rate exceeded")
        code = {"s3": "SlowDown", "ec2": "RequestLimitExceeded"}.get(service)
        code = code or ("ThrottlingException" if json_protocol else "Throttling")
    else:
        status, message = 503, "Service is unavailable."
        code = "ServiceUnavailableException" if json_protocol else "ServiceUnavailable"
    if json_protocol:
        body = f'{{"__type": "{code}", "message": "{message}"}}'
        return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, body.encode()
    if service == "s3":
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    elif service == "ec2":
        error = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        body = f"<Response><Errors>{error}</Errors><RequestID>injected</RequestID></Response>"
    else:
        kind = "Sender" if status < 500 else "Receiver"
        error = f"<Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message>"
        body = f"<ErrorResponse><Error>{error}</Error></ErrorResponse>"
    return status, {"Content-Type": "text/xml"}, body.encode()


class FaultProxy:
    """Listens on 127.0.0.1 (``url``); use as a context manager."""

    def __init__(self, upstream_url: str, every: int = 0, fail_actions: tuple[str, ...] = (), delay: float = 0):
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port)
        self.every = every
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

    def _decide(self, handler, body: bytes) -> tuple[int, dict, bytes] | None:
        query = urlsplit(handler.path).query
        if "X-Amz-Signature" in query:
            return None
        authorization = handler.headers.get("Authorization", "")
        match = SERVICE.search(authorization)
        service = match.group(1) if match else ""
        content_type = handler.headers.get("Content-Type", "")
        json_protocol = "json" in content_type or "X-Amz-Target" in handler.headers
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
                return _fault(service, json_protocol, throttle=False, code="ValidationError")
            self._seen += 1
            if self.every and self._seen % self.every == 0:
                self.faults += 1
                return _fault(service, json_protocol, throttle=self.faults % 2 == 0)
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
