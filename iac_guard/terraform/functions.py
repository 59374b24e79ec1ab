"""Terraform's operators and the built-in functions that shape credential configuration.

Each function follows Terraform's semantics for known values and returns Unknown as soon as an
argument it depends on is unknown. Functions not listed here (timestamps, file reads, crypto)
evaluate to Unknown rather than to a guess. Where a result can be far larger than the arguments
(``range``, ``format`` widths, ``replace``, ``*``), its size is checked against the evaluation
budget (budget.py) before it is built; the evaluator checks every other result once built.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from ..model import Unknown
from ..support.patterns import PatternError, compile_pattern
from .budget import MATCH_STEPS, Budget, Rejected, check_elements, check_integer_bits, check_string_length
from .values import UNKNOWN_MARK, IndexKey, Unknownish, contains_unknown, unknown_from


class FunctionError(ValueError):
    """Terraform would reject this call; the evaluator turns it into an unknown value."""


class InvalidPattern(Rejected):
    """A regular expression RE2 rejects: an error for the file, as in ``terraform validate``."""


def to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    raise FunctionError(f"cannot convert {type(value).__name__} to string")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise FunctionError("not a number") from None
        return int(number) if number.is_integer() else number
    raise FunctionError("not a number")


def index(value: Any, key: Any) -> Any:
    if isinstance(key, IndexKey):
        key = key.key
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Unknown):
        return unknown_from(value, key)
    if isinstance(value, dict):
        name = to_string(key)
        if name not in value:
            raise FunctionError(f"no key {name!r}")
        return value[name]
    if isinstance(value, list):
        position = int(to_number(key))
        if position < 0 or position >= len(value):
            raise FunctionError("index out of range")
        return value[position]
    raise FunctionError(f"cannot index {type(value).__name__}")


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: math.fmod(a, b),  # the sign of the dividend, as in Terraform (-7 % 3 == -1)
}
_COMPARISON: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def binary(operator: str, left: Any, right: Any) -> Any:
    if operator == "&&" and left is False or operator == "||" and left is True:
        return left
    if operator in ("==", "!=") and (left is None) != (right is None) and _never_null(right if left is None else left):
        return operator == "!="
    if contains_unknown(left) or contains_unknown(right):
        return unknown_from(left, right)
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if operator in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise FunctionError("logical operator on a non-bool")
        return (left and right) if operator == "&&" else (left or right)
    if operator in _ARITHMETIC:
        left, right = to_number(left), to_number(right)
        if operator == "*" and isinstance(left, int) and isinstance(right, int):
            check_integer_bits(left.bit_length() + right.bit_length() - 1)
        result = _ARITHMETIC[operator](left, right)
        return int(result) if isinstance(result, float) and result.is_integer() and operator != "/" else result
    if operator in _COMPARISON:
        return _COMPARISON[operator](to_number(left), to_number(right))
    raise FunctionError(f"unknown operator {operator}")


def _never_null(value: Any) -> bool:
    """A value that is not null even where parts of it are unknown: a collection, or a string
    template with unknown parts (Terraform refines both as not null), so ``v != null`` filters in
    a ``for`` expression keep them (the Azure Verified Modules filter every ``azapi`` body so)."""
    return isinstance(value, (dict, list)) or isinstance(value, Unknownish) and isinstance(value.partial, str)


def _never_empty(value: Any) -> bool:
    """A string template with unknown parts and known text: not null, and not empty."""
    return isinstance(value, Unknownish) and isinstance(value.partial, str) and bool(value.partial.replace(UNKNOWN_MARK, ""))


def unary(operator: str, operand: Any) -> Any:
    if isinstance(operand, Unknown):
        return operand
    if operator == "!":
        if not isinstance(operand, bool):
            raise FunctionError("! on a non-bool")
        return not operand
    return -to_number(operand)


def call(name: str, args: list[Any], budget: Budget | None = None) -> Any:
    """``budget`` pays for each match of a regular expression (the root's, or one of its own)."""
    if name == "jsonencode" and len(args) == 1 and contains_unknown(args[0]):
        # Keep the known structure: an IAM policy with one unknown ARN still shows its actions.
        return Unknownish(unknown_from(*args).refs, args[0])
    if name == "merge":
        return _merge(args)
    if name in _LENIENT:
        return _LENIENT[name](*args)
    function = _STRICT.get(name)
    if function is None or contains_unknown(args):
        return unknown_from(*args)
    if name in _MATCHING:
        args = [budget or Budget(), *args]
    try:
        return function(*args)
    except TypeError:
        raise FunctionError(f"wrong arguments to {name}()") from None


def _merge(args: list[Any]) -> Any:
    """merge() keeps known keys even when some values are unknown; an unknown argument spoils all."""
    result: dict[str, Any] = {}
    for arg in args:
        if arg is None:
            continue
        if isinstance(arg, Unknown):
            return unknown_from(*args)
        if not isinstance(arg, dict):
            raise FunctionError("merge() takes maps")
        result.update(arg)
    return result


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, Unknown) or isinstance(key, Unknown):
        return unknown_from(mapping, key)
    if not isinstance(mapping, dict):
        raise FunctionError("lookup() takes a map")
    name = to_string(key)
    if name in mapping:
        return mapping[name]
    if default:
        return default[0]
    raise FunctionError("lookup() key not found and no default")


