# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Finds, for the resources a plan would create, those that already exist in AWS (a run killed before it could
save them in the state left them there), by their deterministic identity: a name unique in the account or
region, the `Name` and `voicestack:customer` tags of the VPC-scoped resources, or the parent and key of a
child resource. Each one found is returned with the id Terraform's `import` takes for its type.

A resource carrying another customer's `voicestack:customer` tag is never returned as an import: it is
reported as refused. A VPC-scoped resource is identified by its tags, so it needs this customer's tag.
More than one match is ambiguous (duplicates already exist): reported, not adopted.

A planned value that is not known yet (a child of a resource that is itself being imported in this plan) leaves
that resource for the next round: the caller plans again with the imports found so far, and asks again.
"""

from __future__ import annotations

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
    paginated_query_with_retries,
)
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

RETRY = AWSRetry.jittered_backoff()
CUSTOMER_TAG = "voicestack:customer"
# Resource types whose create is idempotent in AWS or touches nothing there: planning them again is harmless.
HARMLESS = frozenset(
    {
        "aws_default_security_group",  # Terraform adopts the VPC's default group on create
        "aws_iam_role_policy",  # PutRolePolicy replaces
        "aws_iam_role_policy_attachment",  # AttachRolePolicy of an attached policy is a no-op
        "aws_autoscaling_attachment",  # AttachTrafficSources of an attached target group is a no-op
        "time_sleep",
    }
)


# No such access entry: none made, or a cluster still in CONFIG_MAP mode (made before the stack managed access
# entries: EKS refuses every access entry call there with InvalidRequestException until the plan switches it).
NO_ACCESS_ENTRY = ("ResourceNotFoundException", "InvalidRequestException")


class Unknown(Exception):
    """A value the finder needs is not known in this plan yet."""


def need(values: dict, *keys):
    found = [values.get(key) for key in keys]
    missing = [key for key in keys if values.get(key) in (None, "")]
    if missing:
        raise Unknown(", ".join(missing))
    return found if len(found) > 1 else found[0]


def tag_list(tags) -> dict:
    """Tags as a dict from AWS's [{Key, Value}] (or {key: value}) shapes."""
    if isinstance(tags, dict):
        return tags
    return {item.get("Key", item.get("key")): item.get("Value", item.get("value")) for item in tags or []}


def strip_scheme(url: str) -> str:
    return url[len("https://") :] if url.startswith("https://") else url


