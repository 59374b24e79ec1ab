"""The control report as JSON: ``{"tool", "scan", "statuses", "frameworks"}``, for tools that
collect audit evidence. Fields are only ever added."""

from __future__ import annotations

from typing import Any

from ...model import Finding
from ...support.json_text import dumps_json
from ..evidence import suppression_dict
from .model import STATUS_MEANINGS, STATUSES, ComplianceReport, ControlResult, FrameworkResult


def render(report: ComplianceReport) -> str:
    document = {
        "tool": {"name": "iac-guard", "version": report.tool_version},
        "scan": {
            "targets": list(report.targets),
            "scope": report.scope,
            "evaluated_on": report.evaluated_on.isoformat() if report.evaluated_on else None,
            "files_scanned": report.files_scanned,
            "credentials": report.credentials,
            "judged_credentials": report.judged_credentials,
            "workloads": report.workloads,
            "errors": [{"file": e.file, "line": e.line, "column": e.column, "message": e.message} for e in report.errors],
        },
        "statuses": dict(STATUS_MEANINGS),
        "frameworks": [_framework(f) for f in report.frameworks],
    }
    return dumps_json(document)


def _framework(result: FrameworkResult) -> dict[str, Any]:
    framework = result.framework
    return {
        "id": framework.id,
        "title": framework.title,
        "publisher": framework.publisher,
        "version": framework.version,
        "source": {"document": framework.document, "url": framework.document_url},
        "coverage": framework.coverage,
        "summary": {status: result.count(status) for status in STATUSES},
        "controls": [_control(c) for c in result.controls],
    }


def _control(result: ControlResult) -> dict[str, Any]:
    control = result.control
    return {
        "id": control.id,
        "title": control.title,
        "text": control.text,
        "url": control.url,
        "section": control.section,
        "status": result.status,
        "reason": result.reason,
        "cannot_show": control.cannot_show,
        "policies": [
            {"id": p.id, "title": p.title, "skipped": p.skipped, "judges": p.judges, "judged": p.judged}
            for p in result.policies
        ],
        "failing": [_finding(f) for f in result.failing],
        "suppressed": [_finding(f) for f in result.suppressed],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "policy_id": finding.policy_id,
        "severity": finding.severity,
        "resource": finding.resource,
        "file": finding.file,
        "line": finding.line,
        "message": finding.message,
        "suppression": suppression_dict(finding.suppression),
    }
