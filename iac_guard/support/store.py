"""A sealed, keyed store in a private folder: what the parse cache and the result cache keep.

Layout (one folder, by default the user's cache folder, never inside the scanned tree; the
folder and everything in it only its owner's, mode 0700 and 0600)::

    CACHE/v2.sqlite3       one table of entries: name → sealed payload (sealing.py)

A payload is sealed (AES-GCM, the entry name as associated data) under a key that is not in the
cache folder (cache_key.py), and opened — authenticated — before its reader sees a byte. Readers
unpickle through an allow-list of record classes (``load_records``), so even a payload that passed
the check can build nothing else and run no code. Anything that fails — a missing, truncated,
corrupt, foreign or stale entry, a damaged database — is a miss, never trusted. A key or folder
that is not private is refused with a warning, and the scan runs uncached.

Why seal: a cache folder can end up somewhere others read or write (restored by CI from a
shared cache, pointed into a repository). Without the key nobody can write an entry we accept,
and nobody can read the literals (secrets included) of what it holds.

Why one SQLite database rather than a file per entry: creating ten thousand small files cost a
cold scan of a large tree seconds of kernel time; SQLite writes them in a few transactions. It
also makes concurrent scans sharing a folder safe (its locking: a reader sees a whole transaction
or none; a writer that cannot get the lock in time skips its writes). Only the scanning process
writes, in batches (``flush``); the parse workers hand it the bytes they pickled.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache_key import KeyRefused, entry_key
from .private_paths import NotPrivate, private_folder, tighten_file
from .sealing import Sealer

if TYPE_CHECKING:
    import sqlite3

FORMAT = "v2"
#: What iac-guard 0.1 kept in a cache folder: its key beside its entries, and entries in the
#: clear (its database, SQLite's companions of it, a damaged one set aside, its answers). Removed
#: on sight, never read.
_LEGACY_KEY = "key"
_LEGACY_DATABASE = "v1.sqlite3"
_LEGACY_RESULTS = "results"
#: Entries written per transaction.
BATCH = 512
#: Warnings already given by this process: the loader and the result cache each open the cache.
_warned: set[str] = set()


class Cache:
    """One cache folder; every method fails soft (a miss, a skipped write), never raises."""

    def __init__(self, folder: Path, sealer: Sealer, database: sqlite3.Connection) -> None:
        self.folder = folder
        self.sealer = sealer
        self._database = database
        self._pending: list[tuple[str, bytes]] = []
        self._pid = os.getpid()

    @classmethod
    def open(cls, folder: Path) -> Cache | None:
        """The cache in ``folder`` (created if needed), or None if it cannot be used safely."""
        try:
            sealer = Sealer(entry_key())
            private_folder(folder)
        except (KeyRefused, NotPrivate) as refused:
            _warn_once(f"iac-guard: warning: not using the cache in {folder}: {refused}")
            return None
        except OSError:
            return None
        _remove_legacy(folder)
        database = _connect(folder / f"{FORMAT}.sqlite3")
        return cls(folder, sealer, database) if database is not None else None

    def get(self, name: str) -> bytes | None:
        """The authenticated payload of an entry, or None."""
        if os.getpid() != self._pid:
            return None  # a connection never crosses a fork
        try:
            row = self._database.execute("SELECT data FROM entries WHERE name = ?", (name,)).fetchone()
        except Exception:  # noqa: BLE001 - sqlite3.Error of any kind: a miss
            return None
        if row is None or not isinstance(row[0], bytes):
            return None
        return self.sealer.unseal(name, row[0])

    def put(self, name: str, payload: bytes) -> None:
        """Queues an entry; written with the next ``flush`` (every BATCH entries, and by the loader
        when it is done)."""
        self._pending.append((name, self.sealer.seal(name, payload)))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending or os.getpid() != self._pid:
            return
        try:
            self._database.execute("BEGIN IMMEDIATE")  # waits up to the timeout for another writer
            try:
                self._database.executemany("INSERT OR REPLACE INTO entries (name, data) VALUES (?, ?)", pending)
                self._database.execute("COMMIT")
            except BaseException:
                self._database.execute("ROLLBACK")
                raise
        except Exception:  # noqa: BLE001 - locked too long, disk full, read-only: no caching this time
            pass


def forget_warnings() -> None:
    """Forgets the warnings given so far: a warning is said once per process, and a process that
    runs several scans of its own (a test session) wants each scan to say its own."""
    _warned.clear()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        print(message, file=sys.stderr)


def _remove_legacy(folder: Path) -> None:
    """Deletes what iac-guard 0.1 left in ``folder``: entries in the clear and the key beside them."""
    try:
        for path in folder.iterdir():
            if path.name == _LEGACY_KEY or path.name.startswith(_LEGACY_DATABASE):
                _remove(path)
        results = folder / _LEGACY_RESULTS
        for path in results.iterdir():
            _remove(path)
        results.rmdir()
    except OSError:
        pass


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _connect(path: Path) -> sqlite3.Connection | None:
    """The entries database, created if needed; a file that is not one is set aside and replaced."""
    try:
        import sqlite3
    except ImportError:  # a Python built without it: no cache
        return None
    for attempt in range(2):
        try:
            _create_private(path)
            database = sqlite3.connect(str(path), timeout=5.0, isolation_level=None, check_same_thread=False)
            database.execute("PRAGMA journal_mode=WAL")
            database.execute("PRAGMA synchronous=NORMAL")
            database.execute("CREATE TABLE IF NOT EXISTS entries (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
            for companion in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
                tighten_file(companion)  # made before 0.2 under the umask; SQLite copies the database's mode
            return database
        except sqlite3.DatabaseError:
            if attempt:
                return None
            try:  # not a database (damaged, or something else): keep it aside, start afresh
                os.replace(path, path.with_name(f"{path.name}.damaged-{os.getpid()}"))
            except OSError:
                return None
        except (sqlite3.Error, OSError):
            return None
    return None


def _create_private(path: Path) -> None:
    """The database file, created 0600 before SQLite creates it under the umask."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))


def default_folder() -> Path:
    """``IAC_GUARD_CACHE_DIR``, else the platform's user cache folder + ``iac-guard``."""
    configured = os.environ.get("IAC_GUARD_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "iac-guard" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "iac-guard"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "iac-guard"


def load_records(stream: io.BytesIO, allowed: dict[tuple[str, str], type]) -> Any:
    """The next pickle in ``stream``, building only the classes ``allowed``."""
    return _RecordUnpickler(stream, allowed).load()


class _RecordUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, allowed: dict[tuple[str, str], type]) -> None:
        super().__init__(file)
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not an allowed record")
        return self._allowed[(module, name)]
