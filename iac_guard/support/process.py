"""Process lifetime: the garbage collector during a scan, and worker processes that never outlive
the scan nor answer Ctrl-C in its place."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1


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


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C held back while workers are forked: a child inherits the blocked mask, so the
    interrupt cannot reach it before ``die_with`` makes it deaf (a traceback per worker, seen
    under load); the parent takes a held interrupt as soon as the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def die_with(parent: int) -> None:
    """A worker must not outlive the scan: killed with its parent (Linux: the kernel sends
    SIGKILL when the parent dies, ``PR_SET_PDEATHSIG``; elsewhere a watcher thread sees the
    parent change), and deaf to Ctrl-C, which the terminal sends the whole process group — the
    parent alone answers it (exit 130), without one traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held while the parent forked us
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


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="iac-guard-parent-watch", daemon=True).start()
