"""A variable's ``type`` applied to its value as Terraform converts it: the attributes an
``object({...})`` marks ``optional(type, default)`` are added where the value lacks them, at any
depth (inside ``map(...)``, ``list(...)``, ``set(...)``), null when no default is given.

Modules that take a map of settings objects (the Azure Verified Modules' ``role_assignments``)
read ``each.value.scope`` of an entry that never wrote ``scope``: Terraform gives null there, and
so must we, or every such read is an error that hides the rest of the expression.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .syntax.nodes import Call, Expr, ObjectExpr, written_key

Evaluate = Callable[[Expr], Any]
_COLLECTIONS = ("map", "list", "set")


def with_optional_defaults(constraint: Expr, value: Any, evaluate: Evaluate) -> Any:
    """``value`` with the optional attributes ``constraint`` declares filled in; anything the
    constraint does not describe (unknown values, other shapes) is returned as it is."""
    if not isinstance(constraint, Call) or len(constraint.args) < 1:
        return value
    inner = constraint.args[0]
    if constraint.name == "optional":
        return with_optional_defaults(inner, value, evaluate)
    if constraint.name in _COLLECTIONS:
        if isinstance(value, dict):
            return {key: with_optional_defaults(inner, item, evaluate) for key, item in value.items()}
        if isinstance(value, list):
            return [with_optional_defaults(inner, item, evaluate) for item in value]
        return value
    if constraint.name == "object" and isinstance(inner, ObjectExpr) and isinstance(value, dict):
        return _object(inner, value, evaluate)
    return value


def _object(attributes: ObjectExpr, value: dict[str, Any], evaluate: Evaluate) -> dict[str, Any]:
    result = dict(value)
    for key, attribute_type in attributes.items:
        name = written_key(key)
        if name is None:
            continue
        if name in result:
            result[name] = with_optional_defaults(attribute_type, result[name], evaluate)
        elif isinstance(attribute_type, Call) and attribute_type.name == "optional" and attribute_type.args:
            default = evaluate(attribute_type.args[1]) if len(attribute_type.args) > 1 else None
            result[name] = with_optional_defaults(attribute_type.args[0], default, evaluate)
    return result
