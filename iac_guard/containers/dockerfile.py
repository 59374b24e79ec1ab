"""Reads a Dockerfile (or Containerfile) into its instructions, with lines.

Our own small reader rather than a library: what a scan needs is each instruction's text and the
exact line of each of its parts, and the rules that matter are few (BuildKit's syntax):

- a line ending in the escape character (``\\``, or the one a ``# escape=`` parser directive
  names) continues on the next; comment lines inside a continuation are dropped, as Docker does;
- a heredoc (``RUN <<EOF`` … ``EOF``, ``<<-EOF`` with indented terminator) is part of its
  instruction, however many lines it spans;
- a line whose first non-blank character is ``#`` is a comment.

The instruction's text keeps one text line per file line (a dropped comment leaves an empty line),
so a key found on the n-th line of the text is on the file line ``line + n - 1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_KEYWORD = re.compile(r"^\s*([A-Za-z]+)(?:\s+|$)")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: ARG, ENV, RUN, FROM, ...
    text: str  # the arguments, one text line per file line
    line: int  # first file line, 1-based
    end_line: int

    def line_of(self, offset: int) -> int:
        """The file line of a character offset into ``text``."""
        return self.line + self.text.count("\n", 0, offset)


def parse_dockerfile(text: str) -> list[Instruction]:
    """Every instruction of the file, in order; a file of no instruction gives none."""
    lines = text.splitlines()
    escape = _escape_character(lines)
    found = []
    index = 0
    while index < len(lines):
        match = _KEYWORD.match(lines[index])
        if match is None or lines[index].lstrip().startswith("#"):
            index += 1
            continue
        body, end = _gather(lines, index, escape)
        first = body[0][match.end():] if body else ""
        found.append(Instruction(match.group(1).upper(), "\n".join([first, *body[1:]]), index + 1, end + 1))
        index = end + 1
    return found


def _escape_character(lines: list[str]) -> str:
    """The escape character a parser directive at the top of the file names; ``\\`` by default."""
    for line in lines:
        directive = _DIRECTIVE.match(line.strip())
        if directive is None:
            break
        return directive.group(1)
    return "\\"


def _gather(lines: list[str], start: int, escape: str) -> tuple[list[str], int]:
    """The lines of the instruction starting at ``start`` (comments inside it blanked) and its last line."""
    body = [lines[start]]
    index = start
    continued = lines[start].rstrip().endswith(escape)
    while continued and index + 1 < len(lines):
        index += 1
        if lines[index].lstrip().startswith("#"):
            body.append("")  # dropped, and the instruction goes on past it
            continue
        body.append(lines[index])
        continued = lines[index].rstrip().endswith(escape)
    for strip_tabs, _, word in _HEREDOC.findall("\n".join(body)):
        while index + 1 < len(lines):
            index += 1
            body.append(lines[index])
            if (lines[index].lstrip("\t") if strip_tabs else lines[index]) == word:
                break
    return body, index
