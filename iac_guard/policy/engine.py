"""Evaluates loaded policies against inventory records and builds the findings every report reads.

The engine is generic: it knows no policy by id and no resource type. A policy fails a
credential only when its condition is True — UNKNOWN never fails — and each finding points at
the line to change (the evidence the policy names) rather than at the whole resource.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, get_args

from ..config.settings import Settings
from ..model import Credential, Finding, Severity
from .facts import credential_facts, lookup, render
from .loader import Policy

_SEVERITIES = frozenset(get_args(Severity))

#: What the conditions read about a credential, derived from it under the settings.
FactsOf = Callable[[Credential, Settings], Mapping[str, Any]]


def judge(
    policies: Sequence[Policy], credentials: Iterable[Credential], settings: Settings, facts: FactsOf = credential_facts
) -> list[Finding]:
    """Findings of every policy not skipped, on every credential in scope, in report order.

    A scan judges the facts derived from each record (``credential_facts``); the merge passes the
    facts a shard recorded, updated with what the merged view of a shared credential adds.
    """
    params = {policy.id: policy.param_values(settings) for policy in policies}
    findings: list[Finding] = []
    judged: Credential | None = None
    known: Mapping[str, Any] = {}
    for policy, credential in applicable(policies, credentials, settings):
        if credential is not judged:
            judged, known = credential, facts(credential, settings)
        findings.extend(_findings(policy, params[policy.id], credential, known))
    return sorted(once_per_place(findings), key=Finding.sort_key)


def once_per_place(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per policy, address, place and message: the same module resource judged alike
    under several root modules is reported once, listing the roots (a difference in message —
    an owner from one root's default tags — keeps them apart)."""
    merged: dict[tuple[Any, ...], Finding] = {}
    for finding in findings:
        key = (finding.policy_id, finding.resource, finding.file, finding.line, finding.end_line, finding.message, finding.fingerprint)
        seen = merged.get(key)
        if seen is not None:
            roots, reasons = united(seen.root_modules, finding.root_modules), united(seen.ai_reasons, finding.ai_reasons)
            finding = replace(seen, root_modules=roots, ai_reasons=reasons)
        merged[key] = finding
    return list(merged.values())


def united(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    """Two roots' lists as one: unchanged when equal, else sorted, so the order the roots were
    judged in (one scan, or shards) never shows."""
    return tuple(first) if list(first) == list(second) else tuple(sorted({*first, *second}))


def applicable(
    policies: Sequence[Policy], credentials: Iterable[Credential], settings: Settings
) -> Iterator[tuple[Policy, Credential]]:
    """Every (policy, credential) pair the engine judges, failing or not, credential by credential.

    Policies that judge something other than credentials (``judges: suppressions``) are left to
    the stage that judges it.
    """
    active = [p for p in policies if p.id not in settings.skip_policies and p.judges == "credentials"]
    for credential in credentials:
        if not in_scope(credential, settings):
            continue
        for policy in active:
            if policy.applies_to.matches(credential):
                yield policy, credential


def in_scope(credential: Credential, settings: Settings) -> bool:
    """With scope "ai" only AI service credentials are judged; "all" judges every credential."""
    return settings.scope == "all" or bool(credential.ai_reasons)


def _findings(
    policy: Policy, params: Mapping[str, Any], credential: Credential, facts: Mapping[str, Any]
) -> Iterator[Finding]:
    for subject in _subjects(policy, facts):
        if policy.fails_when is not None and policy.fails_when.evaluate(subject, params) is True:
            yield _finding(policy, credential, {**subject, **params})


def _subjects(policy: Policy, facts: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """What the condition is judged on: the facts, or the facts plus one ``item`` per element."""
    if policy.for_each is None:
        return [facts]
    # The loader lets for_each name only list facts, which the model never leaves unknown.
    return [{**facts, "item": item} for item in lookup(facts, policy.for_each)]


def _finding(policy: Policy, credential: Credential, namespace: Mapping[str, Any]) -> Finding:
    item = namespace.get("item")
    file, line, end_line = _location(policy.points_to, credential, item)
    return Finding(
        policy_id=policy.id,
        category=policy.category,
        severity=_severity(policy, namespace),
        title=policy.title,
        message=render(policy.message, namespace),
        resource=credential.address,
        file=file,
        line=line,
        end_line=end_line,
        controls=dict(policy.controls),
        remediation=policy.remediation,
        ai_reasons=credential.ai_reasons,
        fingerprint=item.get("fingerprint") if isinstance(item, Mapping) else None,
        resource_location=credential.location,
        root_modules=(credential.root_module,) if credential.root_module else (),
    )


def _severity(policy: Policy, namespace: Mapping[str, Any]) -> str:
    """The policy's severity, or the one its ``severity_from`` fact gives this finding."""
    if policy.severity_from is None:
        return policy.severity
    own = lookup(namespace, policy.severity_from)
    return own if own in _SEVERITIES else policy.severity


def _location(points_to: str | None, credential: Credential, item: Any) -> tuple[str, int, int]:
    """The evidence line the policy names, else the whole credential."""
    if points_to == "item" and isinstance(item, Mapping) and "line" in item:
        return item.get("file") or credential.location.file, item["line"], item["line"]
    where = credential.evidence.get(points_to) if points_to else None
    if where is not None:
        return where.file, where.line, where.end_line
    return credential.location.file, credential.location.line, credential.location.end_line
