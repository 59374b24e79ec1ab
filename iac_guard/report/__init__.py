"""Output formats. Each module renders the same ScanResult; the registry maps format names to them."""

from __future__ import annotations

from typing import Callable

from ..scan import ScanResult

Renderer = Callable[[ScanResult, bool], str]


def renderer(name: str) -> Renderer:
    """The renderer for a format name; imported lazily so a JSON run never loads rich."""
    if name == "json":
        from .json_report import render
    elif name == "text":
        from .text import render
    elif name == "sarif":
        from .sarif import render
    elif name == "junit":
        from .junit import render
    elif name == "github":
        from .github import render
    elif name == "markdown":
        from .markdown import render
    else:
        raise KeyError(name)
    return render


FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
