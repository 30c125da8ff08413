# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""The platform's own Vault, made what the collection needs: the AWS secrets
engine and its root configuration (with the root key rotated so that only
Vault knows it), ACL policies, and the auth methods and roles the runner logs
in with. Each piece is read, compared on the fields given, and written only
when it differs, so a second run changes nothing and check mode says what
would change. No secret is ever part of a diff.
"""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils import _inputs
from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._vault import parse_duration

# Fields of aws/config/root that Vault reads back (the secret key never is).
ROOT_FIELDS = ("region", "iam_endpoint", "sts_endpoint")
ROTATION = ("after_write", "now", "never")


def _same(found, wanted, key) -> bool:
    """Whether a field Vault read back equals the one wanted, as Vault stores it:
    TTLs in seconds, lists also from comma-separated text, text without the
    whitespace around it (a PEM's last newline), empty as empty."""
    if key.endswith("ttl") or key.endswith("_period"):
        try:
            return parse_duration(found or 0, key) == parse_duration(wanted or 0, key)
        except VaultError:
            return found == wanted
    if isinstance(found, list) and isinstance(wanted, str):
        wanted = wanted.split(",")
    if isinstance(found, list) and isinstance(wanted, list):
        return sorted(str(x).strip() for x in found) == sorted(str(x).strip() for x in wanted)
    if isinstance(found, str) and isinstance(wanted, str):
        return found.strip() == wanted.strip()
    return (found or None) == (wanted or None)


class Plan:
    """What one run found and changed: changed flag, diff and the per-item notes."""

    def __init__(self, client, check_mode):
        self.client = client
        self.check_mode = check_mode
        self.changed = False
        self.before: dict = {}
        self.after: dict = {}
        self.warnings: list[str] = []

    def record(self, item, before, after):
        self.before[item], self.after[item] = before, after
        if before != after:
            self.changed = True
        return before != after

    def result(self, **extra) -> dict:
        return {
            "changed": self.changed,
            "diff": {"before": self.before, "after": self.after},
            "warnings": self.warnings,
            **extra,
        }

    # --- mounts ---------------------------------------------------------
    def mount(self, kind, path, type_):
        """An enabled secrets engine (kind "secret") or auth method (kind "auth") of `type_` at `path`."""
        _inputs.check([(f"{kind} mount", "vault_mount", path)])
        found = self.client.mounts(kind).get(f"{path}/")
        if found is not None and found != type_:
            raise VaultError(f"{path}/ is a {kind} mount of type {found}, not {type_}: refusing to touch it")
        if self.record(f"{kind} {path}/", found, type_) and not self.check_mode:
            self.client.enable(kind, path, type_)

    # --- fields under one path ------------------------------------------
    def fields(self, path, wanted):
        """The fields `wanted` at `path` (created when missing); fields not given are left as they are."""
        found = self.client.read(path)
        have = found or {}
        before = {key: have.get(key) for key in wanted} if found is not None else {}
        after = {key: have.get(key) if _same(have.get(key), value, key) else value for key, value in wanted.items()}
        if self.record(path, before, after) and not self.check_mode:
            self.client.write(path, wanted)

    # --- policies -------------------------------------------------------
    def policy(self, name, rules):
        _inputs.check([("policy name", "vault_name", name)])
        found = self.client.read_policy(name)
        if self.record(f"policy {name}", (found or "").strip() or None, rules.strip()) and not self.check_mode:
            self.client.write_policy(name, rules)

    # --- the AWS engine's root configuration -------------------------------
    def aws_root(self, mount, settings):
        """aws/config/root: region and endpoints, the one-time root key, its rotation."""
        path = f"{mount}/config/root"
        found = self.client.read(path)
        has_key = bool(found and found.get("access_key"))
        given_key = bool(settings.get("access_key") and settings.get("secret_key"))
        write_key = given_key and (not has_key or settings.get("replace_root_key"))
        if given_key and not write_key:
            self.warnings.append(
                f"{path}: the root key given was not written, since Vault holds one already (rotated, known to no "
                "one else); set replace_root_key to replace it"
            )
        wanted = {key: settings.get(key) or "" for key in ROOT_FIELDS}
        before = {key: (found or {}).get(key) or "" for key in ROOT_FIELDS} if found is not None else {}
        before_key = "set" if has_key else "none"
        after = {**wanted, "root_key": "written" if write_key else before_key}
        if found is not None:
            before["root_key"] = before_key
        fields_differ = found is None or any(before.get(key) != wanted[key] for key in ROOT_FIELDS)
        if fields_differ and has_key and not write_key:
            # Vault replaces the whole configuration on a write: the key it rotated would be lost.
            raise VaultError(
                f"{path} differs in {', '.join(k for k in ROOT_FIELDS if before.get(k) != wanted[k])}, but writing "
                "it would erase the root key Vault holds (rotated, known to no one else); give access_key and "
                "secret_key of a new key with replace_root_key to write them together"
            )
        if self.record(path, before, after) and not self.check_mode:
            keys = ("access_key", "secret_key") if write_key else ()
            self.client.write(path, {**wanted, **{key: settings[key] for key in keys}})
        rotation = settings.get("root_rotation") or "after_write"
        if rotation == "now" or (rotation == "after_write" and write_key):
            if not (has_key or write_key):
                raise VaultError(
                    f"{path} holds no root key to rotate: Vault signs with its environment's identity (an instance "
                    "profile or a pod's role), which AWS rotates itself; set root_rotation to never"
                )
            self.record(f"{mount}/config/rotate-root", None, "rotated")
            if not self.check_mode:
                self.client.rotate_root(mount)


def ensure(client, params, check_mode) -> dict:
    """Make the platform's Vault what `params` (the module's options) say; the module's result."""
    plan = Plan(client, check_mode)
    aws = params.get("aws")
    if aws:
        if aws.get("root_rotation", "after_write") not in ROTATION:
            raise VaultError(f"aws.root_rotation must be one of {', '.join(ROTATION)}")
        plan.mount("secret", aws["mount"], "aws")
        plan.aws_root(aws["mount"], aws)
    for name, rules in (params.get("policies") or {}).items():
        plan.policy(name, rules)
    role_ids = {}
    for auth in params.get("auth") or []:
        mount = auth["mount"] or auth["type"]
        if auth.get("enable", True):
            plan.mount("auth", mount, auth["type"])
        else:
            _inputs.check([("auth mount", "vault_mount", mount)])
        if auth.get("config"):
            try:
                plan.fields(f"auth/{mount}/config", auth["config"])
            except VaultError as exc:
                if "no such Vault path" not in str(exc):
                    raise
                raise VaultError(
                    f"auth/{mount}/ is not enabled: it is made by the account's onboarding (onboard_account.yml), "
                    "which has to run first"
                ) from exc
        for role, settings in (auth.get("roles") or {}).items():
            _inputs.check([("auth role", "vault_name", role)])
            plan.fields(f"auth/{mount}/role/{role}", {**(auth.get("role_defaults") or {}), **(settings or {})})
            if auth["type"] == "approle":
                found = client.read(f"auth/{mount}/role/{role}/role-id")  # None: created by this run in check mode
                role_ids[f"{mount}/{role}"] = (found or {}).get("role_id")
    return plan.result(approle_role_ids=role_ids)
