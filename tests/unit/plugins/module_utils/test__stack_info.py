"""stack_info's reads, through boto3 against an in-process moto (no server)."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from botocore.exceptions import ClientError
from moto import mock_aws

from ansible_collections.voicestack.aws.plugins.module_utils._stack_info import (
    RETRY,
    autoscaling_group,
    collection,
    load_balancer,
    read_stack,
    role_trust_policy,
    security_group_rules,
    target_groups,
    target_health,
)

REGION = "us-east-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/x"}}],
}


@pytest.fixture
def aws():
    """Clients as AnsibleAWSModule.client(service, retry_decorator=RETRY) makes them."""
    with mock_aws():
        yield lambda service: RetryingBotoClientWrapper(boto3.client(service, region_name=REGION), RETRY)


@pytest.fixture
def alb(aws):
    ec2, elbv2 = aws("ec2"), aws("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    arn = elbv2.create_load_balancer(Name="voice", Subnets=subnets, Type="application")["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "3600"}]
    )
    group = elbv2.create_target_group(Name="voice", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")
    group_arn = group["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group_arn}],
    )
    return arn, group_arn


def test_the_load_balancer_has_its_attributes_and_listeners_in_snake_case(aws, alb):
    found = load_balancer(aws("elbv2"), alb[0])
    assert found["load_balancer_arn"] == alb[0]
    assert found["idle_timeout_timeout_seconds"] == "3600"
    assert [listener["port"] for listener in found["listeners"]] == [80]


def test_the_target_group_is_a_list_of_one(aws, alb):
    assert [group["target_group_arn"] for group in target_groups(aws("elbv2"), alb[1])] == [alb[1]]


def test_what_is_not_there_is_none_or_empty(aws, alb):
    elbv2 = aws("elbv2")
    gone_alb = alb[0].rsplit("/", 1)[0] + "/0000000000000000"
    gone_group = alb[1].rsplit("/", 1)[0] + "/0000000000000000"
    assert load_balancer(elbv2, gone_alb) is None
    assert target_groups(elbv2, gone_group) == []
    assert collection(aws("opensearchserverless"), "voice-vectors") is None
    assert role_trust_policy(aws("iam"), "voice-agent") is None


def test_the_role_trust_policy_is_the_document_itself(aws):
    aws("iam").create_role(RoleName="voice-agent", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert role_trust_policy(aws("iam"), "voice-agent") == TRUST


def test_the_path_to_the_nodes_rules_group_and_registered_targets(aws, alb):
    ec2, elbv2, autoscaling = aws("ec2"), aws("elbv2"), aws("autoscaling")
    vpc = elbv2.describe_load_balancers(LoadBalancerArns=[alb[0]])["LoadBalancers"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    nodes = ec2.create_security_group(GroupName="nodes", Description="nodes", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=nodes,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 30080, "ToPort": 30080, "UserIdGroupPairs": [{"GroupId": nodes}]}
        ],
    )
    group = elbv2.create_target_group(Name="nodes", Protocol="HTTP", Port=30080, VpcId=vpc, TargetType="instance")
    group_arn = group["TargetGroups"][0]["TargetGroupArn"]
    template = ec2.create_launch_template(
        LaunchTemplateName="nodes", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}
    )["LaunchTemplate"]["LaunchTemplateId"]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="eks-default-1",
        LaunchTemplate={"LaunchTemplateId": template},
        MinSize=2,
        MaxSize=2,
        DesiredCapacity=2,
        VPCZoneIdentifier=subnet,
    )
    autoscaling.attach_load_balancer_target_groups(AutoScalingGroupName="eks-default-1", TargetGroupARNs=[group_arn])

    ingress = [rule for rule in security_group_rules(ec2, nodes) if not rule["is_egress"]]
    assert [(r["from_port"], r["referenced_group_info"]["group_id"]) for r in ingress] == [(30080, nodes)]
    assert autoscaling_group(autoscaling, "eks-default-1")["target_group_arns"] == [group_arn]
    assert len(target_health(elbv2, group_arn)) == 2
    # What is not there
    assert security_group_rules(ec2, "sg-0000000000000000") is None
    assert autoscaling_group(autoscaling, "eks-gone") is None
    assert target_health(elbv2, group_arn.rsplit("/", 1)[0] + "/0000000000000000") == []


class Failed(Exception):
    pass


class Module:
    """The part of AnsibleAWSModule that read_stack uses; its clients' reads are refused."""

    def __init__(self):
        self.params = {
            "load_balancer_arn": "arn:lb",
            "target_group_arn": "arn:tg",
            "collection_name": "c",
            "role_name": "r",
        }
        self.retry_decorators = {}

    def client(self, service, retry_decorator=None):
        self.retry_decorators[service] = retry_decorator
        return self

    def describe_load_balancers(self, **kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DescribeLoadBalancers")

    def fail_json_aws(self, exception, msg=None):
        raise Failed(exception, msg)


def test_the_path_to_the_nodes_is_read_only_when_asked():
    module = Module()
    module.params.update(target_security_group_id="sg-1", autoscaling_group_name="eks-default-1")
    with pytest.raises(Failed):
        read_stack(module)
    assert module.retry_decorators == {
        "elbv2": RETRY,
        "opensearchserverless": RETRY,
        "iam": RETRY,
        "ec2": RETRY,
        "autoscaling": RETRY,
    }


def test_every_client_retries_and_a_refused_read_fails_with_its_cause():
    module = Module()
    with pytest.raises(Failed) as failed:
        read_stack(module)
    assert module.retry_decorators == {"elbv2": RETRY, "opensearchserverless": RETRY, "iam": RETRY}
    exception, msg = failed.value.args
    assert isinstance(exception, ClientError) and exception.response["Error"]["Code"] == "AccessDenied"
    assert msg == "cannot read load balancer arn:lb"
