#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: mirror_dir
short_description: Make a folder an exact copy of another, in one step
version_added: 0.1.0
description:
  - Copies every file of O(src) whose content differs into O(dest) (files mode 0600, folders 0700), writes
    O(files) the same way, and removes what neither has, leaving the paths in O(keep) alone. Both paths are on the
    machine Ansible runs on; it runs in the task's own process (an action, no module process) and needs
    the C(local) connection, without become.
  - O(dest) itself is made mode 0700, also when it exists with another mode (plans, C(errored.tfstate) and
    C(crash.log) may be kept there). A symlink as O(dest) is refused.
  - Nothing is written through a symlink. A symlink found inside O(dest) where a file or folder is to be written is
    replaced by that file or folder (its target is left untouched); one that neither O(src) nor O(files) has is
    removed (the link, not its target).
  - One task for the whole tree, where M(ansible.builtin.copy) runs a module once per file; role terraform_stack
    uses it to write an account's work folder (the bundled Terraform, its inputs and backend settings).
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - voicestack.aws.local_action
attributes:
  check_mode:
    support: full
    details: Reports what would be copied and removed.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  src:
    description: Folder to copy.
    type: path
    required: true
  dest:
    description: Folder to make identical to O(src); created (mode 0700) when missing.
    type: path
    required: true
  keep:
    description:
      - Paths relative to the top of O(dest) that are neither copied nor removed. C(.terraform) is
        O(dest)C(/.terraform) only; give C(stacks/voice/.terraform) for the one of a stack below it.
    type: list
    elements: str
    default: []
  files:
    description:
      - Further files to write into O(dest), as a mapping of a relative path (inside O(dest), not one of O(src)'s)
        to its text. Never put a secret here.
    type: dict
    default: {}
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Work copy of the bundled Terraform, keeping Terraform's own data
  voicestack.aws.mirror_dir:
    src: "{{ role_path }}/../../terraform"
    dest: ~/.cache/voicestack/work/123456789012/terraform
    keep: [.terraform, .terraform.lock.hcl]  # the top of dest only

- name: The same, with the stack's inputs beside it
  voicestack.aws.mirror_dir:
    src: "{{ role_path }}/../../terraform"
    dest: ~/.cache/voicestack/work/123456789012
    keep: [stacks/voice/.terraform, stacks/voice/.terraform.lock.hcl, voice.tfplan]
    files:
      voice.tfvars.json: '{"customer": "acme"}'
"""

RETURN = r"""
copied:
  description: Files copied (or, in check mode, that would be), relative to O(dest).
  returned: always
  type: list
  elements: str
removed:
  description: Files and folders removed (or that would be), relative to O(dest).
  returned: always
  type: list
  elements: str
made_private:
  description: Whether the mode of an existing O(dest) was (or, in check mode, would be) changed to 0700.
  returned: always
  type: bool
"""


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.voicestack.aws.plugins.module_utils._mirror import ARGUMENT_SPEC, mirror_result


# The action of the same name mirrors in the controller's own process (the play's connection is local); this entry
# point is the same mirror as a module process, for ansible-test and a run without the action.
def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    result = mirror_result(module.params, module.check_mode)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
