# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Reads of one account's deployed stack for the verify role, all in one module run.

The shapes are those of the amazon.aws info modules they replace (keys in
snake_case; load balancer attributes merged in with dots as underscores), so
that the checks read them the same way. Something that is not there is None
(or no target groups), never an error: the checks report it.
"""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code


def load_balancer(elbv2, arn: str) -> dict | None:
    """The load balancer with its attributes and listeners, or None."""
    try:
        found = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
    except is_boto3_error_code("LoadBalancerNotFound"):
        return None
    if not found:
        return None
    alb = camel_dict_to_snake_dict(found[0])
    attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    alb.update({item["Key"].replace(".", "_"): item["Value"] for item in attributes})
    pages = elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=arn)
    alb["listeners"] = [camel_dict_to_snake_dict(listener) for page in pages for listener in page["Listeners"]]
    return alb


def target_groups(elbv2, arn: str) -> list[dict]:
    """The target group of that ARN (a list of one), or an empty list."""
    try:
        found = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"]
    except is_boto3_error_code("TargetGroupNotFound"):
        return []
    return [camel_dict_to_snake_dict(group) for group in found]


def collection(aoss, name: str) -> dict | None:
    """An OpenSearch Serverless collection by name, or None."""
    found = aoss.batch_get_collection(names=[name])["collectionDetails"]
    return camel_dict_to_snake_dict(found[0]) if found else None


def role_trust_policy(iam, name: str) -> dict | None:
    """An IAM role's trust (assume role) policy document, or None when there is no such role."""
    try:
        return iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    except is_boto3_error_code("NoSuchEntity"):
        return None
