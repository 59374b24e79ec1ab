"""The values written in a resource: known strings, the known text of a partly unknown template,
and literal keys written into attributes or a workload's settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...model import Credential, SecretLiteral
from ...secrets.detect import credential_kind, find_in
from ...terraform.values import UNKNOWN_MARK, Unknownish, json_partial
from ...terraform.view import BlockView, Resource


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
    written there with ``jsonencode``), at the attribute's lines."""
    value = view.literal_value(attribute)
    structure = json_partial(value) if isinstance(value, str) and value.lstrip().startswith("{") else value
    return tuple(
        SecretLiteral(path, d.detector, d.fingerprint, view.location_of(attribute), d.ai_provider)
        for path, d in find_in(structure if isinstance(structure, dict) else value, attribute, name=name)
    )


def literal_credential(resource: Resource, provider: str, literals: Sequence[SecretLiteral]) -> Credential:
    """The keys written into a workload's settings, as one literal credential at the workload."""
    return Credential(
        address=resource.address, provider=provider, source_type=resource.resource_type,
        kind=credential_kind(literals[0].detector), location=literals[0].location,
        name=resource.name, origin="literal", hardcoded=tuple(literals),
        ai_hints=tuple(literal.field.rsplit(".", 1)[-1] for literal in literals),
    )
