"""The values written in a resource: known strings, the known text of a partly unknown template,
and literal keys written into attributes or a workload's settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...model import Credential, SecretLiteral, Unknown
from ...secrets.detect import credential_kind
from ...terraform.syntax.nodes import Expr, Literal, Template
from ...terraform.values import UNKNOWN_MARK, Unknownish, json_partial
from ...terraform.view import BlockView, Resource
from .secret_values import literals_in


def known_strings(value: Any) -> list[str]:
    """The known strings of a string-or-list attribute; unknown items are left out."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def partial_text(value: Any, placeholder: str = "\u0000") -> str | None:
    """A string value, or the known text of a partly unknown template with each unknown part
    replaced by ``placeholder`` (``"/subscriptions/${var.id}"`` → ``"/subscriptions/\\0"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknownish) and isinstance(value.partial, str):
        return value.partial.replace(UNKNOWN_MARK, placeholder)
    return None


def written_literals(view: BlockView, attribute: str, name: str | None = None) -> tuple[SecretLiteral, ...]:
    """Literal keys written into one attribute (a secret's value, or each entry of a JSON object
    written there with ``jsonencode``), at the attribute's lines; a key inside a heredoc at its own."""
    value = view.literal_value(attribute)
    structure = json_partial(value) if isinstance(value, str) and value.lstrip().startswith("{") else value
    if isinstance(structure, dict):
        return literals_in(structure, attribute, view.location_of(attribute), name=name)
    written = view.attribute(attribute)
    first_line = heredoc_first_line(written.expr, written.end_line, value) if written is not None else None
    return literals_in(value, attribute, view.location_of(attribute), name=name, first_line=first_line)


def heredoc_first_line(expression: Expr, end_line: int, text: Any) -> int | None:
    """The file line where the text of a heredoc ``expression`` begins (the line after ``<<EOF``),
    so a key found inside is reported at its own line; None for a one-line or computed value.

    A string spans lines only as a heredoc, whose text ends with a line break and whose closing
    marker has a line of its own: the expression spans at least one line more than the text has
    line breaks. A quoted ``"a\\nb"`` spans none.
    """
    if not isinstance(expression, (Literal, Template)) or not isinstance(text, str) or "\n" not in text:
        return None
    return expression.line + 1 if end_line - expression.line >= text.count("\n") + 1 else None


def literal_credential(resource: Resource, provider: str, literals: Sequence[SecretLiteral]) -> Credential:
    """The keys written into a workload's settings, as one literal credential at the workload."""
    return Credential(
        address=resource.address, provider=provider, source_type=resource.resource_type,
        kind=credential_kind(literals[0].detector), location=literals[0].location,
        name=resource.name, origin="literal", hardcoded=tuple(literals),
        ai_hints=tuple(literal.field.rsplit(".", 1)[-1] for literal in literals),
    )


def tag_map(value: Any) -> dict[str, Any] | Unknown:
    """A tags or labels value as records carry it: the map, unknown when it is not known before
    apply (an environment tag may be among it), else empty."""
    if isinstance(value, Unknown):
        return value
    return dict(value) if isinstance(value, dict) else {}
