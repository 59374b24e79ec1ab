"""The control report as CSV: one row per control and finding (a control without findings has one
row with the finding columns empty), for a spreadsheet an auditor filters by status."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ...model import Finding
from ..evidence import csv_text
from .model import STATUS_LABELS, ComplianceReport, ControlResult

HEADER = (
    "framework", "control", "title", "status", "reason", "policies", "finding", "policy", "severity",
    "resource", "file", "line", "message", "suppression reason", "suppression expires", "cannot show",
    "source", "credentials judged", "credentials passing", "owner", "remediation",
)

#: "finding" (failing or suppressed) and the finding's own columns, empty on a control without findings.
FINDING_COLUMNS = HEADER.index("cannot show") - HEADER.index("finding")


def render(report: ComplianceReport) -> str:
    rows = (row for framework in report.frameworks for control in framework.controls for row in _rows(report, framework.framework.id, control))
    return csv_text(HEADER, rows)


def _rows(report: ComplianceReport, framework_id: str, result: ControlResult) -> Iterator[Sequence[object]]:
    control = result.control
    head = (
        framework_id, control.id, control.title, STATUS_LABELS[result.status], result.reason,
        " ".join(p.id for p in result.policies),
    )
    tail = (control.cannot_show, control.url, result.judged_credentials, result.passing_credentials)
    findings = [("failing", f) for f in result.failing] + [("suppressed", f) for f in result.suppressed]
    if not findings:
        yield head + ("",) * FINDING_COLUMNS + tail + ("", "")
    for state, finding in findings:
        yield head + (state, *_finding(finding)) + tail + (report.owner_of(finding), finding.remediation)


def _finding(finding: Finding) -> tuple[object, ...]:
    suppression = finding.suppression
    return (
        finding.policy_id, finding.severity, finding.resource, finding.file, finding.line, finding.message,
        suppression.reason if suppression else "", (suppression.expires or "") if suppression else "",
    )
