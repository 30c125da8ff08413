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


# --- ELBv2: DeleteLoadBalancer deletes a load balancer whose
# deletion_protection.enabled attribute is true. ELB refuses it with
# OperationNotPermitted until the attribute is switched off.


@fix
def elbv2_deletion_protection():
    from moto.elbv2 import models as elbv2_models
    from moto.elbv2.exceptions import ELBClientError

    original = elbv2_models.ELBv2Backend.delete_load_balancer

    def delete_load_balancer(self, arn):
        balancer = self.load_balancers.get(arn)
        if balancer is not None and balancer.attrs.get("deletion_protection.enabled") == "true":
            raise ELBClientError(
                "OperationNotPermitted",
                f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
            )
        return original(self, arn)

    elbv2_models.ELBv2Backend.delete_load_balancer = delete_load_balancer


# --- EC2: DescribeAvailabilityZones. moto answers only plain zones, without
# OptInStatus, GroupName or NetworkBorderGroup, and ignores the opt-in-status
# filter. A real account also lists the Local Zones it opted in to, whose names
# (us-east-1-bos-1a) sort before the region's own zones, and maps zone names to
# zone ids per account. The sandbox's us-east-1 is such an account: an opted-in
# Local Zone, and us-east-1b on use1-az3 (a zone id EKS takes no control plane in).

SANDBOX_LOCAL_ZONE = "us-east-1-bos-1a"
# The zone ids EKS does not place control planes in (EKS user guide, VPC and subnet requirements).
EKS_UNSUPPORTED_ZONE_IDS = ("use1-az3", "usw1-az2", "cac1-az3")


@fix
def ec2_local_zones_and_opt_in_status():
    from moto.ec2.models import availability_zones_and_regions as az_models
    from moto.ec2.models import vpcs as vpc_models

    zones = az_models.RegionsAndZonesBackend.zones
    for region, listed in zones.items():
        for zone in listed:
            if zone.zone_type == "availability-zone":
                zone.opt_in_status = "opt-in-not-required"
                zone.group_name = zone.network_border_group = region
    east = {zone.name: zone for zone in zones["us-east-1"]}
    east["us-east-1b"].zone_id, east["us-east-1e"].zone_id = "use1-az3", "use1-az1"
    if SANDBOX_LOCAL_ZONE not in east:
        local = az_models.Zone(
            name=SANDBOX_LOCAL_ZONE, region_name="us-east-1", zone_id="use1-bos1-az1", zone_type="local-zone"
        )
        local.opt_in_status = "opted-in"
        local.group_name = local.network_border_group = "us-east-1-bos-1"
        local.parent_zone_name, local.parent_zone_id = "us-east-1a", east["us-east-1a"].zone_id
        zones["us-east-1"].insert(0, local)

    original = az_models.RegionsAndZonesBackend.describe_availability_zones

    def describe_availability_zones(self, filters=None, zone_names=None, zone_ids=None):
        found = original(self, filters, zone_names=zone_names, zone_ids=zone_ids)
        for name, attribute in (("opt-in-status", "opt_in_status"), ("group-name", "group_name")):
            if filters and name in filters:
                found = [zone for zone in found if getattr(zone, attribute, None) in (filters[name] or [])]
        return found

    az_models.RegionsAndZonesBackend.describe_availability_zones = describe_availability_zones

    # The default VPC has a default subnet in each Availability Zone, none in a Local Zone.
    def create_default_vpc(self):
        if self.describe_vpcs(filters={"is-default": ["true"]}):
            raise vpc_models.DefaultVpcAlreadyExists
        vpc = self.create_vpc(cidr_block="172.31.0.0/16", is_default=True)
        for zone in self.describe_availability_zones(filters={"zone-type": ["availability-zone"]}):
            self.create_default_subnet(zone.name)
        return vpc

    vpc_models.VPCBackend.create_default_vpc = create_default_vpc


# --- EKS: CreateCluster accepts subnets in any zone. EKS refuses control-plane
# subnets in the zone ids it does not support and in Local Zones, with
# UnsupportedAvailabilityZoneException naming the zones it would take.


@fix
def eks_unsupported_zones():
    from moto.ec2.exceptions import InvalidSubnetIdError
    from moto.ec2.models import ec2_backends
    from moto.eks import exceptions as eks_exceptions
    from moto.eks import models as eks_models

    class UnsupportedAvailabilityZoneException(eks_exceptions.EKSError):
        TYPE = "UnsupportedAvailabilityZoneException"
        STATUS = 400

    original = eks_models.EKSBackend.create_cluster

    def create_cluster(self, name, role_arn, resources_vpc_config, *args, **kwargs):
        ec2 = ec2_backends[self.account_id][self.region_name]
        zones = ec2.describe_availability_zones()
        by_name = {zone.name: zone for zone in zones}
        valid = [
            z.name for z in zones if z.zone_type == "availability-zone" and z.zone_id not in EKS_UNSUPPORTED_ZONE_IDS
        ]
        for subnet_id in resources_vpc_config.get("subnetIds") or []:
            try:
                zone = by_name.get(ec2.get_subnet(subnet_id).availability_zone)
            except InvalidSubnetIdError:  # moto's own tests pass made-up subnet ids
                zone = None
            if zone is not None and zone.name not in valid:
                raise UnsupportedAvailabilityZoneException(
                    message=f"Cannot create cluster '{name}' because {zone.name}, the targeted availability zone, "
                    "does not currently have sufficient capacity to support the cluster. Retry and choose from "
                    f"these availability zones: {', '.join(valid)}",
                    clusterName=name,
                    validZones=valid,
                )
        return original(self, name, role_arn, resources_vpc_config, *args, **kwargs)

    eks_models.EKSBackend.create_cluster = create_cluster
