"""The load stage's file loader: every file read once, from the parse cache when it can, and
parsed in a process pool (pool.py) when there is enough work for one.

:class:`FileLoader` is handed the files a scan will read (``preload``) and answers for each one
what it parsed into (parsing.py). The Terraform loader and the scan ask it per file, in their own
order, so the result of a scan does not depend on how or where the files were parsed: a parallel
or cached scan is byte-identical to a serial one.

- Each file is read here, once (``files.read_input``: regular files only, never more than
  ``max_file_bytes``).
- Files whose entry is in the cache are not parsed (parse_cache.py).
- The others are parsed in-process for small scans, or by the pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from ..config.settings import Settings
from ..model import ScanError
from ..support import progress
from ..support.files import DEFAULT_MAX_FILE_BYTES, read_input
from ..support.process import available_cpus
from ..support.store import Cache
from .parse_cache import entry_name, loads, warm_parser
from .parsing import (
    KUBERNETES,
    TERRAFORM,
    Job,
    KubernetesResult,
    ParseFunction,
    ParseResult,
    TerraformResult,
    failed,
    parse_and_store,
    parse_file,
)
from .pool import parse_in_pool

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


class FileLoader:
    """Parse results by (kind, relative path), for one scan.

    ``parse`` turns one file's bytes into its result, in this process and in the pool's workers;
    only a test passes another (one that fails in a worker, say). With spawned workers it must be
    a module-level function, since it is pickled to reach them.
    """

    def __init__(self, options: LoadOptions = LoadOptions(), parse: ParseFunction = parse_file) -> None:
        self.options = options
        self.parse = parse
        self.cache = Cache.open(options.cache_dir) if options.cache_dir is not None else None
        self._results: dict[tuple[str, str], ParseResult | None] = {}
        self.cache_hits = 0
        self.parsed = 0
        self.workers = 0

    def preload(self, files: Iterable[tuple[str, Path, str]]) -> None:
        """Parse ``(kind, path, relative path)`` files not parsed yet: cached ones from the cache,
        the rest in parallel when there is enough of it."""
        pending: list[Job] = []
        for kind, path, rel in files:
            if (kind, rel) not in self._results:
                job = self._read(kind, path, rel)
                if job is not None:
                    self._results[(kind, rel)] = None  # claimed: a duplicate in ``files`` is parsed once
                    pending.append(job)
        self.parsed += len(pending)
        for job, result in zip(pending, self._parse(pending), strict=True):
            self._results[(job.kind, job.rel)] = result
        if self.cache is not None:
            self.cache.flush()

    def _read(self, kind: str, path: Path, rel: str) -> Job | None:
        """The file as a job to parse, or None when its result is known already (unreadable, cached)."""
        data = read_input(path, rel, self.options.max_file_bytes)
        if isinstance(data, ScanError):
            self._results[(kind, rel)] = failed(kind, data)
            progress.parsed()
            return None
        entry = entry_name(kind, rel, data) if self.cache is not None else None
        cached = self._cached(entry)
        if cached is None:
            return Job(kind, rel, data, entry)
        self._results[(kind, rel)] = cached
        self.cache_hits += 1
        progress.parsed()
        return None

    def forget(self) -> None:
        """Drops every parse result. The scan calls it once the module trees are built and the
        manifests taken: the syntax trees then live only in the trees that use them, and are freed
        root module by root module as extraction releases them."""
        self._results.clear()

    def terraform(self, path: Path, rel: str) -> TerraformResult:
        """A ``TerraformFile`` or the ``ScanError`` that stopped it."""
        return cast(TerraformResult, self.result(TERRAFORM, path, rel))  # the kind decides the shape

    def kubernetes(self, path: Path, rel: str) -> KubernetesResult:
        """``(objects, errors)`` of a manifest file."""
        return cast(KubernetesResult, self.result(KUBERNETES, path, rel))  # the kind decides the shape

    def result(self, kind: str, path: Path, rel: str) -> ParseResult:
        """What a file of this kind parsed into, parsing it now if no ``preload`` did."""
        result = self._results.get((kind, rel))
        if result is None:
            self.preload([(kind, path, rel)])
            result = self._results[(kind, rel)]
        assert result is not None, "preload answers every file it is given"
        return result

    def _cached(self, entry: str | None) -> ParseResult | None:
        if entry is None or self.cache is None:
            return None
        payload = self.cache.get(entry)
        if payload is None:
            return None
        try:
            return loads(payload)
        except Exception:  # noqa: BLE001 - an entry that does not load is a miss, never trusted
            return None

    def _parse(self, jobs: list[Job]) -> list[ParseResult]:
        workers = self._workers_for(jobs)
        if workers < 2:
            if any(job.kind == TERRAFORM for job in jobs):
                warm_parser(self.cache)  # the parser tables from the cache, when it has them
            return [parse_and_store(job, self.cache, self.parse) for job in jobs]
        self.workers = workers
        return parse_in_pool(jobs, workers, self.cache, self.parse)

    def _workers_for(self, jobs: Sequence[Job]) -> int:
        size = sum(len(job.data) for job in jobs)
        if len(jobs) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
            return 1
        available = self.options.jobs or available_cpus()
        return max(1, min(available, len(jobs) // (PARALLEL_MIN_FILES // 2)))


def file_loader(settings: Settings) -> FileLoader:
    return FileLoader(LoadOptions(settings.max_file_bytes, settings.cache_dir, settings.jobs))
