"""Option resolution and error mapping of the Vault helpers (no services)."""

from __future__ import annotations

import datetime

import hvac.exceptions
import pytest
import requests

from ansible_collections.voicestack.aws.plugins.module_utils import _vault
from ansible_collections.voicestack.aws.plugins.module_utils._auth._files import read_secret_file
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(1800, 1800), ("1800", 1800), ("1800s", 1800), ("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("0", 0)],
)
def test_durations(value, seconds):
    assert _vault.parse_duration(value, "min_ttl") == seconds


@pytest.mark.parametrize("value", ["", "thirty", "30 minutes", "1d", "-5", True, "1.5h"])
def test_unparsable_durations_name_the_option(value):
    with pytest.raises(VaultError, match=r"^min_ttl: .* is not a duration"):
        _vault.parse_duration(value, "min_ttl")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"credential_type": "assume_role"}, r"^credential_type: 'assume_role' is not one of"),
        ({"auth_method": "ldap"}, r"^auth_method: 'ldap' is not one of token, approle, jwt, kubernetes"),
        ({"credential_type": "iam_user", "role_arn": "arn:aws:iam::1:role/x"}, r"^role_arn: only applies"),
        ({"credential_type": "federation_token", "role_session_name": "x"}, r"^role_session_name: only applies"),
        ({"credential_type": "iam_user", "ttl": 60}, r"^ttl: does not apply to credential_type iam_user"),
    ],
)
def test_bad_option_combinations(kwargs, message):
    args = {"credential_type": "assumed_role", "auth_method": "token", **kwargs}
    with pytest.raises(VaultError, match=message):
        _vault.validate_request(args.pop("credential_type"), args.pop("auth_method"), **args)


def test_a_valid_request_passes():
    _vault.validate_request("assumed_role", "approle", role_arn="arn:aws:iam::123456789012:role/x", ttl=3600)


@pytest.mark.parametrize("url", [None, "", "vault:8200", "ftp://vault", "http://"])
def test_bad_urls_name_the_option(url):
    with pytest.raises(VaultError, match=r"^url: "):
        _vault.VaultClient({"url": url})


def test_credentials_shape_for_sts_and_iam_user():
    now = datetime.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=datetime.timezone.utc)
    response = {
        "lease_id": "aws/sts/r/abc",
        "lease_duration": 1800,
        "renewable": False,
        "data": {"access_key": "AK", "secret_key": "SK", "security_token": "ST"},
    }
    sts = _vault.credentials(response, "assumed_role", now=now)
    assert sts == {
        "access_key": "AK",
        "secret_key": "SK",
        "security_token": "ST",
        "lease_id": "aws/sts/r/abc",
        "lease_duration": 1800,
        "renewable": False,
        "expiration": "2026-01-02T03:34:05Z",
    }
    assert _vault.credentials(response, "iam_user", now=now)["security_token"] is None


def test_ttl_floor_names_the_vault_role_setting():
    with pytest.raises(
        VaultError, match=r"900s lease .* shorter than min_ttl \(1800s\).*default_sts_ttl / max_sts_ttl"
    ):
        _vault.check_ttl_floor(900, 1800, "deployer", "assumed_role")
    with pytest.raises(VaultError, match=r"default_lease_ttl / max_lease_ttl"):
        _vault.check_ttl_floor(900, 1800, "deployer", "iam_user")
    _vault.check_ttl_floor(1800, 1800, "deployer", "assumed_role")


def test_ttl_floor_allows_the_seconds_a_slow_sts_call_takes():
    _vault.check_ttl_floor(1797, 1800, "deployer", "assumed_role")  # a role TTL equal to the floor, under load
    with pytest.raises(VaultError, match="1739s lease"):
        _vault.check_ttl_floor(1739, 1800, "deployer", "assumed_role")


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (hvac.exceptions.VaultDown("sealed"), r"^Vault at http://v is sealed or unavailable \(503\) while issuing"),
        (hvac.exceptions.Forbidden("permission denied"), r"^permission denied while issuing"),
        (hvac.exceptions.InvalidPath("no handler"), r"^no such Vault path while issuing: check the mount point"),
        (hvac.exceptions.InvalidRequest("x", errors=["Role 'nope' not found"]), r"^Vault refused issuing: Role 'nope'"),
        (requests.exceptions.ConnectionError("refused"), r"^cannot reach Vault at http://v while issuing"),
        (requests.exceptions.SSLError("bad cert"), r"^TLS error talking to Vault at http://v"),
        (requests.exceptions.Timeout("slow"), r"^Vault at http://v timed out while issuing"),
        (KeyError("secret-looking-value"), r"^unexpected error while issuing: KeyError$"),
    ],
)
def test_errors_map_to_one_line(exc, message):
    error = _vault.describe(exc, "http://v", "issuing")
    assert isinstance(error, VaultError)
    assert "\n" not in str(error)
    assert __import__("re").match(message, str(error)), str(error)


