"""Helm values files as literal credentials: a key written into a chart's values is hardcoded,
whichever template reads it.

A values file is a chart's inputs, not a deployed object: it has no owner, expiry or rotation of
its own to judge, and what consumes each value is only known once the chart is rendered. So each
file with keys in it is one ``origin="literal"`` credential (judged by the hardcoded-secret
policy only, like the literals written into a workload's ``env``), at
``HelmValues/<chart>/<file>``; a file with none yields nothing. The compliant form,
``existingSecret: <name>`` (a reference to a Secret made elsewhere), is a name, not a key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...config.settings import Settings
from ...kubernetes.helm import HelmValues
from ...kubernetes.objects import PathKey
from ...model import Credential, Extraction, Location, SecretLiteral
from ...secrets.detect import credential_kind
from ..cluster import ClusterContext
from ..common.secret_values import string_literals
from .vocabulary import PROVIDER

_MAX_DEPTH = 32


def extract(cluster: ClusterContext, settings: Settings) -> Extraction:
    """One literal credential per values file that holds keys, in file order."""
    found = Extraction()
    for values in sorted(cluster.helm_values, key=lambda v: v.file):
        literals = values_literals(values)
        if literals:
            found.credentials.append(_credential(values, literals))
    return found


def values_literals(values: HelmValues) -> list[SecretLiteral]:
    """The keys written in a values file, each at the line of its own key."""
    found = []
    for path, name, text in _strings(values.value, (), "", 0):
        field = _field(path)
        line = _line(values, path)
        found += string_literals(text, field, name, Location(values.file, line, line))
    return found


def _strings(value: Any, path: PathKey, name: str, depth: int) -> Iterator[tuple[PathKey, str, str]]:
    """Every string in the values with its path and the key that names it (a list item is named
    by its list's key: ``apiKeys: [sk-…]``)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        yield path, name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key), str(key), depth + 1)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _strings(item, (*path, position), name, depth + 1)


def _field(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line(values: HelmValues, path: PathKey) -> int:
    for end in range(len(path), 0, -1):
        if path[:end] in values.lines:
            return values.lines[path[:end]]
    return 1


def _credential(values: HelmValues, literals: list[SecretLiteral]) -> Credential:
    kinds = [credential_kind(literal.detector) for literal in literals]
    lines = [literal.location.line for literal in literals]
    return Credential(
        address=values.address, provider=PROVIDER, source_type="HelmValues",
        kind=next((kind for kind in kinds if kind != "secret"), "secret"),
        location=Location(values.file, min(lines), max(lines)),
        name=values.chart, origin="literal", hardcoded=tuple(literals),
        ai_hints=tuple(dict.fromkeys(literal.field.rsplit(".", 1)[-1] for literal in literals)),
    )
