# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Mirror one folder into another: copy what differs, remove what the source no longer has."""

from __future__ import annotations

import filecmp
import os
import shutil
import stat

from ansible_collections.voicestack.aws.plugins.module_utils._private import PRIVATE as PRIVATE_FOLDER

PRIVATE_FILE = 0o600

# The options of voicestack.aws.mirror_dir (its module file documents them), for the module and its action.
ARGUMENT_SPEC = {
    "src": {"type": "path", "required": True},
    "dest": {"type": "path", "required": True},
    "keep": {"type": "list", "elements": "str", "default": []},
    "files": {"type": "dict", "default": {}},
}


def mirror_result(params: dict, check_mode: bool) -> dict:
    """The module's result for its (validated) options: failed with a message, or what mirror() did."""
    src, dest = params["src"], params["dest"]
    if not os.path.isdir(src):
        return {"failed": True, "msg": f"src: {src} is not a folder"}
    try:
        files = {path: str(text) for path, text in params["files"].items()}
        result = mirror(src, dest, tuple(params["keep"]), check_mode, files)
    except ValueError as exc:
        return {"failed": True, "msg": str(exc)}
    except OSError as exc:
        return {"failed": True, "msg": f"cannot mirror {src} into {dest}: {exc}"}
    return {"changed": bool(result["copied"] or result["removed"] or result["made_private"]), **result}


def mirror(
    src: str, dest: str, keep: tuple[str, ...] = (), check_mode: bool = False, files: dict[str, str] | None = None
) -> dict:
    """Make dest hold exactly src's files plus ``files`` (relative path: content);
    paths in keep (relative to dest's top: ``.terraform`` is dest/.terraform
    only) are left alone in dest.

    dest is made mode 0700, also when it exists; a symlink as dest is refused.
    A symlink found inside dest where a file or folder is written is replaced,
    never written through, and one nothing asks for is removed (the link, not
    its target).

    Returns {"copied": [...], "removed": [...], "made_private": bool} (paths
    relative to dest; made_private: dest's mode was, or would be, changed to 0700).
    """
    files = files or {}
    keep = _kept_paths(keep)
    wanted = _extra_paths(src, files)
    made_private = _private_dest(dest, check_mode)
    copied = _copy_tree(src, dest, keep, check_mode) + _write_files(dest, files, check_mode)
    removed = _remove_the_rest(src, dest, keep, wanted, check_mode)
    return {"copied": sorted(copied), "removed": sorted(removed), "made_private": made_private}


