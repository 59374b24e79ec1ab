"""Terraform plan JSON (``terraform show -json plan.out``) read into the same module trees as code.

A plan knows what code alone cannot: every variable's value, ``count``/``for_each`` instances,
module inputs, provider ``default_tags`` already merged into ``tags_all``. Each planned resource
becomes a block whose attributes are the planned values; an attribute known only after apply
becomes an unknown that remembers the resources its configuration references (so a Lambda still
links to its role). Values that come from references rather than from a constant in the
configuration are not "written in code" and are never reported as hardcoded.

Plans carry no source positions. With ``--tf-dir`` the matching ``.tf`` blocks give files and
lines (and the ``lifecycle`` blocks plans leave out); otherwise findings point at the plan file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ...model import ScanError
from ...support.files import DEFAULT_MAX_FILE_BYTES, read_input
from ..instances import Instance
from ..module import DataSourceEvaluator, Module
from ..view import Resource
from .nodes import Attribute, Block, Body, Expr, Literal, ObjectExpr, Resolved, TupleExpr
from .references import SCOPE_ROOTS, address_parts


def load_plan(
    path: Path, relative: str, data_sources: Mapping[str, DataSourceEvaluator], sources: Mapping[str, Resource] | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[Module | None, list[ScanError]]:
    """The plan's root module tree; ``sources`` maps addresses to their ``.tf`` blocks (``--tf-dir``)."""
    data = read_input(path, relative, max_bytes)
    if isinstance(data, ScanError):
        return None, [data]
    return plan_from_bytes(data, relative, data_sources, sources)


