"""Where moto lacks an API the stack needs, or answers it wrongly.

Every fix is a small function registered in FIXES and described in
dev/sandbox/README.md ("moto gaps"); dev/tests/test_moto_gaps.py tests each one
through boto3 against an in-process moto. ``apply()`` runs them all before the
server starts. Nothing here is used outside the sandbox.
"""

from __future__ import annotations

import fnmatch
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


_APPLIED = []


def apply() -> None:
    """Apply every fix once per process (several test modules import and apply them)."""
    if _APPLIED:
        return
    _APPLIED.append(True)
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


# --- OpenSearch Serverless: of the VPC endpoint API moto has CreateVpcEndpoint
# only (kept by client token), with no BatchGet/List/Update/DeleteVpcEndpoint,
# and the endpoint is unknown to EC2; the AWS provider reads an endpoint's
# security groups from EC2's DescribeVpcEndpoints, as OpenSearch Serverless
# endpoints are EC2 interface endpoints of the same id.


class AossVpcEndpoint:
    def __init__(self, id, name, vpc_id, subnet_ids, security_group_ids):
        self.id = id
        self.name = name
        self.vpc_id = vpc_id
        self.subnet_ids = list(subnet_ids)
        self.security_group_ids = list(security_group_ids)
        self.status = "ACTIVE"
        self.created_date = self.last_modified_date = int(unix_time() * 1000)

    def update(self, params):
        """UpdateVpcEndpoint's add/remove lists applied to the subnets and security groups."""

        def changed(now, add, remove):
            return [x for x in now if x not in (params.get(remove) or [])] + [
                x for x in params.get(add) or [] if x not in now
            ]

        self.subnet_ids = changed(self.subnet_ids, "addSubnetIds", "removeSubnetIds")
        self.security_group_ids = changed(self.security_group_ids, "addSecurityGroupIds", "removeSecurityGroupIds")
        self.last_modified_date = int(unix_time() * 1000)

    def detail(self):
        return {
            "createdDate": self.created_date,
            "id": self.id,
            "name": self.name,
            "securityGroupIds": self.security_group_ids,
            "status": self.status,
            "subnetIds": self.subnet_ids,
            "vpcId": self.vpc_id,
        }


def _aoss_endpoints(backend):
    if not hasattr(backend, "vpc_endpoints"):
        backend.vpc_endpoints = {}
    return backend.vpc_endpoints


def _aoss_ec2(backend):
    """The EC2 backend of the OpenSearch Serverless backend's account and region."""
    from moto.ec2.models import ec2_backends

    return ec2_backends[backend.account_id][backend.region_name]


@fix
def aoss_vpc_endpoints():
    response_cls = aoss_responses.OpenSearchServiceServerlessResponse
    endpoints, ec2 = _aoss_endpoints, _aoss_ec2

    def find(backend, id):
        try:
            return endpoints(backend)[id]
        except KeyError:
            raise ResourceNotFoundException(msg=f"VpcEndpoint {id} not found") from None

    def create(self):
        params = json.loads(self.body)
        backend = self.opensearchserverless_backend
        name, vpc_id = params["name"], params["vpcId"]
        if any(e.vpc_id == vpc_id for e in endpoints(backend).values()):  # moto's own rule, kept
            raise ConflictException(
                msg=f"Failed to create a VpcEndpoint {name} for AccountId {backend.account_id} :: "
                f"There is already a VpcEndpoint exist under VpcId {vpc_id}"
            )
        if any(e.name == name for e in endpoints(backend).values()):
            raise ConflictException(msg=f"VpcEndpoint with name {name} already exists")
        groups = params.get("securityGroupIds") or []
        interface = ec2(backend).create_vpc_endpoint(
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{backend.region_name}.aoss",
            endpoint_type="Interface",
            policy_document=None,
            route_table_ids=[],
            subnet_ids=params["subnetIds"],
            security_group_ids=groups,
            private_dns_enabled=True,
        )
        endpoint = AossVpcEndpoint(interface.id, name, vpc_id, params["subnetIds"], groups)
        endpoints(backend)[endpoint.id] = endpoint
        return json.dumps({"createVpcEndpointDetail": {"id": endpoint.id, "name": name, "status": endpoint.status}})

    def batch_get(self):
        params = json.loads(self.body)
        found = endpoints(self.opensearchserverless_backend)
        return json.dumps(
            {
                "vpcEndpointDetails": [found[i].detail() for i in params["ids"] if i in found],
                "vpcEndpointErrorDetails": [
                    {"id": i, "errorCode": "NOT_FOUND", "errorMessage": f"VpcEndpoint {i} not found"}
                    for i in params["ids"]
                    if i not in found
                ],
            }
        )

    def list_(self):
        params = json.loads(self.body)
        wanted = (params.get("vpcEndpointFilters") or {}).get("status")
        found = [
            {"id": e.id, "name": e.name, "status": e.status}
            for e in endpoints(self.opensearchserverless_backend).values()
            if wanted in (None, e.status)
        ]
        return json.dumps({"vpcEndpointSummaries": found})

    def update(self):
        params = json.loads(self.body)
        backend = self.opensearchserverless_backend
        endpoint = find(backend, params["id"])
        endpoint.update(params)
        interface = ec2(backend).vpc_end_points[endpoint.id]
        interface.subnet_ids = list(endpoint.subnet_ids)
        interface.security_group_ids = list(endpoint.security_group_ids)
        detail = {**endpoint.detail(), "lastModifiedDate": endpoint.last_modified_date}
        detail.pop("createdDate")
        detail.pop("vpcId")
        return json.dumps({"UpdateVpcEndpointDetail": detail})

    def delete(self):
        params = json.loads(self.body)
        backend = self.opensearchserverless_backend
        endpoint = find(backend, params["id"])
        del endpoints(backend)[endpoint.id]
        ec2(backend).delete_vpc_endpoints([endpoint.id])
        return json.dumps({"deleteVpcEndpointDetail": {"id": endpoint.id, "name": endpoint.name, "status": "DELETING"}})

    response_cls.create_vpc_endpoint = create
    response_cls.batch_get_vpc_endpoint = batch_get
    response_cls.list_vpc_endpoints = list_
    response_cls.update_vpc_endpoint = update
    response_cls.delete_vpc_endpoint = delete


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


