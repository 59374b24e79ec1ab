"""tree-sitter's HCL tree as our syntax nodes: node for node, line for line, what convert.py builds
from python-hcl2's Lark tree (tests/test_sitter_parse.py holds the two equal over every fixture
and a generated corpus).

The grammars read a few things differently; where they do, Lark's reading is built, because it
is what every finding was judged on:

- a ``-`` written against a number is part of it (``-1`` is the number -1, not a negation), as
  Lark's lexer takes it;
- ``a ? b : c ? d : e`` nests to the right, ``a ? b : (c ? d : e)`` (tree-sitter nests it left);
- a quoted string's text is split where Lark's lexer splits it (at ``$${…}`` and ``%%{…}``),
  which shows in a template's parts;
- a heredoc is read from its source text as convert.py reads Lark's heredoc token, and its
  interpolations are parsed (by tree-sitter) the way convert.py parses them.

What this module cannot build exactly as Lark would raises ``NotLikeLark``, and parse.py hands the
file to Lark: any tree-sitter error (so Lark words every parse error), a line break where Lark's
grammar allows none, strip markers, numbers Lark does not know (``0x1F``, ``1e3``), names outside
Lark's ASCII ones, and nesting deep enough that Lark's own bound might apply.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from typing import Any

from .convert import lark_interpolation, parse_template_text, template, unescape
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
    Index,
    Literal,
    ObjectExpr,
    Splat,
    TupleExpr,
    UnaryOp,
    Unsupported,
    Variable,
)
from .sitter import sitter_parse
from .templates import Interpolation, heredoc_text

#: Converted nesting (blocks and expressions) past which a file goes to Lark. Every bracket Lark's
#: post-lexer counts adds at least one level here, so below this Lark's MAX_NESTING (64) cannot
#: apply, and above it Lark decides, with its own line and column.
_MAX_DEPTH = 40
#: Openers in a template directive's text (not descended into) past which the file goes to Lark.
_MAX_DIRECTIVE_OPENERS = 16

_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_INT = re.compile(r"[0-9]+")
_FLOAT = re.compile(r"[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?")
#: Lark's ESCAPED_INTERPOLATION and ESCAPED_DIRECTIVE tokens; the text between them is STRING_CHARS.
_ESCAPED = re.compile(r"\$\$\{[^}]*\}|%%\{[^}]*\}")
_LITERALS = {"true": True, "false": False, "null": None}


class NotLikeLark(Exception):
    """tree-sitter's tree is not one Lark's grammar would turn into the same nodes."""


def sitter_body(text: str) -> Body | None:
    """The file's body as tree-sitter reads it, or None: tree-sitter is not in use, or the file is
    one Lark must read (see the module docstring)."""
    try:
        source = text.encode("utf-8") + b"\n"  # like Lark's, the text always ends in a line break
    except UnicodeEncodeError:  # lone surrogates from a command-line value
        return None
    tree = sitter_parse(source)
    if tree is None:
        return None
    try:
        return convert_tree(tree.root_node, source)
    except NotLikeLark:
        return None


def convert_tree(root: Any, source: bytes) -> Body:
    """The body of tree-sitter's ``config_file`` root, or NotLikeLark."""
    if root.has_error:
        raise NotLikeLark
    named = [child for child in root.named_children if child.type != "comment"]
    if not named:
        return Body()
    if len(named) != 1 or named[0].type != "body":
        raise NotLikeLark  # a bare object (tree-sitter reads JSON-like .tfvars): Lark refuses it
    return _Converter(source).body(named[0], 0)


def _row(node: Any) -> int:
    return int(node.start_point[0]) + 1


def _end_row(node: Any) -> int:
    """The line of the node's last character (a node ending just after a line break ends above)."""
    row, column = node.end_point
    return int(row) + (0 if column == 0 and row > node.start_point[0] else 1)


def _same_line(before: Any, after: Any) -> None:
    """Lark's grammar allows no line break between these two: tree-sitter does."""
    if after.start_point[0] != before.end_point[0]:
        raise NotLikeLark


def _parts(node: Any) -> list[Any]:
    return [child for child in node.children if child.type != "comment"]


