"""The JSON output contract (see DESIGN.md): ``{"tool", "summary", "findings", "errors"}``.

Later features (SARIF, baselines, shard merging) read this shape, so fields are only ever added.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from .. import __version__
from ..model import SEVERITY_ORDER, Finding
from ..result import ScanResult
from ..shard.split import judging_record
from ..support.json_text import dumps_json, write_json
from .evidence import suppression_dict


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    result: dict[str, Any] = {
        "policy_id": finding.policy_id,
        "category": finding.category,
        "severity": finding.severity,
        "title": finding.title,
        "message": finding.message,
        "resource": finding.resource,
        "file": finding.file,
        "line": finding.line,
        "end_line": finding.end_line,
        "root_module": finding.root_module,
        "root_modules": list(finding.root_modules),
        "controls": {framework: list(ids) for framework, ids in sorted(finding.controls.items())},
        "suppressed": finding.suppressed,
        "suppression": suppression_dict(finding.suppression),
        "ai_reasons": list(finding.ai_reasons),
        "remediation": finding.remediation,
    }
    if finding.fingerprint:
        result["fingerprint"] = finding.fingerprint
    if finding.baseline_state is not None:
        result["baseline_state"] = finding.baseline_state
    return result


def summary(result: ScanResult) -> dict[str, Any]:
    failing = result.failing
    by_severity = Counter(f.severity for f in failing)
    by_category = Counter(f.category for f in failing)
    return {
        "files_scanned": result.files_scanned,
        "credentials": len(result.inventory.credentials),
        "ai_credentials": sum(1 for c in result.inventory.credentials if c.ai_reasons),
        "workloads": len(result.inventory.workloads),
        "findings": len(result.findings),
        "failing": len(failing),
        "suppressed": len(result.findings) - len(failing),
        "by_severity": {s: by_severity.get(s, 0) for s in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__, reverse=True)},
        "by_category": dict(sorted(by_category.items())),
        "errors": len(result.errors),
        "fail_on": result.filters.fail_on,
        "gating": len(result.gating),
        "exit_code": result.exit_code,
        "config": config_in_force(result),
        "notes": notes(result),
    }


def notes(result: ScanResult) -> list[dict[str, Any]]:
    """What the scan did not follow or skipped (remote kustomize bases, Helm templates): never
    failing, each once."""
    return [{"file": n.file, "line": n.line, "message": n.message} for n in result.notes]


def config_in_force(result: ScanResult) -> dict[str, Any] | None:
    """The config file the scan ran with and every weakening it applies (trust.py); None: defaults."""
    config = result.settings.config if result.settings else None
    return config.to_dict() if config is not None else None


def baseline_summary(result: ScanResult) -> dict[str, Any] | None:
    """With ``--baseline``: its file name, new and unchanged findings, and the fixed entries."""
    if result.filters.baseline is None:
        return None
    return {
        "file": result.filters.baseline.path.name,
        "new": sum(1 for f in result.failing if f.baseline_state == "new"),
        "unchanged": sum(1 for f in result.findings if f.baseline_state == "unchanged"),
        "fixed": [entry.to_dict() for entry in result.baseline_fixed],
    }


def render(result: ScanResult, color: bool = False) -> str:
    return dumps_json(document(result))


def write(result: ScanResult, handle: TextIO) -> None:
    """The report straight into a file, a piece at a time: never the whole text in memory."""
    write_json(document(result), handle)


def document(result: ScanResult) -> dict[str, Any]:
    document: dict[str, Any] = {
        "tool": {"name": "iac-guard", "version": __version__, "policies": len(result.policies)},
        "summary": summary(result),
        "findings": [finding_to_dict(f) for f in result.findings],
        "errors": [
            {"file": e.file, "line": e.line, "column": e.column, "message": e.message} for e in result.errors
        ],
    }
    baseline = baseline_summary(result)
    if baseline is not None:
        document["baseline"] = baseline
    if result.shard is not None:  # --shard: what iac-guard merge needs (see shard/merge.py)
        document["shard"] = {
            "index": result.shard.index, "count": result.shard.count, "soft_fail": result.filters.soft_fail,
            "judging": judging_record(result.settings, result.policies),
        }
        document["inventory"] = result.shard.inventory
    return document
