#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: write_probe
short_description: Ask whether AWS credentials may write, without writing
version_added: 0.2.0
description:
  - Sends EC2 C(CreateVpc) with C(DryRun) set. EC2 authorizes it as it would the real request, answers
    C(DryRunOperation) (allowed) or C(UnauthorizedOperation) (refused), and creates nothing either way.
  - The onboarding proof (role voicestack.aws.account_access) runs it with the planner's credentials, which must be
    refused, and with the deployer's, which must be allowed.
  - Fails on any other answer.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: A dry run in either mode; nothing is created.
  diff_mode:
    support: none
  platform:
    platforms: posix
options: {}
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: The planner may not write
  voicestack.aws.write_probe:
    access_key: "{{ planner.access_key }}"
    secret_key: "{{ planner.secret_key }}"
    session_token: "{{ planner.security_token }}"
    region: eu-west-1
  register: probe
  no_log: true
  failed_when: probe.allowed
"""

RETURN = r"""
action:
  description: The IAM action asked about, C(ec2:CreateVpc).
  returned: always
  type: str
allowed:
  description: Whether EC2 would have done it.
  returned: always
  type: bool
code:
  description: EC2's answer, C(DryRunOperation) or C(UnauthorizedOperation).
  returned: always
  type: str
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule says botocore is missing

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.voicestack.aws.plugins.module_utils._write_probe import may_create_vpc


def main():
    module = AnsibleAWSModule(argument_spec={}, supports_check_mode=True)
    try:
        answer = may_create_vpc(module.client("ec2"))
    except (BotoCoreError, ClientError, RuntimeError) as exc:
        module.fail_json_aws(exc, msg="EC2's dry run of CreateVpc")
    module.exit_json(changed=False, **answer)


if __name__ == "__main__":
    main()
