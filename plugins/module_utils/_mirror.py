# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Mirror one folder into another: copy what differs, remove what the source no longer has."""

from __future__ import annotations

import filecmp
import os
import shutil


def mirror(src: str, dest: str, keep: tuple[str, ...] = (), check_mode: bool = False) -> dict:
    """Make dest hold exactly src's files; names in keep (at any depth) are left alone in dest.

    Returns {"copied": [...], "removed": [...]} (paths relative to dest).
    """
    copied, removed = [], []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in keep)
        rel = os.path.relpath(root, src)
        target = os.path.normpath(os.path.join(dest, rel))
        for name in sorted(files):
            if name in keep:
                continue
            source, copy = os.path.join(root, name), os.path.join(target, name)
            if os.path.isfile(copy) and filecmp.cmp(source, copy, shallow=False):
                continue
            copied.append(os.path.normpath(os.path.join(rel, name)))
            if not check_mode:
                os.makedirs(target, mode=0o700, exist_ok=True)
                shutil.copyfile(source, copy)
                os.chmod(copy, 0o600)
    if os.path.isdir(dest):
        for root, dirs, files in os.walk(dest, topdown=True):
            dirs[:] = [d for d in dirs if d not in keep]
            rel = os.path.relpath(root, dest)
            origin = os.path.join(src, rel)
            for name in [*files, *dirs]:
                if name in keep or os.path.exists(os.path.join(origin, name)):
                    continue
                path = os.path.join(root, name)
                removed.append(os.path.normpath(os.path.join(rel, name)))
                if not check_mode:
                    shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
            dirs[:] = [d for d in dirs if os.path.exists(os.path.join(origin, d))]
    return {"copied": sorted(copied), "removed": sorted(removed)}
