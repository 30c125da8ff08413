# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""What a server-side apply would change, judged from a read alone.

A check run holds the planner's read-only identity (EKS view access), and a
server-side dry run needs the rights of the write it pretends, so check mode
reads each object and compares instead. Server-side apply with
force_conflicts sets exactly the fields of the applied manifest and leaves the
others alone: it changes the object when, and only when, one of those fields
is missing or holds another value. Lists are matched like the map-lists of
Kubernetes' schema (ports, subjects): each element of the manifest must be in
the live list.
"""

from __future__ import annotations


def holds(live, desired) -> bool:
    """Whether the live value already has every field of the desired one."""
    if isinstance(desired, dict):
        return isinstance(live, dict) and all(key in live and holds(live[key], value) for key, value in desired.items())
    if isinstance(desired, list):
        return isinstance(live, list) and all(any(holds(item, wanted) for item in live) for wanted in desired)
    return live == desired


def project(live, desired):
    """The live value cut down to the fields the desired one sets (the diff's `before`)."""
    if isinstance(desired, dict) and isinstance(live, dict):
        return {key: project(live[key], value) for key, value in desired.items() if key in live}
    if isinstance(desired, list) and isinstance(live, list):
        keys = {key for wanted in desired if isinstance(wanted, dict) for key in wanted}
        return [
            {k: v for k, v in item.items() if k in keys} if isinstance(item, dict) and keys else item for item in live
        ]
    return live


def k8s_pending(desired, live=None):
    """{changed, before, after} for one manifest and its live object (None when the object does not exist)."""
    if not isinstance(desired, dict):
        raise TypeError("k8s_pending: the manifest must be a dict")
    if live is None:
        return {"changed": True, "before": {}, "after": desired}
    return {"changed": not holds(live, desired), "before": project(live, desired), "after": desired}
