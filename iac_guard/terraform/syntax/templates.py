"""Heredoc templates: python-hcl2 hands them over as one raw token, interpolations included.

IAM policies are often written as heredoc JSON with ``${aws_s3_bucket.x.arn}`` inside, so the body
is split into text and ``${...}`` expressions here, each expression parsed with the same grammar.
"""

from __future__ import annotations

import textwrap

from .nodes import Expr, Literal, Template, Unsupported


def parse_heredoc(token: str, trim: bool, line: int) -> Expr:
    lines = token.replace("\r\n", "\n").split("\n")
    # First line is the <<MARKER opener, the last two are the closing marker and the empty tail.
    body_lines = lines[1:-2] if token.endswith("\n") else lines[1:-1]
    body = "\n".join(body_lines)
    if trim:
        body = textwrap.dedent(body)
    if body_lines:
        body += "\n"
    return parse_template_text(body, line)


def parse_template_text(text: str, line: int) -> Expr:
    """Split template text into literal parts and parsed ``${...}`` expressions.

    Template directives (``%{ if }``, ``%{ for }``) are not evaluated: such a template is unknown.
    """
    if "%{" in text.replace("%%{", ""):
        return Unsupported("template directive", line)
    parts: list[str | Expr] = []
    position = 0
    buffer: list[str] = []
    while position < len(text):
        if text.startswith("$${", position) or text.startswith("%%{", position):
            buffer.append(text[position + 1 : position + 3])  # escaped: the literal ${ or %{
            position += 3
            continue
        if text.startswith("${", position):
            end = _matching_brace(text, position + 2)
            if end < 0:
                return Unsupported("unterminated interpolation", line)
            if buffer:
                parts.append("".join(buffer))
                buffer = []
            inner_line = line + text.count("\n", 0, position) + 1
            parts.append(_parse_expression(text[position + 2 : end], inner_line))
            position = end + 1
            continue
        buffer.append(text[position])
        position += 1
    if buffer:
        parts.append("".join(buffer))
    if all(isinstance(p, str) for p in parts):
        return Literal("".join(parts), line)  # type: ignore[arg-type]
    return Template(tuple(parts), line)


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


def _parse_expression(source: str, line: int) -> Expr:
    from lark.exceptions import LarkError

    from .nodes import convert_body
    from .parse import parse_tree

    try:
        body = convert_body(parse_tree(f"__interpolation = {source.strip()}\n").children[0])
    except (LarkError, RecursionError, ValueError):
        return Unsupported("interpolation that does not parse", line)
    return _relocate(body.attributes["__interpolation"].expr, line)


def _relocate(expr: Expr, line: int) -> Expr:
    """Expressions parsed out of a heredoc report the heredoc's line, not line 1."""
    import dataclasses

    return dataclasses.replace(expr, line=line)
