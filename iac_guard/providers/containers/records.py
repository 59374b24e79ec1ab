"""The records every application-file recognizer makes the same way."""

from __future__ import annotations

from collections.abc import Sequence

from ...model import Credential, Extraction, Location, SecretLiteral, Usage, Workload
from ...secrets.detect import Detection, credential_kind


def literal(field: str, detection: Detection, file: str, line: int) -> SecretLiteral:
    return SecretLiteral(field, detection.detector, detection.fingerprint, Location(file, line, line), detection.ai_provider)


def literal_records(workload: Workload, literals: Sequence[SecretLiteral], hints: Sequence[str], name: str) -> Extraction:
    """The keys written in one workload's file or service, as one literal credential at its
    address, which the workload uses where each key is written: the inventory lists the image,
    service or notebook as the consumer of the keys baked into it."""
    usages = [Usage(workload.address, workload.address, f"written {item.field}", item.location) for item in literals]
    return Extraction([_literal_credential(workload, literals, hints, name)], [], usages)


def _literal_credential(workload: Workload, literals: Sequence[SecretLiteral], hints: Sequence[str], name: str) -> Credential:
    kinds = [credential_kind(item.detector) for item in literals]
    return Credential(
        address=workload.address, provider=workload.provider, source_type=workload.source_type,
        kind=next((kind for kind in kinds if kind != "secret"), "secret"),
        location=Location(workload.location.file, literals[0].location.line, literals[-1].location.line),
        name=name, origin="literal", hardcoded=tuple(literals), ai_hints=tuple(dict.fromkeys(hints)),
    )
