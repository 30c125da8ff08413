# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Vault connection, error mapping and the AWS secrets engine calls.

Shared by the vault_sts lookup (controller) and the vault modules. Internal:
the leading underscore means no compatibility promise outside the collection.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

try:
    import hvac
    import hvac.exceptions
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    HAS_HVAC = True
    HVAC_IMPORT_ERROR = None
    # What a Vault call raises when Vault or the network says no; anything else is a bug.
    CALL_ERRORS = (hvac.exceptions.VaultError, requests.exceptions.RequestException)

    class RedirectRefused(requests.exceptions.RequestException):
        """Vault answered with a redirect, which is never followed."""

        def __init__(self, status, target):
            super().__init__(f"redirect ({status}) to {target} refused")
            self.status, self.target = status, target

except ImportError as exc:  # reported by the callers with a clear message
    HAS_HVAC = False
    HVAC_IMPORT_ERROR = exc
    CALL_ERRORS = ()

from ansible_collections.voicestack.aws.plugins.module_utils import _auth, _inputs
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError

# How to reach Vault (documented in doc_fragments/vault.py).
CONNECTION_ARGSPEC = {
    "url": {"type": "str", "fallback": (env_fallback, ["VAULT_ADDR", "BAO_ADDR"])},
    "namespace": {"type": "str", "fallback": (env_fallback, ["VAULT_NAMESPACE"])},
    "ca_cert": {"type": "path", "fallback": (env_fallback, ["VAULT_CACERT"])},
    "validate_certs": {"type": "bool", "default": True},
    "timeout": {"type": "int", "default": 30},
    "retries": {"type": "int", "default": 3},
}

# The Vault options of the lookup and of every module, one argspec per group,
# documented once in doc_fragments/vault.py (a unit test keeps the two equal).
ARGSPEC = {**CONNECTION_ARGSPEC, **_auth.ARGSPEC}

# Plain http is accepted only where nothing crosses a network: the sandbox and
# a local agent listen on loopback.
LOOPBACK_NAMES = ("localhost",)

CREDENTIAL_TYPES = ("assumed_role", "federation_token", "session_token", "iam_user")
STS_TYPES = ("assumed_role", "federation_token", "session_token")
RETRY_STATUSES = (412, 500, 502, 503, 504)

# The Vault role settings that bound a lease, per credential type.
TTL_SETTINGS = {
    "iam_user": "the role's or mount's default_lease_ttl / max_lease_ttl (ttl / max_ttl)",
}
STS_TTL_SETTINGS = "the Vault AWS role's default_sts_ttl / max_sts_ttl"


def parse_duration(value, option):
    """Seconds from 1800, '1800', '1800s', '30m', '1h30m'; VaultError names the option."""
    if isinstance(value, bool):
        raise VaultError(f"{option}: {value!r} is not a duration (use e.g. 1800, '30m' or '1h')")
    if isinstance(value, int):
        seconds = value
    else:
        text = str(value).strip()
        if text.isdigit():
            seconds = int(text)
        else:
            parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
            if not text or not parts:
                raise VaultError(f"{option}: {value!r} is not a duration (use e.g. 1800, '30m' or '1h')")
            hours, minutes, secs = (int(p or 0) for p in parts.groups())
            seconds = hours * 3600 + minutes * 60 + secs
    if seconds < 0:
        raise VaultError(f"{option}: {value!r} is negative")
    return seconds


def _loopback(host):
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False


def check_url(url):
    """Refuse a missing or non-http(s) URL, and plain http to anything but loopback (VaultError naming url)."""
    if not url:
        raise VaultError("url: no Vault address (set url, or VAULT_ADDR / BAO_ADDR)")
    if not re.match(r"^https?://[^/\s]+", url):
        raise VaultError(f"url: {url!r} is not an http(s) URL")
    parts = urlsplit(url)
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise VaultError(
            f"url: {url!r} is plain http to a host that is not loopback: the Vault token, the login's secret and "
            f"the AWS credentials would cross the network unencrypted. Use https:// (plain http is accepted only "
            f"for 127.0.0.0/8, ::1 and localhost)"
        )


def connection_warnings(options):
    """What to warn about in the connection options: TLS validation switched off for an https URL."""
    url = options.get("url") or ""
    if url.startswith("https://") and options.get("validate_certs") is False:
        return [
            f"validate_certs is false: the TLS certificate of Vault at {url} is not checked, so whoever can "
            f"intercept the connection gets the Vault token and the AWS credentials. Give Vault's CA as ca_cert "
            f"(or VAULT_CACERT) and leave validate_certs on"
        ]
    return []


