# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Lease records: what an interrupted run leaves for the next one to revoke.

A run killed by SIGINT or SIGTERM never reaches its ``always`` block, so its
lease outlives it until the TTL ends. When the issuing lookup is given a
record directory it writes one small file per lease holding only the lease
id, the Vault address, the expiry and the process that owns the lease (the
ansible-playbook process, with the machine it runs on). No credential and no
token is written: a lease id alone cannot be used to read or renew anything.

A run that logged in (AppRole, JWT, Kubernetes) also records its login
token right after the login, before anything is issued: the token's accessor
(never the token) and its expiry. The token is what a killed run leaves alive
longest, and revoking it revokes every lease it issued. An accessor can only
revoke (``auth/token/revoke-accessor``) or look up a token, not use it.

The next run on the same record directory revokes every lease whose owner is
no longer alive, and every recorded login token of such a run by its
accessor (one whose recorded expiry has passed is only forgotten); a lease
whose owner still runs (a concurrent run on the same account) is left alone.
The revocation at the end of a run forgets its records.

What is read from the directory is trusted only as far as it can be:

- the directory must be owned by the user running and have mode 0700 (it is
  created so), else nothing in it is read or written: another user who can
  write there could plant a record and have this run revoke any lease with
  its token. It is opened without following a symlink, and so is each record.
- only lease ids under the run's own AWS secrets engine mount
  (``<mount>/creds/`` or ``<mount>/sts/``) are ever returned as leftovers.
- a process id means something only on the machine and in the PID namespace
  that wrote it. The owner holds the boot id, host name and PID namespace;
  a record from another machine, boot or namespace (an execution environment
  sharing the volume) is never judged by its pid. Its lease is left to its
  TTL, and only once the recorded expiry has passed (plus a margin for clock
  skew) is it returned, so that the next run finds the lease gone and drops
  the record.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import json
import multiprocessing
import os
import socket
import stat
from pathlib import Path

from ansible_collections.voicestack.aws.plugins.module_utils._errors import VaultError
from ansible_collections.voicestack.aws.plugins.module_utils._private import PRIVATE, make_folders

# How long after its recorded expiry a lease of another machine counts as
# ended: the clocks of two machines sharing the record folder may differ.
FOREIGN_EXPIRY_MARGIN = datetime.timedelta(minutes=5)


def _started(pid):
    """The start time of a process in clock ticks since boot, or None where /proc is missing."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22, counted after the command name (which may hold spaces).
    return int(stat_line.rpartition(")")[2].split()[19])


def _alive(pid, started):
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return started is None or _started(pid) == started


def _read_or_none(read):
    try:
        return read().strip() or None
    except OSError:
        return None


def machine():
    """Where a pid means something: this kernel's boot, host name and PID namespace (None where unknown)."""
    return {
        "boot_id": _read_or_none(Path("/proc/sys/kernel/random/boot_id").read_text),
        "host": socket.gethostname(),
        "pid_ns": _read_or_none(lambda: os.readlink("/proc/self/ns/pid")),
    }


def owner():
    """The ansible-playbook process: the parent of a task's worker, else this process, and its machine."""
    pid = os.getppid() if multiprocessing.parent_process() is not None else os.getpid()
    return {"pid": pid, "started": _started(pid), **machine()}


def _name(lease_id):
    return hashlib.sha256(lease_id.encode()).hexdigest()[:24] + ".json"


