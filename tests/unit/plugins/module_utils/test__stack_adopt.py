"""stack_adopt's look-ups, through boto3 against an in-process moto (no server): what a killed run left in AWS is
found by name or tags with the id its import takes; another customer's resource never is."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from moto import mock_aws

from ansible_collections.voicestack.aws.plugins.module_utils._stack_adopt import RETRY, find_imports

REGION = "us-east-1"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})


class Failed(Exception):
    pass


class Module:
    """The part of AnsibleAWSModule that find_imports uses."""

    def client(self, service, retry_decorator=None):
        return RetryingBotoClientWrapper(boto3.client(service, region_name=REGION), retry_decorator or RETRY)

    def fail_json_aws(self, exception, msg=None):
        raise Failed(exception, msg)


@pytest.fixture
def aws():
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


def tags(customer, name=None):
    found = [{"Key": "voicestack:customer", "Value": customer}]
    return found + ([{"Key": "Name", "Value": name}] if name else [])


def vpc(aws, customer, name="acme-voice"):
    spec = [{"ResourceType": "vpc", "Tags": tags(customer, name)}]
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"]


def planned(address, kind, **values):
    return {"address": address, "type": kind, "values": values}


PLANNED_VPC = planned("module.network.aws_vpc.this", "aws_vpc", tags_all={"Name": "acme-voice"})
PLANNED_ROLE = planned("module.irsa.aws_iam_role.agent", "aws_iam_role", name="acme-voice-agent")


def test_a_vpc_is_found_by_its_name_and_this_customers_tag(aws):
    vpc(aws, "globex")  # another customer's VPC of the same Name: not a match
    ours = vpc(aws, "acme")
    found = find_imports(Module(), "acme", [PLANNED_VPC])
    assert found["imports"] == [{"to": "module.network.aws_vpc.this", "id": ours}]
    assert found["adopted"] == [f"module.network.aws_vpc.this ({ours})"]


def test_another_customers_vpc_is_never_adopted(aws):
    theirs = vpc(aws, "globex")
    found = find_imports(Module(), "acme", [PLANNED_VPC])
    assert found["imports"] == []
    assert found["refused"] == [
        f"module.network.aws_vpc.this: {theirs} carries another customer's voicestack:customer tag"
    ]


def test_two_vpcs_of_this_customer_are_ambiguous_and_not_adopted(aws):
    first, second = vpc(aws, "acme"), vpc(aws, "acme")
    found = find_imports(Module(), "acme", [PLANNED_VPC])
    assert found["imports"] == []
    assert found["ambiguous"] == [f"module.network.aws_vpc.this: {first}, {second}"]


@pytest.mark.parametrize(("role_tags", "adopted"), [([], True), (tags("acme"), True), (tags("globex"), False)])
def test_a_named_resource_is_adopted_unless_another_customer_tagged_it(aws, role_tags, adopted):
    aws("iam").create_role(RoleName="acme-voice-agent", AssumeRolePolicyDocument=TRUST, Tags=role_tags)
    found = find_imports(Module(), "acme", [PLANNED_ROLE])
    assert found["imports"] == ([{"to": PLANNED_ROLE["address"], "id": "acme-voice-agent"}] if adopted else [])
    assert bool(found["refused"]) is not adopted


def test_what_is_not_in_aws_is_left_to_the_plan(aws):
    found = find_imports(Module(), "acme", [PLANNED_VPC, PLANNED_ROLE])
    assert found == {"imports": [], "adopted": [], "refused": [], "ambiguous": [], "pending": [], "unsupported": []}


def test_a_child_whose_parent_is_not_known_yet_waits_for_the_next_round(aws):
    listener = planned("module.alb.aws_lb_listener.http", "aws_lb_listener", port=80)
    found = find_imports(Module(), "acme", [listener])
    assert found["pending"] == ["module.alb.aws_lb_listener.http (needs load_balancer_arn)"]


def test_children_are_found_by_their_parent_and_key_with_the_import_id_of_their_type(aws):
    ec2, elbv2 = aws("ec2"), aws("elbv2")
    vpc_id = vpc(aws, "acme")
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnets[0])
    group = ec2.create_security_group(GroupName="acme-voice-alb", Description="d", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    lb = elbv2.create_load_balancer(Name="acme-voice", Subnets=subnets, Type="application")["LoadBalancers"][0]
    target = elbv2.create_target_group(Name="acme-voice-agent", Protocol="HTTP", Port=8080, VpcId=vpc_id)
    target_arn = target["TargetGroups"][0]["TargetGroupArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_arn}],
    )["Listeners"][0]["ListenerArn"]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])
    ingress = next(r["SecurityGroupRuleId"] for r in rules["SecurityGroupRules"] if not r["IsEgress"])
    resources = [
        planned("r.route", "aws_route", route_table_id=table, destination_cidr_block="0.0.0.0/0"),
        planned("r.assoc", "aws_route_table_association", route_table_id=table, subnet_id=subnets[0]),
        planned("r.assoc_missing", "aws_route_table_association", route_table_id=table, subnet_id=subnets[1]),
        planned("r.sg", "aws_security_group", name="acme-voice-alb"),
        planned(
            "r.ingress",
            "aws_vpc_security_group_ingress_rule",
            security_group_id=group,
            ip_protocol="tcp",
            from_port=80,
            to_port=80,
            cidr_ipv4="0.0.0.0/0",
        ),
        planned("r.lb", "aws_lb", name="acme-voice"),
        planned("r.tg", "aws_lb_target_group", name="acme-voice-agent"),
        planned("r.listener", "aws_lb_listener", load_balancer_arn=lb["LoadBalancerArn"], port=80),
        planned("r.sleep", "time_sleep"),
    ]
    found = find_imports(Module(), "acme", resources)
    assert {item["to"]: item["id"] for item in found["imports"]} == {
        "r.route": f"{table}_0.0.0.0/0",
        "r.assoc": f"{subnets[0]}/{table}",
        "r.sg": group,
        "r.ingress": ingress,
        "r.lb": lb["LoadBalancerArn"],
        "r.tg": target_arn,
        "r.listener": listener,
    }


def test_named_services_give_the_import_id_of_their_type(aws):
    aws("logs").create_log_group(logGroupName="/aws/eks/acme-voice/cluster", tags={"voicestack:customer": "acme"})
    aoss = aws("opensearchserverless")
    # (In-process moto needs a KmsARN in the encryption policy; the sandbox's moto takes AWSOwnedKey too.)
    policy = json.dumps(
        {
            "Rules": [{"ResourceType": "collection", "Resource": ["collection/acme-voice"]}],
            "KmsARN": "arn:aws:kms:us-east-1:123456789012:key/k",
        }
    )
    aoss.create_security_policy(name="acme-voice-enc", type="encryption", policy=policy)
    collection = aoss.create_collection(name="acme-voice", type="VECTORSEARCH")["createCollectionDetail"]["id"]
    resources = [
        planned("r.logs", "aws_cloudwatch_log_group", name="/aws/eks/acme-voice/cluster"),
        planned("r.enc", "aws_opensearchserverless_security_policy", name="acme-voice-enc", type="encryption"),
        planned("r.net", "aws_opensearchserverless_security_policy", name="acme-voice-net", type="network"),
        planned("r.collection", "aws_opensearchserverless_collection", name="acme-voice"),
    ]
    found = find_imports(Module(), "acme", resources)
    assert {item["to"]: item["id"] for item in found["imports"]} == {
        "r.logs": "/aws/eks/acme-voice/cluster",
        "r.enc": "acme-voice-enc/encryption",
        "r.collection": collection,
    }


def test_a_rule_from_another_group_is_found_by_that_group_not_by_any_rule_of_its_ports(aws):
    ec2 = aws("ec2")
    vpc_id = vpc(aws, "acme")
    nodes = ec2.create_security_group(GroupName="acme-nodes", Description="d", VpcId=vpc_id)["GroupId"]
    alb = ec2.create_security_group(GroupName="acme-voice-alb", Description="d", VpcId=vpc_id)["GroupId"]
    other = ec2.create_security_group(GroupName="acme-other", Description="d", VpcId=vpc_id)["GroupId"]
    port = {"IpProtocol": "tcp", "FromPort": 30080, "ToPort": 30080}
    ec2.authorize_security_group_ingress(
        GroupId=nodes, IpPermissions=[{**port, "UserIdGroupPairs": [{"GroupId": other}]}]
    )
    rule = {"security_group_id": nodes, "ip_protocol": "tcp", "from_port": 30080, "to_port": 30080}
    missing = planned("r.from_alb", "aws_vpc_security_group_ingress_rule", referenced_security_group_id=alb, **rule)
    assert find_imports(Module(), "acme", [missing])["imports"] == []

    ec2.authorize_security_group_ingress(
        GroupId=nodes, IpPermissions=[{**port, "UserIdGroupPairs": [{"GroupId": alb}]}]
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [nodes]}])["SecurityGroupRules"]
    from_alb = next(r["SecurityGroupRuleId"] for r in rules if r.get("ReferencedGroupInfo", {}).get("GroupId") == alb)
    assert find_imports(Module(), "acme", [missing])["imports"] == [{"to": "r.from_alb", "id": from_alb}]
