"""The collection's unit tests: no sandbox, only what runs in this process.
They run from a checkout (make test) and from an installed collection."""

from __future__ import annotations

from ansible.plugins.loader import init_plugin_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig

# The collection is found on the configured collections path
# (ANSIBLE_COLLECTIONS_PATH); ansible-test installs its own loader first.
if not AnsibleCollectionConfig.collection_finder:
    init_plugin_loader()
