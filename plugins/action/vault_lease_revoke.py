# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Action behind voicestack.aws.vault_lease_revoke (documented in plugins/modules/vault_lease_revoke.py): the
revocation, from the task's worker instead of a module process, so the token never leaves this process either."""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.voicestack.aws.plugins.module_utils._vault import ARGSPEC as VAULT_ARGSPEC
from ansible_collections.voicestack.aws.plugins.module_utils._vault_revoke import ARGUMENT_SPEC, revoke_and_forget
from ansible_collections.voicestack.aws.plugins.plugin_utils._local_action import LocalAction


class ActionModule(LocalAction):
    NAME = "voicestack.aws.vault_lease_revoke"
    WHY = "the Vault token stays in this machine's process"
    ARGUMENT_SPEC: ClassVar[dict] = {**VAULT_ARGSPEC, **ARGUMENT_SPEC}

    def work(self, params, check_mode):
        result, failure, warnings = revoke_and_forget(params, check_mode)
        if warnings:
            result["warnings"] = warnings
        return {**result, "failed": True, "msg": failure} if failure else result
