"""The parse cache: what a file parsed into, keyed by its content, so a re-scan skips parsing.

Entries live in the sealed store (support/store.py). An entry's name is a SHA-256 over the tool
version, the parser versions and code, what kind of file it is, its path relative to the scanned
root (the parsed tree records it) and its bytes: a changed file, a moved file or an upgraded
iac-guard or parser simply misses. The payload is a pickle of our own frozen syntax-tree records;
unpickling goes through an allow-list of those record classes. Why pickle behind the seal and the
allow-list rather than JSON: loading an entry is then about as fast as pickle can be, which is what
makes a warm re-scan cheap.

The HCL parser's tables are kept here too (``warm_parser``): the grammar derives them, this module
decides where they are kept, so the syntax layer knows nothing of the cache.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sys
from collections.abc import Iterable
from dataclasses import is_dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from .. import __version__, model
from ..kubernetes import objects
from ..kubernetes.loader import MAX_ALIAS_NODES, MAX_DEPTH
from ..support.store import FORMAT, Cache, load_records
from ..terraform.syntax import nodes, parse
from ..terraform.syntax.grammar import MAX_NESTING, defer_parser, load_parser, parser_loaded, tables_name
from ..terraform.syntax.sitter import parser_name


def warm_parser(cache: Cache | None) -> None:
    """Builds the process's HCL parser, from the tables ``cache`` keeps when it has them (and keeps
    newly derived ones there): the first parse of a scan then costs 0.06 s rather than 2 s. Where
    tree-sitter reads ``.tf`` files, Lark's parser is needed only for the files tree-sitter cannot
    read as Lark would (broken ones, mostly), so it is built the same way when one comes."""
    if parser_name() != "lark":
        defer_parser(lambda: _build_parser(cache))
        return
    _build_parser(cache)


def _build_parser(cache: Cache | None) -> None:
    name = tables_name() if cache is not None and not parser_loaded() else None
    if cache is None or name is None:
        if not parser_loaded():
            load_parser(None)
        return
    fresh = load_parser(cache.get(name))
    if fresh is not None:
        cache.put(name, fresh)
        cache.flush()


def entry_name(kind: str, rel_path: str, content: bytes) -> str:
    """The cache key of one file's parse: its kind, path, bytes and every version that matters."""
    digest = hashlib.sha256(versions().encode())
    digest.update(b"\0" + kind.encode() + b"\0" + rel_path.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(content)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def versions() -> str:
    """iac-guard's, the parsers' and Python's versions, which parser reads ``.tf`` files (tree-sitter
    or Lark: a tree one produced is never read back under the other), the input limits and the
    parser code."""

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return "/".join(
        (
            FORMAT, __version__, version("python-hcl2"), version("lark"), yaml.__version__,
            "libyaml" if yaml.__with_libyaml__ else "pure", str(MAX_ALIAS_NODES), str(MAX_DEPTH), str(MAX_NESTING),
            f"{sys.version_info.major}.{sys.version_info.minor}", parser_name(), _parser_code(),
        )
    )


#: The modules whose code decides what a file parses into. Their bytes are part of every key, so
#: a change to them (a development checkout, a patched install) never reads an older parse.
_PARSER_MODULES = (
    "support/files", "model", "terraform/syntax/parse", "terraform/syntax/nodes", "terraform/syntax/convert",
    "terraform/syntax/templates", "terraform/syntax/json_syntax", "terraform/syntax/grammar",
    "terraform/syntax/sitter", "terraform/syntax/sitter_convert", "kubernetes/loader",
    "kubernetes/objects",
)


def _parser_code() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]
    for module in _PARSER_MODULES:
        try:
            digest.update((package / f"{module}.py").read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:16]


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(payload: bytes) -> Any:
    """Unpickles parse results, building only the record classes a parse produces."""
    return load_records(io.BytesIO(payload), _allowed_classes())


@lru_cache(maxsize=1)
def _allowed_classes() -> dict[tuple[str, str], type]:
    def records(module: ModuleType, names: Iterable[str] | None = None) -> dict[tuple[str, str], type]:
        chosen = names if names is not None else [n for n, v in vars(module).items() if isinstance(v, type) and is_dataclass(v)]
        return {(module.__name__, name): getattr(module, name) for name in chosen
                if isinstance(getattr(module, name), type) and getattr(module, name).__module__ == module.__name__}

    return {
        **records(nodes),
        **records(parse, ["TerraformFile"]),
        **records(objects, ["KubeObject"]),
        **records(model, ["ScanError", "Location", "Unknown"]),
    }
