# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Lease records: what an interrupted run leaves for the next one to revoke.

A run killed by SIGINT or SIGTERM never reaches its ``always`` block, so its
lease outlives it until the TTL ends. When the issuing lookup is given a
record directory it writes one small file per lease holding only the lease
id, the Vault address, the expiry and the process that owns the lease (the
ansible-playbook process). No credential and no token is written: a lease id
alone cannot be used to read or renew anything.

The next run on the same record directory revokes every lease whose owner is
no longer alive; a lease whose owner still runs (a concurrent run on the same
account) is left alone. The revocation at the end of a run forgets its
records.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from pathlib import Path


def _started(pid):
    """The start time of a process in clock ticks since boot, or None where /proc is missing."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22, counted after the command name (which may hold spaces).
    return int(stat.rpartition(")")[2].split()[19])


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


def owner():
    """The ansible-playbook process: the parent of a task's worker, else this process."""
    pid = os.getppid() if multiprocessing.parent_process() is not None else os.getpid()
    return {"pid": pid, "started": _started(pid)}


def _path(directory, lease_id):
    return Path(directory) / (hashlib.sha256(lease_id.encode()).hexdigest()[:24] + ".json")


def write(directory, url, leases, who=None):
    """Record each lease ({'lease_id', 'expiration'}) as owned by who (default: owner())."""
    directory = Path(os.path.expanduser(directory))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    who = who or owner()
    for lease in leases:
        path = _path(directory, lease["lease_id"])
        record = {"lease_id": lease["lease_id"], "url": url, "expiration": lease.get("expiration"), "owner": who}
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(record, handle)


def leftovers(directory, url):
    """Lease ids recorded for this Vault whose owning run has ended."""
    directory = Path(os.path.expanduser(directory))
    found = []
    for path in sorted(directory.glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # half-written by a run killed while writing; nothing to revoke from it
        who = record.get("owner") or {}
        if record.get("url") == url and not _alive(who.get("pid", -1), who.get("started")):
            found.append(record["lease_id"])
    return found


def forget(directory, lease_ids):
    """Remove the records of these leases (revoked or gone)."""
    directory = Path(os.path.expanduser(directory))
    for lease_id in lease_ids:
        _path(directory, lease_id).unlink(missing_ok=True)
