"""Azure RBAC: role assignments as grants of the identities they name, and which of them are
wildcards (a whole subscription or management group, or a role that can do everything)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ...model import Grant, Location, Unknown
from ...terraform.values import collect_refs
from ...terraform.view import Resource
from ..common.links import attribute_references
from ..common.literals import known_strings, partial_text
from .context import AzureModule

#: Built-in roles that allow every action in their scope (or granting any role to anyone), and why.
_ALL_POWERFUL = {
    "owner": "built-in role Owner allows every action, including granting access to others",
    "contributor": "built-in role Contributor allows every action except granting access",
    "user access administrator": "built-in role User Access Administrator can grant any role to anyone",
}
#: Built-in role definition ids (the last segment of ``role_definition_id``) → role names.
_BUILT_IN_IDS = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
    "a001fd3d-188f-4b5d-821b-7da978bf7442": "Cognitive Services OpenAI Contributor",
    "a97b65f3-24c7-4388-baec-2e87135dc908": "Cognitive Services User",
}
_SUBSCRIPTION = re.compile(r"(?i)^/subscriptions/[^/]+/?$")
_MANAGEMENT_GROUP = re.compile(r"(?i)^/providers/Microsoft\.Management/managementGroups/[^/]+/?$")
_SCOPE_TYPES = {
    "azurerm_subscription": "subscription", "data.azurerm_subscription": "subscription",
    "azurerm_management_group": "management group", "data.azurerm_management_group": "management group",
}
_WHOLE_SCOPES = ("subscription", "management group", "tenant")
_UNKNOWN_PART = "\u0000"
_MODULE_PREFIX = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*")


def collect_grants(azure: AzureModule, principals: dict[str, str]) -> dict[str, list[Grant]]:
    """Identity address → the role assignments naming it as ``principal_id``.

    ``principals`` maps what a ``principal_id`` can reference (``azurerm_user_assigned_identity.x``,
    ``azurerm_linux_web_app.y.identity``, ``azuread_service_principal.z``) to the identity record.
    """
    grants: dict[str, list[Grant]] = defaultdict(list)
    definitions = azure.by_type("azurerm_role_definition")
    for assignment in azure.resources_of("azurerm_role_assignment"):
        identity = _principal(assignment, principals)
        if identity:
            grants[identity].append(_grant(assignment, definitions))
    return grants


def _principal(assignment: Resource, principals: dict[str, str]) -> str | None:
    named = attribute_references(assignment, "principal_id") | collect_refs(assignment.value("principal_id")) | assignment.refs("principal_id")
    for reference in sorted(named):
        if reference in principals:
            return principals[reference]
    return None


def _grant(assignment: Resource, definitions: dict[str, Resource]) -> Grant:
    role, actions, role_reasons = _role(assignment, definitions)
    scope = assignment.value("scope")
    scope_kind, scope_label = _scope(scope, collect_refs(scope) or assignment.refs("scope"))
    scope_reasons = (f"scope is a whole {scope_kind} ({scope_label})",) if scope_kind in _WHOLE_SCOPES else ()
    role_attribute = "role_definition_name" if assignment.has("role_definition_name") else "role_definition_id"
    return Grant(
        statement=f"{assignment.address} ({role})", actions=actions,
        resources=(scope_label,) if scope_label else (), wildcard_reasons=role_reasons + scope_reasons,
        location=assignment.location_of("scope" if scope_reasons and not role_reasons else role_attribute),
    )


def _role(assignment: Resource, definitions: dict[str, Resource]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The role's name, what it allows (its name for a built-in role, the actions of a custom one)
    and why it is a wildcard."""
    name = assignment.value("role_definition_name")
    if not isinstance(name, str) and assignment.has("role_definition_id"):
        custom = next((ref for ref in sorted(assignment.refs("role_definition_id")) if ref in definitions), None)
        if custom:
            return _custom_role(definitions[custom])
        name = _built_in_name(assignment)
    if not isinstance(name, str):
        return "role not known before apply", (), ()
    reason = _ALL_POWERFUL.get(name.lower())
    return name, (name,), (reason,) if reason else ()


def _built_in_name(assignment: Resource) -> Any:
    """A built-in role named by id: a literal id, or a ``data "azurerm_role_definition"`` by name."""
    value = assignment.value("role_definition_id")
    if isinstance(value, str):
        last = value.rstrip("/").rsplit("/", 1)[-1]
        return _BUILT_IN_IDS.get(last.lower(), last)
    referenced = assignment.refs("role_definition_id")
    for data in assignment.module.data_of("azurerm_role_definition"):
        if data.address in referenced:
            name = data.value("name")
            return name if isinstance(name, str) else Unknown()
    return Unknown()


def _custom_role(definition: Resource) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    name = definition.value("name")
    label = f"custom role {name}" if isinstance(name, str) else f"custom role {definition.address}"
    actions: list[str] = []
    for permissions in definition.blocks("permissions"):
        actions += known_strings(permissions.value("actions")) + known_strings(permissions.value("data_actions"))
    reasons = []
    if "*" in actions:
        reasons.append(f'{label} allows every action ("*")')
    wide = sorted({a for a in actions if re.fullmatch(r"(?i)Microsoft\.[A-Za-z]+/\*", a)})
    if wide:
        reasons.append(f"{label} allows service-wide actions {', '.join(wide)}")
    return label, tuple(actions), tuple(reasons)


def _scope(value: Any, refs: frozenset[str]) -> tuple[str, str]:
    """What a role assignment scope is (subscription, management group, resource group, resource,
    or unknown) and how to show it."""
    written = partial_text(value, _UNKNOWN_PART)
    if written is not None:
        shown = written.replace(_UNKNOWN_PART, "…")
        probe = written.replace(_UNKNOWN_PART, "x")
        if probe.strip() == "/":
            return "tenant", "/"
        if _SUBSCRIPTION.match(probe):
            return "subscription", shown
        if _MANAGEMENT_GROUP.match(probe):
            return "management group", shown
        return "resource", shown
    if isinstance(value, Unknown):
        for ref in sorted(refs):
            kind = _SCOPE_TYPES.get(_MODULE_PREFIX.sub("", ref).rsplit(".", 1)[0])
            if kind:
                return kind, ref
        return "unknown", ", ".join(sorted(refs))
    return "unknown", ""


def scope_evidence(grants: list[Grant]) -> dict[str, Location]:
    wildcard = next((g.location for g in grants if g.wildcard_reasons and g.location), None)
    return {"scope": wildcard} if wildcard else {}
