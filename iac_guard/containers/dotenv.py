"""Reads a ``.env`` file into its assignments, with lines.

The format is the one Compose and python-dotenv share: ``KEY=value`` per line, an optional
``export`` before the name, ``#`` comments (a ``#`` after a space in an unquoted value starts
one), single-quoted values taken as written and double-quoted ones with ``\\"`` escapes. A quoted
value may span lines; it is recorded at the line where it starts. Lines that are no assignment
are skipped: the file is read for its keys, not validated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")
#: Names that hold placeholders by convention, never values: committed as documentation.
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


@dataclass(frozen=True)
class Assignment:
    name: str
    value: str
    line: int


def is_dotenv_name(name: str) -> bool:
    """``.env`` and ``.env.<stage>`` (``.env.production``), not the templates beside them."""
    return name == ".env" or (name.startswith(".env.") and not name.endswith(TEMPLATE_SUFFIXES))


def parse_dotenv(text: str) -> list[Assignment]:
    lines = text.splitlines()
    found = []
    index = 0
    while index < len(lines):
        match = _ASSIGNMENT.match(lines[index])
        if match is None:
            index += 1
            continue
        value, last = _value(match.group(2), lines, index)
        found.append(Assignment(match.group(1), value, index + 1))
        index = last + 1
    return found


def _value(raw: str, lines: list[str], index: int) -> tuple[str, int]:
    """The value starting with ``raw`` on line ``index`` and the line it ends on."""
    quote = raw[:1]
    if quote not in ("'", '"'):
        return re.split(r"\s+#", raw, maxsplit=1)[0].strip(), index
    text, last = raw[1:], index
    while _closing(text, quote) < 0 and last + 1 < len(lines):
        last += 1
        text += "\n" + lines[last]
    end = _closing(text, quote)
    value = text if end < 0 else text[:end]
    return (value.replace('\\"', '"') if quote == '"' else value), last


def _closing(text: str, quote: str) -> int:
    """Offset of the quote that closes the value, or -1."""
    escaped = False
    for offset, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and quote == '"':
            escaped = True
        elif char == quote:
            return offset
    return -1
