# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: verify_checks
short_description: Judge a deployed voice stack against what it should be
version_added: 0.1.0
description:
  - Turns the state that role voicestack.aws.verify gathered (ALB, target groups, the path from the ALB to the
    agent's pods, OpenSearch Serverless collection,
    the agent's IAM role, the service account, an optional WebSocket probe) into one result per check.
  - Each result names the check, says whether it passed, what was expected and found, and how to fix a failure.
  - A check runs only when its part of O(_input) is present; the agent timeout checks always run.
positional: wanted
options:
  _input:
    description:
      - The observed state, keys C(alb), C(target_groups), C(target_security_group_rules), C(autoscaling_group),
        C(target_health), C(agent_service), C(collection), C(role), C(service_account), C(websocket).
    type: dict
    required: true
  wanted:
    description:
      - What the stack should be, keys C(idle_timeout), C(agent_server_timeout), C(agent_keepalive_interval),
        C(node_port), C(target_port), C(target_group_arn), C(autoscaling_group_name), C(collection_name),
        C(oidc_issuer_url), C(oidc_provider_arn), C(namespace), C(service_account), C(role_arn),
        C(websocket_idle_seconds).
    type: dict
    required: true
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Judge the agent timeouts only
  ansible.builtin.debug:
    msg: "{{ {} | voicestack.aws.verify_checks({'idle_timeout': 3600, 'agent_server_timeout': 3600,
             'agent_keepalive_interval': 30}) }}"
"""

RETURN = r"""
_value:
  description: One dict per check, with C(check), C(ok), C(expected), C(actual) and C(fix) (null when ok).
  type: list
  elements: dict
"""

from ansible_collections.voicestack.aws.plugins.plugin_utils._verify import verify_checks


class FilterModule:
    def filters(self):
        return {"verify_checks": verify_checks}
