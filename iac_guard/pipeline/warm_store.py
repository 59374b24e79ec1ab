"""Storing a recorded run (warm_record.py) as a warm fast path entry (warm_path.py).

What the run read becomes its inputs, less what belongs to the interpreter and iac-guard (their
files are checked as code instead) and to the cache and its key; what it wrote becomes the
entry's output, and the files it wrote are checked to hold the same bytes still (a replay does
not write them again). A run that cannot be checked later is not stored: one that read an
input or code file changed since just before it began (it may have changed unseen while it ran),
wrote something that is not a regular file, or scanned a target inside the ignored folders.
"""

from __future__ import annotations

import os
import pickle
import site
import sys
import tempfile
from pathlib import Path

from ..support.cache_key import KeyRefused, config_folder, entry_key
from ..support.private_paths import NotPrivate, private_folder
from ..support.sealing import Sealer
from ..support.stat_check import Input, content_digest, record
from . import result_cache
from .warm_path import FOLDER, PREFIX, entry_name


def _package() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _ignored_roots(cache_dir: Path) -> tuple[str, ...]:
    """Folders whose reads are not the scan's inputs, as given and resolved, each ending with a
    separator. A path is matched as the scan named it: one that reaches such a folder only
    through a link stays an input (checking too much is safe)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__), _package(), str(cache_dir), str(config_folder())}
    roots.update(site.getsitepackages() + [site.getusersitepackages()])
    roots.update(("/proc", "/sys", "/dev"))
    return tuple({os.path.join(form, "") for root in roots for form in (os.path.abspath(root), os.path.realpath(root))})


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return os.path.join(path, "").startswith(roots)


def _code_files() -> list[str]:
    """Every module file loaded but the standard library's (sys.version covers those), and every
    file and folder of the package: what the scan ran, and the data it may still load."""
    stdlib = os.path.join(os.path.dirname(os.__file__), "")
    loaded = {os.path.abspath(file) for m in list(sys.modules.values()) if isinstance(file := getattr(m, "__file__", None), str)}
    files = {f for f in loaded if not f.startswith(stdlib)} | {sys.executable}
    for folder, folders, names in os.walk(_package()):
        folders[:] = [f for f in folders if f != "__pycache__"]
        files.add(folder)
        files.update(os.path.join(folder, name) for name in names)
    return sorted(files)


def _inputs(
    reads: dict[str, str], probes: dict[tuple[str, bool], int | None], written: list[str], started_ns: int, roots: tuple[str, ...],
) -> list[Input] | None:
    """The inputs to check, or None when one cannot be checked (changed while the scan ran, or
    also written by it: what the scan read of it is gone)."""
    chosen = [(kind, path) for path, kind in sorted(reads.items()) if not _inside(path, roots)]
    chosen += [("code", path) for path in _code_files()]
    outputs = set(written)
    inputs: list[Input] = [  # what the run asked of its own outputs (does --output exist?) no later run needs to know
        ("probe", path, (follow, kind)) for (path, follow), kind in sorted(probes.items(), key=str)
        if not _inside(path, roots) and path not in outputs
    ]
    for kind, path in chosen:
        entry = record(kind, path, started_ns)
        if entry is None or path in outputs:
            return None
        inputs.append(entry)
    return inputs


def _outputs(written: list[str], roots: tuple[str, ...]) -> list[Input] | None:
    """The files the run wrote, by digest: replaying it leaves them as they are, so they must
    still hold what it wrote (a report deleted or edited since runs the long way)."""
    files: list[Input] = []
    for path in dict.fromkeys(written):
        if _inside(path, roots) and not path.startswith(("/dev", "/proc", "/sys")):
            continue  # the cache's own files, a key made on first use, compiled modules
        digest = content_digest(path) if os.path.isfile(path) and not os.path.islink(path) else None
        if digest is None:
            return None
        files.append(("output", path, digest))
    return files


def store(
    argv: list[str], cache_dir: Path, started_ns: int, reads: dict[str, str], probes: dict[tuple[str, bool], int | None],
    written: list[str], writes: list[tuple[int, bytes]], code: int, targets: list[str],
) -> None:
    """Seals the run into ``cache_dir``'s ``warm`` folder, or stores nothing."""
    roots = _ignored_roots(cache_dir)
    if any(_inside(os.path.realpath(target), roots) or _inside(os.path.abspath(target), roots) for target in targets):
        return
    try:
        inputs = _inputs(reads, probes, written, started_ns, roots)
        files = _outputs(written, roots)
    except OSError:
        return
    if inputs is None or files is None:
        return
    payload = pickle.dumps({"inputs": inputs + files, "writes": writes, "code": code}, protocol=pickle.HIGHEST_PROTOCOL)
    folder = cache_dir / FOLDER
    try:
        key = entry_key()
        name = entry_name(argv, key)
        private_folder(folder)
        sealed = Sealer(key).seal(name, payload)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".writing-")
    except (OSError, NotPrivate, KeyRefused):
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(sealed)
        os.replace(temporary, folder / name)  # a concurrent lookup sees a whole entry or none
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return
    result_cache.prune(folder, PREFIX)
