"""The HCL parser: python-hcl2's grammar and LALR tables, without Lark's position propagation.

python-hcl2 builds its Lark parser with ``propagate_positions=True``, which copies line and column
onto every tree node while parsing; that costs about 40 % of the parse. We only need lines, and
every token already carries its own, so ``hcl_ast`` reads a node's line from its first token and
the parser is built without propagation (same grammar, same tables, same tree shape).

Building the tables from the grammar takes about 2 s. python-hcl2 caches them in its package
folder (``.lark_cache.bin``, when that folder is writable); we derive our parser from its parser
(about 0.1 s). The derived tables are plain data that the parse cache (load/parse_cache.py) can
keep and hand back to ``load_parser``, where they load in about 0.06 s: they are read back with an
unpickler that refuses every class, so a tampered entry can neither run code nor change how files
parse. This module knows nothing of where the tables are kept.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from lark import Lark, Tree

#: Deepest nesting of blocks and expressions we accept. Real configurations stay far below it; a
#: file nested deeper is an error (with the line where it gets too deep) rather than a
#: RecursionError somewhere in evaluation.
MAX_NESTING = 64

_parser: Lark | None = None
#: How to build the parser when it is first needed, when building it was put off (defer_parser).
_deferred: Callable[[], object] | None = None


def parse_tree(text: str) -> Tree:
    """Lark's tree of HCL source (python-hcl2's grammar wants a final newline)."""
    return hcl_parser().parse(text + "\n")


def hcl_parser() -> Lark:
    """The process's parser, built on first use unless ``load_parser`` built it already."""
    global _deferred
    if _parser is None and _deferred is not None:
        build, _deferred = _deferred, None
        build()
    if _parser is None:
        load_parser(None)
    assert _parser is not None  # load_parser always sets it
    return _parser


def defer_parser(build: Callable[[], object]) -> None:
    """Puts off building the parser until a file needs it, then calls ``build`` (which calls
    ``load_parser``): where tree-sitter reads ``.tf`` files, most scans never need Lark."""
    global _deferred
    _deferred = None if _parser is not None else build


def parser_loaded() -> bool:
    """Whether this process has its parser (a forked worker inherits its parent's)."""
    return _parser is not None


def load_parser(tables: bytes | None) -> bytes | None:
    """Builds the process's parser, from ``tables`` (as returned before, by any process) when they
    are usable, else from python-hcl2's parser; returns newly derived tables worth keeping, or None
    (the given tables were used, or Lark's internals changed and hcl2's own parser is used)."""
    global _parser
    if tables is not None:
        try:
            _parser = Lark.__new__(Lark)._load(_plain_data(tables), postlex=_bounded_post_lexer(), propagate_positions=False)
            return None
        except Exception:  # noqa: BLE001 - stored tables we cannot use are ignored, never trusted
            pass
    try:
        derived = _tables_from_hcl2()
        _parser = Lark.__new__(Lark)._load(derived, postlex=_bounded_post_lexer(), propagate_positions=False)
    except Exception:  # noqa: BLE001 - Lark internals changed: hcl2's own parser still works
        from hcl2.parser import parser as hcl2_parser

        _parser = hcl2_parser()
        return None
    return pickle.dumps(derived, protocol=pickle.HIGHEST_PROTOCOL)


def tables_name() -> str | None:
    """A name for the derived tables that changes with what they depend on: the grammar file and
    the Lark and python-hcl2 versions (None when those cannot be read: the tables are not kept)."""
    try:
        import hcl2

        grammar = (Path(hcl2.__file__).parent / "hcl2.lark").read_bytes()
        versions = f"{metadata.version('lark')}/{metadata.version('python-hcl2')}"
    except (OSError, metadata.PackageNotFoundError):
        return None
    return "grammar-" + hashlib.sha256(versions.encode() + b"\0" + grammar).hexdigest()


class NestingTooDeep(Exception):
    """Brackets, braces or interpolations nested deeper than MAX_NESTING, at this token."""

    def __init__(self, line: int | None, column: int | None) -> None:  # lark types token positions as optional
        super().__init__(line, column)
        self.line = line
        self.column = column


_OPENERS = frozenset({"LBRACE", "LSQB", "LPAR", "INTERP_START", "DIRECTIVE_START"})
_CLOSERS = frozenset({"RBRACE", "RSQB", "RPAR"})


def _bounded_post_lexer() -> Any:
    """python-hcl2's post-lexer, stopping at the first token nested too deep: a hostile file is
    refused (with its line and column) before any deep tree is built."""
    from hcl2.postlexer import PostLexer

    class BoundedPostLexer(PostLexer):
        def process(self, stream: Any) -> Any:
            depth = 0
            for token in super().process(stream):
                if token.type in _OPENERS:
                    depth += 1
                    if depth > MAX_NESTING:
                        raise NestingTooDeep(token.line, token.column)
                elif token.type in _CLOSERS:
                    depth -= 1
                yield token

    return BoundedPostLexer()


def _tables_from_hcl2() -> dict[str, Any]:
    from hcl2.parser import parser as hcl2_parser
    from lark.grammar import Rule
    from lark.lark import _LOAD_ALLOWED_OPTIONS
    from lark.lexer import TerminalDef

    data, memo = hcl2_parser().memo_serialize([TerminalDef, Rule])
    # Options given again when loading (the post-lexer object, position propagation) are not data.
    data["options"] = {k: v for k, v in data["options"].items() if k not in _LOAD_ALLOWED_OPTIONS}
    return {"data": data, "memo": memo}


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing {module}.{name}: parser tables are plain data")


def _plain_data(payload: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(payload)).load()
