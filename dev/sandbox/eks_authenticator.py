"""The sandbox's stand-in for EKS's IAM authenticator.

EKS accepts a bearer token ``k8s-aws-v1.<base64url presigned STS URL>`` by
calling that URL and mapping the returned identity to a Kubernetes user. The
sandbox kube-apiserver asks this webhook (TokenReview, authentication.k8s.io/v1)
to do the same against moto's STS, so the collection authenticates to the
sandbox exactly as it does to EKS. Every AWS identity is mapped to the group
system:masters, like the cluster creator's admin access on EKS.

What it cannot check: moto does not verify SigV4 signatures, so neither the
signature nor the cluster name the token was signed for is checked here.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "k8s-aws-v1."
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


class TokenRejected(Exception):
    pass


def presigned_url(token: str, sts_url: str) -> str:
    """The token's URL, after the checks EKS makes before calling it."""
    if not token.startswith(PREFIX):
        raise TokenRejected("not an EKS token")
    body = token[len(PREFIX) :]
    try:
        url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except ValueError as exc:
        raise TokenRejected("token is not base64url") from exc
    parts, expected = urllib.parse.urlsplit(url), urllib.parse.urlsplit(sts_url)
    if (parts.scheme, parts.netloc) != (expected.scheme, expected.netloc):
        raise TokenRejected(f"token is for {parts.netloc}, not this STS")
    query = urllib.parse.parse_qs(parts.query)
    if query.get("Action") != ["GetCallerIdentity"]:
        raise TokenRejected("token does not call GetCallerIdentity")
    if "x-k8s-aws-id" not in query.get("X-Amz-SignedHeaders", [""])[0].split(";"):
        raise TokenRejected("token's signature does not cover x-k8s-aws-id")
    return url


def caller_arn(url: str) -> str:
    request = urllib.request.Request(url)
    with urllib.request.urlopen(request, timeout=10) as resp:
        tree = ET.fromstring(resp.read())  # noqa: S314 - moto's reply on loopback
    arn = tree.find(f".//{STS_NS}Arn")
    if arn is None or not arn.text:
        raise TokenRejected("STS returned no identity")
    return arn.text


def review(token: str, sts_url: str) -> dict:
    try:
        arn = caller_arn(presigned_url(token, sts_url))
    except (TokenRejected, OSError) as exc:
        return {"authenticated": False, "error": str(exc)}
    return {"authenticated": True, "user": {"username": arn, "uid": arn, "groups": ["system:masters"]}}


def handler(sts_url: str):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            request = json.loads(self.rfile.read(length) or b"{}")
            token = request.get("spec", {}).get("token", "")
            body = json.dumps(
                {
                    "apiVersion": request.get("apiVersion", "authentication.k8s.io/v1"),
                    "kind": "TokenReview",
                    "status": review(token, sts_url),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            sys.stderr.write("eks-authenticator: " + fmt % args + "\n")

    return Handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sts-url", required=True, help="moto's URL")
    args = parser.parse_args(argv)
    ThreadingHTTPServer(("127.0.0.1", args.port), handler(args.sts_url)).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
