"""Reads Kubernetes manifests (multi-document YAML, ``List`` kinds) into KubeObjects with lines.

One pass per document: the YAML parser composes the node tree (libyaml when the wheel bundles it,
the pure-Python parser otherwise) and :class:`_LineBuilder` walks it once, building the plain
value and the path → line map together. We build values ourselves instead of letting PyYAML's
constructor do it because that walk is where hostile input is stopped:

- aliases are shared nodes, so a "billion laughs" document composes in milliseconds and only
  explodes when expanded; every node reached again through an alias counts against
  ``MAX_ALIAS_NODES`` per file, and the walk stops long before memory grows;
- nesting deeper than ``MAX_DEPTH`` stops the walk (and a RecursionError from the pure parser is
  caught), instead of crashing the scan;
- only plain mappings, lists and the YAML scalars (str, int, float, bool, null) are built. Any
  other tag (``!!python/object``, ``!!binary``, a CloudFormation ``!Ref``) is never constructed; in
  a Kubernetes object it fails the file, in a document that is not one it is ignored with the
  document — except ``!!python/...`` tags, which always fail the file since they only exist to
  attack unsafe loaders.

Reading follows what ``kubectl`` does with the same text: dates stay strings (no timestamp
resolution), mapping keys are strings, and of duplicate keys the last one wins silently.
Errors name the parser's problem, line and column, never the source text: a YAML error on a line
that holds a secret must not print it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..model import Location, ScanError
from ..support.files import DEFAULT_MAX_FILE_BYTES, UTF16_MESSAGE, read_input, utf16_bom
from .objects import KubeObject, PathKey

MAX_ALIAS_NODES = 100_000
MAX_DEPTH = 128
_INTERNED_LENGTH = 40

_CORE = "tag:yaml.org,2002:"
_STR_TAG = _CORE + "str"
_MAP_TAG = _CORE + "map"
_SEQ_TAG = _CORE + "seq"
_MERGE_TAG = _CORE + "merge"
_PYTHON_TAG_PREFIX = _CORE + "python/"
_SCALAR_TAGS = frozenset(_CORE + name for name in ("null", "bool", "int", "float"))
#: Implicit resolutions kubectl does not make: ``2025-06-30`` stays a string, and ``=`` (the YAML
#: 1.1 "value" key) has no constructor in the safe loader at all.
_UNRESOLVED_TAGS = frozenset({_CORE + "timestamp", _CORE + "value"})
#: Quoted source text inside a parser problem (the pure parser names an undefined alias, which
#: could be a pasted secret); token names like '<block end>' and single characters are kept.
_QUOTED = re.compile(r"""(['"])(?!<)[^'"]{3,}\1""")


class _Rejected(Exception):
    """Input we refuse to build; carries the node mark for the error's line and column."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


@dataclass
class _Document:
    value: Any
    lines: dict[PathKey, int]
    line: int
    end_line: int
    problem: _Rejected | None  # first unsupported construct, judged once we know what the document is


class _LineBuilder:
    """Mixin for a PyYAML safe loader: builds documents from composed nodes, recording lines."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _UNRESOLVED_TAGS]
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]
        self._revisits = 0  # per file: anchors do not cross documents, the budget should not reset

    def documents(self) -> Iterator[_Document]:
        while self.check_node():  # type: ignore[attr-defined]
            node = self.get_node()  # type: ignore[attr-defined]
            if node is not None:
                yield self._document(node)

    def _document(self, node: Node) -> _Document:
        self._lines: dict[PathKey, int] = {}
        self._seen: set[Node] = set()
        self._end_line = 0
        self._problem: _Rejected | None = None
        value = self._build(node, (), 0)
        line = node.start_mark.line + 1
        return _Document(value, self._lines, line, max(line, self._end_line), self._problem)

    def _build(self, node: Node, path: PathKey, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Rejected(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
        if node in self._seen:
            self._revisits += 1
            if self._revisits > MAX_ALIAS_NODES:
                raise _Rejected(f"aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)", node.start_mark)
        else:
            self._seen.add(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth) if node.tag == _MAP_TAG else self._unsupported(node)
        if isinstance(node, SequenceNode):
            return self._sequence(node, path, depth) if node.tag == _SEQ_TAG else self._unsupported(node)
        return self._scalar(cast(ScalarNode, node))  # the composer makes only these three kinds of node

    def _mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        """Merge keys (``<<: *defaults``) first, so explicit keys and their lines override them."""
        result: dict[str, Any] = {}
        explicit = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                for merged in reversed(self._merge_sources(value_node)):
                    result.update(self._mapping(merged, path, depth + 1))
            else:
                explicit.append((key_node, value_node))
        for key_node, value_node in explicit:
            key = self._key(key_node)
            child = path + (key,)
            self._lines[child] = key_node.start_mark.line + 1
            result[key] = self._build(value_node, child, depth + 1)
        return result

    def _merge_sources(self, node: Node) -> list[MappingNode]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        mappings = [source for source in sources if isinstance(source, MappingNode) and source.tag == _MAP_TAG]
        if len(mappings) != len(sources):
            self._note(_Rejected("a merge key (<<) whose value is not a mapping", node.start_mark))
            return []
        return mappings

    def _sequence(self, node: SequenceNode, path: PathKey, depth: int) -> list[Any]:
        items = []
        for position, item in enumerate(node.value):
            child = path + (position,)
            self._lines[child] = item.start_mark.line + 1
            items.append(self._build(item, child, depth + 1))
        return items

    def _key(self, node: Node) -> str:
        """Keys as strings, as kubectl reads them (``8080:`` → ``"8080"``, ``true:`` → ``"true"``)."""
        if not isinstance(node, ScalarNode):
            self._note(_Rejected("a mapping key that is not a scalar", node.start_mark))
            return ""
        key = self._scalar(node)
        if isinstance(key, bool):
            return "true" if key else "false"
        return "null" if key is None else sys.intern(str(key))

    def _scalar(self, node: ScalarNode) -> Any:
        end = node.end_mark.line + (1 if node.end_mark.column else 0)  # a block scalar ends at column 0
        if end > self._end_line:
            self._end_line = end
        if node.tag == _STR_TAG:
            # Short values repeat across thousands of objects (``v1``, ``TCP``, label values):
            # one shared string each keeps a large scan's memory down.
            return sys.intern(node.value) if len(node.value) <= _INTERNED_LENGTH else node.value
        if node.tag not in _SCALAR_TAGS:
            return self._unsupported(node)
        try:
            return self.yaml_constructors[node.tag](self, node)  # type: ignore[attr-defined]
        except (ValueError, KeyError):  # an explicit ``!!int abc``; the message would quote the value
            self._note(_Rejected(f"a value that is not a valid {_short_tag(node.tag)}", node.start_mark))
            return None

    def _unsupported(self, node: Node) -> None:
        problem = _Rejected(f"unsupported tag {_short_tag(node.tag)} (only plain YAML is read)", node.start_mark)
        if node.tag.startswith(_PYTHON_TAG_PREFIX):
            raise problem
        self._note(problem)

    def _note(self, problem: _Rejected) -> None:
        if self._problem is None:
            self._problem = problem


class PureLineLoader(_LineBuilder, yaml.SafeLoader):
    """The pure-Python parser: used where PyYAML was built without libyaml."""


CLineLoader: type[_LineBuilder] | None = None
if yaml.__with_libyaml__:

    class CLineLoader(_LineBuilder, yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser: about eight times faster on large manifests."""


DEFAULT_LOADER: type[_LineBuilder] = CLineLoader or PureLineLoader


def load_kube_file(
    path: Path, rel_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[list[KubeObject], list[ScanError]]:
    """Loads one manifest file; a file we cannot read or decode is a ScanError, never an exception."""
    data = read_input(path, rel_path, max_bytes)
    return ([], [data]) if isinstance(data, ScanError) else load_kube_bytes(data, rel_path)


def load_kube_bytes(data: bytes, rel_path: str) -> tuple[list[KubeObject], list[ScanError]]:
    """A manifest file's bytes as read from disk (UTF-8, with or without a byte-order mark)."""
    text = decode_text(data, rel_path)
    return ([], [text]) if isinstance(text, ScanError) else load_kube_text(text, rel_path)


def decode_text(data: bytes, rel_path: str) -> str | ScanError:
    """A YAML (or ``.env``) file's text: UTF-8, with or without a byte-order mark."""
    if utf16_bom(data):
        return ScanError(rel_path, UTF16_MESSAGE)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ScanError(rel_path, "not valid UTF-8 text", line=data.count(b"\n", 0, exc.start) + 1)


def load_kube_text(
    text: str, rel_path: str, loader_class: type[_LineBuilder] = DEFAULT_LOADER
) -> tuple[list[KubeObject], list[ScanError]]:
    """The Kubernetes objects of a YAML stream, or the one error that stops it.

    A file is read whole or not at all: objects from the documents before an error are dropped,
    so a half-read file cannot make a scan look complete. Documents that are not Kubernetes
    objects (no string ``apiVersion`` and ``kind``) are skipped quietly, so a file with none —
    Helm values, a CI workflow — gives ``([], [])``.
    """
    try:
        return _read(text, rel_path, loader_class), []
    except _Rejected as exc:
        return [], [_error(rel_path, exc.message, exc.mark)]
    except yaml.MarkedYAMLError as exc:
        return [], [_error(rel_path, _yaml_problem(exc), exc.problem_mark)]
    except yaml.reader.ReaderError as exc:
        return [], [_reader_error(text, rel_path, exc)]
    except RecursionError:
        return [], [ScanError(rel_path, "not valid YAML: nesting too deep for the parser")]


def load_yaml_value(
    text: str, rel_path: str, loader_class: type[_LineBuilder] = DEFAULT_LOADER
) -> tuple[Any, dict[PathKey, int]] | ScanError:
    """The first document of a YAML file that is not a Kubernetes object (a kustomization, a
    JSON patch), with its lines, read with the same limits as manifests."""
    read = load_yaml_document(text, rel_path, loader_class)
    return ScanError(rel_path, "an empty YAML file") if read is None else read


def load_yaml_document(
    text: str, rel_path: str, loader_class: type[_LineBuilder] = DEFAULT_LOADER
) -> tuple[Any, dict[PathKey, int]] | ScanError | None:
    """Like :func:`load_yaml_value`, with None for a file of no document (a Helm values file
    whose every line is a comment is a chart with no defaults, not an error)."""
    try:
        loader = loader_class(text)
        try:
            document = next(loader.documents(), None)
        finally:
            loader.dispose()  # type: ignore[attr-defined]
    except _Rejected as exc:
        return _error(rel_path, exc.message, exc.mark)
    except yaml.MarkedYAMLError as exc:
        return _error(rel_path, _yaml_problem(exc), exc.problem_mark)
    except (yaml.reader.ReaderError, RecursionError):
        return ScanError(rel_path, "not valid YAML")
    if document is None:
        return None
    if document.problem is not None:
        return _error(rel_path, document.problem.message, document.problem.mark)
    return document.value, document.lines


def _read(text: str, rel_path: str, loader_class: type[_LineBuilder]) -> list[KubeObject]:
    loader = loader_class(text)  # the pure reader already rejects unprintable characters here
    try:
        objects: list[KubeObject] = []
        for document in loader.documents():
            if not _is_object(document.value):
                continue
            if document.problem is not None:
                raise document.problem
            location = Location(rel_path, document.line, document.end_line)
            objects.extend(_expand(document.value, document.lines, location))
        return objects
    finally:
        loader.dispose()  # type: ignore[attr-defined]


def _is_object(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("apiVersion"), str) and isinstance(value.get("kind"), str)


def _expand(body: dict[str, Any], lines: dict[PathKey, int], location: Location) -> Iterator[KubeObject]:
    """The object itself, or the items of a ``List`` (``v1/List``, ``SecretList``, ...)."""
    items = body.get("items")
    if not (body["kind"].endswith("List") and isinstance(items, list)):
        yield KubeObject.from_body(body, location, lines)
        return
    item_lines = _split_item_lines(lines, len(items))
    starts = [lines.get(("items", position), location.line) for position in range(len(items))]
    ends = [start - 1 for start in starts[1:]] + [location.end_line]
    for item, own_lines, start, end in zip(items, item_lines, starts, ends, strict=True):
        if _is_object(item):
            yield from _expand(item, own_lines, Location(location.file, start, max(start, end)))


def _split_item_lines(lines: dict[PathKey, int], count: int) -> list[dict[PathKey, int]]:
    """Re-roots a List's line map at each item, in one pass over the map."""
    per_item: list[dict[PathKey, int]] = [{} for _ in range(count)]
    for path, line in lines.items():
        if len(path) > 2 and path[0] == "items" and isinstance(path[1], int):
            per_item[path[1]][path[2:]] = line
    return per_item


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    return "not valid YAML: " + _QUOTED.sub(r"\1…\1", exc.problem or "syntax error")


def _error(rel_path: str, message: str, mark: yaml.Mark | None) -> ScanError:
    if mark is None:
        return ScanError(rel_path, message)
    return ScanError(rel_path, message, line=mark.line + 1, column=mark.column + 1)


def _reader_error(text: str, rel_path: str, exc: yaml.reader.ReaderError) -> ScanError:
    """A character YAML does not allow. libyaml counts its position in bytes, the pure reader in
    characters, so the position is found again in the text rather than trusted."""
    message = f"not valid YAML: {exc.reason}"
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is None:
        return ScanError(rel_path, message)
    line = text.count("\n", 0, found.start()) + 1
    return ScanError(rel_path, message, line=line, column=found.start() - text.rfind("\n", 0, found.start()))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
