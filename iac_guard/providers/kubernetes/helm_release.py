"""Terraform's ``helm_release``: keys written into the values it hands a chart.

A release's ``set`` / ``set_sensitive`` entries (blocks, or the list attribute of provider v3)
and its ``values`` (a list of YAML documents) are the chart's values, judged like a values file
(helm_values.py): a literal key is hardcoded, whichever template reads it; nothing else about the
release is a credential. Only what is written in the resource counts (``literal_value``): a value
taken from a variable or a data source is reported where it is written, or is unknown and never
fails. An inline YAML document's lines count from its own line in the ``.tf`` file; one read with
``file()`` / ``templatefile()`` is reported at the item's line.
"""

from __future__ import annotations

from typing import Any

from ...config.settings import Settings
from ...kubernetes.helm import HelmValues
from ...kubernetes.loader import load_yaml_document
from ...model import Extraction, Location, SecretLiteral
from ...terraform.module import Module
from ...terraform.syntax.nodes import Call, TupleExpr
from ...terraform.view import BlockView, Resource
from ..common.literals import literal_credential, partial_text
from ..common.root_modules import each_root_module
from ..common.secret_values import literals_in
from ..project import Project
from .helm_values import values_literals
from .vocabulary import PROVIDER
from .yaml_body import UNKNOWN_PART

HELM_RELEASE = "helm_release"
_SET_FIELDS = ("set", "set_sensitive")


def extract(project: Project, settings: Settings) -> Extraction:
    """One literal credential per release whose values hold keys, in its root module."""
    return each_root_module(project, _releases)


def _releases(module: Module) -> Extraction:
    found = Extraction()
    for resource in module.resources:
        if resource.resource_type != HELM_RELEASE:
            continue
        literals = sorted([*_set_literals(resource), *_values_literals(resource)], key=lambda found: found.location.line)
        if literals:
            found.credentials.append(literal_credential(resource, PROVIDER, literals))
    return found


def _set_literals(resource: Resource) -> list[SecretLiteral]:
    found: list[SecretLiteral] = []
    for field in _SET_FIELDS:
        for name, value, location in _set_entries(resource, field):
            key = name.rsplit(".", 1)[-1]
            found += literals_in(value, f"{field}.{name}", location, name=key)
    return found


def _set_entries(resource: Resource, field: str) -> list[tuple[str, Any, Location]]:
    """(name, value as written, where) of each ``set``-like entry, as blocks or as a list."""
    entries = [_entry(block.literal_value("name"), block.literal_value("value"), block.location_of("value")) for block in resource.blocks(field)]
    listed = resource.literal_value(field)
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict):
            entries.append(_entry(item.get("name"), item.get("value"), resource.location_of(field)))
    return [entry for entry in entries if entry is not None]


def _entry(name: Any, value: Any, location: Location) -> tuple[str, Any, Location] | None:
    return (name, value, location) if isinstance(name, str) else None


def _values_literals(resource: Resource) -> list[SecretLiteral]:
    attribute = resource.attribute("values")
    written = resource.literal_value("values")
    if attribute is None or not isinstance(written, list):
        return []
    items = attribute.expr.items if isinstance(attribute.expr, TupleExpr) else []
    found = []
    for position, item in enumerate(written):
        expr = items[position] if position < len(items) else None
        line = expr.line if expr is not None else attribute.line
        text = partial_text(item, UNKNOWN_PART)  # an unknown part is a reference, never a key
        if text is not None:
            found += _document_literals(resource, text, line, inline=expr is not None and not isinstance(expr, Call))
    return found


def _document_literals(view: BlockView, text: str, line: int, inline: bool) -> list[SecretLiteral]:
    read = load_yaml_document(text, view.location.file)
    if read is None or not isinstance(read, tuple) or not isinstance(read[0], dict):
        return []
    value, lines = read
    shifted = {path: (n + line if inline else line) for path, n in lines.items()}  # a heredoc starts below its line
    return values_literals(HelmValues(view.location.file, value, shifted))
