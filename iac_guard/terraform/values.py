"""The values the evaluator computes, and what the functions and recognizers ask of them.

A value is what ``json.loads`` would give (str, int, float, bool, None, list, dict) or an
``Unknown`` somewhere inside: what only ``apply`` can know, carrying the addresses it came from.
``Unknownish`` is an unknown that still knows part of its shape (a ``jsonencode`` policy with one
unknown ARN, a heredoc JSON with one interpolation), so recognizers that understand the shape may
read the known parts. The evaluator and the functions both build these values; this module is
below both, so neither needs the other to make an unknown.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Unknown

#: Text standing in for an unknown part of a template in ``Unknown.partial``.
UNKNOWN_MARK = "\u0000unknown\u0000"


class Unknownish(Unknown):
    """An unknown that still knows part of its shape (see module docstring)."""

    __slots__ = ("partial",)

    def __init__(self, refs: frozenset[str], partial: Any) -> None:
        super().__init__(refs)
        self.partial = partial


def unknown_from(*values: Any) -> Unknown:
    """What an operation on ``values`` gives when one is unknown: an unknown from all their sources."""
    refs: set[str] = set()
    for value in values:
        refs |= collect_refs(value)
    return Unknown(frozenset(refs))


def collect_refs(value: Any) -> frozenset[str]:
    """The addresses the unknown parts of a value came from, at any depth."""
    if isinstance(value, Unknown):
        return value.refs
    if isinstance(value, dict):
        return frozenset().union(*(collect_refs(v) for v in value.values())) if value else frozenset()
    if isinstance(value, list):
        return frozenset().union(*(collect_refs(v) for v in value)) if value else frozenset()
    return frozenset()


def contains_unknown(value: Any) -> bool:
    """Whether any part of a value is unknown: a function over it cannot be computed."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


class IndexKey:
    """A ``[key]`` step of a traversal, told apart from a ``.name`` step.

    ``aws_iam_user.k["ci"]`` and ``aws_iam_user.k.ci`` mean different things to a resource
    reference (an instance of a repeated resource versus an attribute), so the resolver needs to
    know which it was given.
    """

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key


def instance_suffix(key: Any) -> str:
    """How Terraform writes an instance key in an address: ``[0]``, ``["ci"]``."""
    return f"[{key}]" if isinstance(key, int) and not isinstance(key, bool) else f'["{key}"]'


def json_partial(value: Any) -> Any:
    """The JSON structure behind a value that may be a JSON string, or partly unknown.

    Returns a structure with Unknown leaves, or Unknown when nothing useful is known.
    """
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return Unknown()
    if isinstance(value, Unknownish):
        if isinstance(value.partial, str):
            return _json_with_marks(value.partial, value.refs)
        return value.partial
    if isinstance(value, (dict, list)):
        return value
    return Unknown(value.refs) if isinstance(value, Unknown) else Unknown()


def _json_with_marks(text: str, refs: frozenset[str]) -> Any:
    """Parse template JSON where interpolations are unknown; strings holding one become Unknown."""
    try:
        document = json.loads(text.replace(UNKNOWN_MARK, "\\u0000unknown\\u0000"))
    except ValueError:
        return Unknown(refs)

    def mark(node: Any) -> Any:
        if isinstance(node, str) and UNKNOWN_MARK in node:
            return Unknown(refs)
        if isinstance(node, list):
            return [mark(n) for n in node]
        if isinstance(node, dict):
            return {k: mark(v) for k, v in node.items()}
        return node

    return mark(document)
