"""What every CI and agent-config recognizer makes the same way: credentials known only by the
name a pipeline reads them by, and literal keys judged with the template expressions left out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...kubernetes.objects import PathKey
from ...model import UNKNOWN, Credential, Expiry, Location, Owner, Rotation, SecretLiteral
from ..common.secret_values import literals_in

#: ``${{ … }}`` (GitHub), ``${VAR}`` / ``${input:id}`` / ``${env:VAR}`` (MCP, GitLab), ``$VAR``.
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def without_expressions(text: str) -> str:
    """The text as written, without the expressions a runner fills in: ``Bearer ${{ secrets.X }}``
    holds no literal, while ``Bearer sk-…`` does."""
    return _EXPRESSION.sub("", text)


def literal_values(value: object, field: str, location: Location, name: str) -> tuple[SecretLiteral, ...]:
    """The literal secrets of one written value (a string, number, or a list or map of them)."""
    if isinstance(value, bool) or value is None:
        return ()
    if isinstance(value, (int, float)):
        value = str(value)
    if isinstance(value, str):
        value = without_expressions(value)
        if not value.strip():
            return ()
    return literals_in(value, field, location, name=name)


def referenced_credential(address: str, provider: str, source_type: str, name: str, location: Location, where: str) -> Credential:
    """A secret a pipeline reads by name; what it states about itself is kept by ``where``."""
    return Credential(
        address=address, provider=provider, source_type=source_type, kind="secret", location=location, name=name,
        owner=Owner(UNKNOWN, source=f"kept in {where}"), expiry=Expiry(UNKNOWN, source=f"kept in {where}"),
        rotation=Rotation(UNKNOWN, where), ai_hints=(name,), declared=False,
    )


def leaves(value: Any, path: PathKey, depth: int = 0) -> Iterator[tuple[PathKey, Any]]:
    """Every scalar under ``value`` with its path (workflows nest a handful of levels)."""
    if depth > 32:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, str(key)), depth + 1)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from leaves(item, (*path, position), depth + 1)
    elif value is not None:
        yield path, value
