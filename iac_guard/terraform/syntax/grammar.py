"""The HCL parser: python-hcl2's grammar and LALR tables, without Lark's position propagation.

python-hcl2 builds its Lark parser with ``propagate_positions=True``, which copies line and column
onto every tree node while parsing; that costs about 40 % of the parse. We only need lines, and
every token already carries its own, so ``hcl_ast`` reads a node's line from its first token and
the parser is built without propagation (same grammar, same tables, same tree shape).

Building the tables from the grammar takes about 2 s. python-hcl2 caches them in its package
folder (``.lark_cache.bin``, when that folder is writable); we derive our parser from its parser
(about 0.1 s), and keep the derived tables in iac-guard's cache folder when one is in use, where
they load in about 0.06 s. Those tables are plain data: they are read back with an unpickler that
refuses every class, after the cache's seal is checked, so a tampered file can neither run code nor
change how files parse.
"""

from __future__ import annotations

import io
import pickle
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Lark

    from ...load.parse_cache import Cache

_parser: Lark | None = None


def hcl_parser(cache: Cache | None = None) -> Lark:
    """The process's parser, built once; ``cache`` (if given on the first call) keeps its tables."""
    global _parser
    if _parser is None:
        _parser = _load(cache)
    return _parser


class NestingTooDeep(Exception):
    """Brackets, braces or interpolations nested deeper than parse.MAX_NESTING, at this token."""

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

    from .parse import MAX_NESTING

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


def _load(cache: Cache | None) -> Lark:
    from lark import Lark

    name = _cache_name() if cache is not None else None
    if cache is not None and name is not None:
        payload = cache.get(name)
        if payload is not None:
            try:
                return Lark.__new__(Lark)._load(_plain_data(payload), postlex=_bounded_post_lexer(), propagate_positions=False)
            except Exception:  # noqa: BLE001 - a cache entry we cannot use is ignored, never trusted
                pass
    try:
        tables = _tables_from_hcl2()
        parser = Lark.__new__(Lark)._load(tables, postlex=_bounded_post_lexer(), propagate_positions=False)
    except Exception:  # noqa: BLE001 - Lark internals changed: hcl2's own parser still works
        from hcl2.parser import parser as hcl2_parser

        return hcl2_parser()
    if cache is not None and name is not None:
        cache.put(name, pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
        cache.flush()
    return parser


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


def _cache_name() -> str | None:
    """Tables depend on the grammar file and the Lark and python-hcl2 versions."""
    import hashlib
    from importlib import metadata
    from pathlib import Path

    try:
        import hcl2

        grammar = (Path(hcl2.__file__).parent / "hcl2.lark").read_bytes()
        versions = f"{metadata.version('lark')}/{metadata.version('python-hcl2')}"
    except (OSError, metadata.PackageNotFoundError):
        return None
    return "grammar-" + hashlib.sha256(versions.encode() + b"\0" + grammar).hexdigest()
