"""The control report as NIST OSCAL 1.0.4 assessment results (JSON), for GRC tools that import
them: one result per framework, one finding per assessed control (satisfied or not), one
observation per finding of a policy and per control's evidence.

OSCAL's objective status has no "not assessed": a control iac-guard cannot judge gets no finding
(claiming neither), only an observation saying why, and is listed in the result's reviewed
controls like every other. UUIDs are version 5, from stable inputs (repository, framework,
control, policy, credential, file), so the same assessment writes the same document and an
observation keeps its UUID across reports; only the document's own UUID includes the time it was
generated, as OSCAL asks of a new revision. Control ids become OSCAL tokens (``GOVERN 1.6`` →
``govern-1.6``; one that starts with a digit gets ``control-`` before it); the published id is
kept as a property.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any

from ... import HOMEPAGE
from ...model import Finding
from ...support.json_text import dumps_json
from ..evidence import suppression_text, where
from .model import ComplianceReport, ControlResult, FrameworkResult

OSCAL_VERSION = "1.0.4"
NAMESPACE = f"{HOMEPAGE}/ns/oscal"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, HOMEPAGE)
_STATES = {"passing": ("satisfied", "pass"), "failing": ("not-satisfied", "fail")}


def render(report: ComplianceReport) -> str:
    when = _timestamp(report)
    repository = report.assessed.revision.repository if report.assessed and report.assessed.revision else " ".join(report.targets)
    commit = report.assessed.revision.commit if report.assessed and report.assessed.revision else None
    scope = uuid.uuid5(_ROOT, f"{repository}\0{commit or ''}\0{' '.join(report.targets)}")
    plan = uuid.uuid5(scope, "policy-pack")
    document = {
        "uuid": str(uuid.uuid5(scope, f"document\0{when}\0{','.join(f.framework.id for f in report.frameworks)}")),
        "metadata": {
            "title": f"iac-guard control report: {repository}",
            "last-modified": when,
            "version": commit or report.tool_version,
            "oscal-version": OSCAL_VERSION,
            "props": _props(("tool", f"iac-guard {report.tool_version}"), ("repository", repository), ("commit", commit)),
        },
        "import-ap": {
            "href": f"#{plan}",
            "remarks": "There is no separate assessment plan: the plan is iac-guard's policy pack, named in the back matter.",
        },
        "results": [_result(report, framework, scope, when) for framework in report.frameworks],
        "back-matter": {"resources": [_pack_resource(report, plan)]},
    }
    return dumps_json({"assessment-results": document})


def _timestamp(report: ComplianceReport) -> str:
    """When the report was generated; without that, midnight UTC of the day expiries were measured from."""
    if report.assessed is not None and report.assessed.generated_at is not None:
        return report.assessed.generated_at.isoformat(timespec="seconds")
    day = report.evaluated_on
    moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) if day else datetime(1970, 1, 1, tzinfo=timezone.utc)
    return moment.isoformat(timespec="seconds")


def _result(report: ComplianceReport, result: FrameworkResult, scope: uuid.UUID, when: str) -> dict[str, Any]:
    framework = result.framework
    base = uuid.uuid5(scope, f"framework\0{framework.id}")
    observations: dict[str, dict[str, Any]] = {}
    findings = []
    for control in result.controls:
        related = [_observation(report, base, finding, when, observations) for finding in (*control.failing, *control.suppressed)]
        related.append(_control_observation(base, control, when, observations))
        if control.status in _STATES:
            findings.append(_finding(base, control, related))
    return {
        "uuid": str(base),
        "title": f"{framework.title} ({framework.id})",
        "description": f"{result.summary}. {framework.coverage}",
        "start": when,
        "end": when,
        "props": _props(("framework", framework.id), ("framework-version", framework.version), ("source", framework.document_url)),
        "reviewed-controls": {"control-selections": [{"include-controls": [{"control-id": token(c.control.id)} for c in result.controls]}]},
        "observations": list(observations.values()),
        **({"findings": findings} if findings else {}),
    }


def _finding(base: uuid.UUID, control: ControlResult, related: list[str]) -> dict[str, Any]:
    state, reason = _STATES[control.status]
    return {
        "uuid": str(uuid.uuid5(base, f"finding\0{control.control.id}")),
        "title": f"{control.control.id} {control.control.title}",
        "description": f"{control.reason}. {control.credentials_text}.",
        "props": _props(("control-id", control.control.id), ("status", control.status)),
        "target": {
            "type": "objective-id",
            "target-id": token(control.control.id),
            "title": control.control.title,
            "status": {"state": state, "reason": reason},
        },
        "related-observations": [{"observation-uuid": observation} for observation in dict.fromkeys(related)],
        "remarks": f"What static analysis cannot show: {control.control.cannot_show}",
    }


def _observation(report: ComplianceReport, base: uuid.UUID, finding: Finding, when: str, seen: dict[str, dict[str, Any]]) -> str:
    """One observation per finding in a framework (several controls may share it); its UUID."""
    key = str(uuid.uuid5(base, f"observation\0{finding.policy_id}\0{finding.resource}\0{finding.file}\0{finding.line}"))
    if key not in seen:
        suppression = suppression_text(finding.suppression)
        seen[key] = {
            "uuid": key,
            "title": f"{finding.policy_id} {finding.title}: {finding.resource}",
            "description": finding.message,
            "props": _props(
                ("policy-id", finding.policy_id), ("severity", finding.severity), ("resource", finding.resource),
                ("owner", report.owner_of(finding)), ("suppressed", "true" if finding.suppressed else "false"),
                ("suppression", suppression),
            ),
            "methods": ["TEST"],
            "types": ["finding"],
            "relevant-evidence": [{"description": f"{where(finding)}: {finding.resource}"}],
            "collected": when,
            **({"remarks": finding.remediation} if finding.remediation else {}),
        }
    return key


def _control_observation(base: uuid.UUID, control: ControlResult, when: str, seen: dict[str, dict[str, Any]]) -> str:
    """What the mapped policies judged for a control (the evidence of a pass, or why it was not assessed)."""
    key = str(uuid.uuid5(base, f"control-observation\0{control.control.id}"))
    seen[key] = {
        "uuid": key,
        "title": f"{control.control.id}: what the mapped policies judged",
        "description": f"{control.reason}. {control.credentials_text}.",
        "props": _props(("control-id", control.control.id), ("status", control.status)),
        "methods": ["TEST"],
        "types": ["control-objective"],
        "collected": when,
    }
    return key


def _pack_resource(report: ComplianceReport, plan: uuid.UUID) -> dict[str, Any]:
    pack = report.assessed.pack if report.assessed else None
    described = f"{pack.policies} policies from {', '.join(pack.sources)}, sha256:{pack.digest}" if pack else f"iac-guard {report.tool_version}"
    return {"uuid": str(plan), "title": "iac-guard policy pack", "description": described, "rlinks": [{"href": HOMEPAGE}]}


def _props(*pairs: tuple[str, str | None]) -> list[dict[str, str]]:
    """OSCAL properties in iac-guard's namespace; an empty value is left out (OSCAL values are non-blank)."""
    return [{"name": name, "ns": NAMESPACE, "value": " ".join(value.split())} for name, value in pairs if value and value.strip()]


def token(control_id: str) -> str:
    """A control id as an OSCAL token: lower case, runs of other characters as ``-``."""
    text = re.sub(r"[^a-z0-9._-]+", "-", control_id.lower()).strip("-") or "control"
    return text if text[0].isalpha() or text[0] == "_" else f"control-{text}"
