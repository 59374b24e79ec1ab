"""Policy conditions: parsed once when a policy loads, evaluated per credential in three-valued logic.

A condition is True, False or UNKNOWN. A field test over an unknown value (or a path through
one) is UNKNOWN, and the connectives follow Kleene logic — ``any`` is True as soon as one part
is True, ``all`` is False as soon as one part is False, ``not`` keeps UNKNOWN — so an unresolved
variable can neither fail a policy nor hide a failure that the known parts already prove.

Results reuse ``model.UNKNOWN``, whose truth value raises: a caller must say what unknown means
(the engine fails a policy only on ``is True``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from ..model import UNKNOWN, Unknown
from ..support.patterns import PatternError, compile_pattern
from .facts import lookup

Truth = bool | Unknown

OPERATORS = ("is", "exists", "gt", "gte", "lt", "lte", "in", "matches", "count_gte")
_COMPARISONS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


class DefinitionError(Exception):
    """A policy part the schema accepts but that cannot work; ``path`` says where in the file."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class ParamRef:
    """``{param: name}``: resolved per scan, because settings differ between runs."""

    name: str


@dataclass(frozen=True)
class FieldTest:
    field: str
    operator: str  # one of OPERATORS
    operand: Any  # a literal, a ParamRef, or (for matches) a compiled pattern
    ignore_case: bool = False

    def evaluate(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Truth:
        value = lookup(facts, self.field)
        if isinstance(value, Unknown):
            return UNKNOWN
        operand = params[self.operand.name] if isinstance(self.operand, ParamRef) else self.operand
        return _TESTS[self.operator](value, operand, self.ignore_case)


@dataclass(frozen=True)
class Junction:
    """``all`` or ``any`` of its parts."""

    kind: Literal["all", "any"]
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Truth:
        decisive = self.kind == "any"  # the one result that settles the junction
        undecided = False
        for part in self.parts:
            result = part.evaluate(facts, params)
            if result is decisive:
                return decisive
            if isinstance(result, Unknown):
                undecided = True
        return UNKNOWN if undecided else not decisive


@dataclass(frozen=True)
class Not:
    part: Condition

    def evaluate(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Truth:
        result = self.part.evaluate(facts, params)
        return result if isinstance(result, Unknown) else not result


Condition = FieldTest | Junction | Not


def _fold(value: Any, ignore_case: bool) -> Any:
    return value.casefold() if ignore_case and isinstance(value, str) else value


def _is(value: Any, operand: Any, ignore_case: bool) -> bool:
    if isinstance(value, bool) or isinstance(operand, bool) or operand is None:
        return value is operand  # so that ``is: true`` does not hold for 1
    return _fold(value, ignore_case) == _fold(operand, ignore_case)


def _in(value: Any, options: Iterable[Any], ignore_case: bool) -> bool:
    """``_is`` against any of the options, folding the value once rather than once per option."""
    if isinstance(value, bool):
        return any(value is option for option in options)
    folded = _fold(value, ignore_case)
    return any(
        value is option if isinstance(option, bool) or option is None else folded == _fold(option, ignore_case)
        for option in options
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _comparison(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any, bool], bool]:
    # A known-absent value (never expires) has no magnitude: test absence with ``exists``.
    return lambda value, operand, _ignore_case: _is_number(value) and compare(value, operand)


def _count_gte(value: Any, minimum: int, _ignore_case: bool) -> bool:
    items = () if value is None else value
    return isinstance(items, (list, tuple)) and len(items) >= minimum


_TESTS: dict[str, Callable[[Any, Any, bool], bool]] = {
    "is": _is,
    "exists": lambda value, wanted, _ignore_case: (value is not None) is wanted,
    "in": _in,
    "matches": lambda value, pattern, _ignore_case: isinstance(value, str) and pattern.search(value) is not None,
    "count_gte": _count_gte,
    **{name: _comparison(compare) for name, compare in _COMPARISONS.items()},
}


def parse_condition(
    raw: Mapping[str, Any], path: str, namespace: Mapping[str, Any], params: Mapping[str, Any]
) -> Condition:
    """Turn a schema-valid condition into a tree, checking what the schema cannot.

    ``namespace`` is an example of the facts the condition will read (every field path must
    resolve in it) and ``params`` example values of the policy's params (every ``{param: ...}``
    must name one, of a type its operator can use). ``path`` locates ``raw`` in the policy file.
    """
    if "field" in raw:
        return _parse_test(raw, path, namespace, params)
    ((kind, operand),) = raw.items()
    where = f"{path}.{kind}"
    if kind == "not":
        return Not(parse_condition(operand, where, namespace, params))
    parts = tuple(parse_condition(part, f"{where}.{i}", namespace, params) for i, part in enumerate(operand))
    return Junction(cast(Literal["all", "any"], kind), parts)  # the schema allows only all, any and not here


def _parse_test(raw: Mapping[str, Any], path: str, namespace: Mapping[str, Any], params: Mapping[str, Any]) -> FieldTest:
    field = raw["field"]
    try:
        lookup(namespace, field)
    except KeyError:
        raise DefinitionError(f"{path}.field", f"unknown field {field!r} (the fields are listed in iac_guard/policy/facts.py)") from None
    op = next(name for name in OPERATORS if name in raw)
    ignore_case = raw.get("ignore_case", False)
    operand = raw[op]
    if isinstance(operand, Mapping):
        operand = _param_ref(operand["param"], op, f"{path}.{op}.param", params)
    elif op == "matches":
        operand = _pattern(operand, ignore_case, f"{path}.{op}")
    return FieldTest(field, op, operand, ignore_case)


def _param_ref(name: str, op: str, where: str, params: Mapping[str, Any]) -> ParamRef:
    if name not in params:
        declared = ", ".join(sorted(params)) or "none"
        raise DefinitionError(where, f"unknown param {name!r} (this policy's params: {declared})")
    value = params[name]
    if op in _COMPARISONS and not _is_number(value):
        raise DefinitionError(where, f"param {name!r} is not a number, which {op} needs")
    if op == "in" and not isinstance(value, (list, tuple)):
        raise DefinitionError(where, f"param {name!r} is not a list, which in needs")
    return ParamRef(name)


def _pattern(source: str, ignore_case: bool, where: str) -> Any:
    """RE2, as Terraform's regex(): a pack's pattern runs over values a pull request wrote, so
    it must not be able to backtrack."""
    try:
        return compile_pattern(source, ignore_case)
    except PatternError as exc:
        raise DefinitionError(where, str(exc)) from None
