"""Reads a Jupyter notebook (``.ipynb``) into its cells' texts, each with its file line.

A notebook is JSON, and a key pasted into a cell or printed into an output is one string among
thousands; to say where it is, every string is read with its offset in the file
(``support.placed_json``). ``nbformat`` was not used: it validates against the notebook schema
and reads through the same ``json`` without positions.

Of a cell, the source lines and the text of its outputs (stream text, ``text/*`` and JSON data,
tracebacks) are kept; images and other binary data are not text and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model import ScanError
from ..support.placed_json import Placed, decoder, line_at

MAX_DEPTH = 64  # a notebook nests a handful of levels; deeper is not one


@dataclass(frozen=True)
class CellText:
    """One string of a cell: a source line, or a piece of an output's text."""

    cell: int  # 0-based index among the notebook's cells
    part: str  # "source" or "outputs[2]"
    text: str
    line: int  # file line of the string


def parse_notebook(text: str, rel: str) -> list[CellText] | ScanError:
    """The texts of every code and markdown cell, in order; an error for JSON that is no notebook."""
    try:
        value = decoder().decode(text)
    except (ValueError, RecursionError):
        return ScanError(rel, "not a valid notebook: the JSON does not parse")
    cells = value.get("cells") if isinstance(value, dict) else None
    if not isinstance(cells, list):
        return ScanError(rel, "not a notebook: no cells list")
    return [
        CellText(index, part, piece, line_at(text, piece.offset))
        for index, cell in enumerate(cells) if isinstance(cell, dict)
        for part, piece in _cell_strings(cell)
    ]


def _cell_strings(cell: dict[str, Any]) -> Iterator[tuple[str, Placed]]:
    yield from (("source", s) for s in _strings(cell.get("source"), 0, skip_binary=False))
    outputs = cell.get("outputs")
    for position, output in enumerate(outputs if isinstance(outputs, list) else []):
        if isinstance(output, dict):
            for key in ("text", "data", "traceback", "evalue"):
                yield from ((f"outputs[{position}]", s) for s in _strings(output.get(key), 0, skip_binary=True))


def _strings(value: Any, depth: int, skip_binary: bool) -> Iterator[Placed]:
    """The strings inside ``value``; under ``data``, only the text MIME types."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, Placed):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1, skip_binary)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not (skip_binary and "/" in key and not _is_text_type(key)):
                yield from _strings(item, depth + 1, skip_binary)


def _is_text_type(mime: str) -> bool:
    return mime.startswith("text/") or mime.endswith("json") or mime == "application/javascript"