class Finder:
    """The AWS reads of one account and region, with the clients made once."""

    def __init__(self, module, customer: str):
        self.module = module
        self.customer = customer
        self._clients = {}

    def client(self, name):
        if name not in self._clients:
            self._clients[name] = self.module.client(name, retry_decorator=RETRY)
        return self._clients[name]

    # --- VPC-scoped resources: by their Name tag and this customer's tag ---

    def _by_tags(self, method, key, id_key, values, extra=()):
        tags = need(values, "tags_all")
        name = tags.get("Name")
        if not name:
            raise Unknown("tags_all.Name")
        filters = [{"Name": "tag:Name", "Values": [name]}, *extra]
        found = paginated_query_with_retries(self.client("ec2"), method, RETRY, Filters=filters)[key]
        return [(item[id_key], tag_list(item.get("Tags"))) for item in found]

    def aws_vpc(self, values):
        return self._by_tags("describe_vpcs", "Vpcs", "VpcId", values)

    def aws_subnet(self, values):
        return self._by_tags("describe_subnets", "Subnets", "SubnetId", values)

    def aws_internet_gateway(self, values):
        return self._by_tags("describe_internet_gateways", "InternetGateways", "InternetGatewayId", values)

    def aws_route_table(self, values):
        return self._by_tags("describe_route_tables", "RouteTables", "RouteTableId", values)

    def aws_eip(self, values):
        tags = need(values, "tags_all")
        filters = [{"Name": "tag:Name", "Values": [tags.get("Name") or ""]}]
        found = self.client("ec2").describe_addresses(Filters=filters, aws_retry=True)["Addresses"]
        return [(item["AllocationId"], tag_list(item.get("Tags"))) for item in found]

    def aws_nat_gateway(self, values):
        live = {"Name": "state", "Values": ["pending", "available"]}
        return self._by_tags("describe_nat_gateways", "NatGateways", "NatGatewayId", values, extra=[live])

    def aws_security_group(self, values):
        name = need(values, "name")
        filters = [{"Name": "group-name", "Values": [name]}]
        if values.get("vpc_id"):
            filters.append({"Name": "vpc-id", "Values": [values["vpc_id"]]})
        found = paginated_query_with_retries(self.client("ec2"), "describe_security_groups", RETRY, Filters=filters)
        return [(item["GroupId"], tag_list(item.get("Tags"))) for item in found["SecurityGroups"]]

    def _rule(self, values, egress):
        group, protocol = need(values, "security_group_id", "ip_protocol")
        filters = [{"Name": "group-id", "Values": [group]}]
        rules = paginated_query_with_retries(
            self.client("ec2"), "describe_security_group_rules", RETRY, Filters=filters
        )["SecurityGroupRules"]
        return [
            (rule["SecurityGroupRuleId"], tag_list(rule.get("Tags")))
            for rule in rules
            if rule.get("IsEgress") == egress
            and rule.get("IpProtocol") == protocol
            and rule.get("FromPort") == values.get("from_port")
            and rule.get("ToPort") == values.get("to_port")
            and rule.get("CidrIpv4") == values.get("cidr_ipv4")
            and (rule.get("ReferencedGroupInfo") or {}).get("GroupId") == values.get("referenced_security_group_id")
        ]

    def aws_vpc_security_group_ingress_rule(self, values):
        return self._rule(values, egress=False)

    def aws_vpc_security_group_egress_rule(self, values):
        return self._rule(values, egress=True)

    def aws_route(self, values):
        table, destination = need(values, "route_table_id", "destination_cidr_block")
        tables = self.client("ec2").describe_route_tables(RouteTableIds=[table], aws_retry=True)["RouteTables"]
        routes = [route for item in tables for route in item.get("Routes", [])]
        if any(route.get("DestinationCidrBlock") == destination for route in routes):
            return [(f"{table}_{destination}", {})]
        return []

    def aws_route_table_association(self, values):
        table, subnet = need(values, "route_table_id", "subnet_id")
        tables = self.client("ec2").describe_route_tables(RouteTableIds=[table], aws_retry=True)["RouteTables"]
        associations = [item for found in tables for item in found.get("Associations", [])]
        if any(item.get("SubnetId") == subnet for item in associations):
            return [(f"{subnet}/{table}", {})]
        return []

    # --- resources with a name unique in the account or region ---

    def aws_iam_role(self, values):
        name = need(values, "name")
        try:
            role = self.client("iam").get_role(RoleName=name, aws_retry=True)["Role"]
        except is_boto3_error_code("NoSuchEntity"):
            return []
        tags = role.get("Tags")
        if tags is None:
            tags = self.client("iam").list_role_tags(RoleName=name, aws_retry=True).get("Tags")
        return [(name, tag_list(tags))]

    def aws_iam_openid_connect_provider(self, values):
        url = strip_scheme(need(values, "url"))
        iam = self.client("iam")
        for item in iam.list_open_id_connect_providers(aws_retry=True)["OpenIDConnectProviderList"]:
            found = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=item["Arn"], aws_retry=True)
            if strip_scheme(found.get("Url", "")) == url:
                return [(item["Arn"], tag_list(found.get("Tags")))]
        return []

    def aws_cloudwatch_log_group(self, values):
        name = need(values, "name")
        logs = self.client("logs")
        groups = logs.describe_log_groups(logGroupNamePrefix=name, aws_retry=True)["logGroups"]
        if not any(group["logGroupName"] == name for group in groups):
            return []
        return [(name, logs.list_tags_log_group(logGroupName=name, aws_retry=True).get("tags", {}))]

    def aws_lb(self, values):
        name = need(values, "name")
        elbv2 = self.client("elbv2")
        try:
            found = elbv2.describe_load_balancers(Names=[name], aws_retry=True)["LoadBalancers"]
        except is_boto3_error_code("LoadBalancerNotFound"):
            return []
        return [(item["LoadBalancerArn"], self._elb_tags(item["LoadBalancerArn"])) for item in found]

    def aws_lb_target_group(self, values):
        name = need(values, "name")
        elbv2 = self.client("elbv2")
        try:
            found = elbv2.describe_target_groups(Names=[name], aws_retry=True)["TargetGroups"]
        except is_boto3_error_code("TargetGroupNotFound"):
            return []
        return [(item["TargetGroupArn"], self._elb_tags(item["TargetGroupArn"])) for item in found]

    def _elb_tags(self, arn):
        described = self.client("elbv2").describe_tags(ResourceArns=[arn], aws_retry=True)["TagDescriptions"]
        return tag_list(described[0].get("Tags") if described else [])

    def aws_lb_listener(self, values):
        arn, port = need(values, "load_balancer_arn", "port")
        listeners = paginated_query_with_retries(
            self.client("elbv2"), "describe_listeners", RETRY, LoadBalancerArn=arn
        )["Listeners"]
        return [(item["ListenerArn"], {}) for item in listeners if item.get("Port") == port]

    def aws_eks_cluster(self, values):
        name = need(values, "name")
        try:
            cluster = self.client("eks").describe_cluster(name=name, aws_retry=True)["cluster"]
        except is_boto3_error_code("ResourceNotFoundException"):
            return []
        return [(name, cluster.get("tags") or {})]

    def aws_eks_node_group(self, values):
        cluster, name = need(values, "cluster_name", "node_group_name")
        try:
            group = self.client("eks").describe_nodegroup(clusterName=cluster, nodegroupName=name, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            return []
        return [(f"{cluster}:{name}", group["nodegroup"].get("tags") or {})]

    def aws_eks_access_entry(self, values):
        cluster, principal = need(values, "cluster_name", "principal_arn")
        try:
            entry = self.client("eks").describe_access_entry(
                clusterName=cluster, principalArn=principal, aws_retry=True
            )["accessEntry"]
        except is_boto3_error_code(NO_ACCESS_ENTRY):
            return []
        return [(f"{cluster}:{principal}", entry.get("tags") or {})]

    def aws_eks_access_policy_association(self, values):
        cluster, principal, policy = need(values, "cluster_name", "principal_arn", "policy_arn")
        try:
            associated = self.client("eks").list_associated_access_policies(
                clusterName=cluster, principalArn=principal, aws_retry=True
            )["associatedAccessPolicies"]
        except is_boto3_error_code(NO_ACCESS_ENTRY):
            return []
        if not any(item.get("policyArn") == policy for item in associated):
            return []
        return [(f"{cluster}#{principal}#{policy}", {})]

    def aws_opensearchserverless_vpc_endpoint(self, values):
        name = need(values, "name")
        aoss = self.client("opensearchserverless")
        found = aoss.list_vpc_endpoints(aws_retry=True).get("vpcEndpointSummaries", [])
        live = [item for item in found if item.get("name") == name and item.get("status") != "DELETING"]
        return [(item["id"], {}) for item in live]

    def aws_opensearchserverless_security_policy(self, values):
        name, kind = need(values, "name", "type")
        try:
            self.client("opensearchserverless").get_security_policy(name=name, type=kind, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            return []
        return [(f"{name}/{kind}", {})]

    def aws_opensearchserverless_access_policy(self, values):
        name, kind = need(values, "name", "type")
        try:
            self.client("opensearchserverless").get_access_policy(name=name, type=kind, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            return []
        return [(f"{name}/{kind}", {})]

    def aws_opensearchserverless_collection(self, values):
        name = need(values, "name")
        aoss = self.client("opensearchserverless")
        found = aoss.batch_get_collection(names=[name], aws_retry=True)["collectionDetails"]
        result = []
        for item in found:
            tags = aoss.list_tags_for_resource(resourceArn=item["arn"], aws_retry=True).get("tags")
            result.append((item["id"], tag_list(tags)))
        return result


# Resources identified by their tags: only this customer's tag identifies them (a VPC has no unique name).
BY_TAGS = frozenset({"aws_vpc", "aws_subnet", "aws_internet_gateway", "aws_route_table", "aws_eip", "aws_nat_gateway"})


def find_imports(module, customer: str, resources: list[dict]) -> dict:
    """The imports for the planned creates that already exist in AWS, and what was refused, ambiguous, unknown
    (left for the next round) or not supported."""
    finder = Finder(module, customer)
    result = {"imports": [], "adopted": [], "refused": [], "ambiguous": [], "pending": [], "unsupported": []}
    for resource in resources:
        address, kind, values = resource["address"], resource["type"], resource.get("values") or {}
        if kind in HARMLESS:
            continue
        find = getattr(finder, kind, None) if kind.startswith(("aws_",)) else None
        if find is None:
            result["unsupported"].append(address)
            continue
        try:
            found = find(values)
        except Unknown as exc:
            result["pending"].append(f"{address} (needs {exc})")
            continue
        except (BotoCoreError, ClientError) as exc:
            module.fail_json_aws(exc, msg=f"cannot look up {address} in AWS")
        owners = [(ident, tags.get(CUSTOMER_TAG)) for ident, tags in found]
        theirs = [ident for ident, owner in owners if owner not in (None, customer)]
        if kind in BY_TAGS:
            owners = [(ident, owner) for ident, owner in owners if owner == customer]
        else:
            owners = [(ident, owner) for ident, owner in owners if owner in (None, customer)]
        if theirs and not owners:
            result["refused"].append(f"{address}: {', '.join(theirs)} carries another customer's {CUSTOMER_TAG} tag")
            continue
        if len(owners) > 1:
            result["ambiguous"].append(f"{address}: {', '.join(owner[0] for owner in owners)}")
            continue
        if owners:
            ident = owners[0][0]
            result["imports"].append({"to": address, "id": ident})
            result["adopted"].append(f"{address} ({ident})")
    return result