def _private_dest(dest, check_mode) -> bool:
    """Refuse a dest that is a symlink or no folder; make an existing one 0700. True when its mode changes."""
    try:
        info = os.lstat(dest)
    except FileNotFoundError:
        return False  # made 0700 with the first file written into it
    if stat.S_ISLNK(info.st_mode):
        raise ValueError(f"dest: {dest} is a symlink; give the folder it points to, or remove the link")
    if not stat.S_ISDIR(info.st_mode):
        raise ValueError(f"dest: {dest} exists and is not a folder")
    if stat.S_IMODE(info.st_mode) == PRIVATE_FOLDER:
        return False
    if not check_mode:
        descriptor = os.open(dest, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fchmod(descriptor, PRIVATE_FOLDER)
        finally:
            os.close(descriptor)
    return True


def _copy_tree(src, dest, keep, check_mode) -> list[str]:
    copied = []
    for root, dirs, names in os.walk(src):
        rel = os.path.relpath(root, src)
        dirs[:] = sorted(d for d in dirs if _rel(rel, d) not in keep)
        for name in sorted(n for n in names if _rel(rel, n) not in keep):
            source, here = os.path.join(root, name), _rel(rel, name)
            copy = os.path.join(dest, here)
            if _plain_file(dest, here) and filecmp.cmp(source, copy, shallow=False):
                continue
            copied.append(here)
            if not check_mode:
                _write(dest, here, _read(source))
    return copied


def _write_files(dest, files, check_mode) -> list[str]:
    written = []
    for rel, content in sorted(files.items()):
        path, data = os.path.join(dest, rel), content.encode()
        if _plain_file(dest, rel) and _read(path) == data:
            continue
        written.append(rel)
        if not check_mode:
            _write(dest, rel, data)
    return written


def _remove_the_rest(src, dest, keep, wanted, check_mode) -> list[str]:
    """Remove what is in dest but neither in src nor wanted, leaving paths in keep."""
    removed = []
    if not os.path.isdir(dest):
        return removed
    for root, dirs, names in os.walk(dest, topdown=True):
        rel = os.path.relpath(root, dest)

        def known(name, rel=rel):
            here = _rel(rel, name)
            return here in keep or here in wanted or os.path.exists(os.path.join(src, rel, name))

        for name in [*names, *dirs]:
            if known(name):
                continue
            path = os.path.join(root, name)
            removed.append(_rel(rel, name))
            if not check_mode:
                shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
        # A symlink to a folder is never walked into (os.walk does not follow it); _write replaces it.
        dirs[:] = [d for d in dirs if _rel(rel, d) not in keep and known(d)]
    return removed


def _rel(rel: str, name: str) -> str:
    return os.path.normpath(os.path.join(rel, name))


def _plain(rel: str) -> bool:
    norm = os.path.normpath(rel)
    return bool(rel) and not os.path.isabs(rel) and norm == rel and not norm.startswith("..") and norm != "."


def _kept_paths(keep) -> frozenset[str]:
    """keep as paths relative to dest's top; each must be a plain relative path."""
    for rel in keep:
        if not _plain(rel):
            raise ValueError(f"keep: {rel!r} is not a plain relative path inside dest")
    return frozenset(keep)


def _extra_paths(src: str, files: dict[str, str]) -> set[str]:
    """The paths of ``files`` and their folders; each must stay inside dest and not be one of src's."""
    wanted = set()
    for rel in files:
        if not _plain(rel):
            raise ValueError(f"files: {rel!r} is not a plain relative path inside dest")
        if os.path.exists(os.path.join(src, rel)):
            raise ValueError(f"files: {rel!r} is also in src")
        norm = rel
        while norm:
            wanted.add(norm)
            norm = os.path.dirname(norm)
    return wanted


def _plain_file(dest: str, rel: str) -> bool:
    """Whether dest/rel is a regular file reached without any symlink below dest."""
    path = dest
    parts = rel.split(os.sep)
    try:
        for part in parts[:-1]:
            path = os.path.join(path, part)
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
        return stat.S_ISREG(os.lstat(os.path.join(path, parts[-1])).st_mode)
    except FileNotFoundError:
        return False


def _write(dest: str, rel: str, data: bytes) -> None:
    """Write dest/rel (mode 0600) replacing any symlink on the way, never writing through one."""
    folder = _make_folders(dest, os.path.dirname(rel))
    path = os.path.join(folder, os.path.basename(rel))
    if os.path.islink(path):
        os.remove(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
    with open(descriptor, "wb") as out:
        os.fchmod(descriptor, PRIVATE_FILE)  # also when the file was there before
        out.write(data)


def _make_folders(dest: str, rel: str) -> str:
    """dest/rel as real folders: every folder it creates is 0700 (dest and its missing parents too), and a
    symlink on the way is replaced by a folder. Returns the path."""
    missing, path = [], os.path.normpath(dest)
    while not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    for folder in reversed(missing):
        os.mkdir(folder, PRIVATE_FOLDER)
    path = dest
    for part in [p for p in rel.split(os.sep) if p]:
        path = os.path.join(path, part)
        if os.path.islink(path):
            os.remove(path)
        if not os.path.lexists(path):
            os.mkdir(path, PRIVATE_FOLDER)
    return path


def _read(path: str) -> bytes:
    with open(path, "rb") as source:
        return source.read()
