"""Microsoft Entra ID (azuread): applications and service principals as identities, and the
client secrets (passwords) issued for them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Grant, Location, Owner, Scope, Unknown
from ...terraform.view import Resource
from ..common.lifetimes import stated_lifetime
from ..common.links import link
from ..common.literals import written_literals
from ..common.owners import owner_by_convention
from ..common.rotation import schedule_rotation
from .context import PROVIDER, AzureModule
from .roles import scope_evidence

APPLICATION_TYPES = ("azuread_application", "azuread_application_registration")
_DEFAULT_EXPIRY = Expiry(None, source="no end_date: the provider's two-year default is not an explicit expiry")
_CERTIFICATE_DEFAULT_EXPIRY = Expiry(None, source="no end_date: a lifetime left to the certificate or the directory is not an explicit expiry")


def service_principal_identities(azure: AzureModule) -> dict[str, str]:
    """Service principal address → the identity record it belongs to: its application when the
    module defines it (one identity, two Entra objects), else the service principal itself."""
    applications = azure.by_type(*APPLICATION_TYPES)
    found = {}
    for address, principal in azure.by_type("azuread_service_principal").items():
        application = link(principal, "client_id", applications) or link(principal, "application_id", applications)
        found[address] = application or address
    return found


def identities(azure: AzureModule, grants: dict[str, list[Grant]], principals: dict[str, str]) -> list[Credential]:
    """Applications (with their service principals) and service principals of applications
    defined elsewhere, as identities with the grants of their service principal."""
    service_principals = azure.by_type("azuread_service_principal")
    records: dict[str, Resource] = dict(azure.by_type(*APPLICATION_TYPES))
    records.update({address: service_principals[address] for address, identity in principals.items() if identity == address})
    result = []
    for address, resource in sorted(records.items()):
        companions = [service_principals[p] for p, i in sorted(principals.items()) if i == address and p != address]
        owner, evidence = _owner(azure, resource, companions)
        found = grants.get(address, [])
        result.append(
            Credential(
                address=address, provider=PROVIDER, source_type=resource.resource_type, kind="service-account",
                location=resource.location, name=_display_name(resource), owner=owner,
                expiry=Expiry(None, source="an application has no expiry; its client secrets are judged"),
                scope=Scope(tuple(found)),
                ai_hints=(resource.name, *resource.known_texts("display_name", "description", "notes")),
                evidence={**evidence, **scope_evidence(found)},
            )
        )
    return result


def _owner(azure: AzureModule, resource: Resource, companions: list[Resource]) -> tuple[Owner, dict[str, Location]]:
    """``owner:<team>`` in the application's (or its service principal's) string tags, notes or
    description; then the config's owner_map; then the ``owners`` it lists."""
    views = (resource, *companions)
    fields = {f"{view.address} {name}": (view, name) for view in views for name in ("tags", "notes", "description")}
    owner, field = owner_by_convention(resource.address, [(label, view.value(name)) for label, (view, name) in fields.items()], azure.settings)
    if isinstance(owner.value, str):
        if field is None:
            return owner, {}  # from the owner_map
        view, name = fields[field]
        source = owner.source.replace(f"{resource.address} ", "", 1)
        return replace(owner, source=source), {"owner": view.location_of(name)}
    for view in views:
        listed = _listed_owners(azure, view)
        if listed is not None and (owner.value is None or isinstance(listed.value, str)):
            return listed, {"owner": view.location_of("owners")} if isinstance(listed.value, str) else {}
    return owner, {}


def _listed_owners(azure: AzureModule, view: Resource) -> Owner | None:
    """The principals ``owners`` names: user principal names of users the module defines, literal
    object ids; unknown when they are only known at apply (the identity running Terraform)."""
    if not view.has("owners"):
        return None
    value = view.value("owners")
    users = {u.address: u for u in [*azure.module.resources_of("azuread_user"), *azure.module.data_of("azuread_user")]}
    named = [users[ref].value("user_principal_name") for ref in sorted(view.refs("owners")) if ref in users]
    known = [n for n in named if isinstance(n, str)] + ([v for v in value if isinstance(v, str)] if isinstance(value, list) else [])
    if known:
        return Owner(", ".join(known), "owners")
    if isinstance(value, list) and not value:
        return Owner(None, "owners is empty")
    return Owner(UNKNOWN, "owners not known before apply")


#: Client credentials of an application or service principal, both judged like its client
#: secret: type → whether a written ``value`` is a secret (a certificate's value is its public part).
CLIENT_CREDENTIAL_TYPES = {
    "azuread_application_password": True,
    "azuread_service_principal_password": True,
    "azuread_application_certificate": False,
    "azuread_service_principal_certificate": False,
}


def passwords(azure: AzureModule, identities_by_address: dict[str, Credential], principals: dict[str, str]) -> list[Credential]:
    """Client secrets and certificates: a credential of the application (or service principal) it
    is issued for, with that identity's owner and scope."""
    result = []
    for password in azure.module.resources_of(*CLIENT_CREDENTIAL_TYPES):
        parent = _issued_for(azure, password, principals)
        identity = identities_by_address.get(parent) if parent else None
        expiry, expiry_evidence = _expiry(azure, password)
        rotation, rotation_evidence = schedule_rotation(password, "rotate_when_changed")
        secret_value = CLIENT_CREDENTIAL_TYPES[password.resource_type]
        result.append(
            Credential(
                address=password.address, provider=PROVIDER, source_type=password.resource_type, kind="client-secret",
                location=password.location, name=_display_name(password) if password.has("display_name") else (identity.name if identity else UNKNOWN),
                owner=Owner.of_parent(identity.owner, parent) if parent and identity else Owner(UNKNOWN, "application not found in this module"),
                expiry=expiry, rotation=rotation,
                scope=Scope(identity.scope.grants, inherited_from=parent) if identity else Scope(inherited_from="unknown application"),
                parent=parent if identity else None, hardcoded=written_literals(password, "value", name="secret") if secret_value else (),
                identity_platform=PROVIDER,
                ai_hints=(password.name, *password.known_texts("display_name"), *(identity.ai_hints if identity else ())),
                evidence={**expiry_evidence, **rotation_evidence},
            )
        )
    return result


def _issued_for(azure: AzureModule, credential: Resource, principals: dict[str, str]) -> str | None:
    """The identity record a client credential belongs to: its application, or the identity of
    its service principal."""
    if credential.resource_type.startswith("azuread_application_"):
        applications = azure.by_type(*APPLICATION_TYPES)
        return link(credential, "application_id", applications) or link(credential, "application_object_id", applications)
    principal = link(credential, "service_principal_id", azure.by_type("azuread_service_principal"))
    return principals.get(principal) if principal else None


def _expiry(azure: AzureModule, password: Resource) -> tuple[Expiry, dict[str, Location]]:
    default = _DEFAULT_EXPIRY if CLIENT_CREDENTIAL_TYPES[password.resource_type] else _CERTIFICATE_DEFAULT_EXPIRY
    return stated_lifetime(password, azure.settings, "end_date", "end_date_relative") or (default, {})


def _display_name(resource: Resource) -> Any:
    value = resource.value("display_name")
    return value if isinstance(value, (str, Unknown)) else resource.name
