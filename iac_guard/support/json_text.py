"""JSON text exactly as ``json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`` writes it, three
to four times faster, and streamed to a file in chunks if wanted.

Why not json itself: when ``indent`` is set, json never uses its C encoder (CPython's cannot
indent) and walks the value through nested Python generators, one per container, every piece
passing up through all of them. A 10,000-file scan's report (15,000 findings, 38 MB) took it about
0.5 s to render, and 190 MB at the peak with the write; here 0.15 s, and 3 MB when streamed to the
file. Each container is one plain loop that writes its scalars and lists of strings inline, without
a call per value; strings go through json's C ``encode_basestring`` once per distinct value (a
report repeats its texts: a policy's remediation is in each of its findings), and the separator,
indentation and key before each value are cached per depth. Encoding with json's C encoder and
re-indenting its output measured slower: its per-call cost exceeds the work in the small
containers reports are made of.

The contract is byte-identity with ``json.dumps(value, indent=2, ensure_ascii=False) + "\\n"``
(tests/test_json_text.py checks it on generated values), so that switching encoders never changes
an output someone diffs, hashes or parses. Failures are json's too: ``TypeError`` for a value or
key json cannot encode, ``ValueError`` for a circular reference or an int too long to print.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from itertools import repeat
from json.encoder import encode_basestring
from typing import Any, NamedTuple, TextIO

_BATCH = 4096  # pieces joined into one chunk written to a file
_INFINITY = float("inf")


def dumps_json(value: Any) -> str:
    """The whole text at once, joined from its pieces in one go: most pieces are cached strings
    shared across the document, so their list is small next to the text, and joining chunks
    first would hold and copy the text twice."""
    chunks: list[str] = []
    _Encoder(chunks.append, batch=sys.maxsize).encode(value)
    return "".join(chunks)


def write_json(value: Any, handle: TextIO) -> None:
    """The text to an open text file in chunks of about ``_BATCH`` pieces, so that a large report
    never exists in memory as one string."""
    _Encoder(handle.write, batch=_BATCH).encode(value)


class _Strings(dict[str, str]):
    """A string's JSON text, encoded on first use: a report repeats many of its strings (the 10,000-
    file scan: 530,000 strings, 13,000 distinct). What it holds is bounded by the document's own
    distinct strings and lives for one encoding."""

    def __missing__(self, text: str) -> str:
        encoded = self[text] = encode_basestring(text)
        return encoded


class _KeyPrefixes(dict[Any, str]):
    """What comes before a dict item's value: the separator, indentation and encoded key.

    Only ``str`` keys are kept: json turns ``1``, ``1.0`` and ``True`` into different keys although
    they are equal as dict keys, so the others are converted afresh each time (reports have none).
    """

    def __init__(self, lead: str, strings: _Strings) -> None:
        super().__init__()
        self._lead = lead
        self._strings = strings

    def __missing__(self, key: Any) -> str:
        if type(key) is str:
            prefix = self[key] = f"{self._lead}{self._strings[key]}: "
            return prefix
        return f"{self._lead}{_key(key)}: "


class _Level(NamedTuple):
    """The fixed texts of the items at one depth."""

    first_keys: _KeyPrefixes  # a dict's first item
    other_keys: _KeyPrefixes  # its later ones
    first_item: dict[None, str]  # a list's first item (a list's items are read with the key None)
    other_item: dict[None, str]
    first: str  # line break and indentation
    other: str  # the same after a comma
    dict_end: str
    list_end: str


class _Encoder:
    """One document's encoding: where its chunks go, the pieces not yet written, and what is worth
    reusing within the document."""

    def __init__(self, write: Callable[[str], object], batch: int) -> None:
        self._write = write
        self._batch = batch
        self._pieces: list[str] = []
        self._strings = _Strings()
        self._levels: list[_Level] = []
        self._markers: set[int] = set()  # the containers being walked, as json's check_circular

    def encode(self, value: Any) -> None:
        """Write the whole text, the last chunk ending with the newline json.dumps callers add."""
        text = _scalar(value)
        if text is None:
            self._walk(value, 0)
            text = ""
        self._pieces.append(text + "\n")
        self._write("".join(self._pieces))

    def _level(self, depth: int) -> _Level:
        """The texts of depth ``depth``, made on first use."""
        while len(self._levels) <= depth:
            outer = "\n" + "  " * len(self._levels)
            first = outer + "  "
            self._levels.append(_Level(
                _KeyPrefixes(first, self._strings), _KeyPrefixes("," + first, self._strings),
                {None: first}, {None: "," + first}, first, "," + first, outer + "}", outer + "]",
            ))
        return self._levels[depth]

    def _walk(self, value: dict[Any, Any] | list[Any] | tuple[Any, ...], depth: int) -> None:  # long: the hot loop of every JSON report, kept in one frame (measured: splitting it costs time)
        """Append the text of a non-empty container, its items at ``depth + 1``, and write a chunk
        when enough pieces have gathered. Dicts and lists share one loop (a list's items have the
        key None and prefixes without keys); exact scalars are written inline, containers walked
        in turn. Plain recursion with a ``write`` callback rather than a generator per container:
        generators, as json has them, cost about a quarter more time."""
        marker = id(value)
        if marker in self._markers:
            raise ValueError("Circular reference detected")
        self._markers.add(marker)
        append = self._pieces.append
        strings = self._strings
        items, prefixes, later, end = self._open(value, depth)
        for key, item in items:
            append(prefixes[key])
            prefixes = later
            kind = type(item)
            if kind is str:
                append(strings[item])
            elif kind is int:
                append(int.__repr__(item))
            elif kind is bool:
                append("true" if item else "false")
            elif item is None:
                append("null")
            elif kind is list:
                self._list(item, depth + 1)
            elif kind is dict:
                if item:
                    self._walk(item, depth + 1)
                else:
                    append("{}")
            else:
                text = _scalar(item)
                if text is None:
                    self._walk(item, depth + 1)
                else:
                    append(text)
        append(end)
        self._markers.discard(marker)
        if len(self._pieces) >= self._batch:
            self._write("".join(self._pieces))
            self._pieces.clear()

    def _open(self, value: dict[Any, Any] | list[Any] | tuple[Any, ...], depth: int) -> tuple[Any, dict[Any, str], dict[Any, str], str]:
        """Append the opening bracket; the items as (key, item) pairs, the prefix of the first
        item and of the later ones, and the closing text."""
        level = self._level(depth)
        if isinstance(value, dict):
            self._pieces.append("{")
            return value.items(), level.first_keys, level.other_keys, level.dict_end
        self._pieces.append("[")
        return zip(repeat(None), value), level.first_item, level.other_item, level.list_end

    def _list(self, value: list[Any], depth: int) -> None:
        """A list at ``depth``: a list of strings only (tags, control ids) inline, without a
        lookup per item, any other walked."""
        for element in value:
            if type(element) is not str:
                self._walk(value, depth)
                return
        if not value:
            self._pieces.append("[]")
            return
        append = self._pieces.append
        strings = self._strings
        level = self._level(depth)
        lead = "[" + level.first
        for element in value:
            append(lead)
            append(strings[element])
            lead = level.other
        append(level.list_end)


def _scalar(value: Any) -> str | None:
    """The text of anything but a non-empty container (None for those), in json's order of checks
    so that subclasses encode as json encodes them."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple)):
        return None if value else "[]"
    if isinstance(value, dict):
        return None if value else "{}"
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _float(value: float) -> str:
    """json's float text (``allow_nan=True``): the repr, or JavaScript's names for nan and infinities."""
    if math.isnan(value):
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """The encoded text of a dict key: json writes a number, bool or None key as a string of the
    text it would write for that value."""
    if isinstance(key, str):
        return encode_basestring(key)
    if key is None or isinstance(key, (int, float)):
        return f'"{_scalar(key)}"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
