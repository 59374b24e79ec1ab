"""A small typed syntax tree for HCL, built from python-hcl2's Lark parse tree.

python-hcl2's dictionary output leaves function calls and templates as source text and drops line
numbers, so it cannot tell us what ``merge(local.tags, {owner = "x"})`` evaluates to or where an
attribute is. The Lark tree has both: this module converts it once into frozen nodes that the
evaluator walks, each carrying its line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree


@dataclass(frozen=True)
class Literal:
    value: Any
    line: int


@dataclass(frozen=True)
class Template:
    """A string with interpolations: parts are plain text or expressions."""

    parts: tuple[str | Expr, ...]
    line: int


@dataclass(frozen=True)
class TupleExpr:
    items: tuple[Expr, ...]
    line: int


@dataclass(frozen=True)
class ObjectExpr:
    items: tuple[tuple[Expr, Expr], ...]  # (key, value); a bare identifier key is a Literal
    line: int
    item_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Variable:
    """A bare name: ``var``, ``local``, ``aws_iam_role``, a for-expression variable, ``each``."""

    name: str
    line: int


@dataclass(frozen=True)
class GetAttr:
    target: Expr
    name: str
    line: int


@dataclass(frozen=True)
class Index:
    target: Expr
    key: Expr
    line: int


@dataclass(frozen=True)
class Splat:
    """``x[*].a.b`` / ``x.*.a``: apply ``steps`` (attribute names or index expressions) to each item."""

    target: Expr
    steps: tuple[str | Expr, ...]
    line: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    expand_final: bool
    line: int


@dataclass(frozen=True)
class Conditional:
    condition: Expr
    if_true: Expr
    if_false: Expr
    line: int


@dataclass(frozen=True)
class BinaryOp:
    operator: str
    left: Expr
    right: Expr
    line: int


@dataclass(frozen=True)
class UnaryOp:
    operator: str
    operand: Expr
    line: int


@dataclass(frozen=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Expr
    value: Expr
    key: Expr | None  # set for object-producing for expressions
    condition: Expr | None
    group: bool
    line: int


@dataclass(frozen=True)
class Unsupported:
    """Syntax we deliberately do not evaluate (template directives, provider functions)."""

    reason: str
    line: int
    refs: tuple[Expr, ...] = ()  # sub-expressions whose references still count for linking


@dataclass(frozen=True)
class Resolved:
    """A value resolved outside the code (a planned value from plan JSON): the evaluator knows it,
    but it was not written here, so a literal-only reading (hardcoded checks) sees it as unknown.
    ``unknown`` marks a value known only after apply; ``refs`` are the resources it comes from."""

    value: Any
    refs: frozenset[str]
    line: int
    unknown: bool = False


Expr = (
    Literal | Template | TupleExpr | ObjectExpr | Variable | GetAttr | Index | Splat | Call | Conditional
    | BinaryOp | UnaryOp | ForExpr | Unsupported | Resolved
)


@dataclass(frozen=True)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int
    end_line: int


@dataclass(frozen=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()

    def blocks_of(self, block_type: str) -> Iterator[Block]:
        return (block for block in self.blocks if block.type == block_type)


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


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
        return _unescape(text)
    return _name(tree)


def _token_text(part: Tree) -> str:
    child = part.children[0]
    return str(child) if isinstance(child, Token) else ""


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE_RE.sub(replace, text)


def convert_expr(tree: Tree | Token) -> Expr:  # noqa: C901 - one dispatch over the grammar's rules
    if isinstance(tree, Token):
        return Literal(str(tree), tree.line or 0)
    kind = tree.data
    line = _line(tree)
    if kind == "expr_term":
        inner = _trees(tree)
        return convert_expr(inner[0])
    if kind == "int_lit":
        return Literal(int(str(tree.children[0])), line)
    if kind == "float_lit":
        return Literal(float(str(tree.children[0])), line)
    if kind == "literal_value":
        return Literal({"true": True, "false": False, "null": None}[str(tree.children[0])], line)
    if kind in ("identifier", "keyword"):
        return Variable(_name(tree), line)
    if kind == "string":
        return _convert_string(tree, line)
    if kind in ("heredoc_template", "heredoc_template_trim"):
        from .templates import parse_heredoc

        return parse_heredoc(str(tree.children[0]), trim=kind.endswith("trim"), line=line)
    if kind == "template_string":
        return Unsupported("escaped template string", line)
    if kind == "tuple":
        return TupleExpr(tuple(convert_expr(c) for c in _trees(tree)), line)
    if kind == "object":
        return _convert_object(tree, line)
    if kind == "function_call":
        return _convert_call(tree, line)
    if kind == "get_attr_expr_term":
        target, attr = _trees(tree)
        return GetAttr(convert_expr(target), _name(_trees(attr)[0]), line)
    if kind == "index_expr_term":
        target, index = _trees(tree)
        return Index(convert_expr(target), _index_key(index), line)
    if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
        target, splat = _trees(tree)
        return Splat(convert_expr(target), tuple(_splat_step(s) for s in _trees(splat)), line)
    if kind == "conditional":
        condition, if_true, if_false = _trees(tree)
        return Conditional(convert_expr(condition), convert_expr(if_true), convert_expr(if_false), line)
    if kind == "binary_op":
        left, term = _trees(tree)[:2]
        operator_node, right = _trees(term)
        return BinaryOp(str(operator_node.children[0]), convert_expr(left), convert_expr(right), line)
    if kind == "unary_op":
        operator = str(tree.children[0])
        return UnaryOp(operator, convert_expr(_trees(tree)[0]), line)
    if kind in ("for_tuple_expr", "for_object_expr"):
        return _convert_for(tree, line)
    raise HclSyntaxError(f"unexpected syntax '{kind}'", line)


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
                parts.append(_unescape(text))
        elif child.data == "interpolation":
            parts.append(convert_expr(_trees(child)[0]))
        else:
            return Unsupported("template directive", line)
    if all(isinstance(p, str) for p in parts):
        return Literal("".join(parts), line)  # type: ignore[arg-type]
    return Template(tuple(parts), line)


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


def references(expr: Expr) -> frozenset[str]:
    """Addresses an expression names (``aws_iam_role.agent``, ``var.x``, ``data.t.n``, ``module.m``).

    Read from the syntax, not the value, so ``lifecycle.replace_triggered_by`` and unknown ARNs
    still link resources.
    """
    found: set[str] = set()
    _collect_references(expr, found)
    return frozenset(found)


def _collect_references(expr: Expr, found: set[str]) -> None:
    if isinstance(expr, Resolved):
        found |= expr.refs
        return
    chain = _traversal(expr)
    if chain and len(chain) > 1:
        found.add(_address_of(chain))
        below: Iterator[Expr] = _traversal_keys(expr)  # its prefixes are not addresses of their own
    else:
        below = children(expr)
    for child in below:
        _collect_references(child, found)


def _traversal_keys(expr: Expr) -> Iterator[Expr]:
    """Index expressions inside a traversal (``aws_iam_role.r[var.k].arn`` → ``var.k``)."""
    node: Expr = expr
    while isinstance(node, (GetAttr, Index, Splat)):
        if isinstance(node, Index):
            yield node.key
        elif isinstance(node, Splat):
            yield from (s for s in node.steps if not isinstance(s, str))
        node = node.target


def _traversal(expr: Expr) -> list[str] | None:
    """``aws_iam_role.agent.arn`` → [aws_iam_role, agent, arn]; None if not a plain traversal."""
    names: list[str] = []
    node: Expr = expr
    while True:
        if isinstance(node, GetAttr):
            names.append(node.name)
            node = node.target
        elif isinstance(node, (Index, Splat)):
            names.clear()  # keep only what stands left of the index: handled by the target
            node = node.target
        elif isinstance(node, Variable):
            names.append(node.name)
            return list(reversed(names))
        else:
            return None


def _address_of(chain: list[str]) -> str:
    head = chain[0]
    if head in ("var", "local", "module", "each", "count", "path", "self", "terraform") and len(chain) > 1:
        return f"{head}.{chain[1]}"
    if head == "data" and len(chain) > 2:
        return f"data.{chain[1]}.{chain[2]}"
    if len(chain) > 1:
        return f"{head}.{chain[1]}"
    return head


def children(expr: Expr) -> Iterator[Expr]:
    """The sub-expressions of a node, one level down: what every walk over the tree descends into."""
    if isinstance(expr, Template):
        yield from (p for p in expr.parts if not isinstance(p, str))
    elif isinstance(expr, TupleExpr):
        yield from expr.items
    elif isinstance(expr, ObjectExpr):
        for key, value in expr.items:
            yield key
            yield value
    elif isinstance(expr, GetAttr):
        yield expr.target
    elif isinstance(expr, Index):
        yield from (expr.target, expr.key)
    elif isinstance(expr, Splat):
        yield expr.target
        yield from (s for s in expr.steps if not isinstance(s, str))
    elif isinstance(expr, Call):
        yield from expr.args
    elif isinstance(expr, Conditional):
        yield from (expr.condition, expr.if_true, expr.if_false)
    elif isinstance(expr, BinaryOp):
        yield from (expr.left, expr.right)
    elif isinstance(expr, UnaryOp):
        yield expr.operand
    elif isinstance(expr, ForExpr):
        yield from (e for e in (expr.collection, expr.value, expr.key, expr.condition) if e is not None)
    elif isinstance(expr, Unsupported):
        yield from expr.refs
