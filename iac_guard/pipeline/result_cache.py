"""The result cache: a whole scan's answer, reused while nothing it depends on has changed.

The parse cache (cache.py) spares a re-scan its parsing, but not resolving, extracting, judging
and filtering, which on a large tree cost as much again: the findings of one file can depend on
any other (a module call, a Secret used from another manifest, sharing across workloads), so
judgments cannot be cached per file. They can be cached per scan, the way a build tool caches a
step: keyed by everything the scan was given, and checked against everything it read.

- The key (``scan_key``) covers what the scan was given: iac-guard's code and the parsers'
  versions, the discovered files (names, not contents), the settings (including the day expiry
  is measured from), the policy pack, the filters (baseline, changed files, thresholds) and
  standard input.
- The entry holds the answer — findings, inventory, errors, counts, checks — and the input log
  of the scan that produced it (``files.recording_inputs``): every file it read, with a digest
  of the bytes (or the error) it saw, and every folder it listed. A lookup reads each of them
  again and compares, so a changed tfvars file, a new file in a called module's folder or a
  modified ``file()`` target misses as surely as a changed manifest.
- Entries are files in the parse cache's folder (``answers/``, mode 0700, files 0600), sealed
  like its entries (sealing.py: encrypted and authenticated, the key as associated data) and
  read back under the same fail-soft rules; only the most recent few are kept, and unpickling
  allows only the result records.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, is_dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import model, result
from ..filter import baseline
from ..inventory import build as inventory
from ..inventory.build import Inventory
from ..load.parse_cache import versions
from ..support.files import InputKey, InputLog, read_again
from ..support.private_paths import NotPrivate, private_folder
from ..support.store import Cache, load_records

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..discover import Sources
    from ..filter.baseline import BaselineEntry
    from ..model import Check, Finding, ScanError, ScanNote
    from ..policy.loader import Policy
    from ..result import Filters, ShardReport

FORMAT = "scan-v2"
#: Where answers are kept, inside the cache folder: one sealed file per key.
FOLDER = "answers"
#: Answers kept, and their size together; the least recently stored goes first.
KEPT = 16
KEPT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """What a scan computed; the rest of a ``ScanResult`` is what it was given."""

    findings: list[Finding]
    inventory: Inventory
    errors: list[ScanError]
    files_scanned: int
    checks: list[Check]
    baseline_fixed: list[BaselineEntry]
    shard: ShardReport | None
    notes: list[ScanNote]


def scan_key(
    sources: Sources,
    settings: Settings,
    policies: Sequence[Policy],
    filters: Filters,
    stdin_text: str | None,
) -> str:
    """The entry name of a scan: everything it was given, none of what it will read. How files
    are loaded (cache folder, workers) never changes an answer, so it is left out."""
    digest = hashlib.sha256()
    for part in (
        FORMAT, versions(), _code_digest(), repr(sources), repr(replace(settings, cache_dir=None, jobs=None)),
        repr(list(policies)), _filters_text(filters), "-" if stdin_text is None else stdin_text,
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return "scan-" + digest.hexdigest()


def _filters_text(filters: Filters) -> str:
    """The filters, with the changed files in order: a set's order differs between processes."""
    changed = None if filters.changed_files is None else sorted(map(str, filters.changed_files))
    return repr((replace(filters, changed_files=None), changed))


def lookup(cache: Cache, key: str) -> Answer | None:
    """The stored answer, if every input it read still reads the same; else None."""
    payload = read_sealed(cache, key)
    if payload is None:
        return None
    try:
        reader = io.BytesIO(payload)
        inputs = _read(reader)
        if not isinstance(inputs, dict) or not _unchanged(inputs):
            return None
        return _read_answer(reader)
    except Exception:  # noqa: BLE001 - an entry that does not load is a miss, never trusted
        return None