def validate_request(credential_type, auth_method, role_arn=None, role_session_name=None, ttl=None):
    """Reject option combinations Vault would refuse or silently ignore."""
    if credential_type not in CREDENTIAL_TYPES:
        raise VaultError(f"credential_type: {credential_type!r} is not one of {', '.join(CREDENTIAL_TYPES)}")
    if auth_method not in _auth.METHODS:
        raise VaultError(f"auth_method: {auth_method!r} is not one of {', '.join(_auth.METHODS)}")
    if role_arn and credential_type != "assumed_role":
        raise VaultError(f"role_arn: only applies to credential_type assumed_role, not {credential_type}")
    if role_session_name and credential_type != "assumed_role":
        raise VaultError(f"role_session_name: only applies to credential_type assumed_role, not {credential_type}")
    if ttl is not None and credential_type == "iam_user":
        raise VaultError("ttl: does not apply to credential_type iam_user (its lease comes from the Vault role)")


class VaultClient:
    """A connection to one Vault: it knows its URL, retries connection errors
    and HTTP 412/5xx with backoff, and turns what Vault or the network refuses
    into one VaultError line that names the URL and what it was doing."""

    def __init__(self, options):
        """From the connection options (CONNECTION_ARGSPEC); one that is missing takes its default."""
        if not HAS_HVAC:
            raise VaultError(f"the Python library hvac is required on the controller: {HVAC_IMPORT_ERROR}")
        opts = {name: options.get(name, spec.get("default")) for name, spec in CONNECTION_ARGSPEC.items()}
        url = opts["url"]
        check_url(url)
        self.url = url
        self.logged_in = False  # True once login() created a token this run must revoke
        self.accessor = None  # the accessor of that token (never the token): what a lease record holds
        self.token_expiration = None
        verify = (opts["ca_cert"] or True) if opts["validate_certs"] else False
        # Two sessions: a request that creates something (a login, an issue) is never sent twice, since a 5xx
        # after Vault did the work would orphan the first token or lease; every other call is retried.
        self._retrying = _session(opts["retries"], resend=True)
        self._once = _session(opts["retries"], resend=False)
        self._hvac = hvac.Client(
            url=url,
            namespace=opts["namespace"],
            verify=verify,
            timeout=opts["timeout"],
            session=self._retrying,
            # A redirect would re-send the token (and a login's secret) to wherever it points.
            allow_redirects=False,
        )

    @property
    def token(self):
        return self._hvac.token

    def login(self, options):
        """Log in with the auth options (_auth.ARGSPEC); sent once, never retried."""
        with self._calling(f"logging in with auth_method {options['auth_method']}", resend=False):
            auth = _auth.login(self._hvac, options)
        self.logged_in = auth is not None
        if auth is not None:
            self.accessor = auth.get("accessor")
            duration = int(auth.get("lease_duration") or 0)
            ends = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=duration)
            self.token_expiration = ends.replace(microsecond=0).isoformat().replace("+00:00", "Z")

    def issue(self, role, credential_type, mount_point="aws", role_arn=None, role_session_name=None, ttl=None):
        """Issue AWS credentials for one Vault AWS role, shaped by credentials()."""
        _inputs.check(  # they go into the URL as is (the lookup judged them already; modules may not have)
            [
                ("role", "vault_name", role),
                ("mount_point", "vault_mount", mount_point),
                ("role_session_name", "role_session_name", role_session_name),
            ]
        )
        endpoint = "sts" if credential_type in STS_TYPES else "creds"
        what = f"issuing AWS credentials for role {role!r} at {mount_point}/{endpoint}"
        with self._calling(what, resend=False):  # sent once: a second issue would orphan the first lease
            response = self._hvac.secrets.aws.generate_credentials(
                name=role,
                role_arn=role_arn,
                ttl=None if ttl is None else f"{ttl}s",
                endpoint=endpoint,
                mount_point=mount_point,
                role_session_name=role_session_name,
            )
        return credentials(response, credential_type)

    def read_aws_role(self, name, mount_point="aws"):
        """The parameters of a role of the AWS secrets engine, or None when there is none."""
        _inputs.check([("name", "vault_name", name), ("mount_point", "vault_mount", mount_point)])
        with self._calling(f"reading AWS role {name!r} at {mount_point}/roles"):
            try:
                return self._hvac.secrets.aws.read_role(name=name, mount_point=mount_point)["data"]
            except hvac.exceptions.InvalidPath:
                return None

    def write_aws_role(self, name, params, mount_point="aws"):
        """Create or replace a role of the AWS secrets engine (a write of the same parameters is harmless)."""
        _inputs.check([("name", "vault_name", name), ("mount_point", "vault_mount", mount_point)])
        with self._calling(f"writing AWS role {name!r} at {mount_point}/roles"):
            self._hvac.write_data(f"{mount_point}/roles/{name}", data=params)

    def delete_aws_role(self, name, mount_point="aws"):
        """Delete a role of the AWS secrets engine (Vault takes the delete of a missing role without error)."""
        _inputs.check([("name", "vault_name", name), ("mount_point", "vault_mount", mount_point)])
        with self._calling(f"deleting AWS role {name!r} at {mount_point}/roles"):
            self._hvac.secrets.aws.delete_role(name=name, mount_point=mount_point)

    def read(self, path):
        """The data at `path` (one the caller composed from checked names), or None when there is none."""
        with self._calling(f"reading {path}"):
            found = self._hvac.read(path)
        return None if found is None else found.get("data")

    def write(self, path, data):
        """Write `data` at `path` (one the caller composed from checked names)."""
        with self._calling(f"writing {path}"):
            self._hvac.write_data(path, data=data)

    def mounts(self, kind):
        """Enabled secrets engines (kind "secret") or auth methods ("auth"): "<path>/" -> type."""
        with self._calling(f"listing the {kind} mounts"):
            if kind == "auth":
                found = self._hvac.sys.list_auth_methods()
            else:
                found = self._hvac.sys.list_mounted_secrets_engines()
        return {path: entry["type"] for path, entry in found["data"].items()}

    def enable(self, kind, path, type_):
        """Enable a secrets engine (kind "secret") or auth method ("auth") of `type_` at `path`."""
        with self._calling(f"enabling the {kind} mount {path}/ ({type_})"):
            if kind == "auth":
                self._hvac.sys.enable_auth_method(type_, path=path)
            else:
                self._hvac.sys.enable_secrets_engine(type_, path=path)

    def read_policy(self, name):
        """The rules of ACL policy `name`, or None when there is none."""
        with self._calling(f"reading ACL policy {name!r}"):
            try:
                return self._hvac.sys.read_acl_policy(name)["data"]["policy"]
            except hvac.exceptions.InvalidPath:
                return None

    def write_policy(self, name, rules):
        with self._calling(f"writing ACL policy {name!r}"):
            self._hvac.sys.create_or_update_acl_policy(name, rules)

    def rotate_root(self, mount_point):
        """Have the AWS engine replace its root key by a new one only it knows (the old one is deleted)."""
        with self._calling(f"rotating the root key of {mount_point}/", resend=False):
            self._hvac.secrets.aws.rotate_root_iam_credentials(mount_point=mount_point)

    def lease_exists(self, lease_id):
        """True or False; None when the token may not look leases up (a policy without sys/leases/lookup)."""
        with self._calling("looking up a lease"):
            try:
                self._hvac.sys.read_lease(lease_id)
            except hvac.exceptions.InvalidRequest:
                return False
            except hvac.exceptions.Forbidden:
                return None
        return True

    def revoke_lease(self, lease_id):
        """Revoke one lease; False when it was already gone (not an error).

        The lookup only tells a gone lease apart: when the policy does not allow
        it, the lease is revoked all the same (Vault takes a revocation of a gone
        lease without error).
        """
        if self.lease_exists(lease_id) is False:
            return False
        with self._calling("revoking a lease"):
            self._hvac.sys.revoke_lease(lease_id)
        return True

    def revoke_accessor(self, accessor):
        """Revoke the token with this accessor (and what it issued); False when it is gone already."""
        with self._calling("revoking a Vault token by its accessor"):
            try:
                self._hvac.auth.token.revoke_accessor(accessor)
            except hvac.exceptions.InvalidRequest:
                return False  # Vault: "invalid accessor", the token expired or was revoked
        return True

    def revoke_self(self):
        """Revoke the client's own token; False when it was already revoked or expired."""
        with self._calling("revoking the run's own Vault token"):
            try:
                self._hvac.auth.token.revoke_self()
            except hvac.exceptions.Forbidden:
                return False
        return True

    @contextlib.contextmanager
    def _calling(self, what, resend=True):
        """Raise what Vault or the network refuses while doing `what` as one VaultError line.

        With resend false the request goes through the session that never sends
        it twice. The original error stays the VaultError's context, so a
        traceback shows it; not its cause, whose text Ansible would append to
        the message.
        """
        adapter = self._hvac.adapter
        adapter.session = self._retrying if resend else self._once
        try:
            yield
        except CALL_ERRORS as exc:
            _withhold_body(exc)
            raise describe(exc, self.url, what)  # noqa: B904 - the context is kept on purpose (see above)
        finally:
            adapter.session = self._retrying


