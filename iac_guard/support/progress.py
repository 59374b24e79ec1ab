"""How far a scan has got, counted as it goes, for a person watching a terminal.

The stages count what they do (files found, files parsed, root modules judged) into the
:class:`Progress` of the scan that is ``reporting``; with none, which is every scan but an
interactive one, counting costs one global read. The command line draws the counts
(``cli/progress.py``); nothing here writes anywhere, and no count changes what a scan finds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Progress:
    """Counts only ever grow, and are read by another thread while the scan runs: plain ints,
    each written by the scan's thread alone."""

    found: int = 0
    parsed: int = 0
    #: Root modules whose records are read, of ``roots``; manifests and application files are
    #: judged after them, in moments.
    judged: int = 0
    roots: int = 0


_current: Progress | None = None


@contextmanager
def reporting(progress: Progress) -> Iterator[Progress]:
    """Counts the scans run inside into ``progress``."""
    global _current
    previous, _current = _current, progress
    try:
        yield progress
    finally:
        _current = previous


def found(files: int) -> None:
    if _current is not None:
        _current.found = files


def parsed(files: int = 1) -> None:
    if _current is not None:
        _current.parsed += files


def all_parsed() -> None:
    """The load stage is over: every file found was read (parsed, from the cache, or refused)."""
    if _current is not None:
        _current.parsed = max(_current.parsed, _current.found)


def judging(roots: int) -> None:
    if _current is not None:
        _current.roots = roots


def judged(roots: int = 1) -> None:
    if _current is not None:
        _current.judged += roots