def _coalesce(*values: Any) -> Any:
    for value in values:
        if _never_empty(value):
            return value  # "cog-${random_string.x.result}": neither null nor "", whatever it becomes
        if isinstance(value, Unknown):
            return unknown_from(*values)
        if value is not None and value != "":
            return value
    raise FunctionError("coalesce() with no non-null argument")


def _concat(*lists: Any) -> Any:
    if any(isinstance(item, Unknown) for item in lists):
        return unknown_from(*lists)
    result: list[Any] = []
    for item in lists:
        if not isinstance(item, list):
            raise FunctionError("concat() takes lists")
        result.extend(item)
    return result


def _format(template: str, *values: Any) -> str:
    position = 0
    length = len(template)

    def replace(match: re.Match[str]) -> str:
        nonlocal position, length
        verb = match.group(0)
        if verb == "%%":
            return "%"
        value = values[position]
        position += 1
        flags, conversion = verb[1:-1], verb[-1]
        for width in re.findall(r"\d+", flags):  # "%0999999999d" would be a gigabyte of zeros
            check_string_length(int(width))
        piece = _format_verb(flags, conversion, value)
        length += len(piece)
        check_string_length(length)
        return piece

    return re.sub(r"%%|%[-+# 0-9.]*[sdvqfeg]", replace, template)


def _format_verb(flags: str, conversion: str, value: Any) -> str:
    if conversion == "d":
        return f"%{flags}d" % int(to_number(value))
    if conversion in "feg":
        return f"%{flags}{conversion}" % float(to_number(value))
    if conversion == "q":
        return json.dumps(to_string(value), ensure_ascii=False)
    text = json_encode(value) if isinstance(value, (dict, list)) else to_string(value)
    return f"%{flags}s" % text


