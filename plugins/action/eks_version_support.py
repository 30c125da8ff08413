# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Action behind voicestack.aws.eks_version_support (documented in plugins/modules/eks_version_support.py): date
arithmetic on its options, in the task's worker instead of a module process."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._kubernetes_support import ARGUMENT_SPEC, check
from ansible_collections.voicestack.aws.plugins.plugin_utils._local_action import LocalAction


class ActionModule(LocalAction):
    NAME = "voicestack.aws.eks_version_support"
    WHY = "it checks the calendar the controller read"
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def work(self, params, check_mode):
        error, dates, warnings = check(params)
        if error:
            return {**dates, "changed": False, "failed": True, "msg": error}
        return {**dates, "changed": False, **({"warnings": warnings} if warnings else {})}
