"""Reading the files a scan judges: regular files only, never more than ``max_file_bytes``.

A scanned tree is input from whoever wrote it. A named pipe called ``main.tf`` would block a read
forever, a device would never end, and a 50 MB file would take the parser minutes and gigabytes:
each is a ScanError naming the file instead (exit code 2, the rest of the scan still runs).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .model import ScanError

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_input(path: Path, rel_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes | ScanError:
    """The file's bytes, or why it was not read. Opening never blocks (``O_NONBLOCK``: a FIFO is
    refused once opened, not waited on), and the read stops one byte past the limit, so a file
    that grows while it is read cannot get past it."""
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


def cannot_read(rel_path: str, exc: OSError) -> ScanError:
    return ScanError(rel_path, f"cannot read the file ({exc.strerror or type(exc).__name__})")


def too_large(rel_path: str, size: int, max_bytes: int) -> ScanError:
    return ScanError(
        rel_path, f"file is larger than max_file_bytes ({size:,} > {max_bytes:,} bytes): not read; raise max_file_bytes in .iac-guard.yaml to scan it"
    )


def utf16_bom(data: bytes) -> bool:
    """UTF-16 and UTF-32 byte-order marks: Windows editors write them; we read UTF-8 only."""
    return data.startswith(_UTF16_32_BOMS)


UTF16_MESSAGE = "UTF-16 or UTF-32 text (byte-order mark): save the file as UTF-8"
