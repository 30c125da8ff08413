# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Reads of one account's deployed stack for the verify role, all in one module run.

The shapes are those of the amazon.aws info modules they replace (keys in
snake_case; load balancer attributes merged in with dots as underscores), so
that the checks read them the same way. Something that is not there is None
(or no target groups), never an error: the checks report it.

The readers take clients made with RETRY as their retry_decorator (amazon.aws's
RetryingBotoClientWrapper), so throttling and transient errors are retried.
"""

from __future__ import annotations

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
    paginated_query_with_retries,
)
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

RETRY = AWSRetry.jittered_backoff()


def read_stack(module) -> dict:
    """Every read stack_info returns; a failed one fails the module with its cause (fail_json_aws)."""
    params = module.params
    elbv2 = module.client("elbv2", retry_decorator=RETRY)
    reads = (
        ("load_balancer", f"load balancer {params['load_balancer_arn']}", load_balancer, elbv2, "load_balancer_arn"),
        ("target_groups", f"target group {params['target_group_arn']}", target_groups, elbv2, "target_group_arn"),
        (
            "collection",
            f"OpenSearch Serverless collection {params['collection_name']}",
            collection,
            module.client("opensearchserverless", retry_decorator=RETRY),
            "collection_name",
        ),
        (
            "role_trust_policy",
            f"IAM role {params['role_name']}",
            role_trust_policy,
            module.client("iam", retry_decorator=RETRY),
            "role_name",
        ),
    )
    if params.get("target_security_group_id"):
        reads += (
            (
                "target_security_group_rules",
                f"the rules of security group {params['target_security_group_id']}",
                security_group_rules,
                module.client("ec2", retry_decorator=RETRY),
                "target_security_group_id",
            ),
        )
    if params.get("autoscaling_group_name"):
        reads += (
            (
                "autoscaling_group",
                f"Auto Scaling group {params['autoscaling_group_name']}",
                autoscaling_group,
                module.client("autoscaling", retry_decorator=RETRY),
                "autoscaling_group_name",
            ),
            ("target_health", f"the targets of {params['target_group_arn']}", target_health, elbv2, "target_group_arn"),
        )
    result = {"target_security_group_rules": None, "autoscaling_group": None, "target_health": []}
    for key, what, read, client, option in reads:
        try:
            result[key] = read(client, params[option])
        except (BotoCoreError, ClientError) as exc:
            module.fail_json_aws(exc, msg=f"cannot read {what}")
    return result


def load_balancer(elbv2, arn: str) -> dict | None:
    """The load balancer with its attributes and listeners, or None."""
    try:
        found = elbv2.describe_load_balancers(LoadBalancerArns=[arn], aws_retry=True)["LoadBalancers"]
    except is_boto3_error_code("LoadBalancerNotFound"):
        return None
    if not found:
        return None
    alb = camel_dict_to_snake_dict(found[0])
    attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn, aws_retry=True)["Attributes"]
    alb.update({item["Key"].replace(".", "_"): item["Value"] for item in attributes})
    listeners = paginated_query_with_retries(elbv2, "describe_listeners", RETRY, LoadBalancerArn=arn)["Listeners"]
    alb["listeners"] = [camel_dict_to_snake_dict(listener) for listener in listeners]
    return alb


def target_groups(elbv2, arn: str) -> list[dict]:
    """The target group of that ARN (a list of one), or an empty list."""
    try:
        found = elbv2.describe_target_groups(TargetGroupArns=[arn], aws_retry=True)["TargetGroups"]
    except is_boto3_error_code("TargetGroupNotFound"):
        return []
    return [camel_dict_to_snake_dict(group) for group in found]


def collection(aoss, name: str) -> dict | None:
    """An OpenSearch Serverless collection by name, or None."""
    found = aoss.batch_get_collection(names=[name], aws_retry=True)["collectionDetails"]
    return camel_dict_to_snake_dict(found[0]) if found else None


def role_trust_policy(iam, name: str) -> dict | None:
    """An IAM role's trust (assume role) policy document, or None when there is no such role."""
    try:
        return iam.get_role(RoleName=name, aws_retry=True)["Role"]["AssumeRolePolicyDocument"]
    except is_boto3_error_code("NoSuchEntity"):
        return None


def security_group_rules(ec2, group_id: str) -> list[dict] | None:
    """The rules (ingress and egress) of a security group, or None when there is no such group."""
    try:
        ec2.describe_security_groups(GroupIds=[group_id], aws_retry=True)
    except is_boto3_error_code("InvalidGroup.NotFound"):
        return None
    rules = paginated_query_with_retries(
        ec2, "describe_security_group_rules", RETRY, Filters=[{"Name": "group-id", "Values": [group_id]}]
    )["SecurityGroupRules"]
    return [camel_dict_to_snake_dict(rule) for rule in rules]


def autoscaling_group(autoscaling, name: str) -> dict | None:
    """An Auto Scaling group (with its TargetGroupARNs) by name, or None."""
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name], aws_retry=True)["AutoScalingGroups"]
    return camel_dict_to_snake_dict(found[0]) if found else None


def target_health(elbv2, arn: str) -> list[dict]:
    """The registered targets of a target group with their health, or an empty list when there is no such group."""
    try:
        found = elbv2.describe_target_health(TargetGroupArn=arn, aws_retry=True)["TargetHealthDescriptions"]
    except is_boto3_error_code("TargetGroupNotFound"):
        return []
    return [camel_dict_to_snake_dict(target) for target in found]
