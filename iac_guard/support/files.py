"""Reading the files a scan judges: regular files only, never more than ``max_file_bytes``.

A scanned tree is input from whoever wrote it. A named pipe called ``main.tf`` would block a read
forever, a device would never end, and a 50 MB file would take the parser minutes and gigabytes:
each is a ScanError naming the file instead (exit code 2, the rest of the scan still runs).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..model import ScanError

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_input(path: Path, rel_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes | ScanError:
    """The file's bytes, or why it was not read. Opening never blocks (``O_NONBLOCK``: a FIFO is
    refused once opened, not waited on), and the read stops one byte past the limit, so a file
    that grows while it is read cannot get past it. What was read is noted in the input log."""
    result = _read(path, rel_path, max_bytes)
    if _log is not None:
        _log.note(("file", str(path), rel_path, max_bytes), result)
    return result


def _read(path: Path, rel_path: str, max_bytes: int) -> bytes | ScanError:
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        return cannot_read(rel_path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ScanError(rel_path, "not a regular file (a pipe, device or socket is never read)")
        if info.st_size > max_bytes:
            return too_large(rel_path, info.st_size, max_bytes)
        chunks = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        return cannot_read(rel_path, exc)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        return too_large(rel_path, len(data), max_bytes)
    return data


def read_stream(stream: BinaryIO, rel_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes | ScanError:
    """Standard input, bounded like a file: the read stops one byte past ``max_bytes``, so a
    producer that never stops (``yes |``) costs at most that much memory."""
    try:
        data = stream.read(max_bytes + 1)
    except OSError as exc:
        return cannot_read(rel_path, exc)
    if len(data) > max_bytes:
        return too_large(rel_path, len(data), max_bytes, "at least ")
    return data


def cannot_read(rel_path: str, exc: OSError) -> ScanError:
    return ScanError(rel_path, f"cannot read the file ({exc.strerror or type(exc).__name__})")


def too_large(rel_path: str, size: int, max_bytes: int, at_least: str = "") -> ScanError:
    return ScanError(
        rel_path, f"file is larger than max_file_bytes ({at_least}{size:,} > {max_bytes:,} bytes): not read; raise max_file_bytes in .iac-guard.yaml to scan it"
    )


def utf16_bom(data: bytes) -> bool:
    """UTF-16 and UTF-32 byte-order marks: Windows editors write them; we read UTF-8 only."""
    return data.startswith(_UTF16_32_BOMS)


UTF16_MESSAGE = "UTF-16 or UTF-32 text (byte-order mark): save the file as UTF-8"


def regular_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path] | None:
    """The regular files (not symbolic links) in ``folder`` whose names end with one of
    ``suffixes``, sorted; None when it is not a folder. The listing is noted in the input log: a
    file added to a module folder outside the discovered tree changes the scan."""
    found = _list(folder, suffixes)
    if _log is not None:
        _log.note(("folder", str(folder), "", suffixes), found)
    return found


def _list(folder: Path, suffixes: tuple[str, ...]) -> list[Path] | None:
    if not folder.is_dir():
        return None
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffixes) and p.is_file() and not p.is_symlink())


#: What identifies one read: ("file", path, relative path, size limit) or ("folder", path, "", suffixes).
InputKey = tuple[str, str, str, object]


class InputLog:
    """Everything a scan read from disk, each with a digest of what it saw (the bytes, the error,
    the listing). The result cache (result_cache.py) reuses a scan's answer only when reading
    every one of them again sees the same thing; a scan that never reads a file outside this
    module cannot miss an input."""

    def __init__(self) -> None:
        self.inputs: dict[InputKey, str] = {}

    def note(self, key: InputKey, seen: bytes | ScanError | list[Path] | None) -> None:
        self.inputs[key] = seen_digest(seen)


def seen_digest(seen: bytes | ScanError | list[Path] | None) -> str:
    """A read's outcome in a few bytes: the content's hash, the error, or the folder's names."""
    if isinstance(seen, ScanError):
        return f"error: {seen.message}"
    if seen is None:
        return "absent"
    data = seen if isinstance(seen, bytes) else "\0".join(p.name for p in seen).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_again(key: InputKey) -> str:
    """The digest of reading ``key`` now, the way the scan read it (without noting it)."""
    kind, path, rel_path, detail = key
    if kind == "file":
        return seen_digest(_read(Path(path), rel_path, detail))  # type: ignore[arg-type]
    return seen_digest(_list(Path(path), detail))  # type: ignore[arg-type]


_log: InputLog | None = None


@contextmanager
def recording_inputs() -> Iterator[InputLog]:
    """Notes every read through this module while the scan runs."""
    global _log
    previous, _log = _log, InputLog()
    try:
        yield _log
    finally:
        _log = previous
