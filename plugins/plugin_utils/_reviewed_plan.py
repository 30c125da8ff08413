# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""A plan saved for review and applied later exactly as reviewed.

A plan file is a zip; its `tfstate` entry is the state the plan was made
against, with that state's lineage (which state) and serial (which write of
it). A reviewed plan is applied only when the file still has the digest the
review saw and the state is still that lineage at that serial: otherwise
another run changed the state since (a stale plan, or one applied already),
or the state is another one."""

from __future__ import annotations

import hashlib
import json
import zipfile


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prior_state(path: str) -> dict:
    """The lineage and serial of the state the plan was made against ("" and 0 for a stack's first plan)."""
    try:
        with zipfile.ZipFile(path) as plan:
            state = json.loads(plan.read("tfstate"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path} is not a plan file tofu or terraform wrote: {exc}") from exc
    return {"lineage": state.get("lineage") or "", "serial": int(state.get("serial") or 0)}


def current_state(pulled: str) -> dict | None:
    """The lineage and serial of `state pull`'s output; None when there is no state yet."""
    if not pulled.strip():
        return None
    state = json.loads(pulled)
    return {"lineage": state.get("lineage") or "", "serial": int(state.get("serial") or 0)}


def digest_refusal(path: str, expected: str) -> str | None:
    found = sha256(path)
    if found == expected.lower():
        return None
    return (
        f"the plan file {path} has sha256 {found}, not the reviewed {expected}: it is not the plan that was "
        "reviewed (refused; nothing was changed)"
    )


def state_refusal(planned: dict, current: dict | None) -> str | None:
    """Why a plan made against `planned` may not be applied to the state as it is now, or None."""
    first = planned == {"lineage": "", "serial": 0}
    now = current or {"lineage": "", "serial": 0}
    if not first and planned["lineage"] != now["lineage"]:
        return (
            f"the reviewed plan was made against state lineage {planned['lineage']}, and the state is now "
            f"{'missing' if current is None else 'lineage ' + now['lineage']}: it is another state (restored or "
            "replaced since the review), so the plan is refused; plan and review again (nothing was changed)"
        )
    if planned["serial"] != now["serial"]:
        made = "no state yet" if first else f"serial {planned['serial']}"
        return (
            f"the reviewed plan is stale: it was made against {made}, and the state is now at serial "
            f"{now['serial']}, written since the review (by another run, or by applying this plan already), so the "
            "plan is refused; plan and review again (nothing was changed)"
        )
    return None
