# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""An EKS Kubernetes version against the EKS release calendar.

The calendar is terraform/stacks/voice/kubernetes_versions.json: for each
version its end of standard and of extended support. The stack's inputs check
(variables.tf) refuses a version past its end of extended support; this module
gives role terraform_stack the same refusal and the warnings before an end.
"""

from __future__ import annotations

import datetime

EXTENDED_BILLING = "extended support bills per cluster-hour"

# The options of voicestack.aws.eks_version_support (its module file documents them), for the module and its action.
ARGUMENT_SPEC = {
    "version": {"type": "str", "required": True},
    "calendar": {"type": "dict", "required": True},
    "support_type": {"type": "str", "choices": ["STANDARD", "EXTENDED"], "default": "STANDARD"},
    "warn_days": {"type": "int", "default": 60},
    "today": {"type": "str"},
}


def _date(text, what):
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from None


def assess(version, calendar, today, support_type="STANDARD", warn_days=60):
    """Return (dates, error, warnings) for ``version`` on ``today`` (a date).

    ``error`` is None unless the version is unknown or past its end of
    extended support; ``warnings`` names each end that is at most
    ``warn_days`` ahead, and a version already in extended support."""
    versions = calendar.get("versions", {})
    entry = versions.get(str(version))
    if entry is None:
        known = ", ".join(sorted(versions, key=lambda v: [int(p) for p in v.split(".")]))
        return (
            None,
            f"kubernetes_version: {version!r} is not an EKS version this collection knows; use one of {known}.",
            [],
        )
    standard = _date(entry["end_of_standard_support"], f"{version} end_of_standard_support")
    extended = _date(entry["end_of_extended_support"], f"{version} end_of_extended_support")
    dates = {"end_of_standard_support": standard.isoformat(), "end_of_extended_support": extended.isoformat()}
    if today >= extended:
        return (
            dates,
            f"kubernetes_version: EKS {version} reached its end of extended support on {extended}; "
            f"EKS no longer creates or keeps clusters on it. Use {calendar.get('default')}.",
            [],
        )
    warnings = []
    if today >= standard:
        what = (
            "EKS upgrades the cluster to the next version (kubernetes_support_type STANDARD)"
            if support_type == "STANDARD"
            else f"the cluster stays on it in extended support, and {EXTENDED_BILLING}"
        )
        warnings.append(f"kubernetes_version: EKS {version} is past its end of standard support ({standard}): {what}.")
    elif (standard - today).days <= warn_days:
        then = (
            "EKS upgrades the cluster to the next version then (kubernetes_support_type STANDARD)"
            if support_type == "STANDARD"
            else f"the cluster enters extended support then, and {EXTENDED_BILLING}"
        )
        warnings.append(
            f"kubernetes_version: EKS {version} ends standard support on {standard}, "
            f"in {(standard - today).days} days: {then}. Plan the upgrade."
        )
    if (extended - today).days <= warn_days:
        warnings.append(
            f"kubernetes_version: EKS {version} ends extended support on {extended}, in {(extended - today).days} "
            "days: EKS then upgrades the cluster itself, and this collection refuses the version. Upgrade before."
        )
    return dates, None, warnings


def check(params):
    """The module's result for its options: (failed message or None, dates, warnings)."""
    try:
        dates, error, warnings = assess(
            params["version"],
            params["calendar"],
            today_or(params["today"]),
            params["support_type"],
            params["warn_days"],
        )
    except (KeyError, ValueError) as problem:
        return f"calendar: {problem}", {}, []
    return error, dates or {}, warnings


def today_or(text):
    """``text`` as a date, or today's date in UTC when it is empty."""
    if text:
        return _date(text, "today")
    return datetime.datetime.now(datetime.timezone.utc).date()
