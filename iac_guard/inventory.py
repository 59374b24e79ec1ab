"""Joins what the recognizers found into one credential inventory.

Everything that needs the whole graph is computed here, once, for every provider: which workloads
use a credential (sharing), which identities are AI identities because of what their workloads use,
and the lifetime of a secret that is replaced on a schedule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from . import ai
from .model import Credential, Expiry, Extraction, Unknown, Usage, Workload


@dataclass(frozen=True)
class Inventory:
    credentials: tuple[Credential, ...]
    workloads: tuple[Workload, ...]
    usages: tuple[Usage, ...]

    def credential(self, address: str) -> Credential | None:
        return next((c for c in self.credentials if c.address == address), None)


def build_inventory(extraction: Extraction) -> Inventory:
    credentials = _merge_duplicates(extraction.credentials)
    workloads = {w.address: w for w in sorted(extraction.workloads, key=lambda w: w.address)}
    usages = sorted(
        {(u.workload, u.credential, u.via): u for u in extraction.usages if u.credential in credentials}.values(),
        key=lambda u: (u.credential, u.workload, u.via),
    )
    consumers: dict[str, set[str]] = defaultdict(set)
    for usage in usages:
        consumers[usage.credential].add(usage.workload)
    for address, credential in credentials.items():
        credentials[address] = replace(
            credential,
            consumers=tuple(sorted(consumers.get(address, ()))),
            expiry=_expiry_from_rotation(credential),
        )
    _classify(credentials, workloads, usages)
    return Inventory(
        credentials=tuple(credentials[a] for a in sorted(credentials)),
        workloads=tuple(workloads.values()),
        usages=tuple(usages),
    )


def _merge_duplicates(found: Iterable[Credential]) -> dict[str, Credential]:
    """Two records for one address (a workload with literal keys found twice) become one."""
    merged: dict[str, Credential] = {}
    for credential in found:
        existing = merged.get(credential.address)
        if existing is None:
            merged[credential.address] = credential
        else:
            merged[credential.address] = replace(
                existing,
                hardcoded=existing.hardcoded + credential.hardcoded,
                ai_hints=existing.ai_hints + credential.ai_hints,
            )
    return merged


def _expiry_from_rotation(credential: Credential) -> Expiry:
    """A secret replaced on a schedule lives no longer than the schedule: that is its expiry."""
    expiry, period = credential.expiry, credential.rotation.period_days
    if expiry.lifetime_days is None and not _is_true(expiry.short_lived) and isinstance(period, (int, float)):
        return Expiry(period, False, f"replaced every {period:g} days ({credential.rotation.mechanism})")
    if expiry.lifetime_days is None and isinstance(period, Unknown):
        return Expiry(period, expiry.short_lived, f"replaced on a schedule not known before apply ({credential.rotation.mechanism})")
    return expiry


def _is_true(value: object) -> bool:
    return value is True


def _classify(credentials: dict[str, Credential], workloads: dict[str, Workload], usages: list[Usage]) -> None:
    """Fill ``ai_reasons``: direct evidence first, then what flows along usages and parents."""
    reasons: dict[str, list[str]] = {a: list(ai.direct_reasons(c)) for a, c in credentials.items()}
    for usage in usages:
        provider = ai.provider_named_by(usage.via.split(" ", 1)[-1]) if usage.via.startswith("env ") else None
        if provider:
            reasons[usage.credential].append(f"used as {usage.via.split(' ', 1)[1]} by {usage.workload} ({provider.name})")
    workload_reasons = {a: _workload_reasons(w) for a, w in workloads.items()}
    uses: dict[str, set[str]] = defaultdict(set)
    for usage in usages:
        uses[usage.workload].add(usage.credential)
    changed = True
    while changed:  # each round can only add reasons, and there are finitely many: it ends
        changed = False
        for address, workload in workloads.items():
            identity = workload.identity
            if identity not in credentials:
                continue
            cause = workload_reasons[address] or next(
                (f"identity of {address}, which uses the AI credential {used}"
                 for used in sorted(uses[address]) if used != identity and reasons.get(used)), None)
            if cause and not reasons[identity]:
                reasons[identity].append(cause if cause.startswith("identity of") else f"identity of {address} ({cause})")
                changed = True
        for address, credential in credentials.items():
            parent = credential.parent
            if parent in credentials and reasons[parent] and not reasons[address]:
                reasons[address].append(f"issued for {parent}, an AI identity")
                changed = True
            if parent in credentials and reasons[address] and not reasons[parent]:
                reasons[parent].append(f"holds the AI credential {address}")
                changed = True
    for address, credential in credentials.items():
        credentials[address] = replace(credential, ai_reasons=tuple(dict.fromkeys(reasons[address])))


def _workload_reasons(workload: Workload) -> str | None:
    if workload.ai_reasons:
        return workload.ai_reasons[0]
    for hint in workload.ai_hints:
        provider = ai.provider_named_by(hint)
        if provider:
            return f"'{hint}' names {provider.name}"
    return None