# --- Name lengths moto accepts and AWS refuses (the API references' length
# constraints, answered with the services' validation wording): OpenSearch
# Serverless collections and security/access policies 3-32, load balancers 32,
# IAM roles 64. (moto already refuses target group names over 32.)


def _length_error(value, field, low, high):
    """AWS's request validation message for a string outside low..high, or None."""
    if len(value) > high:
        return (
            f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {high}"
        )
    if len(value) < low:
        return (
            f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {low}"
        )
    return None


@fix
def aoss_name_lengths():
    backend_cls = aoss_models.OpenSearchServiceServerlessBackend
    response_cls = aoss_responses.OpenSearchServiceServerlessResponse

    def checked(original):
        def method(self, *args, **kwargs):
            error = _length_error(str(kwargs.get("name", "")), "name", 3, 32)
            if error:
                raise ValidationException(msg=error)
            return original(self, *args, **kwargs)

        return method

    backend_cls.create_security_policy = checked(backend_cls.create_security_policy)
    backend_cls.create_collection = checked(backend_cls.create_collection)
    original_access = response_cls.create_access_policy

    def create_access_policy(self):
        error = _length_error(str(json.loads(self.body).get("name", "")), "name", 3, 32)
        if error:
            raise ValidationException(msg=error)
        return original_access(self)

    response_cls.create_access_policy = create_access_policy


@fix
def elbv2_load_balancer_name_length():
    from moto.elbv2 import models as elbv2_models
    from moto.elbv2.exceptions import ValidationError

    longest = 32
    original = elbv2_models.ELBv2Backend.create_load_balancer

    def create_load_balancer(self, *args, **kwargs):
        name = kwargs.get("name") or (args[0] if args else "")
        if len(name) > longest:
            raise ValidationError(f"The load balancer name '{name}' cannot be longer than '{longest}' characters")
        return original(self, *args, **kwargs)

    elbv2_models.ELBv2Backend.create_load_balancer = create_load_balancer


@fix
def iam_role_name_length():
    from moto.iam import models as iam_models
    from moto.iam.exceptions import ValidationError

    original = iam_models.IAMBackend.create_role

    def create_role(self, role_name, *args, **kwargs):
        error = _length_error(role_name, "roleName", 1, 64)
        if error:
            raise ValidationError(error)
        return original(self, role_name, *args, **kwargs)

    iam_models.IAMBackend.create_role = create_role


# --- IAM and STS: moto takes a trust policy naming a user or role that does
# not exist (IAM: MalformedPolicyDocument, "Invalid principal in policy"),
# and lets anyone assume any role, even one that does not exist. Here a
# principal the sandbox knows (an IAM user's key, an assumed role's session:
# Vault's own user and what it issues) may assume only a role whose trust
# policy names it, its role, its account or "*". The sandbox's own key is not
# judged.


def _principals(statement: dict) -> list[str]:
    principal = statement.get("Principal", {})
    if principal == "*":
        return ["*"]
    return [str(p) for p in _as_list(principal.get("AWS", [])) if isinstance(principal, dict)]


@fix
def iam_trust_policy_principals_exist():
    from moto.iam import models as iam_models
    from moto.iam.exceptions import MalformedPolicyDocument

    def checked(original, document_at):
        def method(self, *args, **kwargs):
            document = document_at(args, kwargs)
            for statement in _as_list(json.loads(document).get("Statement", [])) if document else []:
                for principal in _principals(statement):
                    if not iam_principal_exists(principal):
                        raise MalformedPolicyDocument(f'Invalid principal in policy: "AWS":"{principal}"')
            return original(self, *args, **kwargs)

        return method

    # moto's IAM responses pass both as (role_name, document, ...).
    backend = iam_models.IAMBackend
    backend.create_role = checked(backend.create_role, lambda args, _kwargs: args[1])
    backend.update_assume_role_policy = checked(backend.update_assume_role_policy, lambda args, _kwargs: args[1])