def store(cache: Cache, key: str, log: InputLog, answer: Answer) -> None:
    """Pickles the answer straight into its file, sealing it on the way: holding a large scan's
    pickle in memory (and a database its copy) was the scan's memory peak. Written to a temporary
    name (mode 0600) and renamed, so a concurrent lookup sees a whole entry or none; then only the
    newest ``KEPT`` entries stay. Fails soft, like the parse cache."""
    folder = cache.folder / FOLDER
    try:
        private_folder(folder)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".writing-")
    except (OSError, NotPrivate):
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            sealing = cache.sealer.writer(key, handle)
            _write_answer(pickle.Pickler(sealing, protocol=pickle.HIGHEST_PROTOCOL), log, answer)
            sealing.finish()
        os.replace(temporary, folder / key)
    except (OSError, pickle.PicklingError):
        _remove(Path(temporary))
        return
    prune(folder, "scan-")


#: Records pickled at a time. The pickler remembers every object it wrote, to write shared ones
#: once; over a whole answer that memory (and the dictionaries it makes records grow) was the
#: scan's peak. Forgetting between chunks costs a few repeated strings.
_CHUNK = 2048


def _write_answer(pickler: pickle.Pickler, log: InputLog, answer: Answer) -> None:
    """The inputs first (a lookup checks them before reading further), then the answer's small
    parts, then each list of records as its length and its chunks: a pickle each, written with
    an empty memo, read by an unpickler of its own (``_read``)."""

    def write(value: object) -> None:
        pickler.clear_memo()
        pickler.dump(value)

    write(log.inputs)
    write((answer.files_scanned, answer.errors, answer.baseline_fixed, answer.shard, answer.notes))
    inventory = answer.inventory
    for records in (answer.findings, answer.checks, inventory.credentials, inventory.workloads, inventory.usages):
        write(len(records))
        for start in range(0, len(records), _CHUNK):
            write(list(records[start : start + _CHUNK]))


def _read(reader: io.BytesIO) -> Any:
    return load_records(reader, _result_classes())


def _read_answer(reader: io.BytesIO) -> Answer:
    files_scanned, errors, baseline_fixed, shard, notes = _read(reader)
    lists = []
    for _ in range(5):
        count, records = _read(reader), list[Any]()
        while len(records) < count:
            records.extend(_read(reader))
        lists.append(records)
    findings, checks, credentials, workloads, usages = lists
    return Answer(findings, Inventory(tuple(credentials), tuple(workloads), tuple(usages)), errors, files_scanned, checks, baseline_fixed, shard, notes)


def read_sealed(cache: Cache, key: str) -> bytes | None:
    """The payload of ``key``'s entry if it opens under our key and name, else None (never a
    symlink). The sealed bytes are dropped as soon as they are opened: only one copy of a large
    answer is held while it is unpickled."""
    try:
        fd = os.open(cache.folder / FOLDER / key, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            sealed = handle.read()
    except OSError:
        return None
    return cache.sealer.unseal(key, sealed)


def prune(folder: Path, prefix: str) -> None:
    """Keeps the newest entries named ``prefix…`` (answers, warm_store.py's entries), at most
    ``KEPT`` of them and ``KEPT_BYTES`` together (the newest always stays, whatever its size)."""
    try:
        entries = sorted(((path.stat(), path) for path in folder.iterdir() if path.name.startswith(prefix)), key=lambda e: -e[0].st_mtime_ns)
    except OSError:
        return
    total = 0
    for position, (info, path) in enumerate(entries):
        total += info.st_size
        if position and (position >= KEPT or total > KEPT_BYTES):
            _remove(path)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _unchanged(inputs: dict[InputKey, str]) -> bool:
    return all(read_again(key) == seen for key, seen in inputs.items())


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """Every file of the installed package: a development checkout or a patched install that
    judges differently must never read an older answer."""
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _result_classes() -> dict[tuple[str, str], type]:
    """The records an answer is made of, and nothing else."""
    allowed: dict[tuple[str, str], type] = {("datetime", "date"): date, (__name__, "Answer"): Answer}
    for module in (model, inventory):
        for name, value in vars(module).items():
            if isinstance(value, type) and is_dataclass(value) and value.__module__ == module.__name__:
                allowed[(module.__name__, name)] = value
    allowed[(model.__name__, "Unknown")] = model.Unknown
    allowed[(baseline.__name__, "BaselineEntry")] = baseline.BaselineEntry
    allowed[(result.__name__, "ShardReport")] = result.ShardReport
    return allowed
