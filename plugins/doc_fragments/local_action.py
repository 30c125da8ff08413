# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)


class ModuleDocFragment:
    # The attributes of a module whose action does its work in the task's own process (plugin_utils/_local_action.py).
    DOCUMENTATION = r"""
attributes:
  action:
    description: Indicates this has a corresponding action plugin, so some parts of the options can be executed on
      the controller.
    support: full
    details: The action does the whole work in the task's own process; it needs the C(local) connection, without
      become.
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  bypass_host_loop:
    description: Forces a 'global' task that does not execute per host.
    support: none
"""