def test_secret_files(tmp_path):
    path = tmp_path / "jwt"
    with pytest.raises(VaultError, match=r"^jwt_file: cannot read .*/jwt: No such file or directory"):
        read_secret_file(str(path), "jwt_file")
    path.write_text("  \n")
    with pytest.raises(VaultError, match=r"^jwt_file: .* is empty"):
        read_secret_file(str(path), "jwt_file")
    path.write_text("eyJ.token.sig\n")
    assert read_secret_file(str(path), "jwt_file") == "eyJ.token.sig"


class RecordingHvac:
    """Stands in for hvac.Client: any call is recorded, none is made."""

    def __init__(self):
        self.calls = []
        self.token = None

    def __getattr__(self, name):
        return _Recorder(self.calls, name)


class _Recorder:
    def __init__(self, calls, path):
        self.calls, self.path = calls, path

    def __getattr__(self, name):
        return _Recorder(self.calls, f"{self.path}.{name}")

    def __call__(self, *args, **kwargs):
        self.calls.append((self.path, kwargs))
        return {"lease_id": "aws/sts/r/x", "lease_duration": 3600, "data": {}, "auth": {"accessor": "acc"}}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "../../sys/raw/x"}, r"^role: '\.\./\.\./sys/raw/x' is not a Vault name"),
        ({"mount_point": "aws/../cubbyhole"}, r"^mount_point: 'aws/\.\./cubbyhole' is not a Vault mount path"),
        ({"role_session_name": "a"}, r"^role_session_name: 'a' is not an AWS role session name"),
    ],
)
def test_issue_refuses_path_inputs_before_calling_vault(kwargs, message):
    client = _vault.VaultClient({"url": "https://vault.example.com:8200"})
    client._hvac = RecordingHvac()
    args = {"role": "deployer", "credential_type": "assumed_role", "mount_point": "aws", **kwargs}
    with pytest.raises(VaultError, match=message):
        client.issue(args.pop("role"), **args)
    assert client._hvac.calls == []
    client.issue("deployer", "assumed_role", mount_point="team/aws")
    assert client._hvac.calls[0][1]["mount_point"] == "team/aws"


@pytest.mark.parametrize("method", ["approle", "jwt", "kubernetes"])
def test_login_refuses_an_auth_mount_outside_auth_before_calling_vault(method, tmp_path):
    from ansible_collections.voicestack.aws.plugins.module_utils import _auth

    (tmp_path / "token").write_text("eyJ.token.sig")
    hvac_client = RecordingHvac()
    options = {
        "auth_method": method,
        "auth_mount": "../../sys/raw",
        "role_id": "r",
        "secret_id": "s",
        "jwt": "eyJ.token.sig",
        "auth_role": "deployer",
        "kubernetes_token_file": str(tmp_path / "token"),
    }
    with pytest.raises(VaultError, match=r"^auth_mount: '\.\./\.\./sys/raw' is not a Vault mount path"):
        _auth.login(hvac_client, options)
    assert hvac_client.calls == []
    assert _auth.login(hvac_client, {**options, "auth_mount": "ci/" + method}) == {"accessor": "acc"}
    assert len(hvac_client.calls) == 1


@pytest.mark.parametrize(
    "url", ["http://vault.example.com:8200", "http://10.0.0.5:8200", "http://[fe80::1]:8200", "http://localhost.evil"]
)
def test_plain_http_is_refused_except_to_loopback(url):
    with pytest.raises(VaultError, match=r"^url: .* is plain http to a host that is not loopback"):
        _vault.VaultClient({"url": url})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8200",
        "http://127.8.9.10",
        "http://[::1]:8200",
        "http://localhost:8200",
        "http://LOCALHOST",
        "https://vault.example.com",
    ],
)
def test_loopback_http_and_any_https_are_taken(url):
    assert _vault.VaultClient({"url": url}).url == url


def test_turning_certificate_validation_off_warns():
    url = "https://vault.example.com:8200"
    (warning,) = _vault.connection_warnings({"url": url, "validate_certs": False})
    assert warning.startswith(f"validate_certs is false: the TLS certificate of Vault at {url} is not checked")
    assert _vault.connection_warnings({"url": url, "validate_certs": True}) == []
    assert _vault.connection_warnings({"url": url}) == []  # the default is on
    assert _vault.connection_warnings({"url": "http://127.0.0.1:8200", "validate_certs": False}) == []  # no TLS


def test_the_lookup_shows_the_warning(monkeypatch):
    from ansible.plugins.loader import lookup_loader

    from ansible_collections.voicestack.aws.plugins.lookup import vault_sts

    shown = []
    monkeypatch.setattr(vault_sts.display, "warning", shown.append)
    monkeypatch.setattr(vault_sts, "issue_for_roles", lambda roles, options: [{}])  # no Vault: the warning only
    lookup_loader.get("voicestack.aws.vault_sts").run(
        ["deployer"], variables={}, url="https://vault.example.com", validate_certs=False
    )
    assert len(shown) == 1 and shown[0].startswith("vault_sts: validate_certs is false")
