"""The control report's model: every control of the chosen frameworks with its status, computed
once from a scan and rendered by ``report/controls_*.py``.

A status claims no more than the code proves:

- **failing**: a policy mapped to the control has a finding that is not suppressed;
- **passing**: a mapped policy judged at least one credential and none failed;
- **not assessed**: no loaded policy maps to the control, every mapped policy was skipped, or the
  mapped policies had no credential in scope to judge.

Every control also carries what static analysis cannot show about it (from its catalog), which
every format prints beside the status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from ... import __version__
from ...config.settings import DEFAULT_PLACEHOLDER_OWNERS
from ...model import Credential, Finding, ScanError
from ...policy.frameworks import Control, Framework
from ..inventory_rows import InventoryRow, inventory_rows
from .assessed import Assessed
from .compare import Comparison, PreviousReport, compare
from .executive import NOT_A_CREDENTIAL, CredentialKey, Executive, executive, finding_key, owner_detail, owners_by_credential
from .graph import CredentialGraph, credential_graph

if TYPE_CHECKING:
    from ...policy.loader import Policy
    from ...result import ScanResult

Status = Literal["failing", "passing", "not-assessed"]
STATUSES: tuple[Status, ...] = ("failing", "passing", "not-assessed")
STATUS_LABELS = {"failing": "Failing", "passing": "Passing", "not-assessed": "Not assessed"}
STATUS_MEANINGS = {
    "failing": "a policy mapped to the control has a finding that is not suppressed",
    "passing": "the mapped policies judged at least one credential and none failed; this is "
    "evidence from the scanned code only, not proof that the control is met",
    "not-assessed": "no policy maps to the control, or the mapped policies were skipped or had "
    "nothing to judge: iac-guard cannot say",
}


@dataclass(frozen=True)
class MappedPolicy:
    id: str
    title: str
    skipped: bool
    judged: int  # how many things it judged in this scan
    judges: str = "credentials"  # what it judges: credentials, or suppressions

    @property
    def evaluated(self) -> bool:
        return not self.skipped and self.judged > 0

    @property
    def activity(self) -> str:
        """What it did in this scan: "judged 2 credentials", "was skipped", ..."""
        noun = self.judges.rstrip("s")
        if self.skipped:
            return "was skipped"
        return f"judged {_count(self.judged, noun)}" if self.judged else f"had no {noun} to judge"


@dataclass(frozen=True)
class ControlResult:
    control: Control
    status: Status
    reason: str  # why it has this status, in one sentence
    policies: tuple[MappedPolicy, ...]
    failing: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    judged_credentials: int = 0  # distinct credentials its policies judged
    passing_credentials: int = 0  # of those, the ones without a failing finding of its policies

    @property
    def credentials_text(self) -> str:
        """"3 of 5 credentials passing"; "no credential judged"."""
        if not self.judged_credentials:
            return "no credential judged"
        return f"{self.passing_credentials} of {_count(self.judged_credentials, 'credential')} passing"


@dataclass(frozen=True)
class FrameworkResult:
    framework: Framework
    controls: tuple[ControlResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for c in self.controls if c.status == status)

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(s)} {STATUS_LABELS[s].lower()}" for s in STATUSES)


@dataclass(frozen=True)
class ComplianceReport:
    frameworks: tuple[FrameworkResult, ...]
    targets: tuple[str, ...]  # what was scanned, as given on the command line
    scope: str  # "ai" or "all"
    evaluated_on: date | None
    files_scanned: int
    credentials: int
    judged_credentials: int  # in scope of the scan
    workloads: int
    errors: tuple[ScanError, ...]
    tool_version: str = __version__
    #: What was assessed (the code's revision, when, the pack, the configuration); None: not stated.
    assessed: Assessed | None = None
    #: Each judged credential's owner, in words: findings name it.
    owners: Mapping[CredentialKey, str] = field(default_factory=dict)
    #: Each credential's owners by role and whether they are current, where the config asks
    #: (``owner_roles``, a roster): the inventory appendix shows it beside the owner.
    owner_details: Mapping[CredentialKey, str] = field(default_factory=dict)
    executive: Executive = Executive((), ())
    inventory: tuple[InventoryRow, ...] = ()
    graph: CredentialGraph = CredentialGraph((), (), 0)
    #: With ``--compare``: what changed since the previous report.
    comparison: Comparison | None = None

    def owner_of(self, finding: Finding) -> str:
        return self.owners.get(finding_key(finding), NOT_A_CREDENTIAL)

    def owner_cell(self, credential: Credential) -> str:
        """The owner, with its roles and roster status when the config asks for them."""
        key = (credential.address, credential.location)
        detail = self.owner_details.get(key, "")
        return f"{self.owners.get(key, '')} ({detail})" if detail else self.owners.get(key, "")


def build_report(
    result: ScanResult, frameworks: Sequence[Framework], targets: Sequence[str] = (),
    assessed: Assessed | None = None, previous: PreviousReport | None = None,
) -> ComplianceReport:
    settings = result.settings
    skipped = set(settings.skip_policies) if settings else set()
    mapped = {policy.id: _mapped(policy, policy.id in skipped, result) for policy in result.policies}
    results = tuple(
        FrameworkResult(framework, tuple(_control(framework.id, c, result, mapped) for c in framework.controls))
        for framework in frameworks
    )
    rows = inventory_rows(result)
    owners = owners_by_credential(result.inventory.credentials, settings.placeholder_owners if settings else DEFAULT_PLACEHOLDER_OWNERS)
    return ComplianceReport(
        frameworks=results,
        targets=tuple(targets),
        scope=settings.scope if settings else "ai",
        evaluated_on=settings.today if settings else None,
        files_scanned=result.files_scanned,
        credentials=len(result.inventory.credentials),
        judged_credentials=len({(check.resource, check.location) for check in result.checks}),
        workloads=len(result.inventory.workloads),
        errors=tuple(result.errors),
        assessed=assessed,
        owners=owners,
        owner_details={(c.address, c.location): owner_detail(c, settings) for c in result.inventory.credentials} if settings else {},
        executive=executive(result.failing, owners),
        inventory=tuple(rows),
        graph=credential_graph([row.credential for row in rows], result.inventory.credentials, _credential_statuses(result), owners),
        comparison=None if previous is None else compare(
            previous, (((f.framework.id, c.control.id), c.status, c.failing) for f in results for c in f.controls)
        ),
    )


def _credential_statuses(result: ScanResult) -> dict[CredentialKey, str]:
    """Each judged credential's status over every policy: failing, else passing."""
    statuses: dict[CredentialKey, str] = {(check.resource, check.location): "passing" for check in result.checks}
    statuses.update({finding_key(f): "failing" for f in result.failing})
    return statuses


