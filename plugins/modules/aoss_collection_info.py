#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: aoss_collection_info
short_description: Look up an OpenSearch Serverless collection
version_added: 0.1.0
description:
  - Returns an Amazon OpenSearch Serverless collection by name (status, type, endpoints), or nothing when it does
    not exist. amazon.aws has no module for OpenSearch Serverless yet.
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
  name:
    description: Name of the collection.
    type: str
    required: true
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Is the vector store ready?
  voicestack.aws.aoss_collection_info:
    name: acme-voice-vectors
    region: eu-west-1
  register: found

- name: Fail unless it is an active vector search collection
  ansible.builtin.assert:
    that:
      - found.collection.status == 'ACTIVE'
      - found.collection.type == 'VECTORSEARCH'
"""

RETURN = r"""
collection:
  description: The collection (keys in snake_case), or null when there is none of that name.
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
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.voicestack.aws.plugins.module_utils._stack_info import collection


def main():
    module = AnsibleAWSModule(argument_spec={"name": {"type": "str", "required": True}}, supports_check_mode=True)
    name = module.params["name"]
    try:
        found = collection(module.client("opensearchserverless"), name)
    except Exception as exc:  # botocore raises several unrelated types here
        module.fail_json_aws(exc, msg=f"cannot look up OpenSearch Serverless collection {name}")
    module.exit_json(changed=False, collection=found)


if __name__ == "__main__":
    main()
