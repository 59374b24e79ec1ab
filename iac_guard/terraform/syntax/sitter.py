"""The tree-sitter HCL parser, when its wheels are installed: about seven times faster than Lark.

``tree-sitter`` and ``tree-sitter-hcl`` are optional at run time: where either cannot be imported
(no wheel for the platform, a broken install), or ``IAC_GUARD_HCL_PARSER=lark`` asks for it, every
file is parsed by python-hcl2's Lark grammar as before. ``parser_name`` says which one is in use;
the parse cache puts it in every key, so a tree one parser produced is never read back under the
other. This module only loads the grammar and parses bytes; sitter_convert.py builds our nodes.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import metadata
from typing import Any

#: The environment variable that forces python-hcl2's Lark grammar (``lark``) for every file.
PARSER_ENV = "IAC_GUARD_HCL_PARSER"


@lru_cache(maxsize=1)
def _language() -> Any:
    """tree-sitter's HCL language, or None where the wheels are missing or Lark is asked for."""
    if os.environ.get(PARSER_ENV, "").strip().lower() == "lark":
        return None
    try:
        import tree_sitter
        import tree_sitter_hcl
    except ImportError:
        return None
    try:
        return tree_sitter.Language(tree_sitter_hcl.language())
    except (TypeError, ValueError):  # a grammar built for another tree-sitter ABI
        return None


_parsers: dict[int, Any] = {}


def sitter_parse(source: bytes) -> Any | None:
    """tree-sitter's tree of ``source``; None when tree-sitter is not in use. One parser per
    process (a forked pool worker makes its own rather than share its parent's)."""
    language = _language()
    if language is None:
        return None
    parser = _parsers.get(os.getpid())
    if parser is None:
        import tree_sitter

        parser = _parsers.setdefault(os.getpid(), tree_sitter.Parser(language))
    return parser.parse(source)


def parser_name() -> str:
    """Which parser reads ``.tf`` files in this process, with the versions that decide its trees."""
    if _language() is None:
        return "lark"
    try:
        return f"tree-sitter/{metadata.version('tree-sitter')}/{metadata.version('tree-sitter-hcl')}"
    except metadata.PackageNotFoundError:  # importable but not installed as a distribution
        return "tree-sitter/?"


def reset() -> None:
    """Forgets the loaded grammar, so the next parse reads the environment and imports again (tests)."""
    _language.cache_clear()
    _parsers.clear()