def _mapped(policy: Policy, skipped: bool, result: ScanResult) -> MappedPolicy:
    """How much a policy judged: the credentials the engine applied it to (``ScanResult.checks``),
    or, for a policy that judges suppressions, every suppression seen (those that held, those that
    expired, and those it rejected)."""
    if policy.judges == "credentials":
        judged = sum(1 for check in result.checks if check.policy_id == policy.id)
    else:
        judged = sum(1 for f in result.findings if f.suppression is not None or f.policy_id == policy.id)
    return MappedPolicy(policy.id, policy.title, skipped, judged, policy.judges)


def _control(framework_id: str, control: Control, result: ScanResult, mapped: dict[str, MappedPolicy]) -> ControlResult:
    policies = tuple(
        mapped[p.id] for p in result.policies if control.id in p.controls.get(framework_id, ())
    )
    ids = {p.id for p in policies if not p.skipped}
    findings = [f for f in result.findings if f.policy_id in ids]
    failing = tuple(f for f in findings if not f.suppressed)
    suppressed = tuple(f for f in findings if f.suppressed)
    status, reason = _status(policies, failing, suppressed)
    judged = {(check.resource, check.location) for check in result.checks if check.policy_id in ids}
    failed = {finding_key(f) for f in failing}
    return ControlResult(control, status, reason, policies, failing, suppressed, len(judged), len(judged - failed))


def _status(
    policies: Sequence[MappedPolicy], failing: Sequence[Finding], suppressed: Sequence[Finding]
) -> tuple[Status, str]:
    waived = f"; {_count(len(suppressed), 'suppressed finding')}" if suppressed else ""
    if failing:
        by = ", ".join(sorted({f.policy_id for f in failing}))
        return "failing", f"{_count(len(failing), 'failing finding')} of {by}{waived}"
    if not policies:
        return "not-assessed", "no policy maps to this control"
    evaluated = [p for p in policies if p.evaluated]
    if not evaluated:
        return "not-assessed", _activities(policies)
    others = [p for p in policies if not p.evaluated]
    note = f" ({_activities(others)})" if others else ""
    return "passing", f"{_activities(evaluated)}, none failed{waived}{note}"


def _activities(policies: Sequence[MappedPolicy]) -> str:
    return "; ".join(f"{p.id} {p.activity}" for p in policies)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