def plan_from_bytes(
    data: bytes, relative: str, data_sources: Mapping[str, DataSourceEvaluator], sources: Mapping[str, Resource] | None = None
) -> tuple[Module | None, list[ScanError]]:
    """A plan's bytes as read from a file or standard input."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, [ScanError(relative, f"cannot read the plan ({type(exc).__name__})")]
    except json.JSONDecodeError as exc:
        return None, [ScanError(relative, f"not valid JSON ({exc.msg})", exc.lineno, exc.colno)]
    except RecursionError:
        return None, [ScanError(relative, "nesting is too deep to parse")]
    try:
        return _plan_module(document, relative, data_sources, sources)
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        # A file with the plan markers whose structure is not a plan's (edited, truncated, hostile).
        return None, [ScanError(relative, f"not a plan JSON iac-guard can read ({type(exc).__name__} in its structure)")]


def _plan_module(
    document: Any, relative: str, data_sources: Mapping[str, DataSourceEvaluator], sources: Mapping[str, Resource] | None
) -> tuple[Module | None, list[ScanError]]:
    planned = document.get("planned_values", {}).get("root_module") if isinstance(document, dict) else None
    if not isinstance(planned, dict):
        return None, [ScanError(relative, "a plan JSON without planned_values: create it with terraform show -json PLANFILE")]
    changes = {c.get("address"): c.get("change", {}) for c in document.get("resource_changes", []) if isinstance(c, dict)}
    configuration = _configuration_resources(document.get("configuration", {}).get("root_module", {}), "")
    builder = _PlanBuilder(relative, changes, configuration, sources or {})
    root = Module(relative, [], data_sources=data_sources)  # its own root module: the plan file
    builder.fill(root, planned)
    return root, []


class _PlanBuilder:
    def __init__(
        self, relative: str, changes: Mapping[str | None, Any], configuration: Mapping[str, Any], sources: Mapping[str, Resource]
    ) -> None:
        self.relative = relative
        self.changes = changes
        self.configuration = configuration
        self.sources = sources

    def fill(self, module: Module, planned: Mapping[str, Any]) -> None:
        for entry in planned.get("resources", []):
            if isinstance(entry, dict) and entry.get("mode") in ("managed", "data"):
                resource = self._resource(entry, module)
                (module.own_resources if entry["mode"] == "managed" else module.own_data).append(resource)
        for child_entry in planned.get("child_modules", []):
            if isinstance(child_entry, dict) and isinstance(child_entry.get("address"), str):
                child = Module(module.directory, [], data_sources=module.data_sources,
                               address_prefix=f"{child_entry['address']}.", parent=module)
                self.fill(child, child_entry)
                module.children.append(child)

    def _resource(self, entry: Mapping[str, Any], module: Module) -> Resource:
        address = entry.get("address", "")
        source = self.sources.get(address) or self.sources.get(_without_index(address))
        line = source.block.line if source else 1
        body = self._body(entry.get("values") or {}, self.changes.get(address, {}).get("after_unknown") or {},
                          self.configuration.get(_without_index(address), {}), module, source, line)
        block = Block("resource" if entry["mode"] == "managed" else "data", (entry["type"], entry["name"]), body,
                      line, source.block.end_line if source else 1)
        key = entry.get("index")
        return Resource(block, source.file if source else self.relative, module, Instance(key, {}))

    def _body(
        self, values: Mapping[str, Any], unknown: Any, expressions: Mapping[str, Any], module: Module,
        source: Resource | None, line: int,
    ) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        unknown_map = unknown if isinstance(unknown, dict) else {}
        for name in sorted(set(values) | {k for k, v in unknown_map.items() if v is True}):
            attribute_line = source.line(name) if source else line
            expression = expressions.get(name) if isinstance(expressions, dict) else None
            if unknown_map.get(name) is True:
                refs = frozenset(module.qualify(r) for r in _reference_addresses(expression))
                attributes[name] = Attribute(name, Resolved(None, refs, attribute_line, unknown=True), attribute_line, attribute_line)
                continue
            value = values[name]
            written = isinstance(expression, dict) and "constant_value" in expression
            attributes[name] = Attribute(name, _expr(value, written, attribute_line), attribute_line, attribute_line)
            items = value if isinstance(value, list) else [value]
            nested = expression if isinstance(expression, list) else [expression] * len(items)
            unknown_items = unknown_map.get(name)
            for position, item in enumerate(items):
                if isinstance(item, dict):
                    item_unknown = unknown_items[position] if isinstance(unknown_items, list) and position < len(unknown_items) else {}
                    config = nested[position] if position < len(nested) else None
                    item_config = config if isinstance(config, dict) else {}
                    body = self._body(item, item_unknown, item_config, module, None, attribute_line)
                    blocks.append(Block(name, (), body, attribute_line, attribute_line))
        if source is not None:
            blocks += [b for b in source.block.body.blocks if b.type == "lifecycle"]  # plans leave these out
        return Body(attributes, tuple(blocks))


def _expr(value: Any, written: bool, line: int) -> Expr:
    """A planned value: a constant from the configuration reads as written; anything else is a
    resolved value — known to the evaluator, not written in code."""
    if not written:
        return Resolved(value, frozenset(), line)
    if isinstance(value, dict):
        return ObjectExpr(tuple((Literal(k, line), _expr(v, True, line)) for k, v in value.items()), line)
    if isinstance(value, list):
        return TupleExpr(tuple(_expr(v, True, line) for v in value), line)
    return Literal(value, line)


def _configuration_resources(module: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Address (without instance keys) → the resource's configuration expressions."""
    found: dict[str, Any] = {}
    for resource in module.get("resources", []) if isinstance(module, dict) else []:
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            found[f"{prefix}{resource['address']}"] = resource.get("expressions", {})
    for name, call in (module.get("module_calls", {}) or {}).items() if isinstance(module, dict) else []:
        if isinstance(call, dict):
            found.update(_configuration_resources(call.get("module", {}), f"{prefix}module.{name}."))
    return found


def _reference_addresses(expression: Any) -> Iterator[str]:
    """Resource addresses in an expression's ``references`` (``aws_iam_role.chat.arn`` → ``aws_iam_role.chat``)."""
    references = expression.get("references", []) if isinstance(expression, dict) else []
    for reference in references if isinstance(references, list) else []:
        parts = str(reference).split(".")
        if parts[0] in SCOPE_ROOTS:
            continue
        take = address_parts(parts[0])
        if len(parts) >= take:
            yield ".".join(parts[:take])


def _without_index(address: str) -> str:
    """``module.a["x"].aws_iam_user.u[0]`` → ``module.a.aws_iam_user.u``."""
    result, depth = [], 0
    for char in address:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            result.append(char)
    return "".join(result)


def source_blocks(modules: list[Module]) -> dict[str, Resource]:
    """The ``.tf`` blocks of ``--tf-dir`` by address, to give plan resources their lines."""
    return {resource.address: resource for module in modules for resource in (*module.resources, *module.data)}

