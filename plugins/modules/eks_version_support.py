#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: eks_version_support
short_description: Check an EKS Kubernetes version against the EKS release calendar
version_added: 0.2.0
description:
  - Fails for a version the calendar does not list or one past its end of extended support (EKS then upgrades
    the cluster itself), and warns when an end of support is at most O(warn_days) ahead, or the version is
    already in extended support.
  - Role terraform_stack runs it in its inputs check with the calendar the bundled stack ships
    (terraform/stacks/voice/kubernetes_versions.json, from the EKS Kubernetes release calendar).
  - Runs no AWS call, and no module process; it runs in the task's own process (an action) and needs
    the C(local) connection, without become.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - voicestack.aws.local_action
attributes:
  check_mode:
    support: full
    details: Reads nothing but its options.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  version:
    description: The Kubernetes minor version, such as C(1.35).
    type: str
    required: true
  calendar:
    description:
      - The calendar, as in kubernetes_versions.json; C(versions) maps each version to its
        C(end_of_standard_support) and C(end_of_extended_support) (YYYY-MM-DD), C(default) names the
        version to suggest.
    type: dict
    required: true
  support_type:
    description: The cluster's upgrade policy, which decides what the end of standard support means.
    type: str
    choices: [STANDARD, EXTENDED]
    default: STANDARD
  warn_days:
    description: Warn when an end of support is at most this many days ahead.
    type: int
    default: 60
  today:
    description: The date to check on (YYYY-MM-DD); omitted, today in UTC. For planning ahead and tests.
    type: str
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Check the cluster's Kubernetes version
  voicestack.aws.eks_version_support:
    version: "1.35"
    calendar: "{{ lookup('ansible.builtin.file', 'kubernetes_versions.json') | from_json }}"
    support_type: STANDARD
"""

RETURN = r"""
end_of_standard_support:
  description: The version's end of standard support (YYYY-MM-DD).
  returned: when the calendar lists the version
  type: str
end_of_extended_support:
  description: The version's end of extended support (YYYY-MM-DD).
  returned: when the calendar lists the version
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.voicestack.aws.plugins.module_utils._kubernetes_support import ARGUMENT_SPEC, check


# The action of the same name runs the check in the controller's own process; this entry point is the same check
# as a module process, for ansible-test and a run without the action.
def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    error, dates, warnings = check(module.params)
    if error:
        module.fail_json(msg=error, **dates)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(changed=False, **dates)


if __name__ == "__main__":
    main()
