"""The parse cache: what a file parsed into, keyed by its content, so a re-scan skips parsing.

Layout (one folder, by default the user's cache folder, never inside the scanned tree; the
folder and everything in it only its owner's, mode 0700 and 0600)::

    CACHE/v2.sqlite3       one table of entries: name → sealed payload (sealing.py)

An entry's name is a SHA-256 over the tool version, the parser versions and code, what kind of
file it is, its path relative to the scanned root (the parsed tree records it) and its bytes: a
changed file, a moved file or an upgraded iac-guard or parser simply misses. The payload is a
pickle of our own frozen syntax-tree records, sealed (AES-GCM, the entry name as associated
data) under a key that is not in the cache folder (cache_key.py), and opened — authenticated —
before anything is unpickled. Unpickling then goes through an allow-list of those record
classes, so even a payload that passed the check can build nothing else and run no code.
Anything that fails — a missing, truncated, corrupt, foreign or stale entry, a damaged database
— is a miss: the file is parsed again, never trusted. A key or folder that is not private is
refused with a warning, and the scan runs uncached.

Why seal: a cache folder can end up somewhere others read or write (restored by CI from a
shared cache, pointed into a repository). Without the key nobody can write an entry we accept,
so nobody can make a file we scan look like different code, and nobody can read the literals
(secrets included) of the trees it holds. Why pickle behind the seal and the allow-list rather
than JSON: loading an entry is then about as fast as pickle can be, which is what makes a warm
re-scan cheap.

Why one SQLite database rather than a file per entry: creating ten thousand small files cost a
cold scan of a large tree seconds of kernel time; SQLite writes them in a few transactions. It
also makes concurrent scans sharing a folder safe (its locking: a reader sees a whole transaction
or none; a writer that cannot get the lock in time skips its writes). Only the scanning process
writes, in batches (``flush``); the parse workers hand it the bytes they pickled.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..support.cache_key import KeyRefused, entry_key
from ..support.private_paths import NotPrivate, private_folder, tighten_file
from ..support.sealing import Sealer

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

    def __init__(self, folder: Path, sealer: Sealer, database: Any) -> None:
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


def _connect(path: Path) -> Any:
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


def entry_name(kind: str, rel_path: str, content: bytes) -> str:
    """The cache key of one file's parse: its kind, path, bytes and every version that matters."""
    digest = hashlib.sha256(versions().encode())
    digest.update(b"\0" + kind.encode() + b"\0" + rel_path.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(content)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def versions() -> str:
    """iac-guard's, the parsers' and Python's versions, the input limits and the parser code."""
    from importlib import metadata

    import yaml

    from .. import __version__
    from ..kubernetes.loader import MAX_ALIAS_NODES, MAX_DEPTH
    from ..terraform.syntax.parse import MAX_NESTING

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return "/".join(
        (
            FORMAT, __version__, version("python-hcl2"), version("lark"), yaml.__version__,
            "libyaml" if yaml.__with_libyaml__ else "pure", str(MAX_ALIAS_NODES), str(MAX_DEPTH), str(MAX_NESTING),
            f"{sys.version_info.major}.{sys.version_info.minor}", _parser_code(),
        )
    )


#: The modules whose code decides what a file parses into. Their bytes are part of every key, so
#: a change to them (a development checkout, a patched install) never reads an older parse.
_PARSER_MODULES = (
    "support/files", "model", "terraform/syntax/parse", "terraform/syntax/nodes", "terraform/syntax/templates",
    "terraform/syntax/json_syntax", "terraform/syntax/grammar", "kubernetes/loader", "kubernetes/objects",
)


def _parser_code() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]
    for module in _PARSER_MODULES:
        try:
            digest.update((package / f"{module}.py").read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:16]


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(payload: bytes) -> Any:
    """Unpickles parse results, building only the record classes a parse produces."""
    return load_records(io.BytesIO(payload), _allowed_classes())


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


@lru_cache(maxsize=1)
def _allowed_classes() -> dict[tuple[str, str], type]:
    from dataclasses import is_dataclass

    from .. import model
    from ..kubernetes import objects
    from ..terraform.syntax import nodes as hcl_ast
    from ..terraform.syntax import parse

    def records(module: Any, names: Iterable[str] | None = None) -> dict[tuple[str, str], type]:
        chosen = names if names is not None else [n for n, v in vars(module).items() if isinstance(v, type) and is_dataclass(v)]
        return {(module.__name__, name): getattr(module, name) for name in chosen
                if isinstance(getattr(module, name), type) and getattr(module, name).__module__ == module.__name__}

    return {
        **records(hcl_ast),
        **records(parse, ["TerraformFile"]),
        **records(objects, ["KubeObject"]),
        **records(model, ["ScanError", "Location", "Unknown"]),
    }
