"""Heredoc and JSON-string templates: python-hcl2 hands a heredoc over as one raw token,
interpolations included, and Terraform's JSON syntax writes every string as a template.

IAM policies are often written as heredoc JSON with ``${aws_s3_bucket.x.arn}`` inside, so the text
is split here into literal text and the source of each ``${...}`` interpolation; convert.py parses
those with the same grammar (this module only reads text, so it needs no parser).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from .nodes import Unsupported


@dataclass(frozen=True)
class Interpolation:
    """The source text inside one ``${...}``, and the line it starts on."""

    source: str
    line: int


def heredoc_text(token: str, trim: bool) -> str:
    """The template text of a heredoc token, without its markers (dedented for ``<<-``)."""
    lines = token.replace("\r\n", "\n").split("\n")
    # First line is the <<MARKER opener, the last two are the closing marker and the empty tail.
    body_lines = lines[1:-2] if token.endswith("\n") else lines[1:-1]
    body = "\n".join(body_lines)
    if trim:
        body = textwrap.dedent(body)
    if body_lines:
        body += "\n"
    return body


def split_template(text: str, line: int) -> list[str | Interpolation] | Unsupported:
    """Template text as literal parts and interpolations, escapes (``$${``, ``%%{``) resolved.

    Template directives (``%{ if }``, ``%{ for }``) are not evaluated: such a template is unsupported.
    """
    if "%{" in text.replace("%%{", ""):
        return Unsupported("template directive", line)
    parts: list[str | Interpolation] = []
    position = 0
    buffer: list[str] = []
    while (found := _SPECIAL.search(text, position)) is not None:
        buffer.append(text[position : found.start()])
        if found.group() != "${":
            buffer.append(found.group()[1:])  # escaped: the literal ${ or %{
            position = found.end()
            continue
        end = _matching_brace(text, found.end())
        if end < 0:
            return Unsupported("unterminated interpolation", line)
        if "".join(buffer):
            parts.append("".join(buffer))
        buffer = []
        parts.append(Interpolation(text[found.end() : end], line + text.count("\n", 0, found.start()) + 1))
        position = end + 1
    if text[position:] or "".join(buffer):
        parts.append("".join(buffer) + text[position:])
    return parts


#: What ends a run of literal text, first match first: an escape, or an interpolation's start.
_SPECIAL = re.compile(r"\$\$\{|%%\{|\$\{")


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    in_string = False
    index = start
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return -1
