"""Parses one Terraform file into our syntax tree, turning every parser failure into a ScanError.

Parser messages are rebuilt from token *types* only: Lark's own messages quote the offending token,
and on a line that holds a secret that token is the secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lark import Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..model import ScanError
from .hcl_ast import Body, HclSyntaxError, convert_body


@dataclass(frozen=True)
class TerraformFile:
    path: str  # relative to the scanned root, forward slashes
    body: Body


def parse_tree(text: str) -> Tree:
    from hcl2.parser import parser

    return parser().parse(text + "\n")


def parse_text(text: str, rel_path: str) -> TerraformFile | ScanError:
    try:
        return TerraformFile(rel_path, convert_body(parse_tree(text).children[0]))
    except UnexpectedInput as exc:
        return ScanError(rel_path, _describe(exc), getattr(exc, "line", None), getattr(exc, "column", None))
    except HclSyntaxError as exc:
        return ScanError(rel_path, str(exc), exc.line)
    except RecursionError:
        return ScanError(rel_path, "nesting is too deep to parse")
    except LarkError as exc:
        return ScanError(rel_path, f"cannot parse the file ({type(exc).__name__})")


def parse_file(path: Path, rel_path: str) -> TerraformFile | ScanError:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return ScanError(rel_path, f"not UTF-8 text (invalid byte at offset {exc.start})")
    except OSError as exc:
        return ScanError(rel_path, f"cannot read the file ({exc.strerror or type(exc).__name__})")
    if "\x00" in text:
        return ScanError(rel_path, "binary content (NUL byte): not a Terraform file")
    if rel_path.endswith(".json"):
        return parse_json_text(text, rel_path)
    return parse_text(text, rel_path)


def parse_json_text(text: str, rel_path: str) -> TerraformFile | ScanError:
    """A ``.tf.json`` file, in Terraform's JSON syntax."""
    from .json_syntax import JsonSyntaxError, parse_json_body

    try:
        return TerraformFile(rel_path, parse_json_body(text))
    except JsonSyntaxError as exc:
        return ScanError(rel_path, str(exc), exc.line, exc.column)
    except RecursionError:
        return ScanError(rel_path, "nesting is too deep to parse")


def _describe(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedEOF):
        return "unexpected end of file (an unclosed block, string or bracket?)"
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            return "unexpected end of file (an unclosed block, string or bracket?)"
        expected = sorted(exc.accepts or exc.expected)
        hint = f"; expected {' or '.join(expected)}" if 0 < len(expected) <= 3 else ""
        return f"unexpected {exc.token.type}{hint}"
    if isinstance(exc, UnexpectedCharacters):
        return "unexpected character"
    return "syntax error"
