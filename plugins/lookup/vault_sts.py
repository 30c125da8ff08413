# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
name: vault_sts
short_description: Short-lived AWS credentials from Vault's AWS secrets engine
version_added: 0.1.0
description:
  - Logs in to Vault (or OpenBao) once, issues AWS credentials for each Vault AWS role given as a term, and
    returns them with their lease so the run can revoke them when it ends
    (M(voicestack.aws.vault_lease_revoke)).
  - C(assumed_role), C(federation_token) and C(session_token) use the engine's C(sts/) endpoint, C(iam_user) its
    C(creds/) endpoint.
  - Returned secrets are marked unsafe, so they are never templated. Use the lookup in a task with C(no_log).
  - A lease shorter than O(min_ttl) fails at once, before anything uses the credentials.
requirements:
  - hvac (Python library, on the controller)
extends_documentation_fragment:
  - voicestack.aws.vault
  - voicestack.aws.vault.plugins
  - voicestack.aws.vault.lease_record
options:
  _terms:
    description:
      - Names of Vault AWS secrets engine roles. Each is one Vault path segment of letters, digits, C(-), C(_) and
        C(.), not C(.) or C(..) alone; anything else is refused before any call.
    required: true
    type: list
    elements: str
  mount_point:
    description:
      - Mount point of the AWS secrets engine. Segments of letters, digits, C(-), C(_) and C(.) separated by single
        C(/), none C(.) or C(..) alone; anything else is refused before any call.
    type: str
    default: aws
  credential_type:
    description:
      - The credential type of the Vault role. Decides the endpoint and which of O(role_arn),
        O(role_session_name) and O(ttl) apply.
    type: str
    choices: [assumed_role, federation_token, session_token, iam_user]
    default: assumed_role
  role_arn:
    description:
      - IAM role to assume, for O(credential_type=assumed_role) when the Vault role allows several.
    type: str
  role_session_name:
    description:
      - Session name attached to the assumed role, for O(credential_type=assumed_role). Appears in CloudTrail.
      - AWS's rule applies, 2-64 letters, digits and C(+=,.@_-); anything else is refused before any call.
    type: str
  ttl:
    description:
      - Requested lifetime of STS credentials, in seconds or as C(30m), C(1h). Bounded by the Vault role's
        C(max_sts_ttl). Not for O(credential_type=iam_user).
    type: raw
  min_ttl:
    description:
      - The shortest lease accepted, in seconds or as C(30m), C(1h). A shorter lease fails the lookup with a
        message naming the Vault role setting to raise, because credentials that expire mid-apply leave
        Terraform halfway.
      - A lease up to 60 seconds short of it passes. Vault counts an STS lease from the credentials' expiry, so a
        role whose TTL equals the floor grants slightly less when STS is slow to answer.
    type: raw
    default: 30m
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Issue deployer credentials for this account (one login, one issue)
  ansible.builtin.set_fact:
    aws_creds: "{{ lookup('voicestack.aws.vault_sts', 'voicestack-deployer', url='https://vault.example.com:8200',
                   auth_method='approle', role_id=vault_role_id, secret_id=vault_secret_id) }}"
  no_log: true

- name: Federation token for one hour, from VAULT_ADDR and VAULT_TOKEN
  ansible.builtin.set_fact:
    aws_creds: "{{ lookup('voicestack.aws.vault_sts', 'ci-federation', credential_type='federation_token', ttl='1h') }}"
  no_log: true
"""

RETURN = r"""
_raw:
  description: One dictionary per term.
  type: list
  elements: dict
  contains:
    access_key:
      description: AWS access key id.
      type: str
    secret_key:
      description: AWS secret access key.
      type: str
    security_token:
      description: STS session token; null for O(credential_type=iam_user).
      type: str
    lease_id:
      description: Vault lease of the credentials; revoke it when the run ends.
      type: str
    lease_duration:
      description: Seconds the lease lives.
      type: int
    renewable:
      description: Whether Vault can renew the lease.
      type: bool
    expiration:
      description: When the lease ends, UTC, ISO 8601.
      type: str
    revoked_leftovers:
      description: Lease ids of ended runs that were revoked (or found gone) from O(lease_record_dir) first.
      type: list
      elements: str
    leftover_errors:
      description: Why a recorded lease of an ended run could not be revoked; its record is kept for the next run.
      type: list
      elements: str
    revoked_leftover_tokens:
      description:
        - Accessors of the login tokens of ended runs that were revoked (or found gone) from O(lease_record_dir)
          first.
      type: list
      elements: str
    auth_accessor:
      description:
        - The accessor of RV(_raw[].auth_token), or null with O(auth_method=token). It can look a token up or revoke
          it, not use it; it is what the lease records hold.
      type: str
    auth_token:
      description:
        - The Vault token this lookup logged in with, or null with O(auth_method=token).
          Pass it to M(voicestack.aws.vault_lease_revoke) to revoke it (and with it anything it issued).
      type: str
"""

import traceback

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.voicestack.aws.plugins.module_utils import _vault
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.plugin_utils._vault_sts import issue_for_roles

display = Display()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        try:
            self.set_options(var_options=variables, direct=kwargs)
            options = self.get_options()
            for warning in _vault.connection_warnings(options):
                display.warning(f"vault_sts: {warning}")
            results = issue_for_roles(terms, options)
        except AnsibleError as err:  # an option Ansible's config refused
            raise AnsibleLookupError(f"vault_sts: {to_native(err)}") from err
        except (VaultError, OSError) as err:  # Vault or the network said no; a lease record could not be written
            display.vvv(f"vault_sts: {''.join(traceback.format_exception(err)).rstrip()}")
            raise AnsibleLookupError(f"vault_sts: {err}") from err
        for error in results[0].get("leftover_errors", []):
            display.warning(f"vault_sts: could not revoke a lease an ended run left (kept for the next run): {error}")
        return wrap_var(results)
