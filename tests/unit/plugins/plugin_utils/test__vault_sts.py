"""The vault_sts lookup's work (plugin_utils/_vault_sts.py) with a stand-in Vault client: what it refuses
before any call, and which recorded leases it revokes."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

from ansible_collections.voicestack.aws.plugins.module_utils import _lease_record, _vault
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.plugin_utils import _vault_sts

URL = "https://vault.example.com:8200"


class FakeClient:
    """Records every call; issues one lease under the mount it is asked for."""

    calls: typing.ClassVar[list] = []

    def __init__(self, options):
        self.url = options["url"]
        self.logged_in = False
        self.token = "hvs.login"
        self.accessor = self.token_expiration = None  # login tokens and their records: test__vault_openbao.py
        FakeClient.calls.append(("connect", self.url))

    def login(self, options):
        FakeClient.calls.append(("login", options["auth_method"]))
        self.logged_in = True

    def issue(self, role, credential_type, mount_point="aws", **kwargs):
        FakeClient.calls.append(("issue", role, mount_point))
        lease = {"lease_id": f"{mount_point}/sts/{role}/new", "expiration": "2099-01-01T00:00:00Z"}
        return {**lease, "lease_duration": 3600}

    def revoke_lease(self, lease_id):
        FakeClient.calls.append(("revoke", lease_id))
        return True

    def revoke_self(self):
        FakeClient.calls.append(("revoke_self",))
        return True


@pytest.fixture
def vault(monkeypatch):
    FakeClient.calls = []
    monkeypatch.setattr(_vault, "VaultClient", FakeClient)
    return FakeClient.calls


def options(**extra):
    return {
        "url": URL,
        "auth_method": "approle",
        "credential_type": "assumed_role",
        "mount_point": "aws",
        "min_ttl": "30m",
        **extra,
    }


def ended_owner():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    who = {"pid": child.pid, "started": _lease_record._started(child.pid), **_lease_record.machine()}
    child.wait()
    return who


def test_a_planted_record_outside_the_aws_mount_is_never_revoked(vault, tmp_path):
    records = tmp_path / "leases"
    records.mkdir(mode=0o700)
    planted = [{"lease_id": "database/creds/app/abc"}, {"lease_id": "aws/sts/deployer/../../../database/creds/x"}]
    left = [{"lease_id": "aws/sts/deployer/old"}]
    _lease_record.write(records, URL, planted + left, who=ended_owner())
    (creds,) = _vault_sts.issue_for_roles(["deployer"], options(lease_record_dir=str(records)))
    assert [call[1] for call in vault if call[0] == "revoke"] == ["aws/sts/deployer/old"]
    assert creds["revoked_leftovers"] == ["aws/sts/deployer/old"]


def test_an_untrusted_record_folder_is_refused_before_any_vault_call(vault, tmp_path):
    records = tmp_path / "leases"
    records.mkdir(mode=0o755)
    records.chmod(0o755)
    with pytest.raises(VaultError, match=rf"^lease_record_dir: {records} is of mode 0755"):
        _vault_sts.issue_for_roles(["deployer"], options(lease_record_dir=str(records)))
    assert vault == []


@pytest.mark.parametrize(
    ("roles", "extra", "message"),
    [
        (["../../sys/raw/x"], {}, r"^role: '\.\./\.\./sys/raw/x' is not a Vault name"),
        ([".."], {}, r"^role: '\.\.' is not a Vault name"),
        (["deployer", "planner/../../x"], {}, r"^role: 'planner/\.\./\.\./x' is not a Vault name"),
        (["deployer"], {"mount_point": "aws/../cubbyhole"}, r"^mount_point: 'aws/\.\./cubbyhole' is not a Vault mount"),
        (["deployer"], {"auth_mount": "../token/create"}, r"^auth_mount: '\.\./token/create' is not a Vault mount"),
        (["deployer"], {"role_session_name": "run 1"}, r"^role_session_name: 'run 1' is not an AWS role session"),
        (["deployer"], {"role_session_name": "x" * 65}, r"^role_session_name: 'x{65}' is not an AWS role session"),
    ],
)
def test_inputs_that_go_into_vault_urls_are_refused_before_any_call(vault, roles, extra, message):
    with pytest.raises(VaultError, match=message):
        _vault_sts.issue_for_roles(roles, options(**extra))
    assert vault == []


def test_a_nested_mount_and_a_session_name_pass(vault):
    (creds,) = _vault_sts.issue_for_roles(
        ["deployer"], options(mount_point="team/aws", auth_mount="team/approle", role_session_name="ci@run.1")
    )
    assert ("issue", "deployer", "team/aws") in vault
    assert creds["lease_id"] == "team/aws/sts/deployer/new"
