"""Has anything a scan read changed since? Answered the way git answers it for its index: by
``stat`` first, reading a file only when its ``stat`` moved or could not be trusted.

A recorded input is a plain tuple (kind, path, what was seen), so a stored list of them unpickles
with no class at all:

- ``file``: a file the scan opened: its signature and a digest of its bytes; a file whose
  signature moved is hashed again (touched is not changed).
- ``folder``: a folder the scan listed: its signature and a digest of its entries' names and
  kinds (an entry added, removed, renamed or replaced moves the folder's mtime and ctime).
- ``probe``: a path the scan only asked about (exists? a folder? a file?): whether the link was
  followed, and the kind of thing the scan found there (noted as it asked, ``kind_seen``).
- ``code``: a file the scan's code was loaded from: its signature, exactly.
- ``output``: a file the scan wrote (``--output``): a digest of its bytes, always hashed (it was
  written just before it was recorded, so its signature proves nothing).

No file, folder or code file changed within ``RACY_NS`` before the scan began is recorded at
all (``record`` gives None, and the answer is not stored): a write in the same timestamp tick as the scan's read, or
one while it ran, could leave a signature as it was — git's "racily clean" files. Anything
older that changes later gets a later ctime, so its signature moves.

Only ``os``, ``stat`` and ``hashlib`` are imported: the warm fast path checks these before anything else loads.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from typing import Any

#: Signature of a path: (mode, size, mtime ns, ctime ns, inode, device); None when nothing is there.
Signature = tuple[int, int, int, int, int, int] | None
#: One recorded input: (kind, absolute path, what was seen).
Input = tuple[str, str, object]
#: A file or folder changed this close to the scan's start may have changed unseen while it ran
#: (timestamps are taken from a coarse clock, and some file systems keep whole seconds).
RACY_NS = 2_000_000_000


def signature(path: str, follow: bool = True) -> Signature:
    try:
        info = os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None
    return (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def kind_of(path: str, follow: bool = True) -> int | None:
    """What a probe learns: the kind of thing at ``path`` (``stat.S_IFMT``: a file, a folder, a
    link when not followed...), or None when nothing is there."""
    seen = signature(path, follow)
    return None if seen is None else stat.S_IFMT(seen[0])


def kind_seen(info: os.stat_result | None) -> int | None:
    """``kind_of`` from a ``stat`` the scan made itself (None: it raised)."""
    return None if info is None else stat.S_IFMT(info.st_mode)


def content_digest(path: str) -> str | None:
    """A digest of a regular file's bytes; None for anything else (never blocks on a pipe)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest = hashlib.blake2b(digest_size=16)
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def listing_digest(path: str) -> str | None:
    """A digest of a folder's entries (name and kind, links not followed); None if it is no folder."""
    try:
        with os.scandir(path) as entries:
            seen = sorted(f"{e.name}\0{_entry_kind(e)}" for e in entries)
    except (OSError, ValueError):
        return None
    return hashlib.blake2b("\n".join(seen).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _entry_kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "l"
    if entry.is_dir(follow_symlinks=False):
        return "d"
    return "f" if entry.is_file(follow_symlinks=False) else "o"


def racy(seen: Signature, since_ns: int) -> bool:
    """Changed (ctime: no one can set it back) so close to ``since_ns`` that a later change could
    have kept its signature."""
    return seen is not None and seen[3] >= since_ns - RACY_NS


def record(kind: str, path: str, since_ns: int) -> Input | None:
    """What the ``file``, ``folder`` or ``code`` at ``path`` holds now, as an input; None when
    that cannot be trusted later: it changed since ``RACY_NS`` before the scan began, or is of
    another kind (a path the scan saw change)."""
    seen = signature(path)
    if kind not in ("file", "folder", "code") or racy(seen, since_ns):
        return None
    if kind == "file":
        return (kind, path, (seen, content_digest(path)))
    if kind == "folder":
        return (kind, path, (seen, listing_digest(path)))
    return (kind, path, seen)


def unchanged(inputs: Iterable[Input]) -> bool:
    """Every input reads as it did: by signature, else (a file, a folder) by content."""
    return all(_same(kind, path, seen) for kind, path, seen in inputs)


def _same(kind: str, path: str, seen: Any) -> bool:
    if kind == "probe":
        follow, found = seen
        return kind_of(path, follow) == found
    if kind == "code":
        return signature(path) == seen
    if kind == "output":
        return content_digest(path) == seen
    then, digest = seen
    if signature(path) == then:
        return True
    if digest is None:  # not a readable file, not a folder: only the same signature will do
        return False
    return (content_digest(path) if kind == "file" else listing_digest(path)) == digest
