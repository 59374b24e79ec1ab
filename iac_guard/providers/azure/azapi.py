"""Azure resources written through the azapi provider: an ``azapi_resource`` with an ARM ``type``
(``Microsoft.CognitiveServices/accounts@2025-06-01``), as the Azure Verified Modules write them,
read as the azurerm resource it stands for, so that one recognizer step judges both.

The view is the resource's own block with the azurerm attributes added, each the expression in
the ``body`` (a secret: ``sensitive_body`` first) that holds it: an object written in place, inside
``jsonencode(...)`` (older provider versions) or not (a local, a ``for`` that drops nulls). A
value read from there has its own references and line, and one not known before apply is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ...model import Unknown
from ...terraform.syntax.nodes import (
    Attribute,
    BinaryOp,
    Block,
    Body,
    Call,
    Conditional,
    Expr,
    Literal,
    ObjectExpr,
    Resolved,
    UnaryOp,
    written_key,
)
from ...terraform.values import collect_refs, json_partial
from ...terraform.view import Resource

AZAPI_TYPE = "azapi_resource"
_PARENT = "@parent_id"
_NEGATED = "!"
#: Where a secret may be written: ``sensitive_body`` (azapi 2.x) first, then ``body``. Other
#: settings are read from ``body`` only: a ``sensitive_body`` not known before apply (the modules
#: pick it from a list by a flag) must not make them unknown too.
_SECRET_BODIES = ("sensitive_body", "body")
_BODIES = ("body",)


@dataclass(frozen=True)
class ArmShape:
    """An ARM resource type read as an azurerm one: ``like`` is that type, ``attributes`` maps its
    attribute names to a dotted path in the body (``!`` before it: the negation, true when not
    written), or to ``@parent_id``."""

    like: str
    attributes: tuple[tuple[str, str], ...]
    secrets: frozenset[str] = frozenset()  # attributes that may be written in ``sensitive_body``


#: ARM resource types (lower case, without the API version) → how to read them.
ARM_TYPES = {
    "microsoft.cognitiveservices/accounts": ArmShape("azurerm_cognitive_account", (
        ("kind", "kind"), ("local_auth_enabled", "!properties.disableLocalAuth"),
        ("custom_subdomain_name", "properties.customSubDomainName"), ("tags", "tags"),
    )),
    "microsoft.keyvault/vaults/secrets": ArmShape("azurerm_key_vault_secret", (
        ("value", "properties.value"), ("content_type", "properties.contentType"),
        ("expiration_date", "properties.attributes.exp"), ("key_vault_id", _PARENT), ("tags", "tags"),
    ), frozenset({"value"})),
    "microsoft.authorization/roleassignments": ArmShape("azurerm_role_assignment", (
        ("principal_id", "properties.principalId"), ("role_definition_id", "properties.roleDefinitionId"), ("scope", _PARENT),
    )),
    "microsoft.managedidentity/userassignedidentities": ArmShape("azurerm_user_assigned_identity", (("tags", "tags"),)),
    "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials": ArmShape(
        "azurerm_federated_identity_credential", (("subject", "properties.subject"), ("issuer", "properties.issuer")),
    ),
    # Compute read for the identities it runs as (``identity``); its settings are not read.
    "microsoft.app/containerapps": ArmShape("azurerm_container_app", ()),
    "microsoft.web/sites": ArmShape("azurerm_linux_web_app", ()),
    "microsoft.containerservice/managedclusters": ArmShape("azurerm_kubernetes_cluster", ()),
    "microsoft.machinelearningservices/workspaces": ArmShape("azurerm_machine_learning_workspace", ()),
    "microsoft.cognitiveservices/accounts/projects": ArmShape("azurerm_ai_foundry_project", ()),
}


class ArmResource(Resource):
    """An ``azapi_resource`` read as the azurerm resource type ``like``; its address and
    ``resource_type`` stay its own."""

    def __init__(self, resource: Resource, shape: ArmShape) -> None:
        super().__init__(_as_block(resource, shape), resource.file, resource.module, resource.instance)
        self.like = shape.like
        self.paths = dict(shape.attributes)  # azurerm attribute → where the body holds it


def written_name(resource: Resource, name: str) -> str:
    """How the code names an attribute read as ``name``: its path in an ARM body
    (``properties.attributes.exp``), ``parent_id``, or ``name`` itself — what messages show."""
    path = resource.paths.get(name) if isinstance(resource, ArmResource) else None
    if path is None:
        return name
    return "parent_id" if path == _PARENT else path.lstrip(_NEGATED)


def arm_resources(resources: list[Resource]) -> list[ArmResource]:
    """The ``azapi_resource`` instances whose ARM type is known and read; a type not known before
    apply is not guessed."""
    found = []
    for resource in resources:
        written = resource.value("type")
        shape = ARM_TYPES.get(written.split("@", 1)[0].strip().lower()) if isinstance(written, str) else None
        if shape is not None:
            found.append(ArmResource(resource, shape))
    return found


def _as_block(resource: Resource, shape: ArmShape) -> Block:
    attributes = dict(resource.block.body.attributes)
    for name, path in shape.attributes:
        if name not in attributes:
            bodies = _SECRET_BODIES if name in shape.secrets else _BODIES
            found = _parent(resource, name) if path == _PARENT else _from_bodies(resource, name, path, bodies)
            if found is not None:
                attributes[name] = found
    block = resource.block
    return replace(block, body=Body(attributes, block.body.blocks))


def _parent(resource: Resource, name: str) -> Attribute | None:
    written = resource.attribute("parent_id")
    return replace(written, name=name) if written else None


def _from_bodies(resource: Resource, name: str, path: str, bodies: tuple[str, ...]) -> Attribute | None:
    """The attribute at ``path`` in the first of ``bodies`` where it is not null; None when no
    body holds it."""
    negated = path.startswith(_NEGATED)
    keys = path.lstrip(_NEGATED).split(".")
    found: list[tuple[Expr, int]] = []
    for source in bodies:
        written = resource.attribute(source)
        if written is not None:
            at = _find(written.expr, keys) or _resolved(resource.value(source), keys, written.line)
            if at is not None:
                found.append(at)
    if not found:
        return None
    expression, line = found[-1]
    for earlier, earlier_line in reversed(found[:-1]):  # an earlier body wins where it is not null
        expression = Conditional(BinaryOp("!=", earlier, Literal(None, earlier_line), earlier_line), earlier, expression, earlier_line)
        line = earlier_line
    if negated:
        expression = Call("try", (UnaryOp("!", expression, line), Literal(True, line)), False, line)
    return Attribute(name, expression, line, line)


def _find(expression: Expr, keys: list[str]) -> tuple[Expr, int] | None:
    """The expression written at ``keys`` of an object written in place (or inside
    ``jsonencode(...)``) with its line; None when the body is not written so, or lacks it."""
    if isinstance(expression, Call) and expression.name == "jsonencode" and len(expression.args) == 1:
        return _find(expression.args[0], keys)
    if not isinstance(expression, ObjectExpr):
        return None
    for position, (key, value) in enumerate(expression.items):
        if written_key(key) == keys[0]:
            line = expression.item_lines[position] if position < len(expression.item_lines) else value.line
            return (value, line) if len(keys) == 1 else _find(value, keys[1:])
    return None


def _resolved(body: Any, keys: list[str], line: int) -> tuple[Expr, int] | None:
    """The value at ``keys`` of a body not written as an object (a local, a ``for`` dropping
    nulls, JSON text), evaluated: unknown where the body is, None where it has no such key."""
    value = json_partial(body) if body is not None else None
    for key in keys:
        if isinstance(value, Unknown):
            break
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return None
    unknown = isinstance(value, Unknown)
    return Resolved(None if unknown else value, collect_refs(value), line, unknown=unknown), line
