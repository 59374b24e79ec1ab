"""A small typed syntax tree for HCL: frozen nodes, each carrying its line.

python-hcl2's dictionary output leaves function calls and templates as source text and drops line
numbers, so it cannot tell us what ``merge(local.tags, {owner = "x"})`` evaluates to or where an
attribute is. The Lark tree has both; convert.py turns it once into these nodes, which the
evaluator walks and the parse cache stores (every dataclass here is an allowed cache record).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


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


def written_key(key: Expr) -> str | None:
    """An object key written as a name or a plain string (``kind``, ``"kind"``); None for a key
    computed by an expression."""
    if isinstance(key, Literal) and isinstance(key.value, str):
        return key.value
    if isinstance(key, Template) and len(key.parts) == 1 and isinstance(key.parts[0], str):
        return key.parts[0]
    return None


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
