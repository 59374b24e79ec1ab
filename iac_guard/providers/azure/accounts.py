"""Azure AI services accounts (``azurerm_cognitive_account``, ``azurerm_ai_services``, an
``azapi_resource`` of type ``Microsoft.CognitiveServices/accounts``): their access keys, one
credential per account, unless local (key) authentication is disabled."""

from __future__ import annotations

import re
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Location, Rotation, Unknown
from ...terraform.view import Resource
from ..common.rotation import rotation_named_by
from .azapi import written_name
from .context import PROVIDER, AzureModule, text, type_of

#: Account resource type → the attribute that disables keys (both default to keys enabled).
ACCOUNT_TYPES = {"azurerm_cognitive_account": "local_auth_enabled", "azurerm_ai_services": "local_authentication_enabled"}
#: The attributes that hold an account's keys: reading one of them is using the key.
KEY_ATTRIBUTES = frozenset({"primary_access_key", "secondary_access_key"})
_KEY_NAMES = ("key1", "key2")


def account_keys(azure: AzureModule) -> list[Credential]:
    result = []
    for account in azure.resources_of(*ACCOUNT_TYPES):
        switch = ACCOUNT_TYPES[type_of(account)]
        enabled = account.value(switch, True)
        if enabled is False:
            continue  # Entra ID only: no key exists, nothing to judge
        kind = account.value("kind") if type_of(account) == "azurerm_cognitive_account" else "AIServices"
        owner, evidence = azure.owner(account)
        if enabled is True:
            expiry = Expiry(None, source="Azure AI services account keys never expire")
            rotation, rotation_evidence = _regenerated(azure, account)
        else:
            expiry = Expiry(UNKNOWN, source=f"{written_name(account, switch)} not known before apply")
            rotation, rotation_evidence = Rotation(UNKNOWN, expiry.source), {}
        result.append(
            Credential(
                address=account.address, provider=PROVIDER, source_type=account.resource_type, kind="api-key",
                location=account.location, name=account.value("name") if isinstance(account.value("name"), (str, Unknown)) else account.name,
                owner=owner, expiry=expiry, rotation=rotation,
                ai_reasons=(_reason(kind),),
                ai_hints=(account.name, *account.known_texts("name", "custom_subdomain_name"), text(kind)),
                tags=azure.record_tags(account), evidence={**evidence, **rotation_evidence},
                # Keys on, known: every consumer with an Entra identity could do without them.
                identity_platform=PROVIDER if enabled is True else None,
            )
        )
    return result


def listed_keys(azure: AzureModule) -> dict[str, str]:
    """``data "azapi_resource_action"`` blocks that ``listKeys`` of an account (address, without
    instance key → the account): what they return is the account's keys, so a value read from one
    reads the key."""
    accounts = azure.by_type(*ACCOUNT_TYPES)
    found = {}
    for action in azure.module.data_of("azapi_resource_action"):
        name = action.value("action")
        account = next((ref for ref in sorted(action.refs("resource_id")) if ref in accounts), None)
        if isinstance(name, str) and name.lower() == "listkeys" and account:
            found[action.address.split("[", 1)[0]] = account
    return found


def _reason(kind: Any) -> str:
    if kind == "OpenAI":
        return "Azure OpenAI account key"
    return f"Azure AI services account key (kind {kind})" if isinstance(kind, str) else "Azure AI services account key"


def _regenerated(azure: AzureModule, account: Resource) -> tuple[Rotation, dict[str, Location]]:
    """Both keys regenerated on a schedule: ``azapi_resource_action`` ``regenerateKey`` actions on
    the account, replaced by a ``time_rotating`` (``lifecycle { replace_triggered_by }``)."""
    periods: dict[str, Rotation] = {}
    where: Location | None = None
    for action in azure.module.resources_of("azapi_resource_action"):
        name = action.value("action")
        lifecycle = action.first_block("lifecycle")
        if not (isinstance(name, str) and name.lower() == "regeneratekey") or account.address not in action.refs("resource_id") or lifecycle is None:
            continue
        rotation = rotation_named_by(azure.module, lifecycle, "replace_triggered_by")
        key = _key_name(action.value("body"))
        if rotation is None or key is None:
            continue
        periods[key] = rotation
        where = where or lifecycle.location_of("replace_triggered_by")
    if not all(k in periods for k in _KEY_NAMES) or where is None:
        return Rotation(None), {}
    values = [periods[k].period_days for k in _KEY_NAMES]
    period = UNKNOWN if any(isinstance(v, Unknown) for v in values) else max(values)  # type: ignore[type-var]
    return Rotation(period, " and ".join(sorted({periods[k].mechanism for k in _KEY_NAMES}))), {"rotation": where}


def _key_name(body: Any) -> str | None:
    """``{ keyName = "Key1" }`` (or its JSON text) → "key1"."""
    if isinstance(body, str):
        match = re.search(r'"keyName"\s*:\s*"(\w+)"', body)
        return match.group(1).lower() if match else None
    value = body.get("keyName") if isinstance(body, dict) else None
    return value.lower() if isinstance(value, str) else None
