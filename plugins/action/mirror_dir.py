# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Action behind voicestack.aws.mirror_dir (documented in plugins/modules/mirror_dir.py): the mirror of a folder on
this machine, in the task's worker instead of a module process."""

from __future__ import annotations

from ansible_collections.voicestack.aws.plugins.module_utils._mirror import ARGUMENT_SPEC, mirror_result
from ansible_collections.voicestack.aws.plugins.plugin_utils._local_action import LocalAction


class ActionModule(LocalAction):
    NAME = "voicestack.aws.mirror_dir"
    WHY = "it writes the folder on the machine Ansible runs on"
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def work(self, params, check_mode):
        return mirror_result(params, check_mode)
