"""Folders and files that only their owner can reach: the cache's key and its entries.

Why tighten an existing folder rather than only create new ones with mode 0700: ``mkdir``'s mode
applies to a folder it creates, so a folder made earlier (by an older iac-guard, by hand, or
restored by CI under the runner's umask) would keep its 0755 and let every local user list and
read what a scan cached. Why refuse a folder or key of another user rather than tighten it: we
cannot change its modes, and its owner can read or replace anything in it, whatever the modes.
On Windows, where modes mean little and there is no uid, the user's profile folders are private
already and nothing is checked.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Every permission bit of the group and of others.
_SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO


class NotPrivate(Exception):
    """A folder or file others could read or write: the cache is not used (never a crash)."""


def private_folder(path: Path) -> None:
    """Makes ``path`` (and its missing parents) a folder only we can enter, tightening an existing
    one to 0700; raises NotPrivate for one that is not ours or not a folder, OSError when the disk
    refuses."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.stat(path)
    _require_ours(info, path, "folder", stat.S_ISDIR(info.st_mode))
    if _checks_modes() and info.st_mode & _SHARED_BITS:
        os.chmod(path, 0o700)


def check_private_file(fd: int, path: Path) -> None:
    """Raises NotPrivate unless the open file ``fd`` is a regular file of ours that no one else can
    read or write: a key others could read may have been copied already, so it is refused, not
    tightened."""
    info = os.fstat(fd)
    _require_ours(info, path, "file", stat.S_ISREG(info.st_mode))
    if _checks_modes() and info.st_mode & _SHARED_BITS:
        raise NotPrivate(
            f"{path} can be read or written by other users (mode {stat.S_IMODE(info.st_mode):04o}); "
            "delete it and a new one is made"
        )


def tighten_file(path: Path) -> None:
    """Mode 0600 for a file of ours that exists (a database file SQLite made under the umask)."""
    try:
        info = os.lstat(path)
        if _checks_modes() and stat.S_ISREG(info.st_mode) and not _foreign(info) and info.st_mode & _SHARED_BITS:
            os.chmod(path, 0o600)
    except OSError:
        pass  # gone, or not ours to change: its folder is private either way


def _require_ours(info: os.stat_result, path: Path, what: str, right_kind: bool) -> None:
    if not right_kind:
        raise NotPrivate(f"{path} is not a {what}")
    if _foreign(info):
        raise NotPrivate(f"the {what} {path} belongs to another user (uid {info.st_uid})")


def _checks_modes() -> bool:
    return hasattr(os, "getuid")


def _foreign(info: os.stat_result) -> bool:
    return _checks_modes() and info.st_uid != os.getuid()