def _caller(access_key: str) -> tuple[str, list[str]] | None:
    """(account, the ARNs a trust policy may name it by) of a caller the sandbox knows, else None."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account_id, partitions in list(iam_backends.items()):
        key = partitions["aws"].access_keys.get(access_key)
        if key is not None:
            return account_id, [f"arn:aws:iam::{account_id}:user/{key.user_name}"]
    for account_id, partitions in list(sts_backends.items()):
        for session in partitions["aws"].assumed_roles:
            if session.access_key_id == access_key:
                return account_id, [session.arn, iam_principal_of(session.arn, account_id)]
    return None


def _iam_of(arn: str) -> list:
    """The IAM backend of the account an IAM ARN names (none for a malformed one)."""
    from moto.iam.models import iam_backends

    parts = arn.split(":", 5)
    return [iam_backends[parts[4]][parts[1]]] if len(parts) == 6 and parts[4].isdigit() else []  # noqa: PLR2004


def trusts(trust: dict, account_id: str, names: list[str]) -> bool:
    """Whether a trust policy lets a caller of `account_id` known by `names` call sts:AssumeRole."""
    accounts = {account_id, f"arn:aws:iam::{account_id}:root"}
    for statement in _as_list(trust.get("Statement", [])):
        if statement.get("Effect") != "Allow" or not any(
            _glob(a, "sts:AssumeRole", case=False) for a in _as_list(statement.get("Action", []))
        ):
            continue
        if any(p == "*" or p in accounts or p in names for p in _principals(statement)):
            return True
    return False


@fix
def sts_assume_role_checks_trust():
    from moto.core.exceptions import _RESTError
    from moto.sts.responses import TokenResponse

    original = TokenResponse.assume_role

    def assume_role(self):
        caller = _caller(self.get_access_key())
        if caller is not None:
            role_arn = self._get_param("RoleArn")
            role = next((r for b in _iam_of(role_arn) for r in b.roles.values() if r.arn == role_arn), None)
            if role is None or not trusts(json.loads(role.assume_role_policy_document), *caller):
                message = f"User: {caller[1][0]} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
                error = _RESTError("AccessDenied", message)
                error.code = 403
                raise error
        return original(self)

    TokenResponse.assume_role = assume_role


# --- EKS: moto ignores a cluster's upgradePolicy (CreateCluster,
# UpdateClusterConfig) and returns none, which Terraform sees as drift on
# every plan. EKS keeps it, EXTENDED unless asked otherwise.


@fix
def eks_upgrade_policy():
    from moto.eks import models as eks_models
    from moto.eks import responses as eks_responses

    original_init = eks_models.Cluster.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.upgrade_policy = {"supportType": "EXTENDED"}

    def keeping(original):
        def method(self):
            policy = self._get_param("upgradePolicy")
            result = original(self)
            if policy:
                self.eks_backend.describe_cluster(name=self._get_param("name")).upgrade_policy = policy
            return result

        return method

    eks_models.Cluster.__init__ = init
    response_cls = eks_responses.EKSResponse
    response_cls.create_cluster = keeping(response_cls.create_cluster)
    response_cls.update_cluster_config = keeping(response_cls.update_cluster_config)


# --- EKS: a cluster has no cluster security group. EKS creates one per
# cluster (eks-cluster-sg-<name>-<number>, all traffic from itself, tagged
# kubernetes.io/cluster/<name>=owned), names it in
# resourcesVpcConfig.clusterSecurityGroupId, puts it on managed nodes, and
# deletes it with the cluster. Without it, a rule that admits the load
# balancer to the nodes has no group to go on.


def _ec2_of(arn: str):
    from moto.ec2.models import ec2_backends

    _, _, _, region, account, _ = arn.split(":", 5)
    return ec2_backends[account][region]


@fix
def eks_cluster_security_group():
    from moto.eks import models as eks_models

    original_init = eks_models.Cluster.__init__
    original_delete = eks_models.EKSBackend.delete_cluster

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        ec2 = _ec2_of(self.arn)
        subnet_ids = (self.resources_vpc_config or {}).get("subnetIds") or []
        subnets = [s for s in ec2.describe_subnets(filters={"subnet-id": subnet_ids})] if subnet_ids else []
        if not subnets:
            return  # EKS refuses unknown subnets; this gap only adds the group to a cluster in a real VPC
        group = ec2.create_security_group(
            name=f"eks-cluster-sg-{self.name}-{mock_random.randint(1000000000, 9999999999)}",
            description="EKS created security group applied to ENI that is attached to EKS Control Plane master "
            "nodes, as well as any managed workloads.",
            vpc_id=subnets[0].vpc_id,
            tags={
                "Name": f"eks-cluster-sg-{self.name}",
                "aws:eks:cluster-name": self.name,
                f"kubernetes.io/cluster/{self.name}": "owned",
            },
        )
        ec2.authorize_security_group_ingress(
            group.id, "-1", None, None, [], source_groups=[{"GroupId": group.id, "UserId": group.owner_id}]
        )
        self.resources_vpc_config = {
            **self.resources_vpc_config,
            "clusterSecurityGroupId": group.id,
            "vpcId": subnets[0].vpc_id,
        }

    def delete_cluster(self, name):
        cluster = original_delete(self, name)
        group_id = (cluster.resources_vpc_config or {}).get("clusterSecurityGroupId")
        if group_id:
            _ec2_of(cluster.arn).delete_security_group(group_id=group_id)
        return cluster

    eks_models.Cluster.__init__ = init
    eks_models.EKSBackend.delete_cluster = delete_cluster


# --- EKS: a managed node group names an Auto Scaling group
# (resources.autoScalingGroups) that does not exist, so nothing can attach a
# target group to it. EKS creates that group (eks-<nodegroup>-<uuid>) from a
# launch template of its own, sized by the node group's scalingConfig, its
# nodes carrying the cluster security group; it resizes it with the node
# group and deletes it (and its nodes) with the node group.


def _autoscaling_of(arn: str):
    from moto.autoscaling.models import autoscaling_backends

    _, _, _, region, account, _ = arn.split(":", 5)
    return autoscaling_backends[account][region]


@fix
def eks_nodegroup_auto_scaling_group():
    from moto.eks import models as eks_models

    backend = eks_models.EKSBackend
    original_create, original_update, original_delete = (
        backend.create_nodegroup,
        backend.update_nodegroup_config,
        backend.delete_nodegroup,
    )

    def create_nodegroup(self, *args, **kwargs):
        group = original_create(self, *args, **kwargs)
        cluster = self.clusters[group.cluster_name]
        ec2, autoscaling = _ec2_of(group.arn), _autoscaling_of(group.arn)
        security_group = (cluster.resources_vpc_config or {}).get("clusterSecurityGroupId")
        if not security_group:
            return group  # a cluster outside a real VPC (see eks_cluster_security_group)
        name = f"eks-{group.nodegroup_name}-{group.uuid}"
        template = ec2.create_launch_template(
            name=f"eks-{group.uuid}",
            description="",
            template_data={
                "ImageId": next(iter(ec2.amis)),
                "InstanceType": (group.instance_types or ["t3.medium"])[0],
                "SecurityGroupIds": [security_group],
            },
            tag_spec={},
        )
        scaling = group.scaling_config
        autoscaling.create_auto_scaling_group(
            name=name,
            availability_zones=[],
            desired_capacity=scaling.get("desiredSize"),
            max_size=scaling.get("maxSize"),
            min_size=scaling.get("minSize"),
            launch_config_name=None,
            launch_template={"LaunchTemplateId": template.id, "Version": "1"},
            vpc_zone_identifier=",".join(group.subnets),
            default_cooldown=None,
            health_check_period=None,
            health_check_type="EC2",
            load_balancers=[],
            target_group_arns=[],
            placement_group=None,
            termination_policies=[],
            tags=[
                {
                    "ResourceId": name,
                    "ResourceType": "auto-scaling-group",
                    "Key": key,
                    "Value": value,
                    "PropagateAtLaunch": True,
                }
                for key, value in {
                    "eks:cluster-name": group.cluster_name,
                    "eks:nodegroup-name": group.nodegroup_name,
                    f"kubernetes.io/cluster/{group.cluster_name}": "owned",
                }.items()
            ],
        )
        group.resources = {**group.resources, "autoScalingGroups": [{"name": name}]}
        group.voicestack_launch_template = template.id
        return group

    def update_nodegroup_config(self, cluster_name, nodegroup_name, *args, **kwargs):
        result = original_update(self, cluster_name, nodegroup_name, *args, **kwargs)
        group = self.clusters[cluster_name].nodegroups[nodegroup_name]
        autoscaling = _autoscaling_of(group.arn)
        for each in group.resources.get("autoScalingGroups") or []:
            if each["name"] in autoscaling.autoscaling_groups:
                scaling = group.scaling_config
                autoscaling.update_auto_scaling_group(
                    name=each["name"],
                    availability_zones=[],
                    desired_capacity=scaling.get("desiredSize"),
                    max_size=scaling.get("maxSize"),
                    min_size=scaling.get("minSize"),
                    launch_config_name=None,
                    launch_template={},
                    vpc_zone_identifier=None,
                    health_check_period=None,
                    health_check_type=None,
                    new_instances_protected_from_scale_in=None,
                )
        return result

    def delete_nodegroup(self, cluster_name, nodegroup_name):
        group = original_delete(self, cluster_name, nodegroup_name)
        autoscaling = _autoscaling_of(group.arn)
        for each in group.resources.get("autoScalingGroups") or []:
            if each["name"] in autoscaling.autoscaling_groups:
                autoscaling.delete_auto_scaling_group(each["name"])
        template = getattr(group, "voicestack_launch_template", None)
        if template:
            _ec2_of(group.arn).delete_launch_template(None, template)
        return group

    backend.create_nodegroup = create_nodegroup
    backend.update_nodegroup_config = update_nodegroup_config
    backend.delete_nodegroup = delete_nodegroup


# --- ELBv2: a target group's deregistration delay of 3600 s is refused
# ("must be between '0-3600' inclusive"): moto checks range(0, 3600), which
# leaves out the 3600 AWS allows. The value is checked as AWS does, 0-3600
# inclusive, with moto's (AWS's) wording.

DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"
MAX_DEREGISTRATION_DELAY = 3600  # seconds, ELBv2 API reference (TargetGroupAttribute)


@fix
def elbv2_deregistration_delay_up_to_3600():
    from moto.elbv2 import models as elbv2_models
    from moto.elbv2.exceptions import ValidationError as ELBValidationError

    original = elbv2_models.ELBv2Backend.modify_target_group_attributes

    def modify_target_group_attributes(self, target_group_arn, attributes):
        delay = attributes.get(DEREGISTRATION_DELAY)
        if delay is None or str(delay) == "":
            return original(self, target_group_arn, attributes)
        if not 0 <= int(delay) <= MAX_DEREGISTRATION_DELAY:
            raise ELBValidationError(f"'{DEREGISTRATION_DELAY}' value '{delay}' must be between '0-3600' inclusive")
        # moto's own check, with a value it accepts; then the value asked for.
        result = original(self, target_group_arn, {**attributes, DEREGISTRATION_DELAY: "0"})
        self.target_groups[target_group_arn].attributes[DEREGISTRATION_DELAY] = delay
        return result

    elbv2_models.ELBv2Backend.modify_target_group_attributes = modify_target_group_attributes


# --- EC2: DescribeSecurityGroupRules drops the description of a rule whose
# source is another security group (moto reads it from the CIDR range only),
# so Terraform sees such a rule's description as drift on every plan.


@fix
def ec2_group_rule_keeps_its_description():
    from moto.ec2.models import security_groups as sg_models

    def description(self):
        return self.ip_range.get("Description") or self.source_group.get("Description")

    sg_models.SecurityGroupRule.description = property(description)


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


# --- EKS: moto ignores a cluster's accessConfig (authentication mode, the
# creator's bootstrap admin) and has no access entry API at all (Create/
# Describe/List/Delete AccessEntry, Associate/Disassociate/
# ListAssociatedAccessPolicies). Here a cluster keeps its accessConfig (EKS's
# API defaults: CONFIG_MAP, bootstrap on) and its access entries; with
# bootstrap on, the caller that created the cluster gets an entry with
# AmazonEKSClusterAdminPolicy, as EKS gives it. The entry API refuses what EKS
# refuses, with its codes and wording: a cluster in CONFIG_MAP mode, a second
# entry for a principal, an STS session principal, an entry or association
# that does not exist. The sandbox's EKS authenticator reads these entries.

CLUSTER_ADMIN_POLICY = "arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
ENTRY_NOT_FOUND = (
    "The specified principalArn could not be found. You can view your available access entries with "
    "'list-access-entries'."
)
# EKS documents no wording for this one (its code is ResourceNotFoundException).
ASSOCIATION_NOT_FOUND = "The specified policyArn is not associated with principalArn {principal}."
ENTRY_IN_USE = "The specified access entry resource is already in use on this cluster."
MODE_REFUSED = (
    "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."
)
INVALID_PRINCIPAL = "The specified principalArn is invalid: invalid principal."


def iam_principal_exists(arn: str) -> bool:
    """Whether an IAM role or user ARN names one that exists (any other ARN: True, not judged here)."""
    from moto.iam.models import iam_backends

    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith(("role/", "user/")):  # noqa: PLR2004
        return True
    backend = iam_backends[parts[4]][parts[1]]
    principals = backend.roles.values() if parts[5].startswith("role/") else backend.users.values()
    return any(principal.arn == arn for principal in principals)


def iam_principal_of(arn: str, account_id: str) -> str:
    """The IAM role or user behind an STS caller ARN (an assumed role's role, with its path when IAM knows it)."""
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else ""  # noqa: PLR2004 - the six fields of an ARN
    if parts[2:3] == ["sts"] and resource.startswith("assumed-role/"):
        name = resource.split("/")[1]
        from moto.iam.models import iam_backends

        try:
            return iam_backends[account_id][parts[1]].get_role(name).arn
        except Exception:  # a role moto does not know: no path to add
            return f"arn:{parts[1]}:iam::{parts[4]}:role/{name}"
    return arn


class AccessEntry:
    def __init__(self, cluster, principal_arn, kubernetes_groups, username, tags, type_):
        from moto.core.utils import utcnow

        self.cluster_name = cluster.name
        self.principal_arn = principal_arn
        self.kubernetes_groups = list(kubernetes_groups or [])
        kind, name = principal_arn.split(":", 5)[5].split("/")[0], principal_arn.rsplit("/", 1)[1]
        account = principal_arn.split(":")[4]
        partition = principal_arn.split(":")[1]
        self.username = username or (
            f"arn:{partition}:sts::{account}:assumed-role/{name}/{{{{SessionName}}}}"
            if kind == "role"
            else principal_arn
        )
        self.tags = dict(tags or {})
        self.type = type_ or "STANDARD"
        self.created_at = self.modified_at = utcnow()
        region, cluster_account = cluster.arn.split(":")[3], cluster.arn.split(":")[4]
        self.arn = (
            f"arn:{partition}:eks:{region}:{cluster_account}:access-entry/{cluster.name}/{kind}/{account}/{name}/"
            f"{mock_random.uuid4()}"
        )
        self.policies = {}

    def to_dict(self):
        return {
            "clusterName": self.cluster_name,
            "principalArn": self.principal_arn,
            "kubernetesGroups": self.kubernetes_groups,
            "accessEntryArn": self.arn,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
            "tags": self.tags,
            "username": self.username,
            "type": self.type,
        }


@fix
def eks_access_entries():  # noqa: PLR0915 - one API, its handlers side by side
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.eks import models as eks_models
    from moto.eks import urls as eks_urls
    from moto.eks.exceptions import (
        InvalidParameterException,
        InvalidRequestException,
        ResourceInUseException,
        ResourceNotFoundException,
    )
    from moto.eks.responses import EKSResponse
    from moto.sts.models import sts_backends

    def not_found(message, name=None):
        return ResourceNotFoundException(
            clusterName=name, nodegroupName=None, fargateProfileName=None, addonName=None, message=message
        )

    def cluster_of(response, name):
        cluster = response.eks_backend.clusters.get(name)
        if cluster is None:
            raise not_found(eks_models.CLUSTER_NOT_FOUND_MSG.format(clusterName=name), name)
        if not hasattr(cluster, "access_entries"):
            cluster.access_entries = {}
        return cluster

    def api_mode(response, name):
        cluster = cluster_of(response, name)
        if cluster.access_config["authenticationMode"] == "CONFIG_MAP":
            raise InvalidRequestException(message=MODE_REFUSED)
        return cluster

    def entry_of(cluster, principal):
        try:
            return cluster.access_entries[principal]
        except KeyError:
            raise not_found(ENTRY_NOT_FOUND, cluster.name) from None

    original_create = EKSResponse.create_cluster

    def create_cluster(self):
        access = self._get_param("accessConfig") or {}
        mode = access.get("authenticationMode", "CONFIG_MAP")
        result = original_create(self)
        cluster = cluster_of(self, self._get_param("name"))
        bootstrap = access.get("bootstrapClusterCreatorAdminPermissions", True)
        cluster.access_config = {"authenticationMode": mode, "bootstrapClusterCreatorAdminPermissions": bootstrap}
        if bootstrap:
            _user, caller, _account = sts_backends[self.current_account]["global"].get_caller_identity(
                self.get_access_key(), self.region
            )
            principal = iam_principal_of(caller, self.current_account)
            entry = AccessEntry(cluster, principal, [], None, {}, "STANDARD")
            policy = CLUSTER_ADMIN_POLICY.format(partition=cluster.arn.split(":")[1])
            entry.policies[policy] = association(policy, {"type": "cluster"})
            cluster.access_entries[principal] = entry
        return result

    original_init = eks_models.Cluster.__init__

    def cluster_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.access_config = {"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True}
        self.access_entries = {}

    def association(policy, scope):
        now = utcnow()
        return {
            "policyArn": policy,
            "accessScope": {"type": scope.get("type"), "namespaces": list(scope.get("namespaces") or [])},
            "associatedAt": now,
            "modifiedAt": now,
        }

    def create_access_entry(self):
        cluster = api_mode(self, self._get_param("name"))
        principal = self._get_param("principalArn")
        if ":sts:" in principal or ":assumed-role/" in principal or not iam_principal_exists(principal):
            raise InvalidParameterException(
                clusterName=cluster.name,
                nodegroupName=None,
                fargateProfileName=None,
                addonName=None,
                message=INVALID_PRINCIPAL,
            )
        if principal in cluster.access_entries:
            raise ResourceInUseException(
                clusterName=cluster.name, nodegroupName=None, addonName=None, message=ENTRY_IN_USE
            )
        entry = AccessEntry(
            cluster,
            principal,
            self._get_param("kubernetesGroups"),
            self._get_param("username"),
            self._get_param("tags"),
            self._get_param("type"),
        )
        cluster.access_entries[principal] = entry
        return ActionResult({"accessEntry": entry.to_dict()})

    def describe_access_entry(self):
        cluster = api_mode(self, self._get_param("name"))
        return ActionResult({"accessEntry": entry_of(cluster, self._get_param("principalArn")).to_dict()})

    def list_access_entries(self):
        cluster = api_mode(self, self._get_param("name"))
        policy = self._get_param("associatedPolicyArn")
        arns = [arn for arn, entry in cluster.access_entries.items() if policy is None or policy in entry.policies]
        return ActionResult({"accessEntries": arns})

    def delete_access_entry(self):
        cluster = api_mode(self, self._get_param("name"))
        principal = self._get_param("principalArn")
        entry_of(cluster, principal)
        del cluster.access_entries[principal]
        return EmptyResult()

    def associate_access_policy(self):
        cluster = api_mode(self, self._get_param("name"))
        entry = entry_of(cluster, self._get_param("principalArn"))
        policy = self._get_param("policyArn")
        scope = self._get_param("accessScope") or {}
        previous = entry.policies.get(policy)
        entry.policies[policy] = association(policy, scope)
        if previous:
            entry.policies[policy]["associatedAt"] = previous["associatedAt"]
        return ActionResult(
            {
                "clusterName": cluster.name,
                "principalArn": entry.principal_arn,
                "associatedAccessPolicy": entry.policies[policy],
            }
        )

    def list_associated_access_policies(self):
        cluster = api_mode(self, self._get_param("name"))
        entry = entry_of(cluster, self._get_param("principalArn"))
        return ActionResult(
            {
                "clusterName": cluster.name,
                "principalArn": entry.principal_arn,
                "associatedAccessPolicies": list(entry.policies.values()),
            }
        )

    def disassociate_access_policy(self):
        cluster = api_mode(self, self._get_param("name"))
        entry = entry_of(cluster, self._get_param("principalArn"))
        policy = self._get_param("policyArn")
        if policy not in entry.policies:
            raise not_found(ASSOCIATION_NOT_FOUND.format(principal=entry.principal_arn), cluster.name)
        del entry.policies[policy]
        return EmptyResult()

    eks_models.Cluster.__init__ = cluster_init
    EKSResponse.create_cluster = create_cluster
    EKSResponse.create_access_entry = create_access_entry
    EKSResponse.describe_access_entry = describe_access_entry
    EKSResponse.list_access_entries = list_access_entries
    EKSResponse.delete_access_entry = delete_access_entry
    EKSResponse.associate_access_policy = associate_access_policy
    EKSResponse.list_associated_access_policies = list_associated_access_policies
    EKSResponse.disassociate_access_policy = disassociate_access_policy
    # ARNs hold '/', so the principal and policy parts of these paths match across segments.
    eks_urls.url_paths.update(
        {
            "{0}/clusters/(?P<name>[^/]+)/access-entries$": eks_urls.response.dispatch,
            "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$": eks_urls.response.dispatch,
        }
    )


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


# --- IAM: moto checks signatures and policies for every request once its
# INITIAL_NO_AUTH_ACTION_COUNT is reached, or for none, and then judges an
# identity policy wrongly: an Allow statement whose condition does not hold
# denies (AWS: the statement does not apply), and only StringEquals is known.
# The sandbox enforces IAM for what a customer account sees from the
# collection: every request signed with assumed-role credentials (what Vault
# issues) has its signature checked and its action authorized against the
# role's policies. The sandbox's own requests (its admin key, Vault's root
# key) are not checked. Like moto, this judges actions, not resource ARNs
# (S3 aside: moto names the bucket and key); conditions are judged on the keys
# the request carries (ENFORCED_CONDITION_KEYS) and, for a change to a role's
# policies, on the role's own permissions boundary. Each judged request is
# appended to the file named by VOICESTACK_SANDBOX_IAM_LOG: role, action,
# whether it was allowed. moto also recomputes the signature of a request
# without a body (a REST GET: every EKS read) over its parsed parameters (or
# headers) instead of the empty payload the client signed, and answers
# SignatureDoesNotMatch; here only a form body is taken from the parameters.

IAM_LOG_ENV = "VOICESTACK_SANDBOX_IAM_LOG"

# moto's names of S3 requests that are not IAM actions, and the action AWS
# authorizes each as (S3 API reference, "Permissions" of each operation).
S3_IAM_ACTIONS = {
    "s3:HeadBucket": "s3:ListBucket",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:SelectObject": "s3:GetObject",
}

# Condition keys the sandbox takes from a request's parameters.
ENFORCED_CONDITION_KEYS = {
    "iam:PermissionsBoundary": "PermissionsBoundary",
    "iam:PolicyARN": "PolicyArn",
}


def _glob(pattern: str, value: str, *, case: bool = True) -> bool:
    """IAM's wildcard match (* and ?)."""
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _condition_holds(operator: str, key: str, expected, context: dict) -> bool:
    """One condition (operator, key, values) against the request's context, as
    AWS judges it; an operator the sandbox does not know never holds."""
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    if key not in context:
        return if_exists or (operator == "Null" and str(expected).lower() == "true")
    actual = context[key]
    if operator == "Null":
        return str(expected).lower() == "false"
    compare = {
        "StringEquals": lambda e: actual == e,
        "StringNotEquals": lambda e: actual != e,
        "StringLike": lambda e: _glob(e, actual),
        "ArnEquals": lambda e: actual == e,
        "ArnLike": lambda e: _glob(e, actual),
    }.get(operator)
    if compare is None:
        return False
    values = _as_list(expected)
    if operator == "StringNotEquals":
        return all(compare(e) for e in values)
    return any(compare(e) for e in values)


def statement_applies(statement: dict, action: str, resource: str | None, context: dict) -> bool:
    """Whether one identity-policy statement covers this request. ``resource``
    None: the request names no resource ARN (moto's own "*"), so Resource is
    not judged."""
    if "Action" in statement:
        if not any(_glob(a, action, case=False) for a in _as_list(statement["Action"])):
            return False
    elif any(_glob(a, action, case=False) for a in _as_list(statement.get("NotAction", []))):
        return False
    if resource is not None:
        if "Resource" in statement and not any(_glob(r, resource) for r in _as_list(statement["Resource"])):
            return False
        if "NotResource" in statement and any(_glob(r, resource) for r in _as_list(statement["NotResource"])):
            return False
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, keys in statement.get("Condition", {}).items()
        for key, expected in keys.items()
    )


def policies_allow(documents: list[dict], action: str, resource: str | None, context: dict) -> bool:
    """An explicit Deny wins, then any Allow; nothing else is allowed."""
    statements = [s for doc in documents for s in _as_list(doc.get("Statement", []))]
    applying = [s for s in statements if statement_applies(s, action, resource, context)]
    if any(s["Effect"] == "Deny" for s in applying):
        return False
    return any(s["Effect"] == "Allow" for s in applying)


def _documents(access_key) -> list[dict]:
    from moto.iam.access_control import IAMPolicy

    return [IAMPolicy(policy)._policy_json for policy in access_key.collect_policies()]


def _role_boundary(backend, role_name: str) -> str | None:
    """The permissions boundary of an existing role: what AWS compares
    iam:PermissionsBoundary with when a policy of that role changes."""
    role = next((r for r in backend.roles.values() if r.name == role_name), None)
    return role.permissions_boundary_arn if role else None


def _is_form(headers) -> bool:
    """A form-encoded body, which moto has parsed into the request's data."""
    return (headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded")


def _assumed_role_key(headers, account_id: str) -> str | None:
    """The access key id of a header-signed request made with an assumed
    role's session (what Vault issues), else None: the sandbox's own keys,
    federation tokens, presigned URLs."""
    from moto.sts.models import sts_backends

    authorization = headers.get("Authorization") or ""
    if "Credential=" not in authorization or not headers.get("X-Amz-Security-Token"):
        return None
    key = authorization.split("Credential=", 1)[1].split("/", 1)[0]
    sessions = (role for backend in sts_backends[account_id].values() for role in backend.assumed_roles)
    return key if any(role.access_key_id == key for role in sessions) else None


# Services that answer in XML with the code AccessDenied (moto's own refusal);
# EC2 answers UnauthorizedOperation, the JSON services AccessDeniedException.
XML_ACCESS_DENIED = {"iam", "sts", "elasticloadbalancing", "autoscaling", "s3"}


@fix
def ec2_dry_run_answered_for_every_action():
    """EC2 authorizes a request with DryRun set as it would the request, then answers DryRunOperation (HTTP
    412) and does nothing; moto honours DryRun in some actions only and creates the resource in others
    (CreateVpc among them). Authorized first, so a refused caller gets UnauthorizedOperation as from EC2."""
    from moto.core.exceptions import _RESTError
    from moto.ec2.responses import EC2Response

    authorize = EC2Response._authenticate_and_authorize_normal_action

    def authorize_then_answer_a_dry_run(self, resource="*"):
        authorize(self, resource)
        if str(self._get_param("DryRun", False)).lower() == "true":
            error = _RESTError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
            error.code = 412
            raise error

    EC2Response._authenticate_and_authorize_normal_action = authorize_then_answer_a_dry_run


def refuse(request, action: str):
    """Refuse a request as the service itself does."""
    from moto.core.exceptions import JsonRESTError, _RESTError

    service = action.partition(":")[0]
    who = f"User: {request._access_key.arn} is not authorized to perform: {action}"
    if service in XML_ACCESS_DENIED:
        request._raise_access_denied()
    if service == "ec2":
        error = _RESTError("UnauthorizedOperation", f"You are not authorized to perform this operation. {who}")
    else:
        error = JsonRESTError("AccessDeniedException", who)
    error.code = 403
    raise error


@fix
def iam_enforced_for_issued_credentials():
    import threading
    from urllib.parse import urlparse

    from botocore.awsrequest import AWSRequest
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import IAMRequestBase

    lock = threading.Lock()

    def create_aws_request(self):
        signed = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
        request = AWSRequest(
            method=self._method,
            url=self._path,
            data=self._body or (self._data if _is_form(self._headers) else b""),
            headers=self._create_headers_for_aws_request(signed, self._headers),
        )
        request.context["timestamp"] = self._headers["X-Amz-Date"]
        return request

    def authorize(self, iam_request_cls, resource="*"):
        if _assumed_role_key(self.headers, self.current_account) is None:
            return  # not issued by Vault's assumed_role: the sandbox's own, a federation token, a presigned URL
        path = self.raw_path
        query = urlparse(self.uri).query
        request = iam_request_cls(
            account_id=self.current_account,
            method=self.method,
            path=f"{path}?{query}" if query else path,
            data=self.data,
            body=self.raw_body,
            headers=self.headers,
            action=self._get_action(),
        )
        request.check_signature()
        action = request._action = S3_IAM_ACTIONS.get(request._action, request._action)
        data = {k: (v[0] if isinstance(v, list) else v) for k, v in (self.data or {}).items()}
        context = {key: data[param] for key, param in ENFORCED_CONDITION_KEYS.items() if param in data}
        context["aws:RequestedRegion"] = request._region
        if action.startswith("iam:") and "RoleName" in data and "iam:PermissionsBoundary" not in context:
            boundary = _role_boundary(request.backend, data["RoleName"])
            if boundary:
                context["iam:PermissionsBoundary"] = boundary
        allowed = action == "sts:GetCallerIdentity" or policies_allow(
            _documents(request._access_key), action, None if resource == "*" else resource, context
        )
        if os.environ.get(IAM_LOG_ENV):
            line = {"role": request._access_key.arn.split("/")[1], "account": self.current_account, "action": action}
            with lock, open(os.environ[IAM_LOG_ENV], "a", encoding="utf-8") as log:
                log.write(json.dumps({**line, "allowed": allowed}) + "\n")
        if not allowed:
            refuse(request, action)

    IAMRequestBase._create_aws_request = create_aws_request
    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize
