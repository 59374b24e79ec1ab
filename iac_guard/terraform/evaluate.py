"""Evaluates HCL expressions the way Terraform would at plan time, as far as the code allows.

What only ``apply`` can know (ARNs, ids, generated names) and what we choose not to compute becomes
``Unknown``, carrying the addresses it came from. Unknown is contagious: any operation on it is
unknown, so a policy downstream can never fail on a guess. Where a partially known value is still
useful — a ``jsonencode`` policy whose Resource is an unknown ARN, a heredoc JSON with one
interpolation — the result is Unknown with ``partial`` set, and recognizers that understand the
shape may read the known parts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..model import Unknown
from . import functions
from .budget import CHARACTERS_PER_STEP, Budget, BudgetExceeded, Rejected, check_elements, check_string_length
from .syntax.convert import parse_template_text
from .syntax.nodes import (
    BinaryOp,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    ObjectExpr,
    Resolved,
    Splat,
    Template,
    TupleExpr,
    UnaryOp,
    Unsupported,
    Variable,
)
from .syntax.references import references
from .syntax.sitter_convert import parse_interpolation
from .values import UNKNOWN_MARK, IndexKey, Unknownish, collect_refs, contains_unknown, unknown_from

RootResolver = Callable[[list[Any], int], "tuple[Any, int]"]
"""Resolves a traversal rooted at a name the expression does not bind itself (``var``, ``local``,
``aws_iam_role``…): given the root and the steps after it, returns the value and how many of the
steps it consumed."""

Locator = Callable[[int, Expr], "str | None"]
"""The file an expression (given with its line) was written in, to name it in an error."""


class EvalError(Exception):
    """An expression Terraform would reject (wrong type, missing key): the value becomes unknown."""


_COLLECTIONS = (list, dict)

#: What a Terraform evaluation error looks like here: the value becomes unknown, never a crash.
_EVALUATION_ERRORS = (EvalError, TypeError, ValueError, KeyError, IndexError, OverflowError, ZeroDivisionError)


class Evaluator:
    """Evaluates expressions of one module; ``resolve_root`` supplies var/local/resource lookups.

    ``budget`` is the root module's (budget.py), shared by every module of the tree; without one,
    each expression gets a budget of its own and what it rejects is left unknown unreported.
    ``locate`` names the file of a rejected expression.
    """

    def __init__(
        self,
        resolve_root: RootResolver,
        read_file: Callable[[str], str | None] | None = None,
        literal_only: bool = False,
        budget: Budget | None = None,
        locate: Locator | None = None,
    ) -> None:
        self._resolve_root = resolve_root
        self._read_file = read_file
        self._literal_only = literal_only
        self._budget = budget or Budget()
        self._budget_per_expression = budget is None
        self._locate = locate

    def evaluate(self, expr: Expr, scope: Mapping[str, Any] | None = None) -> Any:
        if self._budget_per_expression:
            self._budget = Budget()
        try:
            return self._eval(expr, dict(scope or {}))
        except _EVALUATION_ERRORS:
            return Unknown(references(expr))
        except Rejected as exc:
            self._reject(expr, str(exc))
            return Unknown(references(expr))
        except RecursionError:
            self._reject(expr, "expressions nest too deeply to evaluate (evaluation limit)")
            return Unknown()

    def _reject(self, expr: Expr, message: str) -> None:
        try:
            file = self._locate(expr.line, expr) if self._locate else None
            self._budget.reject(file, expr.line or None, message)
        except RecursionError:
            # Too deep to report from here: an enclosing evaluation (a local's, an attribute's)
            # reports it, closer to the top of the stack.
            raise BudgetExceeded(message) from None

    def _eval(self, expr: Expr, scope: dict[str, Any]) -> Any:  # noqa: C901 - one dispatch per node type
        budget = self._budget
        budget.steps -= 1
        if budget.steps < 0:
            budget.exhausted()
        if isinstance(expr, Literal):
            return expr.value
        if isinstance(expr, Template):
            return self._template(expr, scope)
        if isinstance(expr, TupleExpr):
            return budget.admit([self._eval(item, scope) for item in expr.items])
        if isinstance(expr, ObjectExpr):
            return self._object(expr, scope)
        if isinstance(expr, (Variable, GetAttr, Index)):
            return self._traverse(expr, scope)
        if isinstance(expr, Splat):
            return self._splat(expr, scope)
        if isinstance(expr, Call):
            return self._call(expr, scope)
        if isinstance(expr, Conditional):
            return self._conditional(expr, scope)
        if isinstance(expr, BinaryOp):
            left, right = self._eval(expr.left, scope), self._eval(expr.right, scope)
            if type(left) in _COLLECTIONS or type(right) in _COLLECTIONS:
                budget.spend(budget.work(left) + budget.work(right))  # == compares them in full
            return budget.admit(functions.binary(expr.operator, left, right))
        if isinstance(expr, UnaryOp):
            return functions.unary(expr.operator, self._eval(expr.operand, scope))
        if isinstance(expr, ForExpr):
            return self._for(expr, scope)
        if isinstance(expr, Unsupported):
            return Unknown(references(expr))
        if isinstance(expr, Resolved):
            return Unknown(expr.refs) if expr.unknown or self._literal_only else expr.value
        raise EvalError(f"cannot evaluate {type(expr).__name__}")

    def _template(self, expr: Template, scope: dict[str, Any]) -> Any:
        if len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
            return self._eval(expr.parts[0], scope)  # "${local.tags}" is the map itself, as in HCL
        pieces: list[str] = []
        refs: set[str] = set()
        for part in expr.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = self._eval(part, scope)
            if isinstance(value, Unknown):
                refs |= value.refs
                pieces.append(UNKNOWN_MARK)
            else:
                pieces.append(functions.to_string(value))
        check_string_length(sum(map(len, pieces)))
        text = self._budget.admit("".join(pieces))
        if UNKNOWN_MARK in text:
            return Unknownish(frozenset(refs), text)
        return text

    def _object(self, expr: ObjectExpr, scope: dict[str, Any]) -> Any:
        result: dict[str, Any] = {}
        for key_expr, value_expr in expr.items:
            key = self._eval(key_expr, scope)
            if isinstance(key, Unknown):
                return unknown_from(key, self._eval(value_expr, scope))
            result[functions.to_string(key)] = self._eval(value_expr, scope)
        return self._budget.admit(result)

    def _traverse(self, expr: Expr, scope: dict[str, Any]) -> Any:
        steps: list[Any] = []
        node = expr
        while isinstance(node, (GetAttr, Index)):
            steps.append(node.name if isinstance(node, GetAttr) else IndexKey(self._eval(node.key, scope)))
            node = node.target
        steps.reverse()
        if isinstance(node, Variable):
            if node.name in scope:
                value = scope[node.name]
            else:
                value, consumed = self._resolve_root([node.name, *steps], expr.line)
                steps = steps[consumed:]
        else:
            value = self._eval(node, scope)
        for step in steps:
            value = functions.index(value, step)
        return value

    def _splat(self, expr: Splat, scope: dict[str, Any]) -> Any:
        target = self._eval(expr.target, scope)
        if isinstance(target, Unknown):
            return target
        items = target if isinstance(target, list) else ([] if target is None else [target])
        results = []
        for item in items:
            value = item
            for step in expr.steps:
                key = step if isinstance(step, str) else self._eval(step, scope)
                value = functions.index(value, key)
            results.append(value)
        return self._budget.admit(results)

    def _call(self, expr: Call, scope: dict[str, Any]) -> Any:
        if expr.name == "try":
            return self._try(expr, scope)
        if expr.name == "can":
            return self._can(expr, scope)
        if expr.name in ("file", "templatefile", "fileexists"):
            return self._file_function(expr, scope)
        args = [self._eval(arg, scope) for arg in expr.args]
        if expr.expand_final and args:
            final = args.pop()
            if isinstance(final, Unknown) or not isinstance(final, list):
                return unknown_from(final, *args)
            args.extend(final)
        budget = self._budget
        budget.spend(sum(budget.work(arg) for arg in args))  # what the function may read
        return budget.admit(functions.call(expr.name, args, budget))

    def _file_function(self, expr: Call, scope: dict[str, Any]) -> Any:
        """file(), fileexists() and templatefile() on files inside the scanned tree only."""
        args = [self._eval(arg, scope) for arg in expr.args]
        if not args or not isinstance(args[0], str) or self._read_file is None:
            return unknown_from(*args)
        text = self._read_file(args[0])
        if expr.name == "fileexists":
            return text is not None if not contains_unknown(args) else unknown_from(*args)
        if text is None:
            return Unknown(references(expr))
        if expr.name == "file":
            return self._budget.admit(text)
        variables = args[1] if len(args) > 1 else {}
        if not isinstance(variables, dict):
            return unknown_from(*args)
        self._budget.spend(len(text) // CHARACTERS_PER_STEP)
        template = parse_template_text(text, expr.line, parse_interpolation)
        try:
            return Evaluator(_nothing_known, budget=self._budget)._eval(template, dict(variables))
        except _EVALUATION_ERRORS:
            return Unknown(references(template))

    def _can(self, expr: Call, scope: dict[str, Any]) -> Any:
        if len(expr.args) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = self._eval(expr.args[0], scope)
        except _EVALUATION_ERRORS:
            return False
        return Unknown(collect_refs(value)) if contains_unknown(value) else True

    def _try(self, expr: Call, scope: dict[str, Any]) -> Any:
        for arg in expr.args:
            try:
                return self._eval(arg, scope)
            except _EVALUATION_ERRORS:
                continue
        raise EvalError("no argument of try() evaluated")

    def _conditional(self, expr: Conditional, scope: dict[str, Any]) -> Any:
        condition = self._eval(expr.condition, scope)
        if isinstance(condition, Unknown):
            if_true = self._eval_or_unknown(expr.if_true, scope)
            if_false = self._eval_or_unknown(expr.if_false, scope)
            self._budget.spend(self._budget.work(if_true) + self._budget.work(if_false))
            if not contains_unknown(if_true) and if_true == if_false:
                return if_true
            return unknown_from(condition, if_true, if_false)
        if not isinstance(condition, bool):
            raise EvalError("condition is not a bool")
        return self._eval(expr.if_true if condition else expr.if_false, scope)

    def _eval_or_unknown(self, expr: Expr, scope: dict[str, Any]) -> Any:
        """A branch evaluated without knowing whether it is taken: its errors only make it unknown."""
        try:
            return self._eval(expr, scope)
        except _EVALUATION_ERRORS:
            return Unknown(references(expr))

    def _for(self, expr: ForExpr, scope: dict[str, Any]) -> Any:
        collection = self._eval(expr.collection, scope)
        if isinstance(collection, Unknown):
            return collection
        pairs = _for_pairs(collection)
        budget = self._budget
        budget.spend(len(pairs))
        elements = 1  # of the result, checked as it grows: one item over the limit stops the loop
        tuple_result: list[Any] = []
        object_result: dict[str, Any] = {}
        for key, value in pairs:
            inner = _for_scope(expr, scope, key, value)
            if expr.condition is not None:
                keep = self._eval(expr.condition, inner)
                if isinstance(keep, Unknown):
                    return Unknown(keep.refs)
                if not keep:
                    continue
            item = self._eval(expr.value, inner)
            elements += budget.measure(item)[0]
            check_elements(elements)
            if expr.key is None:
                tuple_result.append(item)
            elif (unknown_key := self._add_keyed(expr.key, expr.group, inner, item, object_result)) is not None:
                return unknown_key
        return budget.admit(tuple_result if expr.key is None else object_result)

    def _add_keyed(self, key: Expr, group: bool, scope: dict[str, Any], item: Any, result: dict[str, Any]) -> Unknown | None:
        """Adds one item of an object-producing for expression under its key (to a list of them with
        ``...``); returns the unknown the whole result is when the key is unknown."""
        item_key = self._eval(key, scope)
        if isinstance(item_key, Unknown):
            return Unknown(item_key.refs)
        name = functions.to_string(item_key)
        if group:
            result.setdefault(name, []).append(item)
        elif name in result:
            raise EvalError("duplicate key in a for expression without grouping (...)")
        else:
            result[name] = item
        return None


def _for_pairs(collection: Any) -> list[tuple[Any, Any]]:
    """What a for expression iterates: a map's entries in key order, a list's items with their index."""
    if isinstance(collection, dict):
        return sorted(collection.items())
    if isinstance(collection, list):
        return list(enumerate(collection))
    raise EvalError("for expression over a non-collection")


def _for_scope(expr: ForExpr, scope: dict[str, Any], key: Any, value: Any) -> dict[str, Any]:
    inner = dict(scope)
    inner[expr.value_var] = value
    if expr.key_var:
        inner[expr.key_var] = key
    return inner


def _nothing_known(path: list[Any], line: int) -> tuple[Any, int]:
    return Unknown(), len(path) - 1


def literal_evaluator(budget: Budget | None = None, locate: Locator | None = None) -> Evaluator:
    """Evaluates only what is written in the expression itself (tfvars files, literal scans):
    every reference is unknown."""
    return Evaluator(_nothing_known, literal_only=True, budget=budget, locate=locate)


#: A literal evaluator for expressions whose rejection another reading reports (or that the
#: user wrote on the command line): each expression is bounded on its own.
LITERAL_EVALUATOR = literal_evaluator()
