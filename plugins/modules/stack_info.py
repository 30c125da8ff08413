#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: stack_info
short_description: Read a deployed voice stack's load balancer and its path to the nodes, vector store and agent role
version_added: 0.2.0
description:
  - Reads, in one module run, what role verify checks in AWS. It replaces three info modules
    (M(amazon.aws.elb_application_lb_info), M(community.aws.elb_target_group_info), M(amazon.aws.iam_role_info))
    and an OpenSearch Serverless collection lookup (amazon.aws has no module for it), and returns what they return.
    Every module run costs about a second of controller CPU, which dominates a run on a converged account.
  - What is not there is returned as null (or no target groups) rather than failing, so the checks can report it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  load_balancer_arn:
    description: ARN of the Application Load Balancer.
    type: str
    required: true
  target_group_arn:
    description: ARN of its target group.
    type: str
    required: true
  collection_name:
    description: Name of the OpenSearch Serverless collection.
    type: str
    required: true
  role_name:
    description: Name of the IAM role the agent assumes.
    type: str
    required: true
  target_security_group_id:
    description:
      - Security group the load balancer's targets carry (the EKS cluster security group); its rules are read.
    type: str
  autoscaling_group_name:
    description:
      - Auto Scaling group whose instances are the load balancer's targets (the managed node group's); it and the
        target group's registered targets are read.
    type: str
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Read the account's stack
  voicestack.aws.stack_info:
    load_balancer_arn: "{{ outputs.alb_arn }}"
    target_group_arn: "{{ outputs.alb_target_group_arn }}"
    collection_name: "{{ outputs.collection_name }}"
    role_name: "{{ outputs.agent_role_arn | split('/') | last }}"
    region: eu-west-1
  register: stack

- name: The WebSocket idle timeout
  ansible.builtin.assert:
    that: stack.load_balancer.idle_timeout_timeout_seconds == '3600'
"""

RETURN = r"""
load_balancer:
  description:
    - The load balancer as M(amazon.aws.elb_application_lb_info) returns it with C(include_attributes) and
      C(include_listeners) (keys in snake_case; attributes such as C(idle_timeout_timeout_seconds) merged in), or
      null when there is none.
  returned: always
  type: dict
target_groups:
  description: The target group (a list of one, keys in snake_case), or an empty list when there is none.
  returned: always
  type: list
  elements: dict
collection:
  description: The OpenSearch Serverless collection (keys in snake_case), or null when there is none of that name.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the collection.
      type: str
    id:
      description: Id of the collection.
      type: str
    arn:
      description: ARN of the collection.
      type: str
    status:
      description: C(CREATING), C(ACTIVE), C(DELETING) or C(FAILED).
      type: str
    type:
      description: C(SEARCH), C(TIMESERIES) or C(VECTORSEARCH).
      type: str
    collection_endpoint:
      description: The collection's data endpoint.
      type: str
role_trust_policy:
  description: The role's trust (assume role) policy document, or null when there is no such role.
  returned: always
  type: dict
target_security_group_rules:
  description:
    - The rules of O(target_security_group_id) as C(DescribeSecurityGroupRules) returns them (keys in snake_case,
      such as C(is_egress), C(from_port), C(referenced_group_info)), or null when there is no such group or the
      option is unset.
  returned: always
  type: list
  elements: dict
autoscaling_group:
  description:
    - The Auto Scaling group of O(autoscaling_group_name) (keys in snake_case, such as C(target_group_arns) and
      C(instances)), or null when there is none or the option is unset.
  returned: always
  type: dict
target_health:
  description:
    - The target group's registered targets with their health (keys in snake_case, such as C(target) and
      C(target_health)); read only with O(autoscaling_group_name), otherwise empty.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.voicestack.aws.plugins.module_utils._stack_info import read_stack


def main():
    module = AnsibleAWSModule(
        argument_spec={
            **{
                name: {"type": "str", "required": True}
                for name in ("load_balancer_arn", "target_group_arn", "collection_name", "role_name")
            },
            "target_security_group_id": {"type": "str"},
            "autoscaling_group_name": {"type": "str"},
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=False, **read_stack(module))


if __name__ == "__main__":
    main()
