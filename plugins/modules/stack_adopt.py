#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: stack_adopt
short_description: Find the resources a plan would create that already exist in AWS, with their import ids
version_added: 0.2.0
description:
  - A Terraform run killed during an apply leaves the resources it created since its last state save in AWS but
    not in the state; the next plan would create them again, and AWS refuses (or, for a VPC, makes a duplicate).
  - Given the resources a plan creates, this module looks each one up in AWS by its deterministic identity (its
    name; the C(Name) and C(voicestack:customer) tags for the VPC-scoped resources; the parent and key of a child
    resource such as a route or a listener) and returns the id an OpenTofu C(import) block takes for its type.
  - It never returns a resource that carries another customer's C(voicestack:customer) tag (reported in
    C(refused)), nor one of several matches (reported in C(ambiguous)).
  - Read-only.
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
  customer:
    description: The customer of the stack; its C(voicestack:customer) tag value.
    type: str
    required: true
  resources:
    description:
      - The resources the plan creates, as the terraform action's C(creates) result returns them.
    type: list
    elements: dict
    required: true
    suboptions:
      address:
        description: Resource instance address in the plan.
        type: str
        required: true
      type:
        description: Resource type.
        type: str
        required: true
      values:
        description: The planned values that identify it (unknown ones left out).
        type: dict
        default: {}
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Find what a killed run created but did not save
  voicestack.aws.stack_adopt:
    customer: acme
    resources: "{{ planned.creates }}"
    region: eu-west-1
  register: found
"""

RETURN = r"""
imports:
  description: One import per resource found, for an OpenTofu C(import) block.
  returned: always
  type: list
  elements: dict
  contains:
    to:
      description: Resource instance address.
      type: str
    id:
      description: Import id of the resource type.
      type: str
adopted:
  description: C(<address> (<id>)) of each import, to report.
  returned: always
  type: list
  elements: str
refused:
  description: Resources found under the planned name that carry another customer's tag; not imported.
  returned: always
  type: list
  elements: str
ambiguous:
  description: Resources with more than one match in AWS; not imported.
  returned: always
  type: list
  elements: str
pending:
  description: Resources whose identity is not known in this plan yet (their parent is imported in it).
  returned: always
  type: list
  elements: str
unsupported:
  description: Planned creates of a type this module cannot look up.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.voicestack.aws.plugins.module_utils._stack_adopt import find_imports


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "customer": {"type": "str", "required": True},
            "resources": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "address": {"type": "str", "required": True},
                    "type": {"type": "str", "required": True},
                    "values": {"type": "dict", "default": {}},
                },
            },
        },
        supports_check_mode=True,
    )
    module.exit_json(changed=False, **find_imports(module, module.params["customer"], module.params["resources"]))


if __name__ == "__main__":
    main()