def _refuse_redirects(response, *_args, **_kwargs):
    """A session hook: a 3xx answer is an error, never followed."""
    if 300 <= response.status_code < 400:  # noqa: PLR2004
        target = response.headers.get("Location")
        if target:
            parts = urlsplit(requests.compat.urljoin(response.url, target))
            target = f"{parts.scheme}://{parts.netloc}"  # where, not the path or query
        raise RedirectRefused(response.status_code, target or "nowhere")


def _session(retries, resend):
    """A session that follows no redirect and retries a connection that failed (the request was not sent).

    With resend it also retries HTTP 412/5xx answers; without, an answer is final.
    """
    session = requests.Session()
    session.max_redirects = 0
    session.hooks["response"].append(_refuse_redirects)
    retry = Retry(
        total=retries,
        connect=retries,
        read=0,
        status=retries if resend else 0,
        status_forcelist=RETRY_STATUSES if resend else (),
        allowed_methods=None,
        redirect=0,
        backoff_factor=0.5,
        raise_on_status=False,
    )
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def _withhold_body(exc):
    """Keep an error response's body out of messages and tracebacks.

    hvac keeps the body of a failed response on its exception, and makes it
    the message when it is not Vault's JSON error (a proxy's error page, which
    may echo the request and its token). Vault's own error list stays.
    """
    if isinstance(exc, hvac.exceptions.VaultError) and exc.text is not None:
        if not exc.errors:
            exc.args = (f"{type(exc).__name__} without a Vault error message (response body withheld)",)
        exc.text = exc.json = None


