# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Mirror one folder into another: copy what differs, remove what the source no longer has."""

from __future__ import annotations

import filecmp
import os
import shutil


def mirror(
    src: str, dest: str, keep: tuple[str, ...] = (), check_mode: bool = False, files: dict[str, str] | None = None
) -> dict:
    """Make dest hold exactly src's files plus ``files`` (relative path: content);
    names in keep (at any depth) are left alone in dest.

    Returns {"copied": [...], "removed": [...]} (paths relative to dest).
    """
    files = files or {}
    wanted = _extra_paths(src, files)
    copied = _copy_tree(src, dest, keep, check_mode) + _write_files(dest, files, check_mode)
    removed = _remove_the_rest(src, dest, keep, wanted, check_mode)
    return {"copied": sorted(copied), "removed": sorted(removed)}


def _copy_tree(src, dest, keep, check_mode) -> list[str]:
    copied = []
    for root, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in keep)
        rel = os.path.relpath(root, src)
        for name in sorted(n for n in names if n not in keep):
            source, copy = os.path.join(root, name), os.path.normpath(os.path.join(dest, rel, name))
            if os.path.isfile(copy) and filecmp.cmp(source, copy, shallow=False):
                continue
            copied.append(os.path.normpath(os.path.join(rel, name)))
            if not check_mode:
                _write(copy, _read(source))
    return copied


def _write_files(dest, files, check_mode) -> list[str]:
    written = []
    for rel, content in sorted(files.items()):
        path, data = os.path.join(dest, rel), content.encode()
        if os.path.isfile(path) and _read(path) == data:
            continue
        written.append(rel)
        if not check_mode:
            _write(path, data)
    return written


def _remove_the_rest(src, dest, keep, wanted, check_mode) -> list[str]:
    """Remove what is in dest but neither in src nor wanted, leaving names in keep."""
    removed = []
    if not os.path.isdir(dest):
        return removed
    for root, dirs, names in os.walk(dest, topdown=True):
        rel = os.path.relpath(root, dest)

        def known(name, rel=rel):
            here = os.path.normpath(os.path.join(rel, name))
            return name in keep or here in wanted or os.path.exists(os.path.join(src, rel, name))

        for name in [*names, *dirs]:
            if known(name):
                continue
            path = os.path.join(root, name)
            removed.append(os.path.normpath(os.path.join(rel, name)))
            if not check_mode:
                shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
        dirs[:] = [d for d in dirs if d not in keep and known(d)]
    return removed


def _extra_paths(src: str, files: dict[str, str]) -> set[str]:
    """The paths of ``files`` and their folders; each must stay inside dest and not be one of src's."""
    wanted = set()
    for rel in files:
        norm = os.path.normpath(rel)
        if os.path.isabs(rel) or norm != rel or norm.startswith(".."):
            raise ValueError(f"files: {rel!r} is not a plain relative path inside dest")
        if os.path.exists(os.path.join(src, rel)):
            raise ValueError(f"files: {rel!r} is also in src")
        while norm:
            wanted.add(norm)
            norm = os.path.dirname(norm)
    return wanted


def _write(path: str, data: bytes) -> None:
    _make_folders(os.path.dirname(path))
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)  # also when the file was there before


def _make_folders(path: str) -> None:
    """os.makedirs, but every folder it creates is 0700 (makedirs gives only the last one its mode)."""
    missing, path = [], os.path.normpath(path)
    while not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for folder in reversed(missing):
        os.mkdir(folder, 0o700)


def _read(path: str) -> bytes:
    with open(path, "rb") as source:
        return source.read()
