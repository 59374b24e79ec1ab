"""Managed identities: user-assigned identities, and the system-assigned identity any Azure
resource can carry (``identity { type = "SystemAssigned" }``), which lives and dies with it."""

from __future__ import annotations

from dataclasses import replace

from ...model import Credential, Expiry, Grant, Location, Owner, Scope, Unknown
from ...terraform.values import collect_refs
from ...terraform.view import BlockView, Resource
from ..common.literals import known_strings
from ..common.owners import owner_from_tags
from .azapi import AZAPI_TYPE
from .context import PROVIDER, AzureModule, system_identity_address
from .roles import scope_evidence

#: Azure hands a managed identity short-lived tokens; there is no secret to expire or rotate.
MANAGED_IDENTITY_EXPIRY = Expiry(1, True, "managed identity tokens are issued by Azure and last at most 24 hours")


def system_identity_hosts(azure: AzureModule) -> dict[str, Resource]:
    """System-assigned identity address → the resource that carries it. An identity ``type`` not
    known before apply is left out: whether the identity exists is unknown."""
    hosts = {}
    for resource in azure.module.resources:
        if not resource.resource_type.startswith(("azurerm_", AZAPI_TYPE)):
            continue
        block = resource.first_block("identity")
        kind = block.value("type") if block is not None else None
        if isinstance(kind, str) and "systemassigned" in kind.replace(" ", "").lower():
            hosts[system_identity_address(resource.address)] = resource
    return hosts


def user_assigned_ids(azure: AzureModule, view: BlockView, attribute: str) -> list[str]:
    """The user-assigned identities an attribute lists (``identity_ids``, ``user_assigned_identity_id``):
    by reference, else by the name at the end of a literal resource id."""
    identities = azure.by_type("azurerm_user_assigned_identity")
    named = view.refs(attribute) | collect_refs(view.value(attribute))
    found = {address for address in named if address in identities}
    for literal in known_strings(view.value(attribute)):
        name = literal.rstrip("/").rsplit("/", 1)[-1]
        found |= {a for a, identity in identities.items() if identity.value("name") == name}
    return sorted(found)


def managed_identities(
    azure: AzureModule, grants: dict[str, list[Grant]], hosts: dict[str, Resource], credentials: dict[str, Credential]
) -> list[Credential]:
    result = []
    for address, identity in azure.by_type("azurerm_user_assigned_identity").items():
        owner, evidence = azure.owner(identity)
        found = grants.get(address, [])
        result.append(
            Credential(
                address=address, provider=PROVIDER, source_type=identity.resource_type, kind="managed-identity",
                location=identity.location, name=_name(identity), owner=owner, expiry=MANAGED_IDENTITY_EXPIRY,
                scope=Scope(tuple(found)), ai_hints=(identity.name, *identity.known_texts("name")),
                tags=azure.record_tags(identity), evidence={**evidence, **scope_evidence(found)},
            )
        )
    for address, host in hosts.items():
        owner, evidence = _host_owner(azure, host, credentials)
        found = grants.get(address, [])
        block = host.first_block("identity")
        result.append(
            Credential(
                address=address, provider=PROVIDER, source_type=host.resource_type, kind="managed-identity",
                location=block.location if block else host.location, name=_name(host), owner=owner,
                expiry=MANAGED_IDENTITY_EXPIRY, scope=Scope(tuple(found)),
                ai_hints=(host.name, *host.known_texts("name")), evidence={**evidence, **scope_evidence(found)},
            )
        )
    return result


def _host_owner(azure: AzureModule, host: Resource, credentials: dict[str, Credential]) -> tuple[Owner, dict[str, Location]]:
    """A system-assigned identity cannot carry tags: it is owned by whoever owns its resource.
    When that resource is itself a judged credential (an AI services account), the owner is
    inherited and judged there; otherwise it is judged here, from the resource's tags."""
    parent = credentials.get(host.address)
    if parent is not None:
        return Owner.of_parent(parent.owner, host.address), {}
    owner, _ = owner_from_tags(host.value("tags"), azure.settings)
    source = f"{owner.source} of {host.address}" if owner.source else f"tags of {host.address}"
    # The tags line is where an owner is written or missing: the line to change either way.
    return replace(owner, source=source), {"owner": host.location_of("tags")} if host.has("tags") else {}


def _name(resource: Resource) -> str | Unknown:
    value = resource.value("name")
    return value if isinstance(value, (str, Unknown)) else resource.name
