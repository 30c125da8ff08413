# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: fleet_resume
short_description: The accounts a resumed rollout still has to touch, from the last fleet report
version_added: 0.2.0
description:
  - Reads a report of callback voicestack.aws.fleet_report and returns the hosts it does not have C(converged) or
    C(changed) at the current stack version (the collection's version and its bundled Terraform's digest), in the
    order given. A host the report does not name, and every host when the report is of another stack version, is
    still to do.
  - site.yml uses it for C(-e fleet_resume=<report>) - its play's hosts are the accounts still to do.
options:
  _terms:
    description: The report (C(fleet-site.json)).
    required: true
    type: list
    elements: path
  hosts:
    description: The candidate hosts, in order (for example C(groups['customer_accounts'])).
    type: list
    elements: str
    required: true
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Resume a stopped rollout
  hosts: "{{ lookup('voicestack.aws.fleet_resume', fleet_resume, hosts=groups['customer_accounts']) }}"
"""

RETURN = r"""
_raw:
  description: The host names still to do.
  type: list
  elements: str
"""

import json

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.voicestack.aws.plugins.plugin_utils import _fleet


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        hosts = self.get_option("hosts")
        todo = []
        for term in terms:
            try:
                with open(term, encoding="utf-8") as fh:
                    fleet = json.load(fh)
            except (OSError, ValueError) as exc:
                raise AnsibleLookupError(f"fleet_resume: cannot read the fleet report {term}: {exc}") from exc
            todo.extend(host for host in _fleet.still_to_do(fleet, hosts, _fleet.stack_version()) if host not in todo)
        return todo
