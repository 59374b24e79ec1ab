"""Google Cloud API keys (``google_apikeys_key``): a static key with no expiry; without
``restrictions.api_targets`` it can call every API enabled in its project, Gemini included."""

from __future__ import annotations

from dataclasses import replace

from ...model import Credential, Expiry, Grant, Location, Owner, Scope
from ...terraform.view import Resource
from ..common.links import link
from ..common.owners import owner_by_convention, owner_from_tags
from ..common.rotation import schedule_rotation
from .context import PROVIDER, GcpModule

UNRESTRICTED = "no restrictions.api_targets: the key can call every API enabled in its project, Gemini included"


def api_keys(gcp: GcpModule, identities: dict[str, Credential]) -> list[Credential]:
    result = []
    for key in gcp.module.resources_of("google_apikeys_key"):
        grant = _api_targets(key)
        owner, evidence = _owner(gcp, key, identities)
        rotation, rotation_evidence = schedule_rotation(key)
        result.append(
            Credential(
                address=key.address, provider=PROVIDER, source_type="google_apikeys_key", kind="api-key",
                location=key.location, name=key.value("name") if isinstance(key.value("name"), str) else key.name,
                owner=owner, expiry=Expiry(None, source="Google Cloud API keys never expire"), rotation=rotation,
                scope=Scope((grant,)), ai_hints=(key.name, *key.known_texts("name", "display_name")),
                evidence={**evidence, **rotation_evidence, **({"scope": grant.location} if grant.wildcard_reasons and grant.location else {})},
            )
        )
    return result


def _api_targets(key: Resource) -> Grant:
    restrictions = key.first_block("restrictions")
    targets = restrictions.blocks("api_targets") if restrictions is not None else []
    if not targets:
        return Grant(f"{key.address} (no API restriction)", ("*",), ("every enabled API",), (UNRESTRICTED,), key.location)
    services = tuple(s for s in (t.value("service") for t in targets) if isinstance(s, str))
    return Grant(f"{key.address} restrictions.api_targets", services, services, (), restrictions.location if restrictions else None)


def _owner(gcp: GcpModule, key: Resource, identities: dict[str, Credential]) -> tuple[Owner, dict[str, Location]]:
    """A key bound to a service account (``service_account_email``) is owned by the account's
    owner; otherwise ``owner: <team>`` in its display name, the config's owner_map, or the labels
    of its ``google_project`` when the module defines it. An API key carries no labels."""
    account = gcp.service_account(key, "service_account_email") if key.has("service_account_email") else None
    if account and account in identities:
        return Owner.of_parent(identities[account].owner, account), {}
    owner, field = owner_by_convention(key.address, [("display_name", key.value("display_name"))], gcp.settings)
    if owner.value is not None:
        return owner, {"owner": key.location_of(field)} if field else {}
    project = link(key, "project", gcp.by_type("google_project"), "project_id")
    if project:
        parent = gcp.by_type("google_project")[project]
        inherited, label = owner_from_tags(gcp.labels(parent), gcp.settings, "label")
        if label is not None:
            return replace(inherited, source=f"label {label} of {project}"), {"owner": parent.location_of("labels")}
    return owner, {}
