"""JSON read with the file line of every key and string, for findings that point at a line.

Python's JSON decoder lets its string parser be replaced, so strings (keys included) come back as
:class:`Placed`, ``str`` with the offset of their opening quote: no second parser, and no guessing
from the text. Editors' JSON with comments (``.vscode/mcp.json``) is read by blanking comments and
trailing commas first, which keeps every offset.
"""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Callable
from typing import Any

#: A path of keys and list positions into a value.
PathKey = tuple[str | int, ...]

MAX_DEPTH = 64  # config files nest a handful of levels; deeper is not one


class Placed(str):
    """A string of the file and the offset of its opening quote."""

    offset: int


def decoder() -> json.JSONDecoder:
    """A decoder whose strings are :class:`Placed`."""
    made = json.JSONDecoder()
    plain: Callable[[str, int, bool], tuple[str, int]] = vars(json.decoder)["scanstring"]  # not in the type stubs

    def placed(s: str, end: int, strict: bool = True) -> tuple[str, int]:
        value, after = plain(s, end, strict)
        result = Placed(value)
        result.offset = end - 1
        return result, after

    made.parse_string = placed  # type: ignore[attr-defined]  # the pure scanner reads it
    made.scan_once = json.scanner.py_make_scanner(made)  # type: ignore[attr-defined]
    return made


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


#: A string (kept as it is), or a ``//`` or ``/* */`` comment.
_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
#: A string (kept), or a comma before a closing bracket.
_TRAILING_COMMA = re.compile(r'"(?:[^"\\]|\\.)*"|,(?=\s*[}\]])')
#: A string, and the colon that makes the string before it an object key.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_COLON = re.compile(r"\s*:")


def without_comments(text: str) -> str:
    """JSON with comments (JSONC) as JSON: comments, then trailing commas, become spaces, so every
    string keeps its offset and line."""
    def blank(match: re.Match[str]) -> str:
        found = match.group(0)
        return found if found.startswith('"') else re.sub(r"[^\n]", " ", found)

    return _TRAILING_COMMA.sub(blank, _COMMENT.sub(blank, text))


def load_with_lines(text: str) -> tuple[Any, dict[PathKey, int]]:
    """The value of a JSON text and the line of each key's path (``("servers", "github", "env")``).
    Raises ValueError for text that is not JSON, or nests deeper than MAX_DEPTH.

    The decoder places values but not keys (it reads keys with its own string parser), so keys
    are placed from the text: an object's keys come in the same order as a walk of the value
    visits them. A file with a repeated key (the value keeps one) has only its values placed."""
    try:
        value = decoder().decode(text)
    except RecursionError as exc:
        raise ValueError("nesting is too deep") from exc
    keys = [match.start() for match in _STRING.finditer(text) if _COLON.match(text, match.end())]
    walked: list[PathKey] = []
    lines: dict[PathKey, int] = {}
    _collect(value, (), text, lines, walked)
    if len(walked) == len(keys):
        lines.update((path, line_at(text, offset)) for path, offset in zip(walked, keys, strict=True))
    return value, lines


def _collect(value: Any, path: PathKey, text: str, lines: dict[PathKey, int], walked: list[PathKey]) -> None:
    """Lines of the placed values under ``value``, and every key path in walk order."""
    if len(path) > MAX_DEPTH:
        raise ValueError("nesting is too deep")
    if isinstance(value, dict):
        for key, item in value.items():
            here = path + (str(key),)
            walked.append(here)
            if isinstance(item, Placed):
                lines[here] = line_at(text, item.offset)
            _collect(item, here, text, lines, walked)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            here = path + (position,)
            if isinstance(item, Placed):
                lines[here] = line_at(text, item.offset)
            _collect(item, here, text, lines, walked)
