#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: terraform
short_description: Run community.general.terraform with credentials only in the terraform process environment
version_added: 0.1.0
description:
  - Runs M(community.general.terraform) with O(secret_environment) (the AWS credentials) set only in the
    environment of the module process and so of terraform, never on a command line, in a file or in the
    task's displayed arguments. The task C(environment) keyword cannot do that, because Ansible writes it into the
    module's C(/bin/sh -c) command line.
  - With O(state=planned), C(changed) is read from the saved plan itself (C(show -json)), and RV(plan) counts
    the planned actions and lists the resources that drifted; M(community.general.terraform) guesses it from
    the text of Terraform's output.
  - Every value of O(secret_environment) is masked in the whole result, also in Terraform's error text.
  - Outputs marked sensitive are left out of RV(outputs).
  - Needs C(connection=local). Every option not listed here is passed to M(community.general.terraform)
    unchanged, for example O(state), O(project_path), O(plan_file), O(binary_path), C(backend_config_files),
    C(variables_files), C(force_init), C(lock_timeout).
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Plans only, as M(community.general.terraform) does; the plan is read in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  state:
    description: As M(community.general.terraform); V(planned) writes O(plan_file) and reports its changes.
    type: str
    choices: [planned, present, absent]
    default: present
  project_path:
    description: The root module to run in.
    type: path
    required: true
  plan_file:
    description: The plan file to write (V(planned)) or apply (V(present)).
    type: path
  binary_path:
    description: The tofu or terraform binary.
    type: path
  secret_environment:
    description: Environment variables holding credentials, for example the C(vault_credentials_env) fact.
    type: dict
    default: {}
  environment:
    description:
      - Non-secret environment variables for terraform, for example C(TF_PLUGIN_CACHE_DIR).
      - A C(TF_PLUGIN_CACHE_DIR) folder is created (mode 0700) when missing, since terraform ignores one that is not
        there.
    type: dict
    default: {}
  force_unlock:
    description:
      - Instead of planning or applying, release the state lock with this lock id (C(init) with the given
        C(backend_config_files), then C(force-unlock -force)). Use it only when no other run holds the lock,
        for example after a terraform process was killed; Terraform's lock error names the id.
    type: str
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Plan the account's stack
  voicestack.aws.terraform:
    state: planned
    project_path: /var/lib/voicestack/123456789012/stacks/voice
    plan_file: voice.tfplan
    binary_path: tofu
    force_init: true
    backend_config_files: [backend.hcl]
    variables_files: [voice.tfvars.json]
    secret_environment: "{{ vault_credentials_env }}"
  register: plan
  no_log: true
"""

RETURN = r"""
unlocked:
  description: With O(force_unlock), the lock id released.
  returned: when force_unlock is set
  type: str
plan:
  description: With O(state=planned), what the plan would do.
  returned: when state is planned
  type: dict
  contains:
    changed:
      description: Whether the plan changes anything.
      type: bool
    counts:
      description: Planned actions by kind (create, update, delete, replace).
      type: dict
    changes:
      description: One entry (address, action) per changing resource.
      type: list
      elements: dict
    drift:
      description: Resources changed outside Terraform since the last apply (address, actions).
      type: list
      elements: dict
outputs:
  description: The stack's non-sensitive outputs, name to value.
  returned: always
  type: dict
"""
