# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: sts_endpoint
short_description: The regional STS endpoint of AWS itself for a region
version_added: 0.1.0
description:
  - Returns C(https://sts.<region>.<DNS suffix of the region's partition>), for example
    C(https://sts.eu-west-1.amazonaws.com) or C(https://sts.cn-north-1.amazonaws.com.cn).
  - The account guard of role voicestack.aws.vault_credentials passes it to STS explicitly, so that C(AWS_URL),
    C(AWS_ENDPOINT_URL), C(AWS_ENDPOINT_URL_STS) or an C(endpoint_url) in an AWS config file cannot send the
    guard to another STS.
options:
  _input:
    description: An AWS region name.
    type: str
    required: true
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Ask AWS's own STS whose credentials these are
  amazon.aws.aws_caller_info:
    region: eu-west-1
    endpoint_url: "{{ 'eu-west-1' | voicestack.aws.sts_endpoint }}"
"""

RETURN = r"""
_value:
  description: The endpoint URL.
  type: str
  sample: https://sts.eu-west-1.amazonaws.com
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.voicestack.aws.plugins.module_utils._account_guard import sts_endpoint as _sts_endpoint


def sts_endpoint(region):
    try:
        return _sts_endpoint(region)
    except ValueError as exc:
        raise AnsibleFilterError(f"sts_endpoint: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"sts_endpoint": sts_endpoint}
