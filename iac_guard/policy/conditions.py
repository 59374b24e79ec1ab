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
from .fact_types import OPERAND_KINDS, SCALARS, FactPathError, FactType, type_of
from .facts import lookup

Truth = bool | Unknown

OPERATORS = ("is", "exists", "gt", "gte", "lt", "lte", "in", "matches", "count_gte")
QUANTIFIERS = ("some", "every", "none")
#: The name a quantifier gives the element it judges when it says no ``as``.
DEFAULT_ELEMENT = "each"
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
class FieldRef:
    """``{field: path}`` as an operand: another fact of the same credential or element, so that two
    consumers' environments can be compared."""

    path: str


@dataclass(frozen=True)
class FieldTest:
    field: str
    operator: str  # one of OPERATORS
    operand: Any  # a literal, a ParamRef, a FieldRef, or (for matches) a compiled pattern
    ignore_case: bool = False

    def evaluate(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Truth:
        value = lookup(facts, self.field)
        if isinstance(value, Unknown):
            return UNKNOWN
        operand = self.operand
        if isinstance(operand, ParamRef):
            operand = params[operand.name]
        elif isinstance(operand, FieldRef):
            operand = lookup(facts, operand.path)
            if isinstance(operand, Unknown):
                return UNKNOWN
        return _TESTS[self.operator](value, operand, self.ignore_case)


@dataclass(frozen=True)
class Quantifier:
    """``some`` / ``every`` / ``none`` of a list's elements satisfy ``where``, each judged with the
    element bound to ``name``. Kleene logic over the elements, as ``any`` / ``all`` over parts: one
    True element settles ``some`` though others are unknown; an unknown list is UNKNOWN."""

    kind: Literal["some", "every", "none"]
    over: str
    name: str
    where: Condition

    def evaluate(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Truth:
        items = lookup(facts, self.over)
        if isinstance(items, Unknown):
            return UNKNOWN
        decisive = self.kind != "every"  # some/none ask whether one element holds; every, whether one fails
        undecided = False
        settled = False
        for element in () if items is None else items:
            result = self.where.evaluate({**facts, self.name: element}, params)
            if isinstance(result, Unknown):
                undecided = True
            elif result is decisive:
                settled = True
                break
        found: Truth = UNKNOWN if undecided and not settled else (settled if decisive else not settled)
        if self.kind == "none":
            return found if isinstance(found, Unknown) else not found
        return found


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


Condition = FieldTest | Junction | Not | Quantifier


def fields_read(condition: Condition, names: Mapping[str, str] | None = None) -> list[str]:
    """The facts a condition reads, as reference paths (``consumers[].environment``), in order.

    ``names`` maps an element in scope to the path of its list (``item`` → ``hardcoded[]``)."""
    names = dict(names or {})

    def canonical(path: str) -> str:
        head, _, rest = path.partition(".")
        return f"{names[head]}.{rest}" if head in names and rest else names.get(head, path)

    if isinstance(condition, FieldTest):
        paths = [canonical(condition.field)]
        if isinstance(condition.operand, FieldRef):
            paths.append(canonical(condition.operand.path))
        return paths
    if isinstance(condition, Not):
        return fields_read(condition.part, names)
    if isinstance(condition, Quantifier):
        over = canonical(condition.over)
        inner = fields_read(condition.where, {**names, condition.name: f"{over}[]"})
        return list(dict.fromkeys([over, *inner]))
    return list(dict.fromkeys(path for part in condition.parts for path in fields_read(part, names)))


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
    raw: Mapping[str, Any], path: str, params: Mapping[str, Any], bound: Mapping[str, FactType] | None = None
) -> Condition:
    """Turn a schema-valid condition into a tree, checking what the schema cannot.

    Every field path must name a fact (fact_types.py) of a type its operator can apply to, and
    every ``{param: ...}`` one of the policy's params (``params``: example values) of a type its
    operator can use. ``bound`` holds the elements a ``for_each`` or an enclosing quantifier
    brings into scope; ``path`` locates ``raw`` in the policy file.
    """
    scope = dict(bound or {})
    if "field" in raw:
        return _parse_test(raw, path, params, scope)
    ((kind, operand),) = raw.items()
    where = f"{path}.{kind}"
    if kind == "not":
        return Not(parse_condition(operand, where, params, scope))
    if kind in QUANTIFIERS:
        return _parse_quantifier(kind, operand, where, params, scope)
    parts = tuple(parse_condition(part, f"{where}.{i}", params, scope) for i, part in enumerate(operand))
    return Junction(cast(Literal["all", "any"], kind), parts)  # the schema allows only all, any and not here


def _parse_quantifier(kind: str, raw: Mapping[str, Any], where: str, params: Mapping[str, Any], scope: dict[str, FactType]) -> Quantifier:
    over = raw["in"]
    listed = _typed(over, f"{where}.in", scope)
    if listed.kind != "list" or listed.element is None:
        raise DefinitionError(f"{where}.in", f"{over!r} is {listed}, not a list: {kind} judges the elements of a list")
    name = raw.get("as", DEFAULT_ELEMENT)
    if name in scope or _is_fact(name):
        raise DefinitionError(f"{where}.as", f"{name!r} is already a fact or an element in scope; name the element otherwise")
    body = parse_condition(raw["where"], f"{where}.where", params, {**scope, name: listed.element})
    return Quantifier(cast(Literal["some", "every", "none"], kind), over, name, body)


def _is_fact(name: str) -> bool:
    """Whether ``name`` is a top-level fact, which an element must not hide."""
    try:
        type_of(name)
    except FactPathError:
        return False
    return True


def _typed(field: str, where: str, scope: Mapping[str, FactType]) -> FactType:
    try:
        return type_of(field, scope)
    except FactPathError as exc:
        raise DefinitionError(where, str(exc)) from None


def _parse_test(raw: Mapping[str, Any], path: str, params: Mapping[str, Any], scope: Mapping[str, FactType]) -> FieldTest:
    field = raw["field"]
    typed = _typed(field, f"{path}.field", scope)
    op = next(name for name in OPERATORS if name in raw)
    if op != "exists" and typed.kind not in OPERAND_KINDS[op].kinds:
        raise DefinitionError(
            f"{path}.{op}", f"{op} needs {OPERAND_KINDS[op].wants}, but {field!r} is {typed}"
            + (": judge its elements with some, every or none" if typed.kind == "list" else "")
        )
    ignore_case = raw.get("ignore_case", False)
    operand = raw[op]
    if isinstance(operand, Mapping) and "param" in operand:
        operand = _param_ref(operand["param"], op, f"{path}.{op}.param", params)
        _check_literal(op, params[operand.name], typed, f"{path}.{op}.param")
    elif isinstance(operand, Mapping):
        operand = _field_ref(operand["field"], op, typed, f"{path}.{op}.field", scope)
    elif op == "matches":
        operand = _pattern(operand, ignore_case, f"{path}.{op}")
    else:
        _check_literal(op, operand, typed, f"{path}.{op}")
    return FieldTest(field, op, operand, ignore_case)


_PYTHON_KINDS = {"text": (str,), "number": (int, float), "bool": (bool,)}


def _check_literal(op: str, operand: Any, typed: FactType, where: str) -> None:
    """A literal (or param value) ``is`` / ``in`` compares with must be of the field's kind: text
    never equals a number, so such a test would never hold."""
    if op not in ("is", "in") or typed.kind not in _PYTHON_KINDS:
        return
    values = operand if op == "in" and isinstance(operand, (list, tuple)) else [operand]
    for value in values:
        if value is None:
            continue
        fits = isinstance(value, _PYTHON_KINDS[typed.kind]) and (typed.kind == "bool" or not isinstance(value, bool))
        if not fits:
            raise DefinitionError(where, f"{value!r} is not {typed.kind}, so it never equals {typed.kind} field values")


def _field_ref(ref: str, op: str, typed: FactType, where: str, scope: Mapping[str, FactType]) -> FieldRef:
    other = _typed(ref, where, scope)
    if op not in ("is", *_COMPARISONS) or not {typed.kind, other.kind} <= SCALARS or "scalar" not in {typed.kind, other.kind} and other.kind != typed.kind:
        raise DefinitionError(where, f"{op} cannot compare {typed} with {ref!r}, which is {other}")
    return FieldRef(ref)


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
