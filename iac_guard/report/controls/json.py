"""The control report as JSON: ``{"tool", "scan", "statuses", "frameworks"}`` and, since they
were added, ``assessed`` (what was assessed), ``executive`` (the summary), ``comparison`` (with
``--compare``) and ``inventory``, for tools that collect audit evidence. Fields are only ever added;
this document is what ``--compare`` reads back."""

from __future__ import annotations

from typing import Any

from ...model import Finding
from ...support.json_text import dumps_json
from ..evidence import suppression_dict
from .assessed import Assessed
from .compare import Comparison
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
        "frameworks": [_framework(report, f) for f in report.frameworks],
        "executive": {
            "most_failing_credentials": [vars(t) | {"policies": list(t.policies)} for t in report.executive.most_failing],
            "owners_with_most_to_fix": [vars(o) for o in report.executive.owners],
        },
        "inventory": [row.to_dict() for row in report.inventory],
    }
    if report.assessed is not None:
        document["assessed"] = _assessed(report.assessed)
    if report.comparison is not None:
        document["comparison"] = _comparison(report.comparison)
    return dumps_json(document)


def _assessed(assessed: Assessed) -> dict[str, Any]:
    revision, config, pack = assessed.revision, assessed.configuration, assessed.pack
    return {
        "revision": vars(revision) if revision else None,
        "generated_at": assessed.generated_at.isoformat(timespec="seconds") if assessed.generated_at else None,
        "tool": {"name": "iac-guard", "version": assessed.tool_version},
        "policy_pack": {"policies": pack.policies, "sources": list(pack.sources), "sha256": pack.digest},
        "configuration": {
            "scope": config.scope, "limits": dict(config.limits), "skipped_policies": list(config.skipped_policies),
            "excludes": list(config.excludes), "baseline": config.baseline, "fail_on": config.fail_on,
            "soft_fail": config.soft_fail, "config_file": config.config_file, "config_origin": config.config_origin,
            "weakenings": [w.to_dict() for w in config.weakenings],
        },
    }


def _comparison(comparison: Comparison) -> dict[str, Any]:
    def failures(keys: tuple[tuple[str, str, str], ...]) -> list[dict[str, str]]:
        return [{"policy_id": p, "resource": r, "file": f} for p, r, f in keys]

    return {
        "previous": {"file": comparison.previous.name, "identity": comparison.previous.identity},
        "new": comparison.new,
        "fixed": comparison.fixed,
        "changes": [
            {"framework": c.framework_id, "control": c.control_id, "before": c.before, "after": c.after,
             "new": failures(c.new), "fixed": failures(c.fixed)}
            for c in comparison.changes
        ],
    }


def _framework(report: ComplianceReport, result: FrameworkResult) -> dict[str, Any]:
    framework = result.framework
    return {
        "id": framework.id,
        "title": framework.title,
        "publisher": framework.publisher,
        "version": framework.version,
        "source": {"document": framework.document, "url": framework.document_url},
        "coverage": framework.coverage,
        "summary": {status: result.count(status) for status in STATUSES},
        "controls": [_control(report, c) for c in result.controls],
    }


def _control(report: ComplianceReport, result: ControlResult) -> dict[str, Any]:
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
        "credentials": {"judged": result.judged_credentials, "passing": result.passing_credentials},
        "failing": [_finding(report, f) for f in result.failing],
        "suppressed": [_finding(report, f) for f in result.suppressed],
    }


def _finding(report: ComplianceReport, finding: Finding) -> dict[str, Any]:
    return {
        "policy_id": finding.policy_id,
        "severity": finding.severity,
        "resource": finding.resource,
        "file": finding.file,
        "line": finding.line,
        "message": finding.message,
        "owner": report.owner_of(finding),
        "remediation": finding.remediation,
        "suppression": suppression_dict(finding.suppression),
    }
