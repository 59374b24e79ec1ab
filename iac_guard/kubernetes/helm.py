"""Helm charts without rendering them: a chart's ``values*.yaml`` read as plain values, and the
note that says how many of its templates were not read.

Rendering a chart runs Go templates against values and the cluster, which iac-guard never does
(no code execution during a scan). What it can judge without rendering: a key written literally
into a values file (the chart's defaults, or an environment's overrides) is hardcoded whatever
template consumes it; a file under ``templates/`` with no directive is an ordinary manifest
(discover.py tells them apart). Templates that hold directives are said in a scan note, so a
passing gate does not look as if it had seen them.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import ScanError, ScanNote
from ..support.files import DEFAULT_MAX_FILE_BYTES, read_input
from .loader import decode_text, load_yaml_document
from .objects import PathKey


@dataclass(frozen=True)
class HelmValues:
    """One values file of a chart: its plain value and the line of every path in it."""

    file: str  # relative to the scanned root
    value: dict[str, Any] = field(hash=False)
    lines: dict[PathKey, int] = field(hash=False, repr=False, compare=False)

    @property
    def chart(self) -> str:
        """The chart's folder name, which is how charts are named in a repository."""
        return posixpath.basename(posixpath.dirname(self.file)) or "."

    @property
    def address(self) -> str:
        return f"HelmValues/{self.chart}/{posixpath.basename(self.file)}"


def load_values(path: Path, rel: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> HelmValues | ScanError | None:
    """A values file, or the error that stops it; None for one that sets nothing (an empty file,
    only comments, a top level that is not a mapping: a chart of no defaults)."""
    data = read_input(path, rel, max_bytes)
    text = data if isinstance(data, ScanError) else decode_text(data, rel)
    if isinstance(text, ScanError):
        return text
    read = load_yaml_document(text, rel)
    if read is None or isinstance(read, ScanError):
        return read
    value, lines = read
    return HelmValues(rel, value, lines) if isinstance(value, dict) else None


def templates_note(chart: str, count: int) -> ScanNote:
    """What a chart's skipped templates are, and how to judge them."""
    return ScanNote(
        posixpath.join(chart, "templates"),
        f"{count} Helm template file(s) skipped (they hold template directives): "
        "scan `helm template` output to judge them",
    )
