"""The warm fast path: a re-scan of an unchanged tree answered before click, PyYAML, Lark or the
model are imported.

Even from the result cache a re-scan paid ~0.3 s, nearly all of it imports and start-up, then
discovery, settings and the policy pack, which read the whole tree again to compute the key. Here
the key is what the process was given — its command line, folder, environment, terminals, day,
interpreter — and the entry (``warm/warm-KEY`` in the cache folder, sealed like its entries)
holds what that process wrote: standard output and error, its exit code, a digest of each file
it wrote (left as they are when they still hold it), and everything it read (warm_record.py records it), checked by ``stat`` (stat_check.py). Any
doubt — no entry, a seal that does not open, a changed input, a write that fails — falls
through to the normal command line, which computes the same bytes the long way.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
import time
from pathlib import Path
from typing import Any

from ..support.stat_check import Input, unchanged

FORMAT = "warm-v1"
#: Where entries are kept, inside the cache folder, and how their names begin.
FOLDER = "warm"
PREFIX = "warm-"
#: Variables a shell changes between two identical commands, which nothing in a scan reads; and
#: the cache key itself (the seal already binds it, and its hash is no entry's name).
VOLATILE_VARIABLES = frozenset({"_", "OLDPWD", "SHLVL", "IAC_GUARD_CACHE_KEY"})


def entry_name(argv: list[str], key: bytes) -> str:
    """Everything that can make two runs of the same command line write different bytes, but the
    files they read (checked one by one instead). Keyed with the cache key: the environment
    holds secrets, and a plain hash of them in a file name could be tested against guesses."""
    environment = sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE_VARIABLES)
    terminals = [(fd, os.isatty(fd), _size(fd)) for fd in (0, 1, 2)]
    parts = (FORMAT, sys.executable, sys.version, argv, os.getcwd(), environment, terminals, time.strftime("%Y-%m-%d"), _uid())
    return PREFIX + hmac.new(key, repr(parts).encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def _size(fd: int) -> tuple[int, int] | None:
    try:
        return tuple(os.get_terminal_size(fd)) if os.isatty(fd) else None  # type: ignore[return-value]
    except OSError:
        return None


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def cache_folder(argv: list[str]) -> Path | None:
    """The cache folder this command line uses, read without its parser; None with ``--no-cache``.
    A wrong guess only misses: an entry is named by the whole command line, so one found here was
    stored by a run that used this folder."""
    if "--no-cache" in argv:
        return None
    chosen = None
    for position, argument in enumerate(argv):
        if argument == "--cache-dir" and position + 1 < len(argv):
            chosen = argv[position + 1]
        elif argument.startswith("--cache-dir="):
            chosen = argument.partition("=")[2]
    if chosen is not None:
        return Path(os.path.realpath(os.path.expanduser(chosen)))
    from ..support.store import default_folder  # lazy: a command line other than scan never needs it

    return Path(os.path.realpath(default_folder()))


def stored(argv: list[str]) -> dict[str, Any] | None:
    """The entry for this command line, if its inputs are all as they were; else None."""
    if not argv or argv[0] != "scan":
        return None
    folder = cache_folder(argv)
    if folder is None:
        return None
    from ..support.cache_key import entry_key  # lazy: only a scan reads the key

    try:
        key = entry_key()
        name = entry_name(argv, key)
        sealed = _read_entry(folder / FOLDER / name)
        if sealed is None:
            return None
        payload = _open(folder, name, key, sealed)
    except Exception:  # noqa: BLE001 - a key refused, a folder not ours, a damaged entry: the long way says why
        return None
    if not isinstance(payload, dict) or not unchanged(_inputs(payload.get("inputs"))):
        return None
    return payload


def _read_entry(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _open(folder: Path, name: str, key: bytes, sealed: bytes) -> object:
    """The entry's payload, if it was sealed under our key and this name in a private folder."""
    import io

    from ..support.private_paths import private_folder  # lazy: only a scan with an entry to open needs it
    from ..support.sealing import Sealer  # lazy: as above (OpenSSL costs 15 ms)
    from ..support.store import load_records  # lazy: as above

    private_folder(folder)
    private_folder(folder / FOLDER)
    payload = Sealer(key).unseal(name, sealed)
    return None if payload is None else load_records(io.BytesIO(payload), {})


def _inputs(inputs: object) -> list[Input]:
    """The entry's inputs; a malformed list is one input that never matches."""
    if isinstance(inputs, list) and all(isinstance(i, tuple) and len(i) == 3 for i in inputs):
        return inputs
    return [("probe", "", "malformed")]


def replay(argv: list[str]) -> int | None:
    """Writes what the stored run wrote to standard output and error, in the order it wrote them
    (the same bytes under ``2>&1``), and returns its exit code; the files it wrote are checked
    inputs (still holding what it wrote), left as they are. None when there is no such run, or
    a write failed: the long way then runs and reports the failure its own way."""
    entry: dict[str, Any] = stored(argv) or {}
    writes: Any = entry.get("writes")
    code: Any = entry.get("code")
    if not (_output_writes(writes) and isinstance(code, int)):
        return None
    try:
        for fd in {fd for fd, _ in writes}:
            os.fstat(fd)  # a closed descriptor fails before anything is written
        for fd, data in writes:
            _write_all(fd, data)
    except OSError:
        return None
    return code


def _output_writes(value: object) -> bool:
    """A list of (1 or 2, bytes): what went to standard output and error."""
    return isinstance(value, list) and all(
        isinstance(w, tuple) and len(w) == 2 and w[0] in (1, 2) and isinstance(w[1], bytes) for w in value
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
