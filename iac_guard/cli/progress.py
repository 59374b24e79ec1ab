"""The progress line of an interactive scan: files found, parsed, root modules judged.

Drawn on standard error only for a person at a terminal (not in CI, never when stderr is piped
or redirected: logs and captured output stay clean), and only once a scan has run for
``DELAY_SECONDS``: a quick scan shows nothing. A thread redraws one line in place from the
counts the stages keep (``support/progress.py``) and erases it when the scan ends, so the report
that follows starts on a clean line.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TextIO, TypeVar

from ..support.progress import Progress, reporting

#: A scan quicker than this shows no progress at all.
DELAY_SECONDS = 2.0
_REDRAW_SECONDS = 0.1
_ERASE = "\r\x1b[K"

T = TypeVar("T")


def interactive(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """A person is watching ``stream``: a terminal, outside CI (CI systems set ``CI``)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not environ.get("CI")


def progress_text(progress: Progress) -> str:
    """``iac-guard: 1,204 files found, 812 parsed, 3 of 40 root modules judged``."""
    text = f"iac-guard: {progress.found:,} files found, {min(progress.parsed, progress.found):,} parsed"
    if progress.roots:
        text += f", {progress.judged:,} of {progress.roots:,} root modules judged"
    return text


class ProgressLine:
    """Redraws ``progress_text`` on ``stream`` from ``delay`` seconds after it starts until it stops."""

    def __init__(self, stream: TextIO, delay: float = DELAY_SECONDS, width: Callable[[], int] | None = None) -> None:
        self.stream = stream
        self.delay = delay
        self.width = width or (lambda: shutil.get_terminal_size().columns)
        self.progress = Progress()
        self._stop = threading.Event()
        self._shown = False
        self._thread = threading.Thread(target=self._draw, name="iac-guard-progress", daemon=True)

    def __enter__(self) -> Progress:
        self._thread.start()
        return self.progress

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        if self._shown:
            self._write(_ERASE)
            from ..pipeline.warm_record import spoil  # lazy: only a drawn line needs it

            spoil()  # drawn and erased, it is no output a warm re-scan should repeat

    def _draw(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self._shown = True
            self._write(_ERASE + progress_text(self.progress)[: max(self.width() - 1, 1)])
            self._stop.wait(_REDRAW_SECONDS)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a terminal gone away: the scan's own output says so
            self._stop.set()


def with_progress(work: Callable[[], T], stream: TextIO, environ: Mapping[str, str] = os.environ) -> T:
    """``work()``, counted and drawn on ``stream`` when a person is watching it."""
    if not interactive(stream, environ):
        return work()
    line = ProgressLine(stream, DELAY_SECONDS)
    with line as progress, reporting(progress):
        return work()
