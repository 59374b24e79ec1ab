"""Secrets written into Terraform inputs: variable defaults, tfvars and var-file values, module
call arguments and locals.

Not a provider of its own: any root module can hardcode an API key in ``variable "openai_api_key"
{ default = "sk-..." }``, whatever it later feeds the value to. The finding names the input
(``var.openai_api_key``, ``module.chat.var.api_key``) and points at the line where the value is
written; a value written once is reported once, however many module instances read it. Values
given on the command line or in the environment are not code and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config.settings import Settings
from ..model import Credential, Extraction, Location
from ..secrets.detect import credential_kind
from ..terraform.module import Module
from .common.secret_values import literals_in
from .project import Project

_WRITTEN_IN_CODE = ("default", "tfvars", "module input")


def extract(project: Project, settings: Settings) -> Extraction:
    found = Extraction()
    for module in project.modules:
        found.extend(_module_inputs(module).in_root_module(module.directory))
    return found


def _module_inputs(root: Module) -> Extraction:
    found = Extraction()
    reported: set[tuple[str, int]] = set()
    for address, name, field, value, location, hints in _written_values(root):
        if (location.file, location.line) in reported:
            continue
        credential = _literal_credential(address, name, field, value, location, hints)
        if credential:
            reported.add((location.file, location.line))
            found.credentials.append(credential)
    return found


def _written_values(root: Module) -> Iterator[tuple[str, str, str, Any, Location, tuple[str, ...]]]:
    """(address, name, field, value as written, where, AI hints) of every input value written in code."""
    for module in root.instances():
        prefix = module.address_prefix
        for name, given, block, _ in module.variables():
            if given is None or given.source not in _WRITTEN_IN_CODE:
                continue
            description = block.body.attributes.get("description")
            hints = (name,) + ((str(module.literal_evaluator.evaluate(description.expr)),) if description else ())
            value = given.value
            if given.source == "module input":  # only what the call writes, not what it passes along
                argument = module.inputs[name]
                value = argument.caller.literal_evaluator.evaluate(argument.expr, argument.scope)
            field = "default" if given.from_default else "value"
            yield f"{prefix}var.{name}", name, field, value, given.location, hints
        for name, attribute, file in module.locals():
            location = Location(file, attribute.line, attribute.end_line)
            yield f"{prefix}local.{name}", name, "value", module.literal_evaluator.evaluate(attribute.expr), location, (name,)
    for name, given in root.undeclared_tfvars():
        if given.source in _WRITTEN_IN_CODE:
            yield f"var.{name}", name, "value", given.value, given.location, (name,)


def _literal_credential(
    address: str, name: str, field: str, value: Any, location: Location, hints: tuple[str, ...]
) -> Credential | None:
    # The place inside the value: the field itself, or a key of a map (``default.openai``).
    literals = literals_in(value, field, location, name=name)
    if not literals:
        return None
    return Credential(
        address=address,
        provider="terraform",
        source_type="local" if ".local." in f".{address}" else "variable",
        kind=credential_kind(literals[0].detector),
        location=location,
        name=name,
        origin="literal",
        hardcoded=literals,
        ai_hints=hints,
    )