def json_encode(value: Any) -> str:
    """jsonencode() as Terraform writes it: sorted keys, no spaces, UTF-8, 1000 not 1000.0."""
    return json.dumps(_integral(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def _flatten(value: list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in value:
        result.extend(_flatten(item) if isinstance(item, list) else [item])
    return result


def _distinct(value: list[Any]) -> list[Any]:
    """The first of each equal element, in linear time: a hostile list of 200,000 elements must
    not cost 200,000² comparisons."""
    seen: set[str] = set()
    result: list[Any] = []
    for item in value:
        identity = _identity(item)
        if identity not in seen:
            seen.add(identity)
            result.append(item)
    return result


def _identity(value: Any) -> str:
    """A text equal for equal Terraform values only (1 and 1.0 are one number; true is not 1)."""
    return json_encode(value) if not isinstance(value, str) else "s" + value


def _replace(budget: Budget, text: Any, old: Any, new: Any) -> str:
    """replace(): a ``/pattern/`` is an RE2 regular expression, with Go's ``$1``/``${name}``
    references in the replacement."""
    text, old, new = to_string(text), to_string(old), to_string(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        regexp = _regexp(old[1:-1])
        pieces = _replacement_pieces(new)
        length = len(text)

        def substitute(match: Any) -> str:
            nonlocal length
            budget.spend(MATCH_STEPS)
            piece = "".join(_group_text(regexp, match, p) if isinstance(p, _GroupRef) else p for p in pieces)
            length += len(piece)
            check_string_length(length)
            return piece

        return regexp.sub(substitute, text)
    check_string_length(len(text) + text.count(old) * (len(new) - len(old)))
    return text.replace(old, new)


class _GroupRef(str):
    """A ``$name`` / ``${name}`` of a replacement: a group number or name."""


#: ``$$``, ``${name}`` or ``$name`` (the longest run of ASCII letters, digits and underscores), as
#: Go's regexp.Expand reads a template; any other ``$`` is literal.
_REFERENCE = re.compile(r"\$(?:(\$)|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _replacement_pieces(template: str) -> list[str]:
    pieces: list[str] = []
    position = 0
    for reference in _REFERENCE.finditer(template):
        pieces.append(template[position : reference.start()])
        dollar, braced, bare = reference.groups()
        pieces.append("$" if dollar else _GroupRef(braced or bare))
        position = reference.end()
    pieces.append(template[position:])
    return pieces


def _group_text(regexp: Any, match: Any, reference: str) -> str:
    """What a reference stands for: an unknown group or one that did not take part is empty."""
    index = int(reference) if reference.isdigit() else regexp.groupindex.get(reference)
    if index is None or index > regexp.groups:
        return ""
    return match.group(index) or ""


def _regexp(pattern: Any) -> Any:
    try:
        return compile_pattern(to_string(pattern))
    except PatternError as exc:
        raise InvalidPattern(str(exc)) from None


def _match_value(regexp: Any, match: Any) -> Any:
    """What regex() returns for one match: the text, a list of unnamed groups, or an object of
    named ones (a group that did not take part is null)."""
    names = regexp.groupindex
    if names:
        if len(names) != regexp.groups:
            raise FunctionError("regex() cannot mix named and unnamed capture groups")
        return {name: match.group(index) for name, index in names.items()}
    return list(match.groups()) if regexp.groups else match.group(0)


def _regex(budget: Budget, pattern: Any, text: Any) -> Any:
    regexp = _regexp(pattern)
    match = regexp.search(to_string(text))
    if match is None:
        raise FunctionError("regex() found no match")
    return _match_value(regexp, match)


def _regexall(budget: Budget, pattern: Any, text: Any) -> list[Any]:
    regexp = _regexp(pattern)
    found: list[Any] = []
    for match in regexp.finditer(to_string(text)):
        budget.spend(MATCH_STEPS)
        found.append(_match_value(regexp, match))
        check_elements(len(found) * (regexp.groups + 1))
    return found


def _range(*bounds: Any) -> list[int]:
    numbers = range(*(int(to_number(bound)) for bound in bounds))
    check_elements(len(numbers))
    return list(numbers)


def _to_set(value: list[Any]) -> list[Any]:
    """toset(): unique elements; numbers sort as numbers, strings lexically, as Terraform shows them."""
    def order(item: Any) -> tuple[int, Any]:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            return (0, item)
        return (1, item) if isinstance(item, str) else (2, json.dumps(item, sort_keys=True))

    return sorted(_distinct(value), key=order)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError("not a bool")


#: Functions that cope with unknown arguments themselves.
_LENIENT: dict[str, Callable[..., Any]] = {"lookup": _lookup, "coalesce": _coalesce, "concat": _concat}

#: Functions applied only to fully known arguments.
_STRICT: dict[str, Callable[..., Any]] = {
    "jsonencode": lambda v: json_encode(v),
    "jsondecode": lambda s: json.loads(s),
    "lower": lambda s: to_string(s).lower(),
    "upper": lambda s: to_string(s).upper(),
    "title": lambda s: re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), to_string(s)),
    "trimspace": lambda s: to_string(s).strip(),
    "trimprefix": lambda s, p: to_string(s)[len(p):] if to_string(s).startswith(p) else s,
    "trimsuffix": lambda s, p: to_string(s)[: -len(p)] if p and to_string(s).endswith(p) else s,
    "replace": _replace,
    "format": _format,
    "join": lambda sep, items: to_string(sep).join(to_string(i) for i in items),
    "split": lambda sep, s: to_string(s).split(sep),
    "startswith": lambda s, p: to_string(s).startswith(p),
    "endswith": lambda s, p: to_string(s).endswith(p),
    "length": lambda v: len(v),
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "element": lambda items, i: items[int(to_number(i)) % len(items)],
    "contains": lambda items, v: v in items,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": lambda items: [i for i in items if i not in (None, "")],
    "zipmap": lambda ks, vs: dict(zip((to_string(k) for k in ks), vs, strict=False)),  # pairs up to the shorter list, as before
    "tostring": to_string,
    "tonumber": to_number,
    "tobool": _to_bool,
    "anytrue": lambda items: any(_to_bool(i) for i in items),
    "alltrue": lambda items: all(_to_bool(i) for i in items),
    "sensitive": lambda v: v,  # marks a value for Terraform's output redaction; the value is the same
    "nonsensitive": lambda v: v,
    "tomap": lambda m: dict(m),
    "tolist": lambda v: list(v),
    "toset": _to_set,
    "min": lambda *n: min(to_number(x) for x in n),
    "max": lambda *n: max(to_number(x) for x in n),
    "abs": lambda n: abs(to_number(n)),
    "one": lambda items: items[0] if len(items) == 1 else (None if not items else _raise("one() with several")),
    "sort": lambda items: sorted(to_string(i) for i in items),
    "reverse": lambda items: list(reversed(items)),
    "slice": lambda items, a, b: items[int(a) : int(b)],
    "range": _range,
    "regex": _regex,
    "regexall": _regexall,
    "substr": lambda s, o, n: to_string(s)[int(o) :] if int(n) < 0 else to_string(s)[int(o) : int(o) + int(n)],
}


#: Functions that run a regular expression, given the budget that pays for its matches.
_MATCHING = frozenset({"replace", "regex", "regexall"})


def _raise(message: str) -> Any:
    raise FunctionError(message)
