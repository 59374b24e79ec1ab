"""The process pool that parses a large scan's files: fork where the platform has it, so workers
start with the parser already built; spawn elsewhere. The parent parses about one worker's share
itself. What crosses the process boundary is our own frozen records, pickled once by the worker —
the same bytes the parent then caches.

A worker that dies (a crash in a native parser) does not lose the scan, and neither does an OS
that refuses processes or semaphores: the files the pool had not answered are parsed again
in-process. Any other failure is a bug, and surfaces as one.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from ..support import progress
from ..support.process import die_with, interrupts_held
from ..support.store import Cache
from ..terraform.syntax.sitter import parser_name
from .parse_cache import dumps, loads, warm_parser
from .parsing import KUBERNETES, TERRAFORM, Job, ParseFunction, ParseResult, parse_and_store

#: What the pool's start-up raises when this system has no pool to give (processes or
#: semaphores refused, no working ``sem_open``): the scan then parses every file in-process.
NO_POOL = (OSError, ImportError, NotImplementedError)

#: Relative parse cost per byte, by the parser reading ``.tf`` files (measured: HCL through Lark
#: costs about six to eight times YAML through libyaml, through tree-sitter about twice). Only used
#: to share the work out.
_COST_PER_BYTE = {"lark": {TERRAFORM: 6, KUBERNETES: 1}, "tree-sitter": {TERRAFORM: 2, KUBERNETES: 1}}

#: A job the pool has not answered (yet).
_PENDING = object()

#: The parse function of this worker process (set by ``_start_worker``).
_worker_parse: ParseFunction | None = None

_Chunks = deque[tuple[list[int], "Future[list[bytes]]"]]


def parse_in_pool(jobs: list[Job], workers: int, cache: Cache | None, parse: ParseFunction) -> list[ParseResult]:
    """The jobs' results, in order: the parent parses its share while the pool parses the rest."""
    local, remote = _share(jobs, workers)
    if any(jobs[i].kind == TERRAFORM for i in remote):
        warm_parser(cache)  # forked workers inherit it
    results: list[Any] = [_PENDING] * len(jobs)
    try:
        pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker,
                                   initargs=(cache.folder if cache is not None else None, os.getpid(), parse))
    except NO_POOL:
        pool = None
    if pool is not None:
        _parse_beside(pool, jobs, local, remote, workers, results, cache, parse)
    for index, result in enumerate(results):
        if result is _PENDING:
            results[index] = parse_and_store(jobs[index], cache, parse)
    return results


def _parse_beside(
    pool: ProcessPoolExecutor, jobs: list[Job], local: list[int], remote: list[int], workers: int,
    results: list[Any], cache: Cache | None, parse: ParseFunction,
) -> None:
    """The parent's share parsed while the pool's answers are taken as they arrive, between its own
    files: answers left waiting until the parent is done would all be held at once, as bytes,
    beside the records they become (tens of megabytes on a large scan)."""
    finished = False
    try:
        pending = _submit(pool, jobs, remote, workers)
        for index in local:
            results[index] = parse_and_store(jobs[index], cache, parse)
            while pending and pending[0][1].done():
                _take(jobs, results, cache, *pending.popleft())
        while pending:
            _take(jobs, results, cache, *pending.popleft())
        finished = True
    except BrokenProcessPool:
        finished = True  # a worker died: what the pool had not answered is parsed here
    finally:
        # Interrupted (Ctrl-C): do not wait for the chunks in flight; the workers die with us.
        pool.shutdown(wait=finished, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, jobs: list[Job], remote: list[int], workers: int) -> _Chunks:
    """The pool's jobs in chunks; workers start here, so an OS that refuses them says so here."""
    size = max(1, min(32, len(remote) // (workers * 8)))
    pending: _Chunks = deque()
    try:
        with interrupts_held():
            for start in range(0, len(remote), size):
                chunk = remote[start : start + size]
                pending.append((chunk, pool.submit(_work_chunk, [jobs[i] for i in chunk])))
    except NO_POOL:
        for _, answer in pending:
            answer.cancel()
        return deque()  # what was submitted is parsed again here
    return pending


def _take(jobs: list[Job], results: list[Any], cache: Cache | None, chunk: list[int], answer: Future[list[bytes]]) -> None:
    for index, payload in zip(chunk, answer.result(), strict=True):
        results[index] = loads(payload)
        progress.parsed()
        entry = jobs[index].entry
        if cache is not None and entry is not None:
            cache.put(entry, payload)


def _share(jobs: list[Job], workers: int) -> tuple[list[int], list[int]]:
    """Job indexes the parent parses itself while the pool works, and the pool's, largest first.

    The parent takes about one worker's share, manifests first: what it parses needs no pickling,
    and the strings it interns are shared by every file it reads.
    """
    per_byte = _COST_PER_BYTE["lark" if parser_name() == "lark" else "tree-sitter"]
    cost = [len(job.data) * per_byte[job.kind] for job in jobs]
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


# --- in the worker ------------------------------------------------------------------------------


def _start_worker(cache_dir: Path | None, parent: int, parse: ParseFunction) -> None:
    global _worker_parse
    gc.disable()  # see support.process.gc_paused; a worker only parses, and exits with the pool
    die_with(parent)
    _worker_parse = parse
    # Forked workers inherit the parent's parser; spawned ones build theirs (tables from the
    # cache, read through a connection of their own).
    warm_parser(Cache.open(cache_dir) if cache_dir is not None and _pool_context().get_start_method() != "fork" else None)


def _work_chunk(jobs: Sequence[Job]) -> list[bytes]:
    """Files parsed and pickled once each: the parent unpickles the same bytes it caches."""
    assert _worker_parse is not None, "the pool's initializer sets the parse function"
    return [dumps(_worker_parse(job.kind, job.rel, job.data)) for job in jobs]


def _pool_context() -> BaseContext:
    """fork where the platform has it and it is safe (not macOS, whose system libraries may not
    survive a fork), so workers inherit the built parser; spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
