"""Output formats. Each module renders the same ScanResult; the registry maps format names to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from ..result import ScanResult

Renderer = Callable[[ScanResult, bool], str]
Writer = Callable[[ScanResult, TextIO], None]


def renderer(name: str) -> Renderer:
    """The renderer for a format name; imported lazily so a JSON run never loads rich."""
    if name == "json":
        from .json_report import render  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    elif name == "text":
        from .text import render  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    elif name == "sarif":
        from .sarif import render  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    elif name == "junit":
        from .junit import render  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    elif name == "github":
        from .github import render  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    elif name == "markdown":
        from .markdown import render  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    elif name == "gitlab":
        from .gitlab import render  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    else:
        raise KeyError(name)
    return render


def writer(name: str) -> Writer:
    """Writes a format to a file. JSON and SARIF are written as they are encoded: on a large scan
    the text alone is tens of megabytes, and holding it whole would be the scan's memory peak."""
    if name == "json":
        from .json_report import write  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    elif name == "sarif":
        from .sarif import write  # lazy: only the format asked for is loaded (a JSON run never loads rich)
    else:
        render = renderer(name)

        def write(result: ScanResult, handle: TextIO) -> None:
            handle.write(render(result, False))

    return write


FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab", "markdown")