def _open_dir(directory, create):
    """A descriptor of the record directory, checked: owned by this user, mode 0700, not a symlink.

    None when it does not exist and create is false. Raises VaultError naming
    the folder and the fix when it may not be trusted.
    """
    path = os.path.abspath(os.path.expanduser(str(directory)))
    if create:
        make_folders(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        if create:
            raise
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise VaultError(
                f"lease_record_dir: {path} is a symlink or not a folder; lease records are kept only in a real "
                f"folder of your own with mode 0700. Remove it, or set lease_record_dir to another folder"
            ) from None
        raise
    info = os.fstat(descriptor)
    mode, uid = stat.S_IMODE(info.st_mode), os.geteuid()
    if info.st_uid != uid or mode != PRIVATE:
        os.close(descriptor)
        found = ([f"owned by uid {info.st_uid}"] if info.st_uid != uid else []) + (
            [f"of mode {mode:04o}"] if mode != PRIVATE else []
        )
        fix = f"chmod 0700 {path}" if info.st_uid == uid else f"chown {uid} {path} && chmod 0700 {path}"
        raise VaultError(
            f"lease_record_dir: {path} is {' and '.join(found)}, but must be owned by you (uid {uid}) with mode "
            f"0700: whoever else can write there could have this run revoke any lease with its token. "
            f"Fix it ({fix}) or set lease_record_dir to a folder of your own"
        )
    return descriptor


def check_dir(directory):
    """Create the record directory (0700) when missing, and refuse one that may not be trusted (VaultError)."""
    os.close(_open_dir(directory, create=True))


def _token_name(accessor):
    return _name("token:" + accessor)


def _write(directory, records):
    """Write (file name, record) pairs into the checked record directory."""
    folder = _open_dir(directory, create=True)
    try:
        for name, record in records:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
            descriptor = os.open(name, flags, 0o600, dir_fd=folder)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
    finally:
        os.close(folder)


def write(directory, url, leases, who=None, token_accessor=None):
    """Record each lease ({'lease_id', 'expiration'}) as owned by who (default: owner()).

    token_accessor: the accessor of the login token that issued them, if the run logged in.
    """
    who = who or owner()
    _write(
        directory,
        [
            (
                _name(lease["lease_id"]),
                {
                    "lease_id": lease["lease_id"],
                    "url": url,
                    "expiration": lease.get("expiration"),
                    "owner": who,
                    **({"token_accessor": token_accessor} if token_accessor else {}),
                },
            )
            for lease in leases
        ],
    )


def write_token(directory, url, accessor, expiration, who=None):
    """Record the run's login token by its accessor (never the token) and expiry, as owned by who."""
    record = {"token_accessor": accessor, "url": url, "expiration": expiration, "owner": who or owner()}
    _write(directory, [(_token_name(accessor), record)])


def _read_record(folder, name):
    """The record in file `name`, or None for a symlink, a non-file or a torn record."""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None  # a symlink (ELOOP), or gone meanwhile
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        try:
            record = json.loads(handle.read(65536))
        except ValueError:
            return None  # half-written by a run killed while writing; nothing to revoke from it
    return record if isinstance(record, dict) else None


def under_mount(lease_id, mount_point):
    """Whether lease_id is one the AWS secrets engine at mount_point issues (<mount>/creds/... or <mount>/sts/...)."""
    mount = mount_point.strip("/")
    if not isinstance(lease_id, str) or not mount:
        return False
    for endpoint in ("creds", "sts"):
        prefix = f"{mount}/{endpoint}/"
        if lease_id.startswith(prefix):
            rest = lease_id[len(prefix) :].split("/")
            return len(rest) >= 2 and all(part not in ("", ".", "..") for part in rest)  # noqa: PLR2004
    return False


def _expired(expiration, now):
    try:
        ends = datetime.datetime.fromisoformat(str(expiration).replace("Z", "+00:00"))
    except ValueError:
        return False
    if ends.tzinfo is None:
        return False
    return now > ends + FOREIGN_EXPIRY_MARGIN


def _ended(who, here, expiration, now):
    """Whether the run that owns a lease has ended, as far as this machine can tell."""
    if not isinstance(who, dict):
        return False
    if all(who.get(key) == value for key, value in here.items()):
        return not _alive(who.get("pid", -1), who.get("started"))
    # Another machine, boot or PID namespace: its pid says nothing here. The lease is left to its TTL.
    return _expired(expiration, now)


def _ended_records(directory, url, now):
    """The records for this Vault whose owning run has ended."""
    folder = _open_dir(directory, create=False)
    if folder is None:
        return []
    here = machine()
    found = []
    try:
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json"):
                continue
            record = _read_record(folder, name)
            if not record or record.get("url") != url:
                continue
            if _ended(record.get("owner"), here, record.get("expiration"), now):
                found.append(record)
    finally:
        os.close(folder)
    return found


def leftovers(directory, url, mount_point, now=None):
    """Lease ids recorded for this Vault and AWS secrets mount whose owning run has ended."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return [
        record["lease_id"]
        for record in _ended_records(directory, url, now)
        if under_mount(record.get("lease_id"), mount_point)
    ]


def leftover_tokens(directory, url, now=None):
    """(accessor, expired) of each recorded login token of an ended run on this Vault.

    expired: its recorded expiry (plus the margin for clock skew) has passed,
    so the token is gone without any call.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return [
        (record["token_accessor"], _expired(record.get("expiration"), now))
        for record in _ended_records(directory, url, now)
        if "lease_id" not in record and isinstance(record.get("token_accessor"), str) and record["token_accessor"]
    ]


def _unlink(directory, names):
    folder = _open_dir(directory, create=False)
    if folder is None:
        return
    try:
        for name in names:
            try:
                os.unlink(name, dir_fd=folder)
            except FileNotFoundError:
                continue
    finally:
        os.close(folder)


def forget(directory, lease_ids):
    """Remove the records of these leases (revoked or gone)."""
    _unlink(directory, [_name(lease_id) for lease_id in lease_ids])


def forget_tokens(directory, accessors):
    """Remove the records of these login tokens (revoked or expired)."""
    _unlink(directory, [_token_name(accessor) for accessor in accessors])
