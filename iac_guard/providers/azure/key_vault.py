"""Azure Key Vault: secrets (expiry, owner, literal values, the AI key a secret holds) and keys
(``rotation_policy``)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Rotation, Unknown
from ...secrets.text import is_not_a_credential
from ...terraform.view import Resource
from ..common.lifetimes import stated_lifetime
from ..common.links import attribute_references
from ..common.literals import partial_text, written_literals
from ..common.rotation import schedule_rotation
from .accounts import KEY_ATTRIBUTES, listed_keys
from .azapi import written_name
from .context import PROVIDER, AzureModule

_ISO_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_ISO_DAYS = (365, 30, 7, 1, 1 / 24, 1 / 1440, 1 / 86400)
#: Attributes of Azure resources that hold no secret: a secret reading only these (the endpoint
#: of an OpenAI account, kept in Key Vault for apps to read) holds configuration, not a credential.
_PUBLIC_ATTRIBUTES = frozenset(
    {"endpoint", "id", "name", "fqdn", "url", "uri", "host", "hostname", "default_hostname", "location",
     "custom_subdomain_name", "client_id", "principal_id", "tenant_id", "versionless_id", "resource_id"}
)


def key_vault_secrets(azure: AzureModule, account_keys: dict[str, Credential]) -> list[Credential]:
    listed = listed_keys(azure)
    result = []
    for secret in azure.resources_of("azurerm_key_vault_secret"):
        hardcoded = written_literals(secret, "value", name="secret") + written_literals(secret, "value_wo", name="secret")
        if not hardcoded and _holds_no_credential(secret):
            continue
        owner, evidence = azure.owner(secret)
        written = written_name(secret, "expiration_date")
        expiry, expiry_evidence = stated_lifetime(secret, azure.settings, "expiration_date") or (
            Expiry(None, source=f"no {written}: a Key Vault secret never expires"), {}
        )
        expiry = replace(expiry, source=expiry.source.replace("expiration_date", written, 1))
        evidence.update(expiry_evidence)
        rotation, rotation_evidence = schedule_rotation(secret)
        held = _held_account_keys(secret, account_keys, listed)
        result.append(
            Credential(
                address=secret.address, provider=PROVIDER, source_type=secret.resource_type, kind="secret",
                location=secret.location, name=_name(secret), owner=owner, expiry=expiry, rotation=rotation,
                hardcoded=hardcoded,
                ai_reasons=tuple(f"holds the access key of {a} ({account_keys[a].ai_reasons[0]})" for a in held),
                ai_hints=(secret.name, *secret.known_texts("name", "content_type")),
                tags=azure.record_tags(secret), evidence={**evidence, **rotation_evidence},
            )
        )
    return result


def _holds_no_credential(secret: Resource) -> bool:
    """Whether the secret's value is known to be no credential: a written endpoint URL, a model
    id, or only public attributes of other resources (``azurerm_cognitive_account.openai.endpoint``).
    A value not known (a variable, a write-only value) may be a key: it stays a credential."""
    if secret.has("value_wo"):
        return False
    value = secret.value("value")
    if isinstance(value, str):
        return is_not_a_credential(value)
    read = attribute_references(secret, "value")
    readers = {reference.rsplit(".", 1)[0] for reference in read}
    if not read or secret.refs("value") - readers or any(r.rsplit(".", 1)[-1] not in _PUBLIC_ATTRIBUTES for r in read):
        return False
    written = (partial_text(secret.literal_value("value"), "") or "").strip()
    return not written or is_not_a_credential(written)


def _held_account_keys(secret: Resource, account_keys: dict[str, Credential], listed: dict[str, str]) -> list[str]:
    """The AI services accounts whose key the secret's value reads
    (``value = azurerm_cognitive_account.openai.primary_access_key``, or what a ``listKeys``
    action of the account returned)."""
    read = attribute_references(secret, "value") | attribute_references(secret, "value_wo")
    named = {ref.split("[", 1)[0] for ref in secret.refs("value") | secret.refs("value_wo")}
    through_actions = {listed[ref] for ref in named if ref in listed}
    return [
        address for address in sorted(account_keys)
        if address in through_actions or any(f"{address}.{key}" in read for key in KEY_ATTRIBUTES)
    ]


def key_vault_keys(azure: AzureModule) -> list[Credential]:
    """Keys judged like secrets: ``rotation_policy.automatic`` rotates them, ``expire_after`` or
    ``expiration_date`` bounds them."""
    result = []
    for key in azure.module.resources_of("azurerm_key_vault_key"):
        owner, evidence = azure.owner(key)
        expiry, expiry_evidence = stated_lifetime(key, azure.settings, "expiration_date") or (None, {})
        evidence.update(expiry_evidence)
        policy = key.first_block("rotation_policy")
        if policy is not None:
            rotation, expire_after = _rotation_policy(key.address, policy)
            evidence["rotation"] = policy.location
            if expiry is None and expire_after is not None:
                expiry = Expiry(expire_after, source="rotation_policy expire_after")
                evidence["expiry"] = policy.location_of("expire_after")
        else:
            rotation, rotation_evidence = schedule_rotation(key)
            evidence.update(rotation_evidence)
        result.append(
            Credential(
                address=key.address, provider=PROVIDER, source_type="azurerm_key_vault_key", kind="secret",
                location=key.location, name=_name(key), owner=owner,
                expiry=expiry or Expiry(None, source="no expiration_date or rotation_policy expire_after: the key never expires"),
                rotation=rotation, ai_hints=(key.name, *key.known_texts("name")),
                tags=azure.record_tags(key), evidence=evidence,
            )
        )
    return result


def _rotation_policy(address: str, policy: Any) -> tuple[Rotation, float | Unknown | None]:
    """The rotation period of ``rotation_policy { automatic { … } expire_after }``: every
    ``time_after_creation``, or ``time_before_expiry`` ahead of each version's expiry."""
    expire_after = iso_duration_days(policy.value("expire_after"))
    automatic = policy.first_block("automatic")
    mechanism = f"{address} rotation_policy"
    if automatic is None:
        return Rotation(None, f"{mechanism} has no automatic rotation"), expire_after
    after_creation = iso_duration_days(automatic.value("time_after_creation"))
    if after_creation is not None:
        return Rotation(after_creation, mechanism), expire_after
    before_expiry = iso_duration_days(automatic.value("time_before_expiry"))
    if isinstance(before_expiry, float) and isinstance(expire_after, float):
        return Rotation(expire_after - before_expiry, mechanism), expire_after
    return Rotation(UNKNOWN, mechanism), expire_after


def iso_duration_days(value: Any) -> float | Unknown | None:
    """An ISO 8601 duration (``P90D``, ``P1Y``, ``PT12H``) in days (a month is 30, a year 365);
    None when not written, UNKNOWN when not one."""
    if value is None:
        return None
    match = _ISO_DURATION.match(value) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return UNKNOWN
    return float(sum(int(n) * days for n, days in zip(match.groups(), _ISO_DAYS, strict=True) if n))


def _name(resource: Resource) -> Any:
    value = resource.value("name")
    return value if isinstance(value, (str, Unknown)) else resource.name


