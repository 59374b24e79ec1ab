"""Joins what the recognizers found into one credential inventory.

Everything that needs the whole graph is computed here, once, for every provider: which workloads
use a credential (sharing), which identities are AI identities because of what their workloads use,
and the lifetime of a secret that is replaced on a schedule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from . import ai
from .model import Credential, Expiry, Extraction, Unknown, Usage, Workload


@dataclass(frozen=True)
class Inventory:
    credentials: tuple[Credential, ...]
    workloads: tuple[Workload, ...]
    usages: tuple[Usage, ...]

    def credentials_at(self, address: str) -> list[Credential]:
        """Every credential with this address (one per root module that defines it)."""
        return [c for c in self.credentials if c.address == address]


#: Records are identified by their root module and address: two root modules may both define
#: ``aws_iam_role.app``, and those are two roles.
Key = tuple[str, str]


def build_inventory(extraction: Extraction) -> Inventory:
    credentials = _merge_duplicates(extraction.credentials)
    workloads = {(w.root_module, w.address): w for w in extraction.workloads}
    usages = sorted(
        {
            (u.root_module, u.workload, u.credential, u.via): u
            for u in _resolve_aliases(extraction.usages, credentials) if (u.root_module, u.credential) in credentials
        }.values(),
        key=lambda u: (u.root_module, u.credential, u.workload, u.via),
    )
    consumers: dict[Key, set[str]] = defaultdict(set)
    for usage in usages:
        consumers[(usage.root_module, usage.credential)].add(usage.workload)
    for key, credential in credentials.items():
        credentials[key] = replace(
            credential,
            consumers=tuple(sorted(consumers.get(key, ()))),
            expiry=_expiry_from_rotation(credential),
        )
    _classify(credentials, workloads, usages)
    return Inventory(
        credentials=tuple(credentials[k] for k in sorted(credentials, key=lambda k: (k[1], k[0]))),
        workloads=tuple(workloads[k] for k in sorted(workloads, key=lambda k: (k[1], k[0]))),
        usages=tuple(usages),
    )


def _resolve_aliases(usages: Iterable[Usage], credentials: dict[Key, Credential]) -> Iterator[Usage]:
    """A usage that names a credential by an alias is a usage of the credential itself.

    The usage keeps the workload's own root module for the workload side, so the edge is stored
    under the credential's key; the workload address stays as written.
    """
    aliases = {alias: key for key, credential in credentials.items() for alias in credential.aliases}
    for usage in usages:
        target = aliases.get((usage.root_module, usage.credential))
        if target is None or (usage.root_module, usage.credential) in credentials:
            yield usage
        else:
            yield replace(usage, root_module=target[0], credential=target[1])


def _merge_duplicates(found: Iterable[Credential]) -> dict[Key, Credential]:
    """Two records for one address (a workload with literal keys found twice) become one."""
    merged: dict[Key, Credential] = {}
    for credential in found:
        key = (credential.root_module, credential.address)
        existing = merged.get(key)
        if existing is None:
            merged[key] = credential
        else:
            merged[key] = replace(
                existing,
                hardcoded=existing.hardcoded + credential.hardcoded,
                ai_hints=existing.ai_hints + credential.ai_hints,
            )
    return merged


def _expiry_from_rotation(credential: Credential) -> Expiry:
    """A secret replaced on a schedule lives no longer than the schedule: that is its expiry."""
    expiry, period = credential.expiry, credential.rotation.period_days
    if expiry.lifetime_days is None and not _is_true(expiry.short_lived) and isinstance(period, (int, float)):
        return Expiry(period, False, f"rotation by {credential.rotation.mechanism}")
    if expiry.lifetime_days is None and isinstance(period, Unknown):
        return Expiry(period, expiry.short_lived, f"replaced on a schedule not known before apply ({credential.rotation.mechanism})")
    return expiry


def _is_true(value: object) -> bool:
    return value is True


def _classify(credentials: dict[Key, Credential], workloads: dict[Key, Workload], usages: list[Usage]) -> None:
    """Fill ``ai_reasons``: direct evidence first, then what flows along usages and parents."""
    reasons: dict[Key, list[str]] = {k: list(ai.direct_reasons(c)) for k, c in credentials.items()}
    uses: dict[Key, set[str]] = defaultdict(set)
    for usage in usages:
        uses[(usage.root_module, usage.workload)].add(usage.credential)
        name = usage.via.split(" ", 1)[1] if usage.via.startswith("env ") else ""
        provider = ai.provider_named_by(name) if name else None
        if provider:
            reasons[(usage.root_module, usage.credential)].append(f"used as {name} by {usage.workload} ({provider.name})")
    workload_reasons = {k: _workload_reasons(w) for k, w in workloads.items()}
    changed = True
    while changed:  # each round only adds reasons, and there are finitely many: it ends
        changed = False
        for (root, address), workload in workloads.items():
            identity = (root, workload.identity or "")
            if identity not in credentials or reasons[identity]:
                continue
            cause = workload_reasons[(root, address)]
            used_ai = next((u for u in sorted(uses[(root, address)]) if u != identity[1] and reasons.get((root, u))), None)
            if cause or used_ai:
                reasons[identity].append(
                    f"identity of {address}, which uses the AI credential {used_ai}" if used_ai
                    else f"identity of {address} ({cause})"
                )
                changed = True
        for (root, address), credential in credentials.items():
            parent = (root, credential.parent or "")
            if parent not in credentials:
                continue
            if reasons[parent] and not reasons[(root, address)]:
                reasons[(root, address)].append(f"issued for {parent[1]}, an AI identity")
                changed = True
            if reasons[(root, address)] and not reasons[parent]:
                reasons[parent].append(f"holds the AI credential {address}")
                changed = True
    for key, credential in credentials.items():
        credentials[key] = replace(credential, ai_reasons=tuple(dict.fromkeys(reasons[key])))


def _workload_reasons(workload: Workload) -> str | None:
    """Why a workload is itself an AI workload (a Bedrock agent, a function named for OpenAI)."""
    if workload.ai_reasons:
        return workload.ai_reasons[0]
    for hint in workload.ai_hints:
        provider = ai.provider_named_by(hint)
        if provider:
            return f"'{hint}' names {provider.name}"
    return None
