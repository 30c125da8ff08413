#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: stack_info
short_description: Read a deployed voice stack's load balancer, target group, vector store and agent role at once
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
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.voicestack.aws.plugins.module_utils._stack_info import read_stack


def main():
    module = AnsibleAWSModule(
        argument_spec={
            name: {"type": "str", "required": True}
            for name in ("load_balancer_arn", "target_group_arn", "collection_name", "role_name")
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=False, **read_stack(module))


if __name__ == "__main__":
    main()
