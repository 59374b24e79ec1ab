"""Parses one Terraform file into our syntax tree, turning every parser failure into a ScanError.

tree-sitter reads a ``.tf`` file when its wheels are installed (sitter.py, sitter_convert.py); a
file it cannot read exactly as python-hcl2's Lark grammar would, every broken file among them, is
parsed by Lark, so the nodes and the error messages are Lark's either way. Parser messages are rebuilt from token *types* only, in plain words (parse_messages.py): Lark's
own messages quote the offending token, and on a line that holds a secret that token is the secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lark.exceptions import LarkError, UnexpectedInput

from ...model import ScanError
from ...support.files import DEFAULT_MAX_FILE_BYTES, UTF16_MESSAGE, read_input, utf16_bom
from .convert import convert_body
from .grammar import MAX_NESTING, NestingTooDeep, parse_tree
from .json_syntax import JsonSyntaxError, parse_json_body
from .nodes import Attribute, Block, Body, Expr, HclSyntaxError, children
from .parse_messages import describe
from .sitter_convert import sitter_body


@dataclass(frozen=True)
class TerraformFile:
    path: str  # relative to the scanned root, forward slashes
    body: Body


def parse_text(text: str, rel_path: str) -> TerraformFile | ScanError:
    body = sitter_body(text)
    if body is not None:
        return _bounded(TerraformFile(rel_path, body))
    return lark_parse_text(text, rel_path)


def lark_parse_text(text: str, rel_path: str) -> TerraformFile | ScanError:
    """The file as python-hcl2's Lark grammar reads it, or the error in plain words."""
    try:
        return _bounded(TerraformFile(rel_path, convert_body(parse_tree(text).children[0])))
    except UnexpectedInput as exc:
        return ScanError(rel_path, describe(exc), getattr(exc, "line", None), getattr(exc, "column", None))
    except HclSyntaxError as exc:
        return ScanError(rel_path, str(exc), exc.line)
    except NestingTooDeep as exc:
        return ScanError(rel_path, f"nesting deeper than {MAX_NESTING} levels", exc.line, exc.column)
    except RecursionError:
        return ScanError(rel_path, "nesting is too deep to parse")
    except LarkError as exc:
        return ScanError(rel_path, f"cannot parse the file ({type(exc).__name__})")


def parse_file(path: Path, rel_path: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> TerraformFile | ScanError:
    data = read_input(path, rel_path, max_bytes)
    return data if isinstance(data, ScanError) else parse_source(data, rel_path)


def parse_source(data: bytes, rel_path: str) -> TerraformFile | ScanError:
    """A file's bytes (``.tf``, ``.tf.json`` by its name, ``.tfvars``) as read from disk."""
    if utf16_bom(data):
        return ScanError(rel_path, UTF16_MESSAGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ScanError(rel_path, f"not UTF-8 text (invalid byte at offset {exc.start})")
    if "\x00" in text:
        return ScanError(rel_path, "binary content (NUL byte): not a Terraform file")
    if rel_path.endswith(".json"):
        return parse_json_text(text, rel_path)
    return parse_text(text, rel_path)


def parse_json_text(text: str, rel_path: str) -> TerraformFile | ScanError:
    """A ``.tf.json`` file, in Terraform's JSON syntax."""
    try:
        return _bounded(TerraformFile(rel_path, parse_json_body(text)))
    except JsonSyntaxError as exc:
        return ScanError(rel_path, str(exc), exc.line, exc.column)
    except RecursionError:
        return ScanError(rel_path, "nesting is too deep to parse")


def _bounded(parsed: TerraformFile) -> TerraformFile | ScanError:
    """The file, or an error at the first node nested deeper than MAX_NESTING (walked without
    recursion, so the check itself cannot overflow)."""
    stack: list[tuple[Body | Block | Attribute | Expr, int]] = [(parsed.body, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return ScanError(parsed.path, f"nesting deeper than {MAX_NESTING} levels", getattr(node, "line", None) or None)
        if isinstance(node, Body):
            stack.extend((attribute, depth + 1) for attribute in node.attributes.values())
            stack.extend((block, depth + 1) for block in node.blocks)
        elif isinstance(node, Block):
            stack.append((node.body, depth))
        elif isinstance(node, Attribute):
            stack.append((node.expr, depth))
        else:
            stack.extend((child, depth + 1) for child in children(node))
    return parsed
