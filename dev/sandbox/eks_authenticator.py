"""The sandbox's stand-in for EKS's IAM authenticator.

EKS accepts a bearer token ``k8s-aws-v1.<base64url presigned STS URL>`` by
calling that URL and mapping the returned identity to a Kubernetes user. The
sandbox kube-apiserver asks this webhook (TokenReview, authentication.k8s.io/v1)
to do the same against moto's STS, so the collection authenticates to the
sandbox exactly as it does to EKS.

Like EKS in API (or API_AND_CONFIG_MAP) authentication mode, a caller gets in
only through an access entry recorded in moto (moto_gaps fills moto's access
entry API): the IAM role behind an assumed-role caller (or the IAM user) must
have an entry on a cluster of its account, in the region the token was signed
for. EKS authorizes access policies itself; here each one the stack associates
at cluster scope maps to a group (POLICY_GROUPS): AmazonEKSClusterAdminPolicy
to system:masters, AmazonEKSViewPolicy to a group that the sandbox binds to
the read-only rules EKS documents for that policy (sandbox.VIEW_POLICY_RULES:
read, never write, no Secrets). Besides, the caller has the entry's Kubernetes groups. A
caller without an entry is refused (the Kubernetes API answers 401).

What it cannot check: moto does not verify SigV4 signatures, so neither the
signature nor the cluster name the token was signed for (the x-k8s-aws-id
header is signed, but its value is not in the token) is checked here. One
kube-apiserver serves every sandbox cluster, so an entry on any cluster of the
caller's account and region admits the caller; on EKS only the entry on that
cluster does. The aws-auth ConfigMap of API_AND_CONFIG_MAP mode is not read
(the sandbox has none), and a cluster in CONFIG_MAP mode admits nobody.
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

import boto3
from botocore.exceptions import BotoCoreError, ClientError

PREFIX = "k8s-aws-v1."
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
# EKS access policy (associated at cluster scope) -> the sandbox's Kubernetes group for it.
POLICY_GROUPS = {
    "cluster-access-policy/AmazonEKSClusterAdminPolicy": "system:masters",
    "cluster-access-policy/AmazonEKSViewPolicy": "sandbox:AmazonEKSViewPolicy",
}
# The sandbox binds this group to the view policy's rules (sandbox.view_policy).
VIEW_GROUP = POLICY_GROUPS["cluster-access-policy/AmazonEKSViewPolicy"]


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


def signing_region(url: str) -> str:
    """The region of the token's credential scope (AKID/date/region/sts/aws4_request)."""
    scope = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("X-Amz-Credential", [""])[0].split("/")
    if len(scope) != 5 or scope[3] != "sts":  # noqa: PLR2004 - the five parts of a credential scope
        raise TokenRejected("token has no STS credential scope")
    return scope[2]


def iam_principal(arn: str) -> tuple[str, str, str, str]:
    """(partition, account, kind, name) of the IAM role or user behind a caller ARN; EKS maps no other."""
    parts = arn.split(":", 5)
    if len(parts) != 6:  # noqa: PLR2004 - the six fields of an ARN
        raise TokenRejected(f"{arn} is not an ARN")
    resource = parts[5].split("/")
    if parts[2] == "sts" and resource[0] == "assumed-role" and len(resource) == 3:  # noqa: PLR2004
        return parts[1], parts[4], "role", resource[1]
    if parts[2] == "iam" and resource[0] == "user":
        return parts[1], parts[4], "user", resource[-1]
    raise TokenRejected(f"{arn} is neither an assumed role nor an IAM user: no access entry can name it")


def same_principal(entry_arn: str, account: str, kind: str, name: str) -> bool:
    """An entry's principal ARN names this role or user (with or without an IAM path)."""
    parts = entry_arn.split(":", 5)
    resource = parts[5].split("/") if len(parts) == 6 else []  # noqa: PLR2004
    return parts[4:5] == [account] and resource[:1] == [kind] and resource[-1:] == [name]


def eks_client(moto_url: str, account: str, region: str):
    """moto's EKS for one account: the sandbox's own calls, never the caller's credentials."""
    client = boto3.client(
        "eks", endpoint_url=moto_url, region_name=region, aws_access_key_id="sandbox", aws_secret_access_key="sandbox"
    )

    def in_account(request, **_kwargs):
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign.eks.*", in_account)
    return client


def groups_from_entries(client, account: str, kind: str, name: str) -> list[str] | None:
    """The Kubernetes groups the caller's access entries give it, or None when it has no entry."""
    groups, found = set(), False
    for cluster in client.list_clusters()["clusters"]:
        try:
            arns = client.list_access_entries(clusterName=cluster)["accessEntries"]
        except ClientError:  # a CONFIG_MAP cluster: EKS reads no access entry there
            continue
        for arn in (a for a in arns if same_principal(a, account, kind, name)):
            found = True
            entry = client.describe_access_entry(clusterName=cluster, principalArn=arn)["accessEntry"]
            groups.update(entry.get("kubernetesGroups", []))
            policies = client.list_associated_access_policies(clusterName=cluster, principalArn=arn)
            for policy in policies["associatedAccessPolicies"]:
                name = policy["policyArn"].split(":", 5)[-1]
                if policy["accessScope"]["type"] == "cluster" and name in POLICY_GROUPS:
                    groups.add(POLICY_GROUPS[name])
    return sorted(groups) if found else None


def review(token: str, sts_url: str) -> dict:
    try:
        url = presigned_url(token, sts_url)
        arn = caller_arn(url)
        _partition, account, kind, name = iam_principal(arn)
        groups = groups_from_entries(eks_client(sts_url, account, signing_region(url)), account, kind, name)
    except (TokenRejected, OSError, ClientError, BotoCoreError) as exc:
        return {"authenticated": False, "error": str(exc)}
    if groups is None:
        return {"authenticated": False, "error": f"no access entry for the {kind} {name} of {arn}"}
    return {"authenticated": True, "user": {"username": arn, "uid": arn, "groups": groups}}


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
