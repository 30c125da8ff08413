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
INVALID_PRINCIPAL = "The specified principalArn is invalid: invalid principal"


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
        if ":sts:" in principal or ":assumed-role/" in principal:
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
