"""Where moto lacks an API the stack needs, or answers it wrongly.

Every fix is a small function registered in FIXES and described in
dev/sandbox/README.md ("moto gaps"); dev/tests/test_moto_gaps.py tests each one
through boto3 against an in-process moto. ``apply()`` runs them all before the
server starts. Nothing here is used outside the sandbox.
"""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs

from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random
from moto.opensearchserverless import models as aoss_models
from moto.opensearchserverless import responses as aoss_responses
from moto.opensearchserverless.exceptions import ConflictException, ResourceNotFoundException, ValidationException

FIXES = []


def fix(func):
    FIXES.append(func)
    return func


def apply() -> None:
    for each in FIXES:
        each()


# --- OpenSearch Serverless: a collection takes its key from its *encryption*
# policy. moto picks the last policy of any type naming the collection, so a
# network policy created after the encryption policy, or an encryption policy
# with AWSOwnedKey=true (no KmsARN), crashes CreateCollection with KeyError.


@fix
def aoss_collection_uses_its_encryption_policy():
    def create_collection(self, client_token, description, name, standby_replicas, tags, type):
        encryption = [
            sp.policy
            for sp in self.security_policies.values()
            if sp.type == "encryption" and f"collection/{name}" in sp.resources
        ]
        if not encryption:
            raise ValidationException(
                msg=f"No matching security policy of encryption type found for collection name: {name}. "
                "Please create security policy of encryption type for this collection."
            )
        policy = {"KmsARN": None, **encryption[-1]}
        collection = aoss_models.Collection(
            client_token=client_token or mock_random.get_random_string(10),
            description=description,
            name=name,
            standby_replicas=standby_replicas,
            tags=tags,
            type=type,
            policy=policy,
            region=self.region_name,
            account_id=self.account_id,
        )
        self.collections[collection.id] = collection
        self.tag_resource(collection.arn, tags)
        return collection

    aoss_models.OpenSearchServiceServerlessBackend.create_collection = create_collection


# --- OpenSearch Serverless: DeleteSecurityPolicy is not implemented.


@fix
def aoss_delete_security_policy():
    def backend_delete(self, name, type):
        for key, policy in list(self.security_policies.items()):
            if policy.name == name and policy.type == type:
                del self.security_policies[key]
                return
        raise ResourceNotFoundException(msg=f"Policy with name {name} and type {type} is not found")

    def response_delete(self):
        params = json.loads(self.body)
        self.opensearchserverless_backend.delete_security_policy(name=params["name"], type=params["type"])
        return "{}"

    aoss_models.OpenSearchServiceServerlessBackend.delete_security_policy = backend_delete
    aoss_responses.OpenSearchServiceServerlessResponse.delete_security_policy = response_delete


# --- OpenSearch Serverless: data access policies (Create/Get/Update/Delete/
# ListAccessPolicy) are not implemented.


class AccessPolicy:
    def __init__(self, name, type, policy, description):
        self.name = name
        self.type = type
        self.description = description
        self.policy = json.loads(policy)
        self.created_date = self.last_modified_date = int(unix_time() * 1000)
        self.policy_version = mock_random.get_random_string(20)

    def update(self, policy, description):
        if policy is not None:
            self.policy = json.loads(policy)
            self.policy_version = mock_random.get_random_string(20)
        if description is not None:
            self.description = description
        self.last_modified_date = int(unix_time() * 1000)

    def to_dict(self):
        return {
            "createdDate": self.created_date,
            "description": self.description,
            "lastModifiedDate": self.last_modified_date,
            "name": self.name,
            "policy": self.policy,
            "policyVersion": self.policy_version,
            "type": self.type,
        }

    def summary(self):
        summary = self.to_dict()
        summary.pop("policy")
        return summary


@fix
def aoss_access_policies():
    backend_cls = aoss_models.OpenSearchServiceServerlessBackend
    response_cls = aoss_responses.OpenSearchServiceServerlessResponse

    def policies(backend):
        if not hasattr(backend, "access_policies"):
            backend.access_policies = {}
        return backend.access_policies

    def find(backend, name, type):
        try:
            return policies(backend)[(name, type)]
        except KeyError:
            raise ResourceNotFoundException(msg=f"Policy with name {name} and type {type} is not found") from None

    def create(self):
        params = json.loads(self.body)
        backend = self.opensearchserverless_backend
        key = (params["name"], params["type"])
        if key in policies(backend):
            raise ConflictException(msg=f"Policy with name {key[0]} and type {key[1]} already exists")
        policy = AccessPolicy(params["name"], params["type"], params["policy"], params.get("description"))
        policies(backend)[key] = policy
        return json.dumps({"accessPolicyDetail": policy.to_dict()})

    def get(self):
        params = json.loads(self.body)
        policy = find(self.opensearchserverless_backend, params["name"], params["type"])
        return json.dumps({"accessPolicyDetail": policy.to_dict()})

    def update(self):
        params = json.loads(self.body)
        policy = find(self.opensearchserverless_backend, params["name"], params["type"])
        policy.update(params.get("policy"), params.get("description"))
        return json.dumps({"accessPolicyDetail": policy.to_dict()})

    def delete(self):
        params = json.loads(self.body)
        backend = self.opensearchserverless_backend
        find(backend, params["name"], params["type"])
        del policies(backend)[(params["name"], params["type"])]
        return "{}"

    def list_(self):
        params = json.loads(self.body)
        found = [
            p.summary() for (_, t), p in policies(self.opensearchserverless_backend).items() if t == params["type"]
        ]
        return json.dumps({"accessPolicySummaries": found})

    backend_cls.access_policies_of = policies
    response_cls.create_access_policy = create
    response_cls.get_access_policy = get
    response_cls.update_access_policy = update
    response_cls.delete_access_policy = delete
    response_cls.list_access_policies = list_


