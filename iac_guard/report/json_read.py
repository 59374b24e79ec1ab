"""Reading an iac-guard JSON report back into the records it was rendered from.

``iac-guard merge`` works on typed results, as a scan does, and renders them with the same
renderers; these readers are the inverse of json_report.py's writers, field for field (fields a
report does not carry, such as a finding's ``resource_location``, stay at their defaults).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..config.settings import Settings
from ..model import Finding, ScanError, Suppression, Unknown
from ..shard.split import UNKNOWN_KEY


def finding_from_json(item: Mapping[str, Any]) -> Finding:
    return Finding(
        policy_id=item["policy_id"], category=item["category"], severity=item["severity"], title=item["title"],
        message=item["message"], resource=item["resource"], file=item["file"], line=item["line"],
        end_line=item.get("end_line", item["line"]), controls={k: tuple(v) for k, v in item.get("controls", {}).items()},
        remediation=item.get("remediation", ""), ai_reasons=tuple(item.get("ai_reasons", [])),
        fingerprint=item.get("fingerprint"), baseline_state=item.get("baseline_state"),
        suppression=suppression_from_json(item.get("suppression")),
        root_modules=tuple(item.get("root_modules", [item["root_module"]] if "root_module" in item else [])),
    )


def suppression_from_json(item: object) -> Suppression | None:
    if not isinstance(item, Mapping):
        return None
    return Suppression(
        reason=item.get("reason", ""), expires=item.get("expires"), source=item.get("source", ""),
        owner=item.get("owner"), expired=bool(item.get("expired", False)),
    )


def error_from_json(item: Mapping[str, Any]) -> ScanError:
    return ScanError(file=item["file"], message=item["message"], line=item.get("line"), column=item.get("column"))


def facts_from_json(value: Any) -> Any:
    """Facts a shard exported (``shard.split.encode``): lists as tuples, ``{"$unknown": [refs]}``
    as an unknown."""
    if isinstance(value, dict):
        if set(value) == {UNKNOWN_KEY} and isinstance(value[UNKNOWN_KEY], list):
            return Unknown(frozenset(value[UNKNOWN_KEY]))
        return {k: facts_from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(facts_from_json(v) for v in value)
    return value


def settings_from_record(record: Mapping[str, Any]) -> Settings:
    """The settings a shard judged with (``shard.split.judging_record``)."""
    values: dict[str, Any] = {}
    for name in ("scope", "max_lifetime_days", "max_rotation_days"):
        if name in record:
            values[name] = record[name]
    for name in ("owner_keys", "placeholder_owners", "skip_policies"):
        if isinstance(record.get(name), list):
            values[name] = tuple(record[name])
    if isinstance(record.get("today"), str):
        values["today"] = date.fromisoformat(record["today"])
    return Settings(**values)
