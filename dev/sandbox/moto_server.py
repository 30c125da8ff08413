"""Run moto's server with the sandbox's gap fixes (moto_gaps) applied, and
record every request it answers.

moto_gaps holds every change the sandbox makes to moto; each one is listed in
dev/sandbox/README.md with the reason and has its own test. The request log
(JSON lines: service, action, method, path) lets tests prove that a run made
no AWS write call; its path comes from VOICESTACK_SANDBOX_MOTO_REQUEST_LOG.
"""

import io
import json
import logging
import os
import re
import sys
import threading
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import main

from dev.sandbox import moto_gaps

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/")


def describe(environ: dict) -> dict:
    """Service, action, method and path of one request; puts the body back for moto."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    query = environ.get("QUERY_STRING", "")
    scope = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", "") or query.replace("%2F", "/"))
    action = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
    if not action:
        form = parse_qs(query)
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            form.update(parse_qs(body.decode(errors="replace")))
        action = (form.get("Action") or [""])[0]
    return {
        "service": scope.group(1) if scope else None,
        "action": action or None,
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
    }


class HideQueryStrings(logging.Filter):
    """Access log lines without their query string: a presigned URL (an EKS
    token being checked) carries an access key and a session token there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            record.args = (QUERY_STRING.sub("?...", record.args[0]), *record.args[1:])
        return True


QUERY_STRING = re.compile(r"\?\S*")


def record_requests(path: str) -> None:
    lock = threading.Lock()
    original = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):
        line = json.dumps(describe(environ)) + "\n"
        with lock, open(path, "a", encoding="utf-8") as log:
            log.write(line)
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = call


if __name__ == "__main__":
    moto_gaps.apply()
    logging.getLogger("werkzeug").addFilter(HideQueryStrings())
    if os.environ.get("VOICESTACK_SANDBOX_MOTO_REQUEST_LOG"):
        record_requests(os.environ["VOICESTACK_SANDBOX_MOTO_REQUEST_LOG"])
    args = sys.argv[1:]
    sys.exit(main(["-H", "127.0.0.1", *args]))
