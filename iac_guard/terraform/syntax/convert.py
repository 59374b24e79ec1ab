"""Converts python-hcl2's Lark parse tree into our syntax tree (nodes.py), once per file.

Lines are read from each node's first token (the parser does not propagate positions, see
grammar.py). Interpolations inside heredocs and JSON strings are parsed here with the same grammar:
templates.py only splits their text.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable

from lark import Token, Tree
from lark.exceptions import LarkError

from .grammar import parse_tree
from .nodes import (
    Attribute,
    BinaryOp,
    Block,
    Body,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    HclSyntaxError,
    Index,
    Literal,
    ObjectExpr,
    Splat,
    Template,
    TupleExpr,
    UnaryOp,
    Unsupported,
    Variable,
)
from .templates import Interpolation, heredoc_text, split_template


def _line(node: Tree | Token, default: int = 0) -> int:
    """The line of the node's first token: what Lark's ``propagate_positions`` would record as
    ``meta.line``, read on demand because the parser is built without it (see grammar.py)."""
    token = _first_token(node)
    return (token.line or default) if token is not None else default


def _first_token(node: Tree | Token) -> Token | None:
    if isinstance(node, Token):
        return node
    for child in node.children:
        token = _first_token(child)
        if token is not None:
            return token
    return None


def _end_line(node: Tree, default: int) -> int:
    """The line of the last token that belongs to the node.

    Lark's own end_line counts trailing newline tokens (and a heredoc token's final newline), so
    it runs one line into whatever follows.
    """
    for child in reversed(node.children):
        if isinstance(child, Tree):
            if child.data == "new_line_or_comment":
                continue
            return _end_line(child, default)
        if child.type == "NL_OR_COMMENT":
            continue
        end = child.end_line or default
        return end - 1 if str(child).endswith("\n") and end > (child.line or 0) else end
    return default


def _trees(node: Tree) -> list[Tree]:
    """Children that matter: drops punctuation tokens and newline/comment runs."""
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def convert_body(tree: Tree) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in _trees(tree):
        if child.data == "attribute":
            name_node, expr_node = _trees(child)[0], _trees(child)[-1]
            name = _name(name_node)
            line = _line(child)
            attributes[name] = Attribute(name, convert_expr(expr_node), line, _end_line(child, line))
        elif child.data == "block":
            blocks.append(_convert_block(child))
    return Body(attributes, tuple(blocks))


def _convert_block(tree: Tree) -> Block:
    parts = _trees(tree)
    body_tree = parts[-1]
    type_name = _name(parts[0])
    labels = tuple(_label(p) for p in parts[1:-1])
    line = _line(tree)
    return Block(type_name, labels, convert_body(body_tree), line, _end_line(tree, line))


def _name(tree: Tree) -> str:
    token = tree.children[0]
    return sys.intern(str(token))  # names repeat in every file: one shared string each


def _label(tree: Tree) -> str:
    if tree.data == "string":
        text = "".join(str(_token_text(p)) for p in _trees(tree))
        return unescape(text)
    return _name(tree)


def _token_text(part: Tree) -> str:
    child = part.children[0]
    return str(child) if isinstance(child, Token) else ""


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE_RE.sub(replace, text)


def convert_expr(tree: Tree | Token) -> Expr:
    """One expression of the Lark tree as a node; a rule we do not know is a syntax error."""
    if isinstance(tree, Token):
        return Literal(str(tree), tree.line or 0)
    convert = _RULES.get(tree.data)
    if convert is None:
        raise HclSyntaxError(f"unexpected syntax '{tree.data}'", _line(tree))
    return convert(tree, _line(tree))


def _literal_value(tree: Tree, line: int) -> Expr:
    return Literal({"true": True, "false": False, "null": None}[str(tree.children[0])], line)


def _heredoc(tree: Tree, line: int) -> Expr:
    return parse_template_text(heredoc_text(str(tree.children[0]), trim=tree.data.endswith("trim")), line)


def _get_attr(tree: Tree, line: int) -> Expr:
    target, attr = _trees(tree)
    return GetAttr(convert_expr(target), _name(_trees(attr)[0]), line)


def _index(tree: Tree, line: int) -> Expr:
    target, index = _trees(tree)
    return Index(convert_expr(target), _index_key(index), line)


def _splat(tree: Tree, line: int) -> Expr:
    target, splat = _trees(tree)
    return Splat(convert_expr(target), tuple(_splat_step(s) for s in _trees(splat)), line)


def _conditional(tree: Tree, line: int) -> Expr:
    condition, if_true, if_false = _trees(tree)
    return Conditional(convert_expr(condition), convert_expr(if_true), convert_expr(if_false), line)


def _binary_op(tree: Tree, line: int) -> Expr:
    left, term = _trees(tree)[:2]
    operator_node, right = _trees(term)
    return BinaryOp(str(operator_node.children[0]), convert_expr(left), convert_expr(right), line)


def _unary_op(tree: Tree, line: int) -> Expr:
    return UnaryOp(str(tree.children[0]), convert_expr(_trees(tree)[0]), line)


def _convert_string(tree: Tree, line: int) -> Expr:
    parts: list[str | Expr] = []
    for part in _trees(tree):
        child = part.children[0]
        if isinstance(child, Token):
            text = str(child)
            if child.type == "ESCAPED_INTERPOLATION":
                parts.append(text[1:])  # $${x} is the literal text ${x}
            elif child.type == "ESCAPED_DIRECTIVE":
                parts.append(text[1:])
            else:
                parts.append(unescape(text))
        elif child.data == "interpolation":
            parts.append(convert_expr(_trees(child)[0]))
        else:
            return Unsupported("template directive", line)
    return template(parts, line)


def _convert_object(tree: Tree, line: int) -> ObjectExpr:
    items = []
    lines = []
    for elem in _trees(tree):
        key_node, value_node = _trees(elem)
        key_tree = _trees(key_node)[0]
        items.append((_object_key(key_tree), convert_expr(value_node)))
        lines.append(_line(elem, line))
    return ObjectExpr(tuple(items), line, tuple(lines))


def _object_key(tree: Tree) -> Expr:
    """A bare identifier key is its own name, as in Terraform; anything else is evaluated."""
    if tree.data == "keyword":
        return Literal(_name(tree), _line(tree))
    if tree.data == "expr_term":
        inner = _trees(tree)
        if len(inner) == 1 and inner[0].data == "identifier" and len(tree.children) == 1:
            return Literal(_name(inner[0]), _line(tree))
    return convert_expr(tree)


def _convert_call(tree: Tree, line: int) -> Expr:
    identifiers = [c for c in _trees(tree) if c.data == "identifier"]
    arguments = [c for c in _trees(tree) if c.data == "arguments"]
    args: tuple[Expr, ...] = ()
    expand_final = False
    if arguments:
        args = tuple(convert_expr(c) for c in _trees(arguments[0]))
        expand_final = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments[0].children)
    if len(identifiers) > 1:
        return Unsupported("provider-defined function", line, args)
    return Call(_name(identifiers[0]), args, expand_final, line)


def _index_key(index: Tree) -> Expr:
    if index.data == "short_index":
        token = [c for c in index.children if isinstance(c, Token) and c.type == "INT_LITERAL"][0]
        return Literal(int(str(token)), _line(index))
    return convert_expr(_trees(index)[0])


def _splat_step(step: Tree) -> str | Expr:
    if step.data == "get_attr":
        return _name(_trees(step)[0])
    return _index_key(step)


def _convert_for(tree: Tree, line: int) -> ForExpr:
    parts = _trees(tree)
    intro = parts[0]
    intro_parts = _trees(intro)
    names = [_name(p) for p in intro_parts if p.data == "identifier"]
    collection = convert_expr(intro_parts[-1])
    rest = parts[1:]
    condition = None
    if rest and rest[-1].data == "for_cond":
        condition = convert_expr(_trees(rest[-1])[0])
        rest = rest[:-1]
    key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
    group = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in tree.children)
    if tree.data == "for_object_expr":
        key_expr, value_expr = rest
        return ForExpr(key_var, value_var, collection, convert_expr(value_expr), convert_expr(key_expr), condition, group, line)
    return ForExpr(key_var, value_var, collection, convert_expr(rest[0]), None, condition, False, line)


#: The conversion of each expression rule of python-hcl2's grammar.
_RULES: dict[str, Callable[[Tree, int], Expr]] = {
    "expr_term": lambda tree, line: convert_expr(_trees(tree)[0]),
    "int_lit": lambda tree, line: Literal(int(str(tree.children[0])), line),
    "float_lit": lambda tree, line: Literal(float(str(tree.children[0])), line),
    "literal_value": _literal_value,
    "identifier": lambda tree, line: Variable(_name(tree), line),
    "keyword": lambda tree, line: Variable(_name(tree), line),
    "string": _convert_string,
    "heredoc_template": _heredoc,
    "heredoc_template_trim": _heredoc,
    "template_string": lambda tree, line: Unsupported("escaped template string", line),
    "tuple": lambda tree, line: TupleExpr(tuple(convert_expr(c) for c in _trees(tree)), line),
    "object": _convert_object,
    "function_call": _convert_call,
    "get_attr_expr_term": _get_attr,
    "index_expr_term": _index,
    "attr_splat_expr_term": _splat,
    "full_splat_expr_term": _splat,
    "conditional": _conditional,
    "binary_op": _binary_op,
    "unary_op": _unary_op,
    "for_tuple_expr": _convert_for,
    "for_object_expr": _convert_for,
}


def parse_template_text(text: str, line: int, interpolate: Callable[[Interpolation], Expr] | None = None) -> Expr:
    """Template text (a heredoc's, a JSON string's, a ``templatefile``'s) as a literal or a template
    of text and parsed interpolations; ``interpolate`` parses one interpolation (by default with
    the Lark grammar; the tree-sitter path passes its own, so a heredoc needs no Lark parser)."""
    parts = split_template(text, line)
    if isinstance(parts, Unsupported):
        return parts
    parse = interpolate or lark_interpolation
    return template([p if isinstance(p, str) else parse(p) for p in parts], line)


def template(parts: list[str | Expr], line: int) -> Expr:
    if all(isinstance(p, str) for p in parts):
        return Literal("".join(p for p in parts if isinstance(p, str)), line)
    return Template(tuple(parts), line)


def lark_interpolation(interpolation: Interpolation) -> Expr:
    """An interpolation's expression, reporting the line it was written on (not line 1 of its own parse)."""
    try:
        body = convert_body(parse_tree(f"__interpolation = {interpolation.source.strip()}\n").children[0])
    except (LarkError, RecursionError, ValueError):
        return Unsupported("interpolation that does not parse", interpolation.line)
    return dataclasses.replace(body.attributes["__interpolation"].expr, line=interpolation.line)