# --- EKS: every cluster in one moto process gets the same OIDC issuer (it is
# drawn once at import), so two clusters would share an IRSA trust.


@fix
def eks_issuer_per_cluster():
    from moto.eks import models as eks_models

    original = eks_models.Cluster.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        region = self.arn.split(":")[3]
        issuer_id = mock_random.get_random_hex(32).upper()
        self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{issuer_id}"}}

    eks_models.Cluster.__init__ = init


# --- EKS: a cluster's endpoint is a made-up URL and its CA data random text,
# so nothing can talk to it. In the sandbox every cluster is served by the
# sandbox kube-apiserver: sandbox.py passes its URL and CA in the environment.


@fix
def eks_cluster_is_the_sandbox_apiserver():
    from moto.eks import models as eks_models

    endpoint = os.environ.get("VOICESTACK_SANDBOX_EKS_ENDPOINT")
    ca_data = os.environ.get("VOICESTACK_SANDBOX_EKS_CA_DATA")
    if not (endpoint and ca_data):
        return
    original = eks_models.Cluster.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.endpoint = endpoint
        self.certificate_authority = {"data": ca_data}

    eks_models.Cluster.__init__ = init


# --- STS: a presigned GetCallerIdentity URL (what an EKS token holds) carries
# its signature in the query string. moto's server routes such a request to S3
# and answers it for a made-up caller. Route it by its credential scope and
# answer for its access key, as for a header-signed request.


@fix
def presigned_requests():
    from moto.core.responses import BaseResponse
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    def query_credential(query: str) -> str | None:
        values = parse_qs(query).get("X-Amz-Credential")
        return values[0] if values else None

    original_infer = DomainDispatcherApplication.infer_service_region_host

    def infer_service_region_host(self, environ, path):
        credential = query_credential(environ.get("QUERY_STRING", ""))
        if credential and not environ.get("HTTP_AUTHORIZATION"):
            environ = {**environ, "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host"}
        return original_infer(self, environ, path)

    original_access_key = BaseResponse.get_access_key

    def get_access_key(self):
        credential = None if "Authorization" in self.headers else self.querystring.get("X-Amz-Credential")
        return credential[0].split("/")[0] if credential else original_access_key(self)

    DomainDispatcherApplication.infer_service_region_host = infer_service_region_host
    BaseResponse.get_access_key = get_access_key


# --- S3: moto enforces a bucket policy but ignores its conditions, so the
# usual TLS-only statement (Deny everything when aws:SecureTransport is false)
# denies every request. Here a statement with a condition never applies:
# requests to the sandbox stand in for TLS requests, which such a statement
# does not match.


@fix
def s3_bucket_policy_conditions():
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3 import models as s3_models

    def get_permission(self, action, resource):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy)
        statements = policy.get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        unconditional = {**policy, "Statement": [s for s in statements if "Condition" not in s]}
        return IAMPolicy(json.dumps(unconditional)).is_action_permitted(action, resource)

    s3_models.FakeBucket.get_permission = get_permission


# --- EKS: a node group created without remote access gets a made-up one
# (ec2SshKey "eksKeypair"), which Terraform sees as drift that forces a new
# node group on every plan. EKS itself returns none.


@fix
def eks_nodegroup_without_remote_access():
    from moto.eks import models as eks_models

    eks_models.DEFAULT_REMOTE_ACCESS = None


# --- ELBv2: moto reports a new load balancer as "provisioning" until it is
# first described; the AWS provider's waiter then sleeps a minute per apply.
# AWS itself takes minutes, so either is faithful; the sandbox takes the fast one.


@fix
def elbv2_active_at_once():
    from moto.elbv2 import models as elbv2_models

    original = elbv2_models.FakeLoadBalancer.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.activate()

    elbv2_models.FakeLoadBalancer.__init__ = init


# --- EC2: a NAT gateway created without ConnectivityType has none (AWS: public),
# and moto describes neither its AvailabilityMode (zonal) nor which of its
# addresses is the primary one. The AWS provider then reads an imported NAT
# gateway without its subnet, address and connectivity type, and plans to
# replace it (crash recovery adopts a NAT gateway a killed apply made).


@fix
def ec2_nat_gateway_described_in_full():
    from moto.ec2.models import nat_gateways as nat_models

    original = nat_models.NatGateway.__init__

    def init(self, backend, subnet_id, allocation_id, tags=None, connectivity_type="public"):
        original(self, backend, subnet_id, allocation_id, tags=tags, connectivity_type=connectivity_type or "public")
        self.availability_mode = "zonal"

    def addresses(self):
        return [{**address, "IsPrimary": index == 0} for index, address in enumerate(self.address_set)]

    nat_models.NatGateway.__init__ = init
    nat_models.NatGateway.nat_gateway_addresses = property(addresses)