class _Converter:
    """One file's conversion; ``source`` is the bytes tree-sitter parsed (its offsets index them)."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def text(self, node: Any) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8")

    def name(self, node: Any) -> str:
        text = self.text(node)
        _check_name(text)
        return sys.intern(text)  # names repeat in every file: one shared string each

    def body(self, node: Any, depth: int) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for child in node.named_children:
            if child.type == "attribute":
                attribute = self.attribute(child, depth)
                attributes[attribute.name] = attribute
            elif child.type == "block":
                blocks.append(self.block(child, depth + 1))
            elif child.type != "comment":
                raise NotLikeLark
        return Body(attributes, tuple(blocks))

    def attribute(self, node: Any, depth: int) -> Attribute:
        parts = node.children
        if len(parts) != 3:
            raise NotLikeLark  # a comment inside: Lark allows none between name, '=' and value
        name, equals, value = parts
        _same_line(name, equals)
        _same_line(equals, value)
        return Attribute(self.name(name), self.expression(value, depth + 1), _row(node), _end_row(node))

    def block(self, node: Any, depth: int) -> Block:
        if depth > _MAX_DEPTH:
            raise NotLikeLark
        parts = _parts(node)
        labels: list[str] = []
        body = Body()
        for part in parts[1:]:
            if part.type == "identifier":
                labels.append(self.name(part))
            elif part.type == "string_lit":
                labels.append(self.label(part))
            elif part.type == "body":
                body = self.body(part, depth)
            if part.type in ("identifier", "string_lit"):
                _same_line(parts[0], part)
        return Block(self.name(parts[0]), tuple(labels), body, _row(node), _end_row(node))

    def label(self, node: Any) -> str:
        """A quoted label's text, unescaped as convert.py does; one holding ``${`` or ``%{`` is a
        template to Lark (tree-sitter may take it as text)."""
        children = node.children
        text = self.source[children[0].end_byte : children[-1].start_byte].decode("utf-8")
        self.string_chars(_ESCAPED.sub("", text))
        return unescape(text)

    def expression(self, node: Any, depth: int) -> Expr:
        if depth > _MAX_DEPTH:
            raise NotLikeLark
        parts = _parts(node)
        if len(parts) == 1 and parts[0].type == "conditional":
            return self.conditional(parts[0], depth)
        return self.term(parts, depth)

    def term(self, parts: list[Any], depth: int) -> Expr:
        """A term and the attribute accesses, indexes and splats after it (tree-sitter lists them
        flat; Lark nests each around the one before)."""
        if depth > _MAX_DEPTH:
            raise NotLikeLark
        first = parts[0]
        if first.type == "(":
            expr = self.expression(parts[1], depth + 1)
            rest = parts[3:]
        else:
            expr = self.base(first, depth)
            rest = parts[1:]
        if depth + len(rest) > _MAX_DEPTH:
            raise NotLikeLark  # each step nests the term once more
        line = _row(first)
        previous = parts[len(parts) - len(rest) - 1]
        for step in rest:
            _same_line(previous, step)
            previous = step
            if step.type == "get_attr":
                expr = GetAttr(expr, self.attribute_name(step), line)
            elif step.type == "index":
                expr = Index(expr, self.index_key(step, depth), line)
            elif step.type == "splat":
                expr = Splat(expr, tuple(self.splat_step(s, depth) for s in step.named_children[0].named_children), line)
            else:
                raise NotLikeLark
        return expr

    def index_key(self, node: Any, depth: int) -> Expr:
        index = node.named_children[0]
        if index.type == "legacy_index":
            return Literal(int(self.text(index)[1:].strip()), _row(index))
        return self.expression(index.named_children[0], depth + 1)

    def attribute_name(self, node: Any) -> str:
        dot, name = _parts(node)
        _same_line(dot, name)
        return self.name(name)

    def splat_step(self, node: Any, depth: int) -> str | Expr:
        if node.type == "get_attr":
            return self.attribute_name(node)
        if node.type == "index":
            return self.index_key(node, depth)
        raise NotLikeLark

    def base(self, node: Any, depth: int) -> Expr:
        kind = node.type
        inner = node.named_children[0] if kind in _WRAPPERS else node
        convert = _BASES.get(inner.type)
        if convert is None:
            raise NotLikeLark
        return convert(self, inner, depth)

    def literal(self, node: Any, depth: int) -> Expr:
        value = node.named_children[0]
        if value.type == "string_lit":
            return self.quoted(value, depth)
        if value.type == "numeric_lit":
            return Literal(self.number(self.text(value)), _row(value))
        return Literal(_LITERALS[self.text(value)], _row(value))

    def number(self, text: str) -> int | float:
        digits = text.lstrip("-")
        if _INT.fullmatch(digits):
            return int(text)
        if _FLOAT.fullmatch(digits):
            return float(text)
        raise NotLikeLark  # 0x1F: tree-sitter knows hexadecimal, Lark does not

    def variable(self, node: Any, depth: int) -> Expr:
        return Variable(self.name(node.named_children[0]), _row(node))

    def unary(self, node: Any, depth: int) -> Expr:
        operator, *operand = _parts(node)
        if len(operand) == 1 and operand[0].type == "operation":
            raise NotLikeLark  # ``!-x``: Lark's unary applies to a term, never to another operation
        _same_line(operator, operand[0])
        number = self.signed_number(operator, operand[0])
        if number is not None:
            if len(operand) > 1:
                raise NotLikeLark  # ``-12.x``: Lark's number is the term the access applies to
            return Literal(self.number(number), _row(node))
        return UnaryOp(operator.type, self.term(operand, depth + 1), _row(node))

    def signed_number(self, operator: Any, operand: Any) -> str | None:
        """The text of ``-`` and the number written against it when Lark's lexer takes the two as
        one number: a decimal fraction (``-2.5``) or two digits or more (``-12``); ``-1`` it
        takes as a minus and a number (its negative decimals need a second digit)."""
        if operator.type != "-" or operand.type != "literal_value" or operator.end_byte != operand.start_byte:
            return None
        value = operand.named_children[0]
        if value.type != "numeric_lit":
            return None
        text = self.text(value)
        return "-" + text if "." in text or len(text) > 1 else None

    def binary(self, node: Any, depth: int) -> Expr:
        parts = _parts(node)
        at = next(i for i, part in enumerate(parts) if not part.is_named and part.type not in ("(", ")"))
        _same_line(parts[at - 1], parts[at])
        if self.signed_number(parts[at], parts[at + 1]) is not None:
            raise NotLikeLark  # ``b -12``: Lark lexes a number where it wants an operator
        left, right = self.term(parts[:at], depth + 1), self.term(parts[at + 1 :], depth + 1)
        return BinaryOp(parts[at].type, left, right, _row(node))

    def conditional(self, node: Any, depth: int) -> Expr:
        """``c0 ? t0 : c1 ? t1 : e`` as Lark nests it, to the right; tree-sitter's condition holds
        the conditionals before (its nesting is to the left)."""
        chain: list[Any] = []
        while True:
            condition, question, if_true, _, if_false = _parts(node)
            _same_line(condition, question)
            chain[:0] = [if_true, if_false]
            inner = _parts(condition)
            if len(inner) == 1 and inner[0].type == "conditional":
                node = inner[0]
                continue
            chain.insert(0, condition)
            break
        # chain: c0 t0 c1 t1 ... e, where c1 is t0's else in tree-sitter's tree
        if depth + len(chain) // 2 > _MAX_DEPTH:
            raise NotLikeLark
        result = self.expression(chain[-1], depth + 1)
        for at in range(len(chain) - 3, -1, -2):
            result = Conditional(self.expression(chain[at], depth + 1), self.expression(chain[at + 1], depth + 1), result, _row(chain[at]))
        return result

    def tuple(self, node: Any, depth: int) -> Expr:
        items = tuple(self.expression(child, depth + 1) for child in node.named_children if child.type == "expression")
        return TupleExpr(items, _row(node))

    def object(self, node: Any, depth: int) -> Expr:
        items: list[tuple[Expr, Expr]] = []
        lines: list[int] = []
        for element in node.named_children:
            if element.type == "object_elem":
                key, separator, value = _parts(element)
                _same_line(key, separator)
                _same_line(separator, value)
                items.append((self.object_key(key, depth + 1), self.expression(value, depth + 1)))
                lines.append(_row(element))
        return ObjectExpr(tuple(items), _row(node), tuple(lines))

    def object_key(self, node: Any, depth: int) -> Expr:
        """A bare identifier key is its own name, as in Terraform (and convert.py)."""
        parts = _parts(node)
        if len(parts) == 1 and parts[0].type == "variable_expr":
            return Literal(self.name(parts[0].named_children[0]), _row(node))
        return self.expression(node, depth)

    def call(self, node: Any, depth: int) -> Expr:
        parts = _parts(node)
        name, opening = parts[0], parts[1]
        _same_line(name, opening)
        args: tuple[Expr, ...] = ()
        expand_final = False
        arguments = [part for part in parts if part.type == "function_arguments"]
        if arguments:
            args = tuple(self.expression(a, depth + 1) for a in arguments[0].named_children if a.type == "expression")
            expand_final = any(a.type == "ellipsis" for a in arguments[0].named_children)
        text = self.text(name)
        if "::" in text:
            if len(text.split("::")) != 3:
                raise NotLikeLark
            for part in text.split("::"):
                _check_name(part)
            return Unsupported("provider-defined function", _row(node), args)
        return Call(self.name(name), args, expand_final, _row(node))

    def for_expr(self, node: Any, depth: int) -> Expr:
        intro = next(c for c in node.named_children if c.type == "for_intro")
        names = [self.name(c) for c in intro.named_children if c.type == "identifier"]
        collection = self.expression(next(c for c in intro.named_children if c.type == "expression"), depth + 1)
        exprs = [c for c in node.named_children if c.type == "expression"]
        conditions = [c for c in node.named_children if c.type == "for_cond"]
        condition = None
        if conditions:
            condition = self.expression(next(c for c in conditions[0].named_children if c.type == "expression"), depth + 1)
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        if node.type == "for_object_expr":
            group = any(c.type == "ellipsis" for c in node.named_children)
            key, value = (self.expression(e, depth + 1) for e in exprs)
            return ForExpr(key_var, value_var, collection, value, key, condition, group, _row(node))
        return ForExpr(key_var, value_var, collection, self.expression(exprs[0], depth + 1), None, condition, False, _row(node))

    def quoted(self, node: Any, depth: int) -> Expr:
        """A quoted string: its text in Lark's tokens, its interpolations parsed; a directive makes
        it unsupported, as in convert.py."""
        children = node.children
        parts: list[str | Expr] = []
        cursor = children[0].end_byte
        for child in children[1:-1]:
            if child.type == "template_literal":
                continue  # read as the source between the interpolations, spaces included
            if child.type == "template_directive":
                if sum(self.text(child).count(c) for c in "{[(") > _MAX_DIRECTIVE_OPENERS:
                    raise NotLikeLark
                return Unsupported("template directive", _row(node))
            if child.type != "template_interpolation":
                raise NotLikeLark
            self.lark_tokens(self.source[cursor : child.start_byte], parts)
            parts.append(self.interpolation(child, depth))
            cursor = child.end_byte
        self.lark_tokens(self.source[cursor : children[-1].start_byte], parts)
        return template(parts, _row(node))

    def lark_tokens(self, raw: bytes, parts: list[str | Expr]) -> None:
        """Literal text as Lark's lexer cuts it: escapes (``$${…}`` → ``${…}``) apart, the runs
        between them unescaped."""
        text = raw.decode("utf-8")
        position = 0
        for match in _ESCAPED.finditer(text):
            if match.start() > position:
                parts.append(self.string_chars(text[position : match.start()]))
            parts.append(match.group()[1:])
            position = match.end()
        if position < len(text):
            parts.append(self.string_chars(text[position:]))

    def string_chars(self, text: str) -> str:
        if "${" in text or "%{" in text:
            raise NotLikeLark  # an escape Lark cannot end (``$${`` with no ``}``)
        return unescape(text)

    def line_ends_at(self, offset: int) -> bool:
        return self.source.startswith(b"\n", offset) or self.source.startswith(b"\r\n", offset)

    def interpolation(self, node: Any, depth: int) -> Expr:
        parts = _parts(node)
        if len(parts) != 3 or parts[1].type != "expression":
            raise NotLikeLark  # strip markers or an empty ``${}``: Lark's grammar has neither
        _same_line(parts[0], parts[1])
        _same_line(parts[1], parts[2])
        return self.expression(parts[1], depth + 1)

    def heredoc(self, node: Any, depth: int) -> Expr:
        """A heredoc read from its source as convert.py reads Lark's heredoc token, which must end
        its opening and closing marker lines right after the marker."""
        children = node.children
        opener, marker, closer = children[0], children[1], children[-1]
        if not (self.line_ends_at(marker.end_byte) and self.line_ends_at(closer.end_byte)):
            raise NotLikeLark
        text = heredoc_text(self.text(node), trim=self.text(opener) == "<<-")
        return parse_template_text(text, _row(node), parse_interpolation)


def _check_name(text: str) -> None:
    if not _NAME.fullmatch(text):
        raise NotLikeLark  # Lark's NAME is ASCII; tree-sitter takes any Unicode identifier


def parse_interpolation(interpolation: Interpolation) -> Expr:
    """One interpolation of template text (a heredoc's, a JSON string's, a ``templatefile``'s)
    parsed as convert.py parses it (as the value of an attribute on line 1), by tree-sitter; by
    Lark when tree-sitter is not in use or its reading is not Lark's."""
    body = sitter_body(f"__interpolation = {interpolation.source.strip()}\n")
    attribute = body.attributes.get("__interpolation") if body is not None else None
    if attribute is None:
        return lark_interpolation(interpolation)
    expr = attribute.expr
    return dataclasses.replace(expr, line=interpolation.line)


#: Nodes that only wrap the one that says what the term is.
_WRAPPERS = frozenset({"template_expr", "collection_value", "for_expr", "operation"})

_BASES = {
    "literal_value": _Converter.literal,
    "quoted_template": _Converter.quoted,
    "heredoc_template": _Converter.heredoc,
    "tuple": _Converter.tuple,
    "object": _Converter.object,
    "variable_expr": _Converter.variable,
    "function_call": _Converter.call,
    "for_tuple_expr": _Converter.for_expr,
    "for_object_expr": _Converter.for_expr,
    "unary_operation": _Converter.unary,
    "binary_operation": _Converter.binary,
}
