# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: drift_news
short_description: Which accounts' drift is new or changed since the previous drift report
version_added: 0.2.0
description:
  - playbooks/drift.yml keeps in its report the drift each account is known to have (C(known_drift) - per host, each
    change its plan would make, with the names of the attributes an update changes, never their values) and
    notifies only for the accounts whose drift is new or differs from what was known.
  - An account whose plan changes nothing is dropped from the known drift, so that its next drift is new again; an
    account this run did not plan keeps what was known of it.
positional: previous, report
options:
  _input:
    description: This run's accounts, each with C(host), C(account_id) and C(plan) (the C(terraform_stack_plan) fact).
    type: list
    elements: dict
    required: true
  previous:
    description: The previous drift report (C(drift-report.json)), or C({}) for none.
    type: dict
    required: true
  report:
    description: Where the new report is, named in the notice.
    type: str
    required: true
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Work out which accounts' drift is news
  ansible.builtin.set_fact:
    drift_news: "{{ accounts | voicestack.aws.drift_news(previous_report, '/var/lib/voicestack/drift-report.md') }}"
"""

RETURN = r"""
_value:
  description: What is known and what is news.
  type: dict
  contains:
    known_drift:
      description: Host to its drift (sorted lines C(<action> <address> (<attributes>))), kept in the next report.
      type: dict
    new:
      description: Each account whose drift is new or changed - C(host), C(account_id), C(kind) (new or changed) and
        C(changes).
      type: list
      elements: dict
    text:
      description: The notice (Slack's C(text)), empty when nothing is new.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.voicestack.aws.plugins.plugin_utils import _drift


def drift_news(accounts, previous, report):
    try:
        found = _drift.news(accounts, previous or {})
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError(f"drift_news: not a drift report or account list: {exc}") from exc
    return {**found, "text": _drift.notice(found["new"], report) if found["new"] else ""}


class FilterModule:
    def filters(self):
        return {"drift_news": drift_news}
