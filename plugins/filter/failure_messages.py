# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: failure_messages
short_description: The messages of a failed task, one per failed loop item
version_added: 0.2.0
description:
  - A looped task that fails says only C(One or more items failed). In a C(rescue) section, this filter turns
    C(ansible_failed_result) into each failed item's own message, or the task's message when it had no loop, so the
    report names what went wrong without repeating the task's (no_log) arguments.
options:
  _input:
    description: The failed task's result (C(ansible_failed_result)).
    type: dict
    required: true
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Report the failure without the credentials
  ansible.builtin.fail:
    msg: >-
      {{ ansible_failed_task.name }} failed:
      {{ ansible_failed_result | voicestack.aws.failure_messages | join('; ') }}
"""

RETURN = r"""
_value:
  description: The messages, in the loop's order; C(no message) for a failure that gave none.
  type: list
  elements: str
"""


def failure_messages(result):
    result = result or {}
    failed = [item for item in result.get("results") or [] if isinstance(item, dict) and item.get("failed")]
    if failed:
        return [str(item.get("msg") or "no message") for item in failed]
    return [str(result.get("msg") or "no message")]


class FilterModule:
    def filters(self):
        return {"failure_messages": failure_messages}
