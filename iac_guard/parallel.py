"""The load stage's parsing: every file read once, from the parse cache when it can, and parsed in
a process pool when there is enough work for one.

:class:`FileLoader` is handed the files a scan will read (``preload``) and answers for each one
what it parsed into: a ``TerraformFile`` or ``ScanError`` for Terraform (``.tf``, ``.tf.json``,
``.tfvars``), ``(objects, errors)`` for a Kubernetes manifest. The Terraform loader and the scan
ask it per file, in their own order, so the result of a scan does not depend on how or where the
files were parsed: a parallel or cached scan is byte-identical to a serial one.

- Each file is read here, once (``files.read_input``: regular files only, never more than
  ``max_file_bytes``); the parsers never touch the disk, so what is hashed for the cache key is
  exactly what was parsed.
- Files whose entry is in the cache are not parsed (``cache.py``).
- The others are parsed in-process for small scans, or by a pool of worker processes (fork where
  the platform has it, so workers start with the parser already built; spawn elsewhere). What
  crosses the process boundary is our own frozen records, pickled once by the worker — the same
  bytes it writes to the cache.
- A worker that dies (a crash in a native parser) does not lose the scan: the files it had not
  answered are parsed again in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from .cache import Cache, dumps, entry_name, loads
from .files import DEFAULT_MAX_FILE_BYTES, read_input
from .model import ScanError

if TYPE_CHECKING:
    from .config import Settings
    from .discover import Sources

TERRAFORM = "terraform"
KUBERNETES = "kubernetes"

#: Below this much uncached input a pool costs more than it saves (starting workers, moving
#: results): parse in-process. About a quarter of a second of parsing on one core.
PARALLEL_MIN_BYTES = 192 * 1024
PARALLEL_MIN_FILES = 16


@dataclass(frozen=True)
class LoadOptions:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: The parse cache folder; None: no cache.
    cache_dir: Path | None = None
    #: Worker processes; None: one per available CPU; 1: parse in-process.
    jobs: int | None = None


@dataclass(frozen=True)
class _Job:
    kind: str
    rel: str
    data: bytes
    entry: str | None  # cache entry name, when a cache is in use


class FileLoader:
    """Parse results by (kind, relative path), for one scan."""

    def __init__(self, options: LoadOptions = LoadOptions()) -> None:
        self.options = options
        self.cache = Cache.open(options.cache_dir) if options.cache_dir is not None else None
        self._results: dict[tuple[str, str], Any] = {}
        self.cache_hits = 0
        self.parsed = 0
        self.workers = 0

    def preload(self, files: Iterable[tuple[str, Path, str]]) -> None:
        """Parse ``(kind, path, relative path)`` files not parsed yet: cached ones from the cache,
        the rest in parallel when there is enough of it."""
        pending: list[_Job] = []
        for kind, path, rel in files:
            if (kind, rel) in self._results:
                continue
            data = read_input(path, rel, self.options.max_file_bytes)
            if isinstance(data, ScanError):
                self._results[(kind, rel)] = _failed(kind, data)
                continue
            entry = entry_name(kind, rel, data) if self.cache is not None else None
            cached = self._cached(entry)
            if cached is not None:
                self._results[(kind, rel)] = cached
                self.cache_hits += 1
            else:
                self._results[(kind, rel)] = None  # claimed: a duplicate in ``files`` is parsed once
                pending.append(_Job(kind, rel, data, entry))
        self.parsed += len(pending)
        for job, result in zip(pending, self._parse(pending)):
            self._results[(job.kind, job.rel)] = result

    def terraform(self, path: Path, rel: str) -> Any:
        """A ``TerraformFile`` or the ``ScanError`` that stopped it."""
        return self._result(TERRAFORM, path, rel)

    def kubernetes(self, path: Path, rel: str) -> Any:
        """``(objects, errors)`` of a manifest file."""
        return self._result(KUBERNETES, path, rel)

    def _result(self, kind: str, path: Path, rel: str) -> Any:
        if self._results.get((kind, rel)) is None:
            self.preload([(kind, path, rel)])
        return self._results[(kind, rel)]

    def _cached(self, entry: str | None) -> Any:
        if entry is None or self.cache is None:
            return None
        payload = self.cache.get(entry)
        if payload is None:
            return None
        try:
            return loads(payload)
        except Exception:  # noqa: BLE001 - an entry that does not load is a miss, never trusted
            return None

    def _parse(self, jobs: list[_Job]) -> list[Any]:
        workers = self._workers_for(jobs)
        if workers < 2:
            return [_parse_and_store(job, self.cache) for job in jobs]
        self.workers = workers
        return _parse_in_pool(jobs, workers, self.cache.folder if self.cache is not None else None)

    def _workers_for(self, jobs: Sequence[_Job]) -> int:
        size = sum(len(job.data) for job in jobs)
        if len(jobs) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
            return 1
        available = self.options.jobs or available_cpus()
        return max(1, min(available, len(jobs) // (PARALLEL_MIN_FILES // 2)))


def file_loader(settings: "Settings") -> FileLoader:
    return FileLoader(LoadOptions(settings.max_file_bytes, settings.cache_dir, settings.jobs))


def scan_files(sources: "Sources") -> list[tuple[str, Path, str]]:
    """Every file a scan parses with the HCL or YAML parser, for one ``preload``."""
    files = [(TERRAFORM, path, sources.relative(path)) for directory in sorted(sources.terraform) for path in sources.terraform[directory]]
    files += [
        (TERRAFORM, path, sources.relative(path))
        for directory in sorted(sources.tfvars) for path in sources.tfvars[directory] if not path.name.endswith(".json")
    ]
    files += [(KUBERNETES, path, sources.relative(path)) for path in sources.yaml]
    return files


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def own_process() -> None:
    """For the ``iac-guard`` process itself: the cyclic garbage collector stays off from start to
    exit (see gc_paused; the process ends right after its one scan)."""
    gc.disable()


def exit_now(code: Any) -> None:
    """Ends the process with ``code`` once output is flushed, skipping the interpreter's teardown
    (freeing a large scan's objects one by one takes most of a second). Only for the process's
    own end: ``_Group.main`` calls it where ``sys.exit`` would have been."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    os._exit(code)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the scan. A scan allocates millions of long-lived,
    acyclic objects (syntax trees, records); every full collection walks them all again, which
    cost a quarter of the scan's time. The objects are freed by reference counting as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- parsing (in-process or in a worker) ------------------------------------------------------


def _failed(kind: str, error: ScanError) -> Any:
    return error if kind == TERRAFORM else ([], [error])


def _parse_one(kind: str, rel: str, data: bytes) -> Any:
    try:
        if kind == TERRAFORM:
            from .terraform.parse import parse_source

            return parse_source(data, rel)
        from .kubernetes.loader import load_kube_bytes

        return load_kube_bytes(data, rel)
    except RecursionError:
        return _failed(kind, ScanError(rel, "nesting is too deep to parse"))
    except MemoryError:
        return _failed(kind, ScanError(rel, "not enough memory to parse the file"))


def _parse_and_store(job: _Job, cache: Cache | None) -> Any:
    result = _parse_one(job.kind, job.rel, job.data)
    if cache is not None and job.entry is not None:
        cache.put(job.entry, dumps(result))
    return result


# --- the pool ---------------------------------------------------------------------------------

_worker_cache: Cache | None = None


def _start_worker(cache_dir: Path | None) -> None:
    global _worker_cache
    gc.disable()  # see gc_paused; a worker only parses, and exits with the pool
    _worker_cache = Cache.open(cache_dir) if cache_dir is not None else None
    _warm_parser(_worker_cache)


def _warm_parser(cache: Cache | None) -> None:
    from .terraform.grammar import hcl_parser

    hcl_parser(cache)


def _work(job: _Job) -> bytes:
    """One file, parsed and pickled once: the same bytes go to the cache and to the parent."""
    payload = dumps(_parse_one(job.kind, job.rel, job.data))
    if _worker_cache is not None and job.entry is not None:
        _worker_cache.put(job.entry, payload)
    return payload


def _pool_context() -> Any:
    """fork where the platform has it and it is safe (not macOS, whose system libraries may not
    survive a fork), so workers inherit the built parser; spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _parse_in_pool(jobs: list[_Job], workers: int, cache_dir: Path | None) -> list[Any]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if any(job.kind == TERRAFORM for job in jobs):
        _warm_parser(Cache.open(cache_dir) if cache_dir is not None else None)  # forked workers inherit it
    # Largest first, so no worker is left with one big file at the end; answers go back in order.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].data))
    chunk = max(1, min(32, len(jobs) // (workers * 8)))
    results: list[Any] = [None] * len(jobs)
    done = 0
    try:
        with ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker, initargs=(cache_dir,)) as pool:
            for index, payload in zip(order, pool.map(_work, [jobs[i] for i in order], chunksize=chunk)):
                results[index] = loads(payload)
                done += 1
    except (BrokenProcessPool, OSError):
        pass  # a worker died or could not start: what it had not answered is parsed here
    if done < len(jobs):
        cache = Cache.open(cache_dir) if cache_dir is not None else None
        for index in order[done:]:
            results[index] = _parse_and_store(jobs[index], cache)
    return results
