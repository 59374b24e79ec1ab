"""Secret Manager secrets: owner from labels, ``rotation { rotation_period }``, ``ttl`` /
``expire_time``, and literal values written into their versions."""

from __future__ import annotations

from ...model import UNKNOWN, Credential, Expiry, Location, Rotation, SecretLiteral
from ...terraform.view import Resource
from ..common.lifetimes import stated_lifetime
from ..common.links import copied_credentials, link
from ..common.literals import written_literals
from ..common.rotation import schedule_rotation
from ..common.time_values import duration_days
from .context import PROVIDER, GcpModule

SECRET_TYPES = ("google_secret_manager_secret", "google_secret_manager_regional_secret")
VERSION_TYPES = ("google_secret_manager_secret_version", "google_secret_manager_regional_secret_version")


def secrets(gcp: GcpModule) -> list[Credential]:
    stored = _stored_literals(gcp)
    result = []
    for address, secret in gcp.by_type(*SECRET_TYPES).items():
        owner, evidence = gcp.owner(secret)
        expiry, expiry_evidence = _expiry(gcp, secret)
        rotation, rotation_evidence = _rotation(secret)
        result.append(
            Credential(
                address=address, provider=PROVIDER, source_type=secret.resource_type, kind="secret",
                location=secret.location, name=secret.value("secret_id") if isinstance(secret.value("secret_id"), str) else secret.name,
                owner=owner, expiry=expiry, rotation=rotation,
                hardcoded=stored.get(address, ((), ()))[0], holds=stored.get(address, ((), ()))[1],
                ai_hints=(secret.name, *secret.known_texts("secret_id")),
                tags=gcp.record_labels(secret), evidence={**evidence, **expiry_evidence, **rotation_evidence},
            )
        )
    return result


def _expiry(gcp: GcpModule, secret: Resource) -> tuple[Expiry, dict[str, Location]]:
    never = Expiry(None, source="no ttl or expire_time: a Secret Manager secret never expires")
    return stated_lifetime(secret, gcp.settings, "expire_time", "ttl") or (never, {})


def _rotation(secret: Resource) -> tuple[Rotation, dict[str, Location]]:
    """``rotation { rotation_period }`` (Secret Manager notifies the rotation topic on schedule), else
    a ``time_rotating`` that replaces the secret."""
    block = secret.first_block("rotation")
    if block is None:
        return schedule_rotation(secret)
    period = duration_days(block.value("rotation_period"))
    return Rotation(UNKNOWN if period is None else period, f"{secret.address} rotation"), {"rotation": block.location_of("rotation_period")}


def _stored_literals(gcp: GcpModule) -> dict[str, tuple[tuple[SecretLiteral, ...], tuple[str, ...]]]:
    """Literal values written into secret versions, on the secret they belong to, and the
    credentials their values come from (an API key's ``key_string``)."""
    secrets_by_address = gcp.by_type(*SECRET_TYPES)
    found: dict[str, tuple[tuple[SecretLiteral, ...], tuple[str, ...]]] = {}
    for version in gcp.module.resources_of(*VERSION_TYPES):
        target = link(version, "secret", secrets_by_address, "secret_id") or secret_named(version.value("secret"), secrets_by_address)
        if target:
            literals, held = found.get(target, ((), ()))
            literals += written_literals(version, "secret_data", name="secret") + written_literals(version, "secret_data_wo", name="secret")
            found[target] = (literals, held + copied_credentials(version, "secret_data", "secret_data_wo"))
    return found


def secret_named(value: object, candidates: dict[str, Resource]) -> str | None:
    """``projects/p/secrets/openai-api-key`` names the secret whose ``secret_id`` is openai-api-key."""
    if not isinstance(value, str):
        return None
    name = value.rstrip("/").rsplit("/", 1)[-1]
    return next((a for a, c in sorted(candidates.items()) if c.value("secret_id") == name), None)
