"""Standard output that cannot take the report: closed (``>&-``), a full disk, a reader gone.

A gate whose report was lost must not exit as if it had been written: every such failure is one
line on standard error and exit code 2, never a traceback or "internal error".
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import NoReturn

from .exit_codes import EXIT_ERROR

#: Write errors that mean "the output went nowhere", not a bug: no space (disk, quota), the
#: reader closed the pipe, the descriptor is closed, the device failed.
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EPIPE, errno.EBADF, errno.EIO})


_reported = False


def report_output_failure(exc: OSError) -> None:
    """One line on standard error, once: a failed write is usually followed by a failed flush."""
    global _reported
    if not _reported:
        _reported = True
        reason = exc.strerror or type(exc).__name__
        print(
            f"iac-guard: cannot write the report to standard output ({reason}); write it to a file with "
            "--output FILE or --format FORMAT=FILE", file=sys.stderr,
        )


class _ClosedOutput(io.RawIOBase):
    """What stands in for a standard output that was closed before the process started."""

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def guard_closed_streams() -> None:
    """Python leaves ``sys.stdout`` None when descriptor 1 is closed, and click then writes
    nothing without a word: make every write fail loudly instead (see OUTPUT_ERRNOS). A closed
    standard error only loses the messages: the exit code still tells."""
    if sys.stdout is None:
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(_ClosedOutput()), encoding="utf-8", write_through=True)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")


def exit_now(code: object) -> NoReturn:
    """Ends the process with ``code`` once output is flushed, skipping the interpreter's teardown
    (freeing a large scan's objects one by one takes most of a second). Only for the process's
    own end: ``_Group.main`` calls it where ``sys.exit`` would have been. A report that could not
    be flushed to standard output turns any exit code into 2: it was not delivered."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        report_output_failure(exc if isinstance(exc, OSError) else OSError(errno.EBADF, "standard output is closed"))
        code = EXIT_ERROR
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
