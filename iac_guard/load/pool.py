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
  the platform has it, so workers start with the parser already built; spawn elsewhere), the
  parent parsing about one worker's share itself. What crosses the process boundary is our own
  frozen records, pickled once by the worker — the same bytes the parent then caches.
- A worker that dies (a crash in a native parser) does not lose the scan: the files it had not
  answered are parsed again in-process.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import ScanError
from ..support.files import DEFAULT_MAX_FILE_BYTES, read_input
from ..support.store import Cache
from ..terraform.roots import declares_modules
from .parse_cache import dumps, entry_name, loads, warm_parser

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..discover import Sources
    from ..shard.merge import Shard

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
        for job, result in zip(pending, self._parse(pending), strict=True):
            self._results[(job.kind, job.rel)] = result
        if self.cache is not None:
            self.cache.flush()

    def forget(self) -> None:
        """Drops every parse result. The scan calls it once the module trees are built and the
        manifests taken: the syntax trees then live only in the trees that use them, and are freed
        root module by root module as extraction releases them."""
        self._results.clear()

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
            if any(job.kind == TERRAFORM for job in jobs):
                warm_parser(self.cache)  # the parser tables from the cache, when it has them
            return [_parse_and_store(job, self.cache) for job in jobs]
        self.workers = workers
        return _parse_in_pool(jobs, workers, self.cache)

    def _workers_for(self, jobs: Sequence[_Job]) -> int:
        size = sum(len(job.data) for job in jobs)
        if len(jobs) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
            return 1
        available = self.options.jobs or available_cpus()
        return max(1, min(available, len(jobs) // (PARALLEL_MIN_FILES // 2)))


def file_loader(settings: Settings) -> FileLoader:
    return FileLoader(LoadOptions(settings.max_file_bytes, settings.cache_dir, settings.jobs))


def scan_files(sources: Sources, shard: Shard | None = None, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[tuple[str, Path, str]]:
    """Every file a scan parses with the HCL or YAML parser, for one ``preload``. A shard parses
    the folders it owns, the files that declare modules (to know which folders are roots) and
    every manifest (cluster references cross files); merge.py says why."""
    def owned(folder: str) -> bool:
        return shard is None or shard.owns(folder)

    files = [
        (TERRAFORM, path, sources.relative(path))
        for directory in sorted(sources.terraform) for path in sources.terraform[directory]
        if owned(directory) or declares_modules(path, max_bytes)
    ]
    files += [
        (TERRAFORM, path, sources.relative(path))
        for directory in sorted(sources.tfvars) if owned(directory)
        for path in sources.tfvars[directory] if not path.name.endswith(".json")
    ]
    files += [(KUBERNETES, path, sources.relative(path)) for path in sources.yaml]
    return files


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def own_process() -> None:
    """For the ``iac-guard`` process itself: the cyclic garbage collector stays off from start to
    exit (see gc_paused; the process ends right after its one scan)."""
    gc.disable()


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
            from ..terraform.syntax.parse import parse_source

            return parse_source(data, rel)
        from ..kubernetes.loader import load_kube_bytes

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


def _start_worker(cache_dir: Path | None, parent: int) -> None:
    gc.disable()  # see gc_paused; a worker only parses, and exits with the pool
    _die_with(parent)
    # Forked workers inherit the parent's parser; spawned ones build theirs (tables from the
    # cache, read through a connection of their own).
    warm_parser(Cache.open(cache_dir) if cache_dir is not None and _pool_context().get_start_method() != "fork" else None)


def _die_with(parent: int) -> None:
    """A worker must not outlive the scan: killed with its parent (Linux: the kernel sends
    SIGKILL when the parent dies, ``PR_SET_PDEATHSIG``; elsewhere a watcher thread sees the
    parent change), and deaf to Ctrl-C, which the terminal sends the whole process group — the
    parent alone answers it (exit 130), without one traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            _watch_parent(parent)
    else:
        _watch_parent(parent)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _watch_parent(parent: int) -> None:
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="iac-guard-parent-watch", daemon=True).start()




def _work_chunk(jobs: list[_Job]) -> list[bytes]:
    """Files parsed and pickled once each: the parent unpickles the same bytes it caches."""
    return [dumps(_parse_one(job.kind, job.rel, job.data)) for job in jobs]


def _pool_context() -> Any:
    """fork where the platform has it and it is safe (not macOS, whose system libraries may not
    survive a fork), so workers inherit the built parser; spawn elsewhere."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


#: Relative parse cost per byte (measured: HCL through Lark costs about six times YAML through
#: libyaml). Only used to share the work out.
_COST_PER_BYTE = {TERRAFORM: 6, KUBERNETES: 1}


def _share(jobs: list[_Job], workers: int) -> tuple[list[int], list[int]]:
    """Job indexes the parent parses itself while the pool works, and the pool's, largest first.

    The parent takes about one worker's share, manifests first: what it parses needs no pickling,
    and the strings it interns are shared by every file it reads.
    """
    cost = [len(job.data) * _COST_PER_BYTE[job.kind] for job in jobs]
    budget = sum(cost) / (workers + 1)
    local: list[int] = []
    taken = 0.0
    for index in sorted(range(len(jobs)), key=lambda i: (jobs[i].kind != KUBERNETES, i)):
        if taken + cost[index] > budget:
            break
        local.append(index)
        taken += cost[index]
    chosen = set(local)
    remote = sorted((i for i in range(len(jobs)) if i not in chosen), key=lambda i: -cost[i])
    return local, remote


def _parse_in_pool(jobs: list[_Job], workers: int, cache: Cache | None) -> list[Any]:
    """The parent parses its share while the pool parses the rest, taking the pool's answers as
    they arrive, between its own files: answers left waiting until the parent is done would all
    be held at once, as bytes, beside the records they become (tens of megabytes on a large scan)."""
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    cache_dir = cache.folder if cache is not None else None
    local, remote = _share(jobs, workers)
    if any(jobs[i].kind == TERRAFORM for i in remote):
        warm_parser(cache)  # forked workers inherit it
    size = max(1, min(32, len(remote) // (workers * 8)))
    results: list[Any] = [_PENDING] * len(jobs)

    def take(indexes: list[int], payloads: list[bytes]) -> None:
        for index, payload in zip(indexes, payloads, strict=True):
            results[index] = loads(payload)
            if cache is not None and jobs[index].entry is not None:
                cache.put(jobs[index].entry, payload)  # type: ignore[arg-type]

    pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker, initargs=(cache_dir, os.getpid()))
    finished = False
    try:
        chunks = [remote[start : start + size] for start in range(0, len(remote), size)]
        pending = deque((chunk, pool.submit(_work_chunk, [jobs[i] for i in chunk])) for chunk in chunks)
        for index in local:
            results[index] = _parse_and_store(jobs[index], cache)
            while pending and pending[0][1].done():
                chunk, answer = pending.popleft()
                take(chunk, answer.result())
        while pending:
            chunk, answer = pending.popleft()
            take(chunk, answer.result())
        finished = True
    except (BrokenProcessPool, OSError, pickle.PicklingError, AttributeError, TypeError):
        finished = True  # a worker died or could not start: what the pool had not answered is parsed here
    finally:
        # Interrupted (Ctrl-C): do not wait for the chunks in flight; the workers die with us.
        pool.shutdown(wait=finished, cancel_futures=True)
    for index, result in enumerate(results):
        if result is _PENDING:
            results[index] = _parse_and_store(jobs[index], cache)
    return results


#: A job the pool has not answered (yet).
_PENDING = object()
