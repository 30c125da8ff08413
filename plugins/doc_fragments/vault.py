# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Vault connection and auth options, documented once for the lookup and modules.

The argspec they document is module_utils/_vault.py's ARGSPEC (a unit test keeps the two equal).
"""


class ModuleDocFragment:
    # Connection and auth options: every plugin that talks to Vault.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Address of the Vault (or OpenBao) server, for example C(https://vault.example.com:8200).
      - C(http://) is refused unless the host is loopback (C(127.0.0.0/8), C(::1), C(localhost)), since the token,
        a login's secret and the AWS credentials would cross the network unencrypted.
      - A redirect from Vault is never followed, since it would re-send the token and a login's secret to another
        address. Point O(url) at the node or load balancer that answers itself.
    type: str
  namespace:
    description:
      - Vault Enterprise / OpenBao namespace to work in.
    type: str
  ca_cert:
    description:
      - Path to a PEM bundle used to verify Vault's TLS certificate.
    type: path
  validate_certs:
    description:
      - Verify Vault's TLS certificate. Turn off only for a throwaway test server; a warning says so on every
        call with an C(https://) O(url). Give O(ca_cert) for a private CA instead.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for one Vault request.
    type: int
    default: 30
  retries:
    description:
      - How often to retry a request that failed to connect or got HTTP 412 or 5xx, with exponential backoff.
      - A login and an issue of credentials are retried only when the connection failed (the request never
        reached Vault); an HTTP error answer to them is final, since Vault may have created the token or lease
        already and a second request would leave the first one behind.
    type: int
    default: 3
  auth_method:
    description:
      - How to authenticate to Vault.
      - C(token) uses O(token), else E(VAULT_TOKEN), else E(BAO_TOKEN), else C(~/.vault-token); the token is never
        revoked.
      - C(approle) logs in with O(role_id) and O(secret_id) or O(secret_id_file).
      - C(jwt) logs in with O(jwt) or O(jwt_file) and O(auth_role), for CI and AWX OIDC tokens.
      - C(kubernetes) logs in with the pod's service account token (O(kubernetes_token_file)) and O(auth_role).
      - A token obtained by logging in is revoked at the end of the run (revoke-self).
    type: str
    choices: [token, approle, jwt, kubernetes]
    default: token
  token:
    description:
      - Vault token for O(auth_method=token).
      - Unset, E(VAULT_TOKEN) is used, else E(BAO_TOKEN) (OpenBao's name for it), else the content of
        C(~/.vault-token).
    type: str
  role_id:
    description:
      - AppRole role ID for O(auth_method=approle).
    type: str
  secret_id:
    description:
      - AppRole secret ID for O(auth_method=approle).
    type: str
  secret_id_file:
    description:
      - File holding the AppRole secret ID, used when O(secret_id) is not set.
    type: path
  jwt:
    description:
      - Signed JWT for O(auth_method=jwt).
    type: str
  jwt_file:
    description:
      - File holding the JWT, used when O(jwt) is not set.
    type: path
  kubernetes_token_file:
    description:
      - Service account token file for O(auth_method=kubernetes).
    type: path
    default: /var/run/secrets/kubernetes.io/serviceaccount/token
  auth_role:
    description:
      - Vault role to log in as, for O(auth_method=jwt) and O(auth_method=kubernetes).
    type: str
  auth_mount:
    description:
      - Mount point of the auth method; defaults to the method's name (C(approle), C(jwt), C(kubernetes)).
      - Segments of letters, digits, C(-), C(_) and C(.) separated by single C(/), none C(.) or C(..) alone;
        anything else is refused before any call.
    type: str
"""

    # Where plugins (not modules) also read the options from.
    PLUGINS = r"""
options:
  url:
    env:
      - name: VAULT_ADDR
      - name: BAO_ADDR
  namespace:
    env:
      - name: VAULT_NAMESPACE
  ca_cert:
    env:
      - name: VAULT_CACERT
  auth_method:
    env:
      - name: VOICESTACK_VAULT_AUTH_METHOD
  token:
    env:
      # The last one set wins: VAULT_TOKEN over BAO_TOKEN, as in the modules.
      - name: BAO_TOKEN
      - name: VAULT_TOKEN
  role_id:
    env:
      - name: VOICESTACK_VAULT_ROLE_ID
  secret_id:
    env:
      - name: VOICESTACK_VAULT_SECRET_ID
  jwt:
    env:
      - name: VOICESTACK_VAULT_JWT
  auth_role:
    env:
      - name: VOICESTACK_VAULT_AUTH_ROLE
  auth_mount:
    env:
      - name: VOICESTACK_VAULT_AUTH_MOUNT
"""

    # The record of issued leases an interrupted run leaves for the next one.
    LEASE_RECORD = r"""
options:
  lease_record_dir:
    description:
      - Directory (on the controller) of lease records. A run stopped by SIGINT or SIGTERM never reaches its
        revocation, so P(voicestack.aws.vault_sts#lookup) records each lease it issues here, and revokes first the
        recorded leases of runs that have ended; M(voicestack.aws.vault_lease_revoke) forgets the records of
        the leases it revokes.
      - A record holds the lease id, the Vault address, the expiry and the owning process (with the boot id, host
        name and PID namespace it runs in), never a credential or token. Leases of a run that is still going are
        left alone.
      - The directory must be owned by the user running and have mode 0700, and is created so; any other owner or
        mode, or a symlink, is refused before anything is asked of Vault, with the fix in the message. Records are
        opened without following symlinks, and only lease ids under the AWS secrets engine mount
        (C(<mount>/creds/) or C(<mount>/sts/)) are revoked.
      - A record written on another machine, boot or PID namespace (for example an execution environment that
        shares the volume) is never judged by its process id; its lease is left to its TTL, and its record is
        dropped once the recorded expiry has passed.
      - Unset, nothing is recorded and an interrupted run's lease lives until its TTL ends.
    type: path
"""
