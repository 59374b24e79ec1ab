"""Secrets kept in Vault's key/value store, and keys written into Vault's own configuration.

- ``vault_kv_secret_v2``: its ``custom_metadata { data = {…} }`` map carries what a KV secret has
  no field for — the owner (``owner_keys``), ``iac-guard.io/expires`` and
  ``iac-guard.io/rotation-period`` — and ``max_versions`` is kept as the tag ``max_versions``.
  Without them a KV secret never expires and nothing rotates it.
- ``vault_kv_secret`` (KV v1) and ``vault_generic_secret`` have no metadata at all: their expiry
  and rotation are unknown (never failed); their owner can only come from the config's
  ``owner_map``.
- ``data_json`` is judged for hardcoded keys as written in the resource, key by key.
- Secrets engine and auth method configuration that holds a cloud or identity-provider secret
  (``vault_aws_secret_backend`` ``secret_key``, ``vault_jwt_auth_backend`` ``oidc_client_secret``,
  …) is reported only when a literal is written there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Location, Owner, Rotation, SecretLiteral, Unknown
from ...secrets.detect import credential_kind
from ...terraform.syntax.nodes import Call, Literal, ObjectExpr
from ...terraform.values import json_partial
from ...terraform.view import BlockView, Resource
from ..common.lifetimes import EXPIRES_KEY, stated_expiry
from ..common.links import copied_credentials
from ..common.owners import owner_from_tags
from ..common.rotation import ROTATION_PERIOD_KEY, stated_rotation
from ..common.secret_values import literals_in
from .context import PROVIDER, VaultModule, hints

#: Configuration resources and the attributes that hold a secret.
CONFIG_SECRETS: dict[str, tuple[str, ...]] = {
    "vault_aws_secret_backend": ("access_key", "secret_key"),
    "vault_aws_auth_backend_client": ("access_key", "secret_key"),
    "vault_azure_secret_backend": ("client_secret",),
    "vault_gcp_secret_backend": ("credentials",),
    "vault_jwt_auth_backend": ("oidc_client_secret",),
    "vault_kubernetes_auth_backend_config": ("token_reviewer_jwt",),
}
_NO_METADATA = "has no metadata field (vault_kv_secret_v2 has custom_metadata)"


def kv_secrets(vault: VaultModule) -> list[Credential]:
    result = []
    for secret in vault.module.resources_of("vault_kv_secret_v2"):
        metadata = secret.first_block("custom_metadata")
        data = metadata.value("data", {}) if metadata else {}
        stated, key = owner_from_tags(data, vault.settings, "custom_metadata key")
        owner, evidence = vault.owner(secret.address, (stated, {"owner": metadata.location_of("data")} if metadata and key is not None else {}))
        evidence = dict(evidence)
        expiry = _stated(data, EXPIRES_KEY, lambda text, source: stated_expiry(text, vault.settings.today, source))
        rotation = _stated(data, ROTATION_PERIOD_KEY, stated_rotation)
        scheduled = vault.replaced_on_schedule(secret)
        if scheduled:
            rotation, evidence["rotation"] = scheduled
        for field, stated in (("expiry", expiry), ("rotation", rotation)):
            if stated is not None and metadata and field not in evidence:
                evidence[field] = metadata.location_of("data")
        tags: dict[str, Any] = {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}
        max_versions = metadata.value("max_versions") if metadata else None
        if isinstance(max_versions, int) and not isinstance(max_versions, bool):
            tags["max_versions"] = max_versions
        result.append(
            _stored(
                vault, secret, "name", owner, expiry or Expiry(None, source="KV secrets do not expire"),
                rotation or Rotation(None), tags, evidence,
            )
        )
    for secret in vault.module.resources_of("vault_kv_secret", "vault_generic_secret"):
        unknown = f"{secret.resource_type} {_NO_METADATA}"
        owner = vault.owner(secret.address)[0]
        result.append(_stored(vault, secret, "path", owner, Expiry(UNKNOWN, source=unknown), Rotation(UNKNOWN, unknown), {}, {}))
    return result


def configuration_literals(vault: VaultModule) -> list[Credential]:
    """Keys written into Vault's configuration of a cloud or identity provider."""
    result = []
    for resource in vault.module.resources_of(*CONFIG_SECRETS):
        literals = tuple(
            literal
            for attribute in CONFIG_SECRETS[resource.resource_type]
            for literal in literals_in(resource.literal_value(attribute), attribute, resource.location_of(attribute))
        )
        if literals:
            result.append(
                Credential(
                    address=resource.address, provider=PROVIDER, source_type=resource.resource_type,
                    kind=credential_kind(literals[0].detector),
                    location=resource.location, name=resource.name, origin="literal", hardcoded=literals,
                    ai_hints=hints(resource, "path", "description"),
                )
            )
    return result


def _stored(
    vault: VaultModule, secret: Resource, path_attribute: str, owner: Owner, expiry: Expiry, rotation: Rotation,
    tags: dict[str, Any], evidence: dict[str, Location],
) -> Credential:
    value = json_partial(secret.value("data_json"))
    keys = tuple(str(k) for k in value) if isinstance(value, dict) else ()
    return Credential(
        address=secret.address, provider=PROVIDER, source_type=secret.resource_type, kind="secret",
        location=secret.location, name=_text(secret.value(path_attribute)) or secret.name, owner=owner,
        expiry=expiry, rotation=rotation,
        hardcoded=tuple(lit for attribute in ("data_json", "data_json_wo") for lit in _data_literals(secret, attribute)),
        ai_hints=hints(secret, "mount", path_attribute) + keys, tags=tags, evidence=evidence,
        holds=copied_credentials(secret, "data_json", "data_json_wo"),
    )


def _stated(data: Any, key: str, read: Any) -> Any:
    """A convention stated in the metadata map; unknown when the map or the key's value is."""
    if isinstance(data, Unknown):
        return read("", "custom_metadata not known before apply")
    if not isinstance(data, dict) or key not in data:
        return None
    value = data[key]
    return read(value if isinstance(value, str) else "", f"custom_metadata {key}")


def _data_literals(secret: Resource, attribute: str) -> tuple[SecretLiteral, ...]:
    """Keys written in ``data_json`` (JSON text or ``jsonencode({…})``), each at its own line when
    the map is written in the resource."""
    written = secret.literal_value(attribute)
    structure = json_partial(written) if isinstance(written, (str, Unknown)) else written
    if not isinstance(structure, dict):
        return ()
    lines = _key_lines(secret, attribute)
    found = []
    for literal in literals_in(structure, attribute, secret.location_of(attribute)):
        key = literal.field.split(".", 2)[1] if "." in literal.field else ""
        line = lines.get(key)
        found.append(replace(literal, location=Location(literal.location.file, line, line)) if line else literal)
    return tuple(found)


def _key_lines(view: BlockView, attribute: str) -> dict[str, int]:
    written = view.attribute(attribute)
    expr = written.expr if written else None
    if isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        expr = expr.args[0]
    if not isinstance(expr, ObjectExpr):
        return {}
    lines = expr.item_lines or tuple(expr.line for _ in expr.items)
    return {key.value: line for (key, _), line in zip(expr.items, lines, strict=True) if isinstance(key, Literal) and isinstance(key.value, str)}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
