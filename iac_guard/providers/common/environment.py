"""The environment entries of workloads (environment variables, app settings): each either reads
a credential (a usage) or is judged for a literal key written in it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...model import Location, SecretLiteral, Usage
from ...terraform.syntax.nodes import Expr, Literal, ObjectExpr
from ...terraform.syntax.references import references
from ...terraform.values import collect_refs
from ...terraform.view import BlockView
from .links import attribute_references, expression_attribute_references
from .secret_values import literals_in


@dataclass(frozen=True)
class EnvEntry:
    """One named setting a workload runs with (an environment variable, an app setting)."""

    name: str
    value: Any  # evaluated: links the entry to the credential it names
    literal: Any  # only what is written here: judged for hardcoded keys
    refs: frozenset[str] | None  # syntax references, when the entry is an expression of its own
    field: str
    location: Location
    attributes: frozenset[str] = frozenset()  # resource attributes it reads (attribute_references)
    kind: str = "env"  # the usage reads "<kind> <name>": "env OPENAI_API_KEY", "secret openai-key"

    def usage(self, workload: str, credential: str) -> Usage:
        """The workload reads ``credential`` through this entry; an environment variable keeps its
        name apart, for the inventory to read a provider from it."""
        via = f"{self.kind} {self.name}"
        return Usage(workload, credential, via, self.location, env_var=self.name if self.kind == "env" else None)


def map_entries(view: BlockView, attribute: str, field_name: str) -> Iterator[EnvEntry]:
    """The entries of a map attribute (``environment.variables``, ``app_settings``,
    ``environment_variables``), each at its own line when the map is written as an object."""
    written = view.attribute(attribute)
    values = view.value(attribute)
    if written is None or not isinstance(values, dict):
        return
    literals = view.literal_value(attribute)
    location = view.location_of(attribute)
    items = _object_items(written.expr)
    for name in sorted(values):
        expression, line = items.get(name, (None, None))
        yield EnvEntry(
            name, values[name], literals.get(name) if isinstance(literals, dict) else None,
            frozenset(view.module.qualify(r) for r in references(expression)) if expression is not None else frozenset(),
            f"{field_name}.{name}", Location(location.file, line, line) if line else location,
            expression_attribute_references(expression, view.module) if expression is not None else frozenset(),
        )


def block_entry(block: BlockView, name: str, value_attribute: str, field_name: str, kind: str = "env") -> EnvEntry:
    """An entry written as a block (``env { name = "X" value = … }``)."""
    return EnvEntry(
        name, block.value(value_attribute), block.literal_value(value_attribute), block.refs(value_attribute),
        field_name, block.location_of(value_attribute), attribute_references(block, value_attribute), kind,
    )


def _object_items(expression: Expr) -> dict[str, tuple[Expr, int]]:
    if not isinstance(expression, ObjectExpr):
        return {}
    lines = expression.item_lines or tuple(0 for _ in expression.items)
    return {key.value: (value, line) for (key, value), line in zip(expression.items, lines, strict=True) if isinstance(key, Literal)}


def read_entries(
    workload: str, entries: Iterable[EnvEntry], find_target: Callable[[EnvEntry], str | None]
) -> tuple[list[Usage], list[SecretLiteral]]:
    """Each entry either reads a credential (a usage) or is judged for a literal key written in it."""
    usages: list[Usage] = []
    literals: list[SecretLiteral] = []
    for entry in entries:
        target = find_target(entry)
        if target:
            usages.append(entry.usage(workload, target))
        else:
            literals += literals_in(entry.literal, entry.field, entry.location, name=entry.name)
    return usages, literals


def referenced_credential(entry: EnvEntry, targets: Mapping[str, frozenset[str] | None]) -> str | None:
    """The credential an entry reads by reference: any attribute of a secret store (``None``), or
    one of the attributes that hold a key resource's secret (``{"primary_access_key", …}``)."""
    exact = collect_refs(entry.value) | (entry.refs or frozenset())
    for address in sorted(targets):
        base = address.split("[", 1)[0]
        if address not in exact and (base != address or base not in exact):
            continue
        attributes = targets[address]
        if attributes is None or any(f"{base}.{name}" in entry.attributes for name in attributes):
            return address
    return None
