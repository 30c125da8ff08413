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
  - Every process the task starts (the module process and so every C(init), C(workspace), C(plan), C(apply),
    C(show), C(output) and C(force-unlock), and the providers they start) gets an environment built from an
    allow-list, not the controller's whole environment. From the controller only C(PATH), C(HOME), C(USER),
    C(LOGNAME), C(TMPDIR), C(TZ), C(LANG), C(LANGUAGE), C(LC_*), C(SSL_CERT_FILE), C(SSL_CERT_DIR) and the proxy
    variables (C(HTTP_PROXY), C(HTTPS_PROXY), C(NO_PROXY), also lower case) are passed on; then O(environment),
    then O(secret_environment). Nothing else reaches terraform, for example not C(VAULT_TOKEN) or any other
    C(VAULT_*), C(BAO_*) or C(VOICESTACK_VAULT_*) variable, C(TF_LOG), C(TF_LOG_PATH), C(TF_CLI_ARGS*),
    C(TF_CLI_CONFIG_FILE), C(AWS_PROFILE), C(AWS_ROLE_ARN), C(AWS_WEB_IDENTITY_TOKEN_FILE), C(AWS_ENDPOINT_URL*) or
    the controller's own C(AWS_SESSION_TOKEN); pass what terraform needs in O(environment).
  - For every run C(AWS_EC2_METADATA_DISABLED=true) and C(AWS_CONFIG_FILE) and C(AWS_SHARED_CREDENTIALS_FILE) set
    to C(/dev/null), over any other value, so that the AWS provider and the S3 backend use only the given
    credentials, never a profile, a shared credentials file or the instance metadata.
  - The task C(environment) keyword (of the play, block or task) goes through the same allow-list as the
    controller's environment; the names it drops are named in a warning.
  - With O(state=planned), C(changed) is read from the saved plan itself (C(show -json)), and RV(plan) counts
    the planned actions and lists the resources that drifted; M(community.general.terraform) guesses it from
    the text of Terraform's output.
  - Every value of O(secret_environment) is masked in the whole result, also in Terraform's error text.
  - When Terraform gives up on a state lock that another run holds, the failure message ends with the lock ID
    (also in RV(lock_id)) and the command that releases it, the collection's playbook C(voicestack.aws.unlock)
    on the same host and inventories.
  - Outputs marked sensitive are left out of RV(outputs).
  - Needs C(connection=local) and refuses C(become), which would decide what environment terraform gets.
  - Any error of the task fails it with a message in which every value of O(secret_environment) is masked.
  - The options listed here but O(secret_environment), O(environment) and
    O(force_unlock), and every option of M(community.general.terraform) not listed here, are passed to it
    unchanged (O(binary_path) with its default filled in), for example C(backend_config_files), C(variables_files),
    C(force_init), C(lock_timeout).
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Plans only, as M(community.general.terraform) does; the plan is read in check mode too.
  diff_mode:
    support: full
    details: As M(community.general.terraform), whose C(diff) (each changing resource before and after) is returned.
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
    description:
      - The tofu or terraform binary, for every command the task runs (C(init), C(plan), C(apply), C(show),
        C(force-unlock)).
      - V(tofu) (on C(PATH)) when not set; M(community.general.terraform) on its own would use V(terraform).
    type: path
  secret_environment:
    description:
      - Environment variables holding credentials, for example the C(vault_credentials_env) fact
        (C(AWS_ACCESS_KEY_ID), C(AWS_SECRET_ACCESS_KEY) and, when the credentials have one, C(AWS_SESSION_TOKEN)).
      - The controller's own AWS credential variables never reach terraform, also not an C(AWS_SESSION_TOKEN) when
        these credentials have none.
    type: dict
    default: {}
  environment:
    description:
      - Non-secret environment variables for terraform, for example C(TF_IN_AUTOMATION), C(TF_PLUGIN_CACHE_DIR),
        C(TF_CLI_CONFIG_FILE), C(TF_DATA_DIR), C(AWS_REGION) or C(AWS_ENDPOINT_URL); passed as given, over the
        controller's allow-listed variables (but not over C(AWS_EC2_METADATA_DISABLED), C(AWS_CONFIG_FILE) and
        C(AWS_SHARED_CREDENTIALS_FILE)).
      - A C(TF_PLUGIN_CACHE_DIR) folder is created (mode 0700) when missing, since terraform ignores one that is not
        there.
    type: dict
    default: {}
  plan_sha256:
    description:
      - The sha256 of a reviewed plan (one saved by O(state=planned), RV(saved)); O(plan_file) is applied only when it
        still has this digest, so that only the plan that was reviewed runs.
      - With O(state=planned) it does not plan. It runs C(init), refuses the plan when the state is no longer the one
        it was made against (another lineage; another serial, written since by another run or by applying this plan
        already), and reads it as a plan just made (RV(plan), RV(creates), RV(outputs)). Read-only, also in check
        mode.
      - With O(state=present) it checks the digest again, then applies O(plan_file); tofu and terraform themselves
        refuse a plan whose state changed in between.
    type: str
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
      description:
        - Planned actions by kind, as the plan's C(resource_changes) spell them, C(no-op) and C(read) left out.
        - C(create), C(update), C(delete) and C(replace) (C(delete) then C(create), C(create) then C(delete), or
          C(forget) then C(create)) always; C(forget), C(import) and C(move) when the plan has any, as tofu's own
          summary. An import or a move counts besides the resource's action (V(update), or none for C(no-op)).
      type: dict
      sample: {"create": 2, "update": 1, "delete": 0, "replace": 0, "import": 1}
    changes:
      description:
        - One entry (C(address), C(action)) per change of a resource, C(action) being one of the kinds of
          RV(plan.counts); a move also has C(previous_address).
      type: list
      elements: dict
    drift:
      description: Resources changed outside Terraform since the last apply (address, actions).
      type: list
      elements: dict
    destructive:
      description:
        - The stateful resources (EKS cluster and node group, OpenSearch Serverless collection, VPC, load balancer,
          IAM role) the plan deletes or replaces; per entry C(address), C(type), C(action) (V(delete) or
          V(replace)), C(reason) (why Terraform plans it, such as the arguments that cannot change in place),
          C(loses) (what goes with it) and C(message) (all of it in one sentence).
      type: list
      elements: dict
    downgrades:
      description:
        - EKS clusters the plan would move to a lower Kubernetes version, which EKS refuses; per entry C(address),
          C(before), C(after) and C(message).
      type: list
      elements: dict
    owner:
      description:
        - Whose stack the state the plan was made against holds (C(customer), C(account_id)), from the
          C(voicestack:customer) tag and the ARNs of the resources it holds; null for an empty state.
      type: dict
creates:
  description:
    - With O(state=planned), the resources the plan creates (C(address), C(type), and C(values), the planned
      values that identify the resource in AWS such as its name and tags), for M(voicestack.aws.stack_adopt).
  returned: when state is planned
  type: list
  elements: dict
saved:
  description:
    - With O(state=planned), what identifies the plan for a later apply of exactly it - C(sha256) of O(plan_file), and
      C(state), the C(lineage) and C(serial) of the state it was made against (V("") and V(0) for a stack's first plan).
  returned: when state is planned
  type: dict
  sample: {"sha256": "5f1d...", "state": {"lineage": "6a7f1c1e-...", "serial": 12}}
lock_id:
  description: The ID of the state lock Terraform gave up waiting for.
  returned: when the task failed on a state lock held by another run
  type: str
  sample: 9db590f1-b6fe-c5f2-2678-8804f089deba
outputs:
  description:
    - The stack's non-sensitive outputs (C(tofu output)), name to value.
    - Empty when Terraform failed, after O(state=absent), and when the stack has no outputs.
  returned: unless O(force_unlock) is set or the task failed before Terraform ran (a connection other than local)
  type: dict
"""
