"""Recording a scan for the warm fast path (warm_path.py): what the process read, what it wrote.

A scan reads far more than the files it judges: its config and the folders above it, policy
packs, a baseline, module folders outside the tree, ``file()`` targets, ``modules.json``, and it
asks about paths without reading them (is there an ``.iac-guard.yaml`` here, a ``.git``, a
``Chart.yaml``?). Listing those by hand would miss the next one added, so the process watches
itself: an audit hook (``sys.addaudithook``) sees every file opened and every folder listed, and
``os.stat`` / ``os.lstat`` are wrapped while recording to see every question asked. Standard
output and error pass through a tee. A run that started a program (``git`` for ``--diff-base``),
read standard input, drew a progress line or wrote somewhere unexpected is not stored.

Reads of the interpreter's and iac-guard's own files are not inputs of the scan: the code is
checked instead, by the signature of every module file loaded and every file of the package.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

from ..support.stat_check import kind_seen

#: Audit events that make a run's answer unrepeatable from its inputs.
_SPOILING = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.chdir"})
_LISTING = frozenset({"os.scandir", "os.listdir"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class _Recording:
    """What one process read and wrote, from ``start`` to ``finish``."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.started_ns = time.time_ns()
        self.reads: dict[str, str] = {}  # path → "file" | "folder" | "changed" (found two ways)
        self.probes: dict[tuple[str, bool], int | None] = {}  # (path, link followed) → kind seen
        self.writes: list[tuple[int, bytes]] = []  # (fd, bytes) in the order they were written
        self.written: list[str] = []  # files opened for writing
        self.spoiled = False
        self.cache_dir: Path | None = None
        self.targets: list[str] = []
        self.pid = os.getpid()

    def note(self, kind: str, path: object) -> None:
        """A file read (``file``), a folder listed (``folder``) or a file opened for writing (``write``)."""
        absolute = self._path(path)
        if absolute is None:
            return
        if kind == "write":
            self.written.append(absolute)
        else:
            self.reads.setdefault(absolute, kind)

    def probed(self, path: object, follow: bool, kind: int | None) -> None:
        """A ``stat`` the scan made, and the kind of thing it found; a path found two different
        ways in one run has no single answer to repeat."""
        absolute = self._path(path)
        if absolute is not None and self.probes.setdefault((absolute, follow), kind) != kind:
            self.reads[absolute] = "changed"  # warm_store refuses it, unless it is the cache's own

    def _path(self, path: object) -> str | None:
        if os.getpid() != self.pid:
            return None  # a parse worker forked from us: what it reads, the parent handed it
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        elif not isinstance(path, str):
            path = os.fspath(path) if hasattr(path, "__fspath__") else None
        return os.path.abspath(path) if isinstance(path, str) else None


_recording: _Recording | None = None
_hooked = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    recording = _recording
    if recording is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & _WRITE_FLAGS)
        if not isinstance(path, int):
            recording.note("write" if writing else "file", path)
    elif event in _LISTING:
        recording.note("folder", args[0] if args and args[0] is not None else ".")
    elif event in _SPOILING:
        recording.spoiled = True


def _probing(stat: Any, follows: bool) -> Any:
    """``os.stat`` or ``os.lstat``, noting each question and what it found while recording."""

    def probe(path: Any, *args: Any, **kwargs: Any) -> Any:
        recording = _recording
        if recording is None or isinstance(path, int) or kwargs.get("dir_fd") is not None:
            return stat(path, *args, **kwargs)
        follow = follows and kwargs.get("follow_symlinks", True)
        try:
            info = stat(path, *args, **kwargs)
        except OSError:
            recording.probed(path, follow, None)
            raise
        recording.probed(path, follow, kind_seen(info))
        return info

    probe.__wrapped__ = stat  # type: ignore[attr-defined]
    for supported in (os.supports_dir_fd, os.supports_fd, os.supports_follow_symlinks):
        if stat in supported:
            supported.add(probe)  # shutil and others ask "os.stat in os.supports_dir_fd"
    return probe


class _Tee(io.RawIOBase):
    """Standard output or error, also noting each write: the bytes as they reach the stream."""

    def __init__(self, target: BinaryIO, fd: int, recording: _Recording) -> None:
        super().__init__()
        self._target, self._fd, self._recording = target, fd, recording

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        written = self._target.write(data)
        chunk = bytes(data)
        writes = self._recording.writes
        if writes and writes[-1][0] == self._fd:
            writes[-1] = (self._fd, writes[-1][1] + chunk)
        else:
            writes.append((self._fd, chunk))
        return len(chunk) if written is None else written

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()


def _teed(stream: io.TextIOWrapper, fd: int, recording: _Recording) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        _Tee(stream.buffer, fd, recording),  # type: ignore[arg-type]
        encoding=stream.encoding, errors=stream.errors, line_buffering=stream.line_buffering, write_through=True,
    )


def start(argv: list[str]) -> None:
    """Records this process's scan, when it is one that could be stored (``scan``, cached, Python
    3.11+: older pathlib asks ``os.stat`` through a reference taken at import, unseen here)."""
    global _recording, _hooked
    if not argv or argv[0] != "scan" or "--no-cache" in argv or sys.version_info < (3, 11):
        return
    if not isinstance(sys.stdout, io.TextIOWrapper) or not isinstance(sys.stderr, io.TextIOWrapper):
        return  # a closed descriptor, or already redirected: the long way only
    recording = _Recording(argv)
    sys.stdout, sys.stderr = _teed(sys.stdout, 1, recording), _teed(sys.stderr, 2, recording)
    if not _hooked:
        sys.addaudithook(_hook)
        os.stat, os.lstat = _probing(os.stat, True), _probing(os.lstat, False)
        _hooked = True
    _recording = recording


def scanned(cache_dir: Path | None, targets: list[str]) -> None:
    """The scan command ran with this cache folder (None: uncached) and these targets."""
    recording = _recording
    if recording is not None:
        recording.cache_dir, recording.targets = cache_dir, targets
        recording.spoiled |= "-" in targets  # standard input is no file to check


def spoil() -> None:
    """This run's output is not a pure function of its inputs (a progress line was drawn)."""
    if _recording is not None:
        _recording.spoiled = True


def finish(code: object) -> None:
    """Stores the run for the fast path, if it is one that can be repeated from its inputs."""
    global _recording
    recording, _recording = _recording, None
    if recording is None or recording.cache_dir is None or recording.spoiled or code not in (0, 1, 2, None):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    from .warm_store import store  # lazy: only a finished scan stores

    try:
        store(
            recording.argv, recording.cache_dir, recording.started_ns, recording.reads, recording.probes,
            recording.written, recording.writes, code or 0, recording.targets,
        )
    except Exception:  # noqa: BLE001 - a run that could not be stored was still delivered: its exit code stands
        return
