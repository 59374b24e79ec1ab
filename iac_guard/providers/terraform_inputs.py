"""Secrets written into Terraform inputs: variable defaults, tfvars values and locals.

Not a provider of its own: any root module can hardcode an API key in ``variable "openai_api_key"
{ default = "sk-..." }``, whatever it later feeds the value to. The finding names the input
(``var.openai_api_key``) and points at the line where the value is written.
"""

from __future__ import annotations

from ..config import Settings
from ..model import Credential, Extraction, Location, SecretLiteral
from ..project import Project
from ..secrets import credential_kind, find_in
from ..terraform.evaluate import LITERAL_EVALUATOR
from ..terraform.module import Module


def extract(project: Project, settings: Settings) -> Extraction:
    found = Extraction()
    for module in project.modules:
        found.extend(_module_inputs(module).in_root_module(module.directory))
    return found


def _module_inputs(module: Module) -> Extraction:
    found = Extraction()
    for name, value, block, file in module.variables():
        if value is None:
            continue
        description = block.body.attributes.get("description")
        hints = (name,) + ((str(module.evaluator.evaluate(description.expr)),) if description else ())
        field = "default" if value.from_default else "value"
        credential = _literal_credential(f"{module.address_prefix}var.{name}", "variable", value.value, name, field, value.location, hints)
        if credential:
            found.credentials.append(credential)
    for name, value in module.undeclared_tfvars():
        credential = _literal_credential(f"{module.address_prefix}var.{name}", "variable", value.value, name, "value", value.location, (name,))
        if credential:
            found.credentials.append(credential)
    for name, attribute, file in module.locals():
        location = Location(file, attribute.line, attribute.end_line)
        value = LITERAL_EVALUATOR.evaluate(attribute.expr)  # literals written here, not via var.
        credential = _literal_credential(f"{module.address_prefix}local.{name}", "local", value, name, "value", location, (name,))
        if credential:
            found.credentials.append(credential)
    return found


def _literal_credential(
    address: str, source_type: str, value: object, name: str, field: str, location: Location, hints: tuple[str, ...]
) -> Credential | None:
    hits = find_in(value, name)
    if not hits:
        return None
    literals = tuple(
        SecretLiteral(field if path == name else f"{field}{path[len(name):]}", d.detector, d.fingerprint, location, d.ai_provider)
        for path, d in hits
    )
    return Credential(
        address=address,
        provider="terraform",
        source_type=source_type,
        kind=credential_kind(hits[0][1].detector),  # type: ignore[arg-type]
        location=location,
        name=name,
        origin="literal",
        hardcoded=literals,
        ai_hints=hints,
    )