def describe(exc, url, what):  # noqa: PLR0911 - one return per error kind
    """Map an hvac/requests exception to one VaultError line."""
    if HAS_HVAC:
        if isinstance(exc, hvac.exceptions.VaultDown):
            return VaultError(f"Vault at {url} is sealed or unavailable (503) while {what}: unseal it and rerun")
        if isinstance(exc, hvac.exceptions.Forbidden):
            return VaultError(f"permission denied while {what}: the Vault token or auth role lacks a policy for it")
        if isinstance(exc, hvac.exceptions.InvalidPath):
            return VaultError(f"no such Vault path while {what}: check the mount point and names")
        if isinstance(exc, hvac.exceptions.VaultError):
            errors = "; ".join(str(e) for e in (exc.errors or [])) or str(exc).split(", on ", maxsplit=1)[0]
            return VaultError(f"Vault refused {what}: {errors}")
        if isinstance(exc, RedirectRefused):
            return VaultError(
                f"Vault at {url} answered with a redirect ({exc.status}) to {exc.target} while {what}; not "
                f"followed, because it would send the Vault token and a login's secret there. Set url to the "
                f"address that answers itself (the active node or its load balancer)"
            )
        if isinstance(exc, requests.exceptions.SSLError):
            return VaultError(f"TLS error talking to Vault at {url} while {what}: check ca_cert / validate_certs")
        if isinstance(exc, requests.exceptions.RetryError):
            return VaultError(f"Vault at {url} kept failing while {what} (retries exhausted): {exc.args[0].reason}")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return VaultError(f"cannot reach Vault at {url} while {what} (retries exhausted)")
        if isinstance(exc, requests.exceptions.Timeout):
            return VaultError(f"Vault at {url} timed out while {what}")
    return VaultError(f"unexpected error while {what}: {type(exc).__name__}")


def credentials(response, credential_type, now=None):
    """The lookup's return value from a Vault AWS response."""
    data = response.get("data") or {}
    duration = int(response.get("lease_duration") or 0)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    expiration = (now + datetime.timedelta(seconds=duration)).replace(microsecond=0)
    return {
        "access_key": data.get("access_key"),
        "secret_key": data.get("secret_key"),
        "security_token": data.get("security_token") if credential_type in STS_TYPES else None,
        "lease_id": response.get("lease_id"),
        "lease_duration": duration,
        "renewable": bool(response.get("renewable")),
        "expiration": expiration.isoformat().replace("+00:00", "Z"),
    }


# Vault counts an STS lease from the credentials' expiry, so a role whose TTL
# equals the floor grants a few seconds less when STS is slow to answer.
TTL_FLOOR_GRACE = 60


def check_ttl_floor(lease_duration, min_ttl, role, credential_type):
    if lease_duration + TTL_FLOOR_GRACE < min_ttl:
        setting = TTL_SETTINGS.get(credential_type, STS_TTL_SETTINGS)
        raise VaultError(
            f"Vault granted a {lease_duration}s lease for AWS role {role!r}, shorter than min_ttl "
            f"({min_ttl}s): a lease that expires mid-apply breaks Terraform halfway. Raise {setting} "
            f"to at least {min_ttl}s, or lower min_ttl"
        )
