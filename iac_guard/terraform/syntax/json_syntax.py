"""Terraform's JSON syntax (``*.tf.json``) read into the same syntax tree as native HCL.

JSON has no block syntax, so Terraform decides from the provider schema whether ``"tags": {…}``
is a map attribute or a nested block. We have no schema: an object (or a list of objects) is kept
as both, an attribute and nested blocks, and a recognizer reads whichever its resource type means.
Strings are templates (``"${var.x}"``), as Terraform reads them. Lines come from composing the
document with PyYAML's safe composer, which reads JSON and keeps each node's position.
"""

from __future__ import annotations

from typing import Any, cast

import yaml

from .convert import parse_template_text
from .nodes import Attribute, Block, Body, Expr, Literal, ObjectExpr, TupleExpr
from .sitter_convert import parse_interpolation

#: Top-level block types whose first key level is a label (``"variable": {"name": {…}}``).
_ONE_LABEL = frozenset({"variable", "output", "module", "provider"})
_TWO_LABELS = frozenset({"resource", "data"})
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class JsonSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def parse_json_body(text: str) -> Body:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise JsonSyntaxError(f"not valid JSON ({exc.problem})", mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError:
        raise JsonSyntaxError("not valid JSON") from None
    if not isinstance(root, yaml.MappingNode):
        raise JsonSyntaxError("a .tf.json file must hold one JSON object", _line(root) if root else None)
    blocks: list[Block] = []
    attributes: dict[str, Attribute] = {}
    for key_node, value_node in root.value:
        block_type = key_node.value
        if block_type in _TWO_LABELS:
            blocks += _labelled(block_type, value_node, depth=2)
        elif block_type in _ONE_LABEL:
            blocks += _labelled(block_type, value_node, depth=1)
        elif block_type in ("locals", "terraform"):
            blocks += [Block(block_type, (), _body(item), _line(item), _end_line(item)) for item in _objects(value_node)]
    return Body(attributes, tuple(blocks))


def _labelled(block_type: str, node: yaml.Node, depth: int, labels: tuple[str, ...] = ()) -> list[Block]:
    if depth == 0:
        return [Block(block_type, labels, _body(item), _line(item), _end_line(item)) for item in _objects(node)]
    if not isinstance(node, yaml.MappingNode):
        return []
    found: list[Block] = []
    for key_node, value_node in node.value:
        found += _labelled(block_type, value_node, depth - 1, labels + (str(key_node.value),))
    return found


def _objects(node: yaml.Node) -> list[yaml.MappingNode]:
    """A block body, or a list of them (JSON's way of writing a repeated block)."""
    if isinstance(node, yaml.MappingNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [item for item in node.value if isinstance(item, yaml.MappingNode)]
    return []


def _body(node: yaml.MappingNode) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for key_node, value_node in node.value:
        name = str(key_node.value)
        if name == "//":
            continue  # a JSON comment
        if name == "dynamic":
            blocks += _labelled("dynamic", value_node, depth=1)
            continue
        attributes[name] = Attribute(name, _expr(value_node), _line(key_node), _end_line(value_node))
        blocks += [Block(name, (), _body(item), _line(item), _end_line(item)) for item in _objects(value_node)]
    return Body(attributes, tuple(blocks))


def _expr(node: yaml.Node) -> Expr:
    line = _line(node)
    if isinstance(node, yaml.MappingNode):
        items = tuple((Literal(str(k.value), _line(k)), _expr(v)) for k, v in node.value if k.value != "//")
        return ObjectExpr(items, line, tuple(_line(k) for k, _ in node.value if k.value != "//"))
    if isinstance(node, yaml.SequenceNode):
        return TupleExpr(tuple(_expr(item) for item in node.value), line)
    return _scalar(cast(yaml.ScalarNode, node))  # the composer makes only these three kinds of node


def _scalar(node: yaml.ScalarNode) -> Expr:
    line = _line(node)
    value = node.value
    if node.style in ('"', "'"):
        return parse_template_text(value, line, parse_interpolation)
    if node.tag.endswith(":null") or value == "null":
        return Literal(None, line)
    if value in ("true", "false"):
        return Literal(value == "true", line)
    try:
        number = float(value)
    except ValueError:
        return parse_template_text(value, line, parse_interpolation)
    return Literal(int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number, line)


def _line(node: Any) -> int:
    return node.start_mark.line + 1


def _end_line(node: Any) -> int:
    return node.end_mark.line + 1 - (1 if node.end_mark.column == 0 and node.end_mark.line > node.start_mark.line else 0)
