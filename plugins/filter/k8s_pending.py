# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: k8s_pending
short_description: Judge from a read what a server-side apply of a manifest would change
version_added: 0.1.0
description:
  - Check mode of role voicestack.aws.service_account, which holds a read-only identity (a server-side dry run needs
    the rights of the write it pretends).
  - The object would change when a field the manifest sets is missing from the live object or holds another value;
    fields only the live object has are left alone, as server-side apply leaves them. Each element of a list in the
    manifest must be in the live list.
positional: live
options:
  _input:
    description: The manifest that would be applied.
    type: dict
    required: true
  live:
    description: The live object (as M(kubernetes.core.k8s_info) returns it), or null when it does not exist.
    type: dict
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Would the service account change?
  ansible.builtin.debug:
    msg: "{{ manifest | voicestack.aws.k8s_pending(found.resources | first | default(none)) }}"
"""

RETURN = r"""
_value:
  description:
    - C(changed), C(before) (the live object cut down to the fields the manifest sets; empty when it does not
      exist) and C(after) (the manifest), the shape of a C(--diff).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.voicestack.aws.plugins.plugin_utils._k8s_pending import k8s_pending


def _k8s_pending(desired, live=None):
    try:
        return k8s_pending(desired, live)
    except TypeError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {"k8s_pending": _k8s_pending}
