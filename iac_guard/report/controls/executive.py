"""The control report's executive summary: who owns each judged credential, which credentials have
the most failing findings, and which owners have the most to fix.

A credential is named by its address and where it is defined (two root modules may both define
``aws_iam_role.app``); findings and checks carry the same pair, so they are matched exactly. An
owner the code does not state is said so in words, never guessed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ...config.settings import DEFAULT_PLACEHOLDER_OWNERS, Settings
from ...model import Credential, Finding, Location, is_unknown
from ...policy.facts import not_current, owner_is_current

#: How many credentials and owners the summary names; the inventory appendix has them all.
TOP = 5
NO_OWNER = "(no owner recorded)"
UNKNOWN_OWNER = "(owner not known from the code)"
NOT_A_CREDENTIAL = "(not a credential)"

CredentialKey = tuple[str, "Location | None"]


@dataclass(frozen=True)
class CredentialTally:
    address: str
    file: str
    line: int
    owner: str
    failing: int  # unsuppressed findings on it
    policies: tuple[str, ...]


@dataclass(frozen=True)
class OwnerTally:
    owner: str
    credentials: int  # credentials of this owner with a failing finding
    failing: int


@dataclass(frozen=True)
class Executive:
    most_failing: tuple[CredentialTally, ...]
    owners: tuple[OwnerTally, ...]


def owner_text(credential: Credential, placeholders: Collection[str] = DEFAULT_PLACEHOLDER_OWNERS) -> str:
    """The owner in words; a placeholder (``TBD``) is named as one, not as an owner."""
    value = credential.owner.value
    if value is None:
        return NO_OWNER
    if is_unknown(value):
        return UNKNOWN_OWNER
    return f"{value} (a placeholder, not an owner)" if str(value).lower() in placeholders else str(value)


def owner_detail(credential: Credential, settings: Settings) -> str:
    """Its owners by role and, with a roster, whether they are current: ``business: ml-platform,
    technical: none; 'data-science' not current``; empty when the config asks for neither."""
    owner = credential.owner
    parts: list[str] = []
    if is_unknown(owner.value):
        return ""  # nothing is known of whom it names
    if settings.owner_roles and isinstance(owner.roles, tuple):
        named = dict(owner.roles)
        parts.append(", ".join(f"{role}: {named.get(role) or 'none'}" for role, _ in settings.owner_roles))
    current = owner_is_current(owner, settings)
    if current is True:
        parts.append("current")
    elif current is False:
        parts.append(f"{', '.join(repr(n) for n in not_current(owner, settings))} not current")
    return "; ".join(parts)


def owners_by_credential(credentials: Sequence[Credential], placeholders: Collection[str]) -> dict[CredentialKey, str]:
    return {(c.address, c.location): owner_text(c, placeholders) for c in credentials}


def finding_key(finding: Finding) -> CredentialKey:
    return finding.resource, finding.resource_location


def executive(failing: Sequence[Finding], owners: Mapping[CredentialKey, str]) -> Executive:
    """The most failing credentials and the owners with most to fix, most first, ties by name."""
    by_credential: dict[CredentialKey, list[Finding]] = defaultdict(list)
    for finding in failing:
        if finding_key(finding) in owners:
            by_credential[finding_key(finding)].append(finding)
    tallies = sorted(
        (_tally(key, findings, owners[key]) for key, findings in by_credential.items()),
        key=lambda t: (-t.failing, t.address, t.file, t.line),
    )
    credentials_of: Counter[str] = Counter(t.owner for t in tallies)
    findings_of: Counter[str] = Counter()
    for tally in tallies:
        findings_of[tally.owner] += tally.failing
    owner_rows = sorted(
        (OwnerTally(owner, credentials_of[owner], findings_of[owner]) for owner in credentials_of),
        key=lambda o: (-o.failing, -o.credentials, o.owner),
    )
    return Executive(tuple(tallies[:TOP]), tuple(owner_rows[:TOP]))


def _tally(key: CredentialKey, findings: Sequence[Finding], owner: str) -> CredentialTally:
    first = min(findings, key=lambda f: (f.file, f.line))
    location = key[1]
    return CredentialTally(
        address=key[0], file=location.file if location else first.file, line=location.line if location else first.line,
        owner=owner, failing=len(findings), policies=tuple(sorted({f.policy_id for f in findings})),
    )
