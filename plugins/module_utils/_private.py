# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Folders only their owner may read: lease records, EKS CA bundles."""

from __future__ import annotations

import os

PRIVATE = 0o700


def make_folders(path: str) -> str:
    """Create path and any missing parent, each 0700 (a folder another run creates meanwhile is fine);
    returns path."""
    missing = []
    while not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE)
        except FileExistsError:
            continue
    return missing[0] if missing else path
