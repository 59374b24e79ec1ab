"""Secrets kept in AWS Secrets Manager and SSM Parameter Store."""

from __future__ import annotations

import re
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Location, Rotation, SecretLiteral, Unknown
from ...secrets.detect import credential_kind
from ...terraform.values import json_partial
from ...terraform.view import Resource
from ..common.links import copied_credentials, link
from ..common.secret_values import literals_in
from .context import AwsModule

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_DAYS_PER = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1}


def secrets_manager(aws: AwsModule) -> list[Credential]:
    secrets = aws.by_type("aws_secretsmanager_secret")
    rotations = _rotations(aws, secrets)
    stored = _stored_values(aws, secrets)
    result = []
    for address, secret in secrets.items():
        owner, evidence = aws.owner(secret)
        rotation, rotation_evidence = rotations.get(address, (Rotation(None), {}))
        literals, value_hints, held = stored.get(address, ((), (), ()))
        result.append(
            Credential(
                address=address, provider="aws", source_type="aws_secretsmanager_secret", kind="secret",
                location=secret.location, name=_text(secret.value("name", secret.name)), owner=owner,
                expiry=Expiry(None, source="Secrets Manager secrets do not expire"), rotation=rotation,
                hardcoded=literals, holds=held,
                ai_hints=(secret.name, *secret.known_texts("name", "name_prefix", "description"), *value_hints),
                tags=aws.record_tags(secret),
                evidence={**evidence, **rotation_evidence},
            )
        )
    return result


def _rotations(aws: AwsModule, secrets: dict[str, Resource]) -> dict[str, tuple[Rotation, dict[str, Location]]]:
    found = {}
    for rotation in aws.module.resources_of("aws_secretsmanager_secret_rotation"):
        target = link(rotation, "secret_id", secrets, "name", "arn")
        rules = rotation.first_block("rotation_rules")
        if not target or rules is None:
            continue
        days = rules.value("automatically_after_days")
        if days is None and rules.has("schedule_expression"):
            period = _schedule_days(rules.value("schedule_expression"))
            where = rules.location_of("schedule_expression")
        else:
            period = days if isinstance(days, (int, float, Unknown)) and not isinstance(days, bool) else UNKNOWN
            where = rules.location_of("automatically_after_days")
        found[target] = (Rotation(period, rotation.address), {"rotation": where})
    return found


def _schedule_days(expression: Any) -> float | Unknown:
    """``rate(30 days)`` → 30. A cron schedule's period is not derived: unknown, never a failure."""
    if not isinstance(expression, str):
        return UNKNOWN
    match = _RATE.match(expression.strip())
    if not match:
        return UNKNOWN
    return int(match.group(1)) * _DAYS_PER[match.group(2).rstrip("s")]


_Stored = tuple[tuple[SecretLiteral, ...], tuple[str, ...], tuple[str, ...]]


def _stored_values(aws: AwsModule, secrets: dict[str, Resource]) -> dict[str, _Stored]:
    """What secret versions write into each secret: literal values, the JSON keys they hold (AI
    hints), and the credentials their value comes from (an access key's ``secret``)."""
    found: dict[str, _Stored] = {}
    for version in aws.module.resources_of("aws_secretsmanager_secret_version"):
        target = link(version, "secret_id", secrets, "name", "arn")
        if not target:
            continue
        value = version.literal_value("secret_string")
        structure = json_partial(value) if isinstance(value, str) and value.lstrip().startswith("{") else value
        scanned = structure if isinstance(structure, dict) else value
        literals = literals_in(scanned, "secret_string", version.location_of("secret_string"), name="secret")
        keys = tuple(str(k) for k in structure) if isinstance(structure, dict) else ()
        previous = found.get(target, ((), (), ()))
        found[target] = (previous[0] + literals, previous[1] + keys, previous[2] + copied_credentials(version, "secret_string", "secret_string_wo"))
    return found


def ssm_parameters(aws: AwsModule) -> list[Credential]:
    """SecureString parameters are secrets; any parameter holding a literal key is hardcoded, and
    any whose value is written from another credential is a copy of it."""
    result = []
    for parameter in aws.module.resources_of("aws_ssm_parameter"):
        parameter_type = parameter.value("type")
        name = parameter.value("name")
        # A SecureString holds a secret whatever it is called; a String only when its name says so.
        judged_as = "secret" if parameter_type == "SecureString" else _text(name) or parameter.name
        literals = tuple(
            literal
            for attribute in ("value", "insecure_value")
            for literal in literals_in(parameter.literal_value(attribute), attribute, parameter.location_of(attribute), name=judged_as)
        )
        copied = copied_credentials(parameter, "value", "insecure_value", "value_wo")
        if parameter_type != "SecureString" and not literals and not copied:
            continue
        owner, owner_evidence = aws.owner(parameter)
        result.append(
            Credential(
                address=parameter.address, provider="aws", source_type="aws_ssm_parameter",
                kind="secret" if parameter_type == "SecureString" or not literals else credential_kind(literals[0].detector),
                location=parameter.location, name=_text(name) or parameter.name, owner=owner,
                expiry=Expiry(None, source="SSM parameters do not expire"),
                rotation=Rotation(None, "SSM Parameter Store has no native rotation"),
                hardcoded=literals, holds=copied,
                ai_hints=(parameter.name, *parameter.known_texts("name", "description")),
                tags=aws.record_tags(parameter),
                evidence=owner_evidence,
            )
        )
    return result


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""

